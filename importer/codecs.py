"""One codec per entry type: what a line of that type may hold and how it maps to the page.

A codec turns a line into the entry's *desired state* (`parse`), reads the same state back from a stored page
(`existing_state`), so that "unchanged" is decided by comparing what is stored, and sets a page's fields and
links from a state (`write`). It also says where a new entry goes in the page tree (`parent`). States use
natural keys only: SDG numbers, ISTAT codes, theme and network slugs, organisation names, practice slugs.

`EntryCodec` handles the fields every type shares; a type's codec extends each method with its own fields.
A new entry type is one more class here, registered with `@register`.
"""

import json
import re
from datetime import date
from html import unescape

from django.utils.html import escape, strip_tags
from wagtail.rich_text import RichText

from core.text import paragraphs
from library.pages import LibraryIndexPage
from practices.models import (
    CaseStudyPage,
    CaseStudyPractice,
    EntryOrganisation,
    EntryTerritory,
    GoodPracticePage,
    LibraryEntry,
    ModulePractice,
    NetworkIndexPage,
    ResidencyIndexPage,
    ResidencyPage,
    ResidencyPractice,
    Territory,
    TrainingModulePage,
)

from .checks import (
    SLUG_RE,
    LineError,
    LineErrors,
    choice_field,
    date_value,
    dated_objects,
    int_field,
    list_field,
    objects_field,
    text_field,
)

# The index pages of the site tree (home.site_tree.SiteTree's attributes) that entries are created under, or
# link to: an entry in another language needs their translation in that language.
INDEX_PAGES = {"library": LibraryIndexPage, "residencies": ResidencyIndexPage, "networks": NetworkIndexPage}


# --- import text to stored values, and back -------------------------------------------------------------


def paragraph_html(text):
    return f"<p>{escape(text)}</p>"


def html_paragraphs(html):
    """The text of each paragraph of stored rich text. The admin rewrites the HTML it saves (block keys,
    entities), so what is stored is compared with the import by its text."""
    texts = (" ".join(unescape(strip_tags(part)).split()) for part in re.split(r"</p>|<br\s*/?>", html or ""))
    return [text for text in texts if text]


def stream_items(stream_value, block_type):
    return [item["value"] for item in stream_value.raw_data if item["type"] == block_type]


def key_figures_field(data):
    figures = []
    for item in list_field(data, "key_figures", dict):
        if isinstance(item.get("value"), int) and not isinstance(item.get("value"), bool):
            item = {**item, "value": str(item["value"])}  # 95 and "95" are the same figure
        figures.append(item)
    return objects_field(
        {"key_figures": figures},
        "key_figures",
        ("value", "label"),
        ("value", "label"),
        max_lengths={"value": 30, "label": 120},
    )


def practice_links_field(data):
    """`practices`: slugs of good practices, or objects with a slug and a note."""
    links, errors = [], []
    value = data.get("practices")
    if value is None:
        return links
    if not isinstance(value, list):
        raise LineError("practices", "must be a list")
    for position, item in enumerate(value, start=1):
        if isinstance(item, str):
            item = {"slug": item}
        if not isinstance(item, dict):
            errors.append(LineError("practices", f'item {position} must be a slug or an object with "slug" and "note"'))
            continue
        slug, note = item.get("slug"), item.get("note") or ""
        problems = []
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.append(f'item {position} needs the "slug" of a good practice')
        if not isinstance(note, str):
            problems.append(f'item {position}: "note" must be text')
        unknown = set(item) - {"slug", "note"}
        if unknown:
            problems.append(f"item {position} has unknown key(s): {', '.join(sorted(unknown))}")
        if problems:
            errors.extend(LineError("practices", message) for message in problems)
            continue
        links.append({"slug": slug, "note": note.strip()})
    if errors:
        raise LineErrors(errors)
    return links


def optional_date(value):
    return date.fromisoformat(value) if value else None


# --- the codecs -----------------------------------------------------------------------------------------


class EntryCodec:
    """The fields every entry shares. Used as it is for a line whose type is unknown, so that its other
    fields are still checked."""

    model = LibraryEntry
    fields = frozenset(
        {
            "slug",
            "type",
            "locale",
            "title",
            "summary",
            "body",
            "sdgs",
            "territories",
            "themes",
            "networks",
            "organisations",
            "year",
            "end_year",
            "status",
            "key_figures",
        }
    )
    # Where a new entry goes: the site tree's index page of that name, in the entry's language.
    index_page = "library"
    # Types written first: the others link to them, so they must exist (and have an id) by then.
    written_first = False
    # What existing_state reads, prefetched for a batch of stored pages.
    prefetch = ("sdgs", "themes", "networks", "territory_links__territory", "organisation_links__organisation")

    @property
    def key(self):
        return self.model.entry_type_key

    def parse(self, data, vocabulary, locale_id, check):
        """The desired state of a decoded line; every problem goes to `check`, each field is checked even when
        another one is wrong. `locale_id` is None when the line's locale is not valid."""
        sdgs = check(list_field, data, "sdgs", int, default=[])
        for number in sdgs:
            if number not in vocabulary.sdgs:
                check.add("sdgs", f"{number} is not an SDG (1-17)")
        territories = check(list_field, data, "territories", str, default=[])
        for code in territories:
            if code not in vocabulary.territories:
                check.add("territories", f'"{code}" is not an ISTAT territory code')
        if self.model.requires_sdg_and_territory:
            if not sdgs and not check.failed("sdgs"):
                check.add("sdgs", "at least one SDG is required to publish this entry")
            if not territories and not check.failed("territories"):
                check.add("territories", "at least one territory is required to publish this entry")
        year = check(int_field, data, "year", 1900, 2100)
        end_year = check(int_field, data, "end_year", 1900, 2100)
        if year and end_year and end_year < year:
            check.add("end_year", f"{end_year} is before the start year {year}")

        def each(validator, names):
            return [value for value in (check(validator, name) for name in names if name.strip()) if value is not None]

        networks = []
        if locale_id is not None:  # networks are per language: without a valid one they cannot be looked up
            networks = each(
                lambda name: vocabulary.network(locale_id, name), check(list_field, data, "networks", default=[])
            )
        return {
            "title": check(text_field, data, "title", required=True, max_length=255, default=""),
            "summary": check(text_field, data, "summary", required=True, default=""),
            "body": paragraphs(check(text_field, data, "body", default="")),
            "sdgs": sorted(set(sdgs)),
            "territories": list(dict.fromkeys(territories)),
            "themes": sorted(set(each(vocabulary.theme, check(list_field, data, "themes", default=[])))),
            "networks": sorted(set(networks)),
            "organisations": list(
                dict.fromkeys(each(vocabulary.organisation, check(list_field, data, "organisations", default=[])))
            ),
            "year": year,
            "end_year": end_year,
            "status": check(choice_field, data, "status", LibraryEntry.Status.values, default=""),
            "key_figures": check(key_figures_field, data, default=[]),
        }

    def existing_state(self, page):
        """The state of a stored page, in the shape parse() gives."""
        return {
            "title": page.title,
            "summary": page.summary,
            "body": [text for html in stream_items(page.body, "paragraph") for text in html_paragraphs(html)]
            if all(item["type"] == "paragraph" for item in page.body.raw_data)
            else ["(images, quotes or headings added in the admin)"],
            "sdgs": sorted(sdg.number for sdg in page.sdgs.all()),
            "territories": [link.territory.code for link in page.territory_links.all()],
            "themes": sorted(theme.slug for theme in page.themes.all()),
            "networks": sorted(network.slug for network in page.networks.all()),
            "organisations": [link.organisation.name for link in page.organisation_links.all()],
            "year": page.year,
            "end_year": page.end_year,
            "status": page.status,
            "key_figures": [
                {"value": v["value"], "label": v["label"]} for v in stream_items(page.key_figures, "key_figure")
            ],
        }

    def write(self, page, state, refs):
        """Set the page's fields and links from `state`; `refs` holds the rows the natural keys name (the
        linked practices by id)."""
        page.title = state["title"]
        page.summary = state["summary"]
        page.body = [("paragraph", RichText(paragraph_html(text))) for text in state["body"]]
        page.year, page.end_year, page.status = state["year"], state["end_year"], state["status"]
        page.key_figures = [("key_figure", figure) for figure in state["key_figures"]]
        page.sdgs = [refs["sdgs"][number] for number in state["sdgs"]]
        page.themes = [refs["themes"][slug] for slug in state["themes"]]
        page.networks = [refs["networks"][(page.locale_id, slug)] for slug in state["networks"]]
        page.territory_links = [
            EntryTerritory(territory=refs["territories"][code], sort_order=order)
            for order, code in enumerate(state["territories"])
        ]
        # The file names the organisations; their roles are written in the admin.
        roles = {link.organisation_id: link.role for link in page.organisation_links.all()} if page.pk else {}
        page.organisation_links = [
            EntryOrganisation(organisation=organisation, role=roles.get(organisation.pk, ""), sort_order=order)
            for order, organisation in enumerate(refs["organisations"][name] for name in state["organisations"])
        ]

    def parent(self, tree, state, locale, refs):
        """The page a new entry is created under (`tree`: the pipeline's index pages by language)."""
        return tree.index(self.index_page, locale)

    def index_pages_needed(self, state):
        """The site tree's index pages the entry needs in its language: its parent's and the networks'."""
        needed = [self.index_page] if self.index_page else []
        if state["networks"]:
            needed.append("networks")
        return needed

    def linked_practices(self, state):
        """Slugs of the good practices the entry links to."""
        return []

    def problems_with_stored(self, page, state):
        """(field, message) for what the import cannot change on a stored page of this type."""
        return []


CODECS = {}


def register(codec_class):
    codec = codec_class()
    CODECS[codec.key] = codec
    return codec_class


SECTION_NAMES = [name for name, _label in GoodPracticePage.SECTIONS]


@register
class GoodPracticeCodec(EntryCodec):
    model = GoodPracticePage
    fields = EntryCodec.fields | {"sections"}
    written_first = True

    def parse(self, data, vocabulary, locale_id, check):
        state = super().parse(data, vocabulary, locale_id, check)
        sections = data.get("sections")
        if sections is None:
            sections = {}
        if not isinstance(sections, dict):
            check.add("sections", "must be an object of section texts")
            sections = {}
        unknown = set(sections) - set(SECTION_NAMES)
        if unknown:
            check.add(
                "sections", f"unknown section(s): {', '.join(sorted(unknown))}; known: {', '.join(SECTION_NAMES)}"
            )
        for name in SECTION_NAMES:
            text = sections.get(name)
            if text is not None and not isinstance(text, str):
                check.add("sections", f'"{name}" must be text, not {json.dumps(text)}')
                text = ""
            state[name] = paragraphs(text or "")
        return state

    def existing_state(self, page):
        state = super().existing_state(page)
        state.update({name: html_paragraphs(getattr(page, name)) for name in SECTION_NAMES})
        return state

    def write(self, page, state, refs):
        super().write(page, state, refs)
        for name in SECTION_NAMES:
            setattr(page, name, "".join(paragraph_html(text) for text in state[name]))


@register
class CaseStudyCodec(EntryCodec):
    model = CaseStudyPage
    fields = EntryCodec.fields | {"practices"}
    prefetch = EntryCodec.prefetch + ("documented_practices__practice",)

    def parse(self, data, vocabulary, locale_id, check):
        state = super().parse(data, vocabulary, locale_id, check)
        state["practices"] = [link["slug"] for link in check(practice_links_field, data, default=[])]
        return state

    def existing_state(self, page):
        state = super().existing_state(page)
        state["practices"] = [link.practice.slug for link in page.documented_practices.all()]
        return state

    def write(self, page, state, refs):
        super().write(page, state, refs)
        # The file names the documented practices; the notes on them are written in the admin.
        notes = {link.practice_id: link.note for link in page.documented_practices.all()} if page.pk else {}
        documented = (refs["practices"][(page.locale_id, slug)] for slug in state["practices"])
        page.documented_practices = [
            CaseStudyPractice(practice_id=practice_id, note=notes.get(practice_id, ""), sort_order=order)
            for order, practice_id in enumerate(documented)
        ]

    def linked_practices(self, state):
        return state["practices"]


class PracticeLinksCodec(EntryCodec):
    """A type that links good practices with a note written in the file (modules, residencies)."""

    link_model = None  # the PracticeLink model of `page.practice_links`
    prefetch = EntryCodec.prefetch + ("practice_links__practice",)

    def existing_practice_links(self, page):
        return [{"slug": link.practice.slug, "note": link.note} for link in page.practice_links.all()]

    def write(self, page, state, refs):
        super().write(page, state, refs)
        page.practice_links = [
            self.link_model(
                practice_id=refs["practices"][(page.locale_id, link["slug"])], note=link["note"], sort_order=order
            )
            for order, link in enumerate(state["practices"])
        ]

    def linked_practices(self, state):
        return [link["slug"] for link in state["practices"]]


@register
class ResidencyCodec(PracticeLinksCodec):
    model = ResidencyPage
    link_model = ResidencyPractice
    fields = EntryCodec.fields | {
        "city",
        "start_date",
        "end_date",
        "host_network",
        "programme",
        "practices",
        "participants",
        "participants_count",
    }
    index_page = "residencies"
    prefetch = PracticeLinksCodec.prefetch + ("city", "host_network")

    def parse(self, data, vocabulary, locale_id, check):
        state = super().parse(data, vocabulary, locale_id, check)
        city = check(text_field, data, "city", required=True, default="")
        territory = vocabulary.territories.get(city)
        if city and territory is None:
            check.add("city", f'"{city}" is not an ISTAT territory code')
        elif territory is not None and territory.level != Territory.Level.MUNICIPALITY:
            check.add("city", f'"{city}" is a {territory.level}, not a municipality')
        start = check(date_value, data["start_date"], "start_date") if data.get("start_date") is not None else None
        end = check(date_value, data["end_date"], "end_date") if data.get("end_date") is not None else None
        if start and end and end < start:
            check.add("end_date", f"{end} is before the start date {start}")
        host = check(text_field, data, "host_network", default="")
        if host and locale_id is not None:
            host = check(vocabulary.network, locale_id, host, "host_network")
        programme = check(
            objects_field, data, "programme", ("date", "title", "description"), ("title",), {"title": 255}, default=[]
        )
        state.update(
            {
                "city": city,
                "start_date": start.isoformat() if start else None,
                "end_date": end.isoformat() if end else None,
                "host_network": host or None,
                "programme": [
                    {"date": item["date"], "title": item["title"], "description": item["description"]}
                    for item in dated_objects(check, programme, "programme")
                ],
                "practices": check(practice_links_field, data, default=[]),
                "participants": check(text_field, data, "participants", default=""),
                "participants_count": check(int_field, data, "participants_count", 0, 1_000_000),
            }
        )
        return state

    def existing_state(self, page):
        state = super().existing_state(page)
        state.update(
            {
                "city": page.city.code if page.city_id else None,
                "start_date": page.start_date.isoformat() if page.start_date else None,
                "end_date": page.end_date.isoformat() if page.end_date else None,
                "host_network": page.host_network.slug if page.host_network_id else None,
                "programme": [
                    {"date": v["date"], "title": v["title"], "description": v.get("description") or ""}
                    for v in stream_items(page.programme, "day")
                ],
                "practices": self.existing_practice_links(page),
                "participants": page.participants,
                "participants_count": page.participants_count,
            }
        )
        return state

    def write(self, page, state, refs):
        super().write(page, state, refs)
        page.city = refs["territories"][state["city"]]
        page.start_date = optional_date(state["start_date"])
        page.end_date = optional_date(state["end_date"])
        host = state["host_network"]
        page.host_network = refs["networks"][(page.locale_id, host)] if host else None
        page.programme = [("day", {**day, "date": date.fromisoformat(day["date"])}) for day in state["programme"]]
        page.participants, page.participants_count = state["participants"], state["participants_count"]

    def index_pages_needed(self, state):
        needed = super().index_pages_needed(state)
        if state["host_network"] and "networks" not in needed:
            needed.append("networks")
        return needed


@register
class TrainingModuleCodec(PracticeLinksCodec):
    model = TrainingModulePage
    link_model = ModulePractice
    fields = EntryCodec.fields | {
        "programme",
        "number",
        "macro_action",
        "hub",
        "format",
        "duration",
        "objectives",
        "sessions",
        "practices",
    }
    index_page = None  # a module goes under its training programme, named by the line
    PLAIN_FIELDS = ("number", "macro_action", "hub", "format", "duration", "objectives")

    def parse(self, data, vocabulary, locale_id, check):
        state = super().parse(data, vocabulary, locale_id, check)
        programme_slug = check(text_field, data, "programme", required=True, default="")
        if programme_slug and locale_id is not None and (locale_id, programme_slug) not in vocabulary.programmes:
            check.add("programme", f'no training programme with slug "{programme_slug}" in this language')
        sessions = check(
            objects_field,
            data,
            "sessions",
            ("date", "title", "place"),
            max_lengths={"title": 255, "place": 255},
            default=[],
        )
        objectives = check(list_field, data, "objectives", str, default=[])
        state.update(
            {
                "programme": programme_slug,
                "number": check(int_field, data, "number", 1, 999),
                "macro_action": check(text_field, data, "macro_action", max_length=255, default=""),
                "hub": check(choice_field, data, "hub", TrainingModulePage.Hub.values, default=""),
                "format": check(choice_field, data, "format", TrainingModulePage.Format.values, default=""),
                "duration": check(text_field, data, "duration", max_length=60, default=""),
                "objectives": "\n".join(line.strip() for line in objectives if line.strip()),
                "sessions": [
                    {"date": item["date"], "title": item["title"], "place": item["place"]}
                    for item in dated_objects(check, sessions, "sessions")
                ],
                "practices": check(practice_links_field, data, default=[]),
            }
        )
        return state

    def existing_state(self, page):
        state = super().existing_state(page)
        state.update({name: getattr(page, name) for name in self.PLAIN_FIELDS})
        state.update(
            {
                "programme": page.get_parent().slug,
                "sessions": [
                    {"date": v["date"], "title": v.get("title") or "", "place": v.get("place") or ""}
                    for v in stream_items(page.sessions, "session")
                ],
                "practices": self.existing_practice_links(page),
            }
        )
        return state

    def write(self, page, state, refs):
        super().write(page, state, refs)
        for name in self.PLAIN_FIELDS:
            setattr(page, name, state[name])
        page.sessions = [
            ("session", {**session, "date": date.fromisoformat(session["date"])}) for session in state["sessions"]
        ]

    def parent(self, tree, state, locale, refs):
        return refs["programmes"][(locale.pk, state["programme"])]

    def problems_with_stored(self, page, state):
        if page.get_parent().slug != state["programme"]:
            return [("programme", "the module belongs to another programme; move it in the admin")]
        return []


# Every field some type knows: with a type nobody knows, a field is unknown only if no type has it.
ALL_FIELDS = frozenset().union(*(codec.fields for codec in CODECS.values()))
COMMON = EntryCodec()
