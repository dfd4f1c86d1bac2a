"""Bulk import of library entries from JSON Lines: the one place that reads the import format of DESIGN.md.

Every line is validated and turned into the entry's *desired state*, expressed with natural keys only (SDG
numbers, ISTAT codes, theme slugs, network slugs, organisation names, practice slugs). The same state is
read back from existing pages, so "unchanged" is decided by comparing what is stored, not by a checksum
that an editor's later change in the admin would make stale. Nothing is written until every line is
valid, and then everything is written in one transaction.
"""

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from html import unescape

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.html import escape, strip_tags
from django.utils.text import slugify
from modelsearch import index as search_index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import Locale, Page, ReferenceIndex
from wagtail.rich_text import RichText
from wagtail.signal_handlers import disable_reference_index_auto_update

from search.query import knowledge_changed

from . import signals
from .models import (
    ENTRY_TYPES,
    SDG,
    CaseStudyPractice,
    EntryOrganisation,
    EntryTerritory,
    GoodPracticePage,
    LibraryEntry,
    LibraryIndexPage,
    ModulePractice,
    NetworkIndexPage,
    NetworkPage,
    Organisation,
    ResidencyIndexPage,
    ResidencyPractice,
    Territory,
    Theme,
    TrainingModulePage,
    TrainingProgrammePage,
)
from .models.taxonomy import fold
from .site_tree import ensure_site_tree, publish

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COMMON_FIELDS = {
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
TYPE_FIELDS = {
    "good_practice": {"sections"},
    "case_study": {"practices"},
    "training_module": {
        "programme",
        "number",
        "macro_action",
        "hub",
        "format",
        "duration",
        "objectives",
        "sessions",
        "practices",
    },
    "residency": {
        "city",
        "start_date",
        "end_date",
        "host_network",
        "programme",
        "practices",
        "participants",
        "participants_count",
    },
}
SECTION_NAMES = [name for name, _label in GoodPracticePage.SECTIONS]


@contextmanager
def search_index_deferred():
    """Disconnect modelsearch's save handler from the page models while an import writes; the caller
    indexes what it wrote. The import runs in its own process (a management command), so no request
    misses an index update meanwhile."""
    models = [model for model in search_index.get_indexed_models() if issubclass(model, Page)]
    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
    signals.disconnect()
    try:
        yield
    finally:
        for model in models:
            post_save.connect(post_save_signal_handler, sender=model)
        signals.connect()


def index_in_bulk(pages, batch_size=500):
    """One search-index write per batch of pages of the same type, instead of one per page."""
    by_model = {}
    for page in pages:
        by_model.setdefault(type(page), []).append(page)
    for backend in get_search_backends(with_auto_update=True):
        for model, instances in by_model.items():
            for start in range(0, len(instances), batch_size):
                backend.add_bulk(model, instances[start : start + batch_size])
    knowledge_changed()  # the words the search knows (typo correction) include the new entries


class LineError(Exception):
    def __init__(self, field_name, message):
        super().__init__(message)
        self.field = field_name
        self.message = message


class LineErrors(Exception):
    """Every problem found on one line, so that a file is fixed in one pass rather than one field per run.
    `key` is the line's (locale, slug) when those two were valid, for the duplicate check."""

    def __init__(self, errors, key=None):
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors
        self.key = key


class Checks:
    """Runs the validators of one line, keeping every LineError instead of stopping at the first."""

    def __init__(self):
        self.errors = []

    def __call__(self, validator, *args, default=None, **kwargs):
        try:
            return validator(*args, **kwargs)
        except LineError as error:
            self.errors.append(error)
        except LineErrors as errors:
            self.errors.extend(errors.errors)
        return default

    def add(self, field_name, message):
        self.errors.append(LineError(field_name, message))


@dataclass
class Problem:
    line: int
    field: str
    message: str

    def __str__(self):
        return f"line {self.line}, field {self.field}: {self.message}"


@dataclass
class Record:
    line: int
    type: str
    locale: str
    slug: str
    state: dict
    action: str = ""  # create, update or unchanged, decided by the plan
    page: LibraryEntry | None = None


@dataclass
class ImportReport:
    problems: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_themes: list = field(default_factory=list)
    new_networks: list = field(default_factory=list)
    new_organisations: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


# --- helpers that turn import text into stored values, and back ---------------------------------------


def paragraphs(text):
    """Paragraphs separated by blank lines, each with its whitespace collapsed."""
    parts = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text or "")]
    return [part for part in parts if part]


def paragraph_html(text):
    return f"<p>{escape(text)}</p>"


def html_paragraphs(html):
    """The text of each paragraph of stored rich text. The admin rewrites the HTML it saves (block keys,
    entities), so what is stored is compared with the import by its text."""
    texts = (" ".join(unescape(strip_tags(part)).split()) for part in re.split(r"</p>|<br\s*/?>", html or ""))
    return [text for text in texts if text]


def stream_items(stream_value, block_type):
    return [item["value"] for item in stream_value.raw_data if item["type"] == block_type]


# --- validation of one line -----------------------------------------------------------------------------


INVALID_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def find_invalid_text(value):
    """True if a string anywhere in `value` holds a NUL or a lone surrogate, which no database stores."""
    if isinstance(value, str):
        return bool(INVALID_CHARACTERS.search(value))
    if isinstance(value, dict):
        return any(find_invalid_text(key) or find_invalid_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(find_invalid_text(item) for item in value)
    return False


def without_invalid_text(value):
    """`value` with those characters removed: the line is refused anyway, but its other fields can still be
    checked (and reported) as if the characters were not there."""
    if isinstance(value, str):
        return INVALID_CHARACTERS.sub("", value)
    if isinstance(value, dict):
        return {without_invalid_text(key): without_invalid_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_invalid_text(item) for item in value]
    return value


def _string(value, name, max_length=None, what="must be text"):
    if not isinstance(value, str):
        raise LineError(name, what)
    value = value.strip()
    if max_length and len(value) > max_length:
        raise LineError(name, f'"{value[:40]}…" is longer than {max_length} characters')
    return value


def _text(data, name, required=False, max_length=None):
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise LineError(name, "must be a string")
    value = value.strip()
    if required and not value:
        raise LineError(name, "is required")
    if max_length and len(value) > max_length:
        raise LineError(name, f"is longer than {max_length} characters")
    return value


def _int(data, name, minimum, maximum, required=False):
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise LineError(name, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(name, f"must be a whole number, not {json.dumps(value)}")
    if not minimum <= value <= maximum:
        raise LineError(name, f"must be between {minimum} and {maximum}, not {value}")
    return value


def _list(data, name, item_type=str):
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise LineError(name, "must be a list")
    errors = [
        LineError(name, f"every item must be a {item_type.__name__}, not {json.dumps(item)}")
        for item in value
        if isinstance(item, bool) or not isinstance(item, item_type)
    ]
    if errors:
        raise LineErrors(errors)
    return value


def _objects(data, name, keys, required_keys=(), max_lengths=None):
    """A list of objects whose values are text; returns them with every key present and stripped."""
    cleaned, errors = [], []
    for position, item in enumerate(_list(data, name, dict), start=1):
        unknown = set(item) - set(keys)
        if unknown:
            errors.append(LineError(name, f"item {position} has unknown key(s): {', '.join(sorted(unknown))}"))
        row = {}
        for key in keys:
            value = item.get(key)
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors.append(LineError(name, f'item {position}: "{key}" must be text, not {json.dumps(value)}'))
                value = ""
            value = value.strip()
            limit = (max_lengths or {}).get(key)
            if limit and len(value) > limit:
                errors.append(LineError(name, f'item {position}: "{key}" is longer than {limit} characters'))
            if key in required_keys and not value:
                errors.append(LineError(name, f'item {position} needs a non-empty "{key}"'))
            row[key] = value
        cleaned.append(row)
    if errors:
        raise LineErrors(errors)
    return cleaned


def _date(value, name):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise LineError(name, f"must be a date written YYYY-MM-DD, not {json.dumps(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise LineError(name, f'"{value}" is not a date written YYYY-MM-DD') from None


def _choice(data, name, choices):
    value = _text(data, name)
    if value and value not in choices:
        raise LineError(name, f'must be one of {", ".join(choices)}, not "{value}"')
    return value


class Vocabulary:
    """What the lines refer to, loaded once: the rows that exist and the ones the import will create."""

    def __init__(self, lines_data):
        codes = {code for data in lines_data for code in _safe_list(data.get("territories"))}
        codes |= {data["city"] for data in lines_data if isinstance(data.get("city"), str)}
        self.territories = {t.code: t for t in Territory.objects.filter(code__in=codes)}
        self.sdgs = {s.number: s for s in SDG.objects.all()}
        self.themes = list(Theme.objects.all())
        self.theme_by_key = {}
        for theme in self.themes:
            self.theme_by_key[theme.slug] = theme.slug
            self.theme_by_key[fold(theme.name_it)] = theme.slug
            if theme.name_en:
                self.theme_by_key.setdefault(fold(theme.name_en), theme.slug)
        self.new_themes = {}  # slug -> name
        self.networks = {}
        self.network_by_translation = {}  # (locale_id, translation_key) -> slug
        self.translation_key_by_name = {}  # folded title or slug -> translation_key, in any language
        for network in NetworkPage.objects.all().only("id", "title", "slug", "locale_id", "translation_key"):
            self.networks[(network.locale_id, network.slug)] = network.slug
            self.networks[(network.locale_id, fold(network.title))] = network.slug
            self.network_by_translation[(network.locale_id, network.translation_key)] = network.slug
            self.translation_key_by_name.setdefault(fold(network.title), network.translation_key)
            self.translation_key_by_name.setdefault(network.slug, network.translation_key)
        self.new_networks = {}  # (locale_id, slug) -> title
        self.organisations = {fold(name): name for name in Organisation.objects.values_list("name", flat=True)}
        self.new_organisations = {}
        self.programmes = {}
        for programme in TrainingProgrammePage.objects.all().only("id", "slug", "locale_id"):
            self.programmes[(programme.locale_id, programme.slug)] = programme

    def theme(self, name):
        name = _string(name, "themes", max_length=Theme._meta.get_field("name_it").max_length)
        key = fold(name)
        if key in self.theme_by_key:
            return self.theme_by_key[key]
        slug = slugify(name)[:80]
        if not slug:
            raise LineError("themes", f'"{name}" cannot be turned into a theme')
        if slug in self.theme_by_key:
            return self.theme_by_key[slug]
        self.new_themes[slug] = name
        self.theme_by_key[key] = self.theme_by_key[slug] = slug
        return slug

    def network(self, locale_id, name, field_name="networks"):
        name = _string(name, field_name, max_length=NetworkPage._meta.get_field("title").max_length)
        key = fold(name)
        for candidate in ((locale_id, key), (locale_id, slugify(name))):
            if candidate in self.networks:
                return self.networks[candidate]
        # A network known in another language is that network, not a new one: use its translation.
        translation_key = self.translation_key_by_name.get(key) or self.translation_key_by_name.get(slugify(name))
        if translation_key:
            translated = self.network_by_translation.get((locale_id, translation_key))
            if translated is None:
                raise LineError(field_name, f'"{name}" has no translation in this language yet: translate it first')
            return translated
        slug = slugify(name)[:255]
        if not slug:
            raise LineError(field_name, f'"{name}" cannot be turned into a network')
        self.new_networks[(locale_id, slug)] = name
        self.networks[(locale_id, key)] = self.networks[(locale_id, slug)] = slug
        return slug

    def organisation(self, name):
        name = _string(name, "organisations", max_length=Organisation._meta.get_field("name").max_length)
        key = fold(name)
        if key not in self.organisations:
            self.organisations[key] = name
            self.new_organisations[key] = name
        return self.organisations[key]


def _safe_list(value):
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def parse_line(data, vocabulary, locales):
    """Validate one decoded line and return (type, locale, slug, desired state). Raises LineErrors with every
    problem of the line: each field is checked even when another one is wrong."""
    if not isinstance(data, dict):
        raise LineErrors([LineError("(line)", "must be a JSON object")])
    check = Checks()
    for name, value in data.items():
        if find_invalid_text(name) or find_invalid_text(value):
            check.add(
                name if not find_invalid_text(name) else "(line)",
                "contains a NUL character or a broken surrogate, which cannot be stored",
            )
    if check.errors:
        data = without_invalid_text(data)
    entry_type = check(_text, data, "type", required=True, default="")
    if entry_type and entry_type not in ENTRY_TYPES:
        check.add("type", f'must be one of {", ".join(ENTRY_TYPES)}, not "{entry_type}"')
    known_type = entry_type in ENTRY_TYPES
    # With a type nobody knows, a field is unknown only if no type has it.
    allowed = TYPE_FIELDS[entry_type] if known_type else set().union(*TYPE_FIELDS.values())
    for name in sorted(set(data) - COMMON_FIELDS - allowed):
        check.add(name, f"is not a field of {entry_type}" if known_type else "is not a field of any entry type")
    slug = check(_text, data, "slug", required=True, max_length=255, default="")
    if slug and not SLUG_RE.match(slug):
        check.add("slug", f'"{slug}" must be lower-case letters, digits and single hyphens')
        slug = ""
    locale_code = check(_text, data, "locale", default="") or "it"
    if locale_code not in locales:
        check.add("locale", f'must be one of {", ".join(sorted(locales))}, not "{locale_code}"')
    locale_id = locales.get(locale_code)

    sdgs = check(_list, data, "sdgs", int, default=[])
    for number in sdgs:
        if number not in vocabulary.sdgs:
            check.add("sdgs", f"{number} is not an SDG (1-17)")
    territories = check(_list, data, "territories", str, default=[])
    for code in territories:
        if code not in vocabulary.territories:
            check.add("territories", f'"{code}" is not an ISTAT territory code')
    if known_type and ENTRY_TYPES[entry_type].requires_sdg_and_territory:
        if not sdgs and "sdgs" not in {error.field for error in check.errors}:
            check.add("sdgs", "at least one SDG is required to publish this entry")
        if not territories and "territories" not in {error.field for error in check.errors}:
            check.add("territories", "at least one territory is required to publish this entry")
    year = check(_int, data, "year", 1900, 2100)
    end_year = check(_int, data, "end_year", 1900, 2100)
    if year and end_year and end_year < year:
        check.add("end_year", f"{end_year} is before the start year {year}")

    def each(validator, names):
        return [value for value in (check(validator, name) for name in names if name.strip()) if value is not None]

    networks = []
    if locale_id is not None:  # networks are per language: without a valid one they cannot be looked up
        networks = each(lambda name: vocabulary.network(locale_id, name), check(_list, data, "networks", default=[]))
    state = {
        "title": check(_text, data, "title", required=True, max_length=255, default=""),
        "summary": check(_text, data, "summary", required=True, default=""),
        "body": paragraphs(check(_text, data, "body", default="")),
        "sdgs": sorted(set(sdgs)),
        "territories": list(dict.fromkeys(territories)),
        "themes": sorted(set(each(vocabulary.theme, check(_list, data, "themes", default=[])))),
        "networks": sorted(set(networks)),
        "organisations": list(
            dict.fromkeys(each(vocabulary.organisation, check(_list, data, "organisations", default=[])))
        ),
        "year": year,
        "end_year": end_year,
        "status": check(_choice, data, "status", LibraryEntry.Status.values, default=""),
        "key_figures": check(_key_figures, data, default=[]),
    }
    if known_type:
        state.update(TYPE_PARSERS[entry_type](data, vocabulary, locale_id, check))
    if check.errors:
        key = (locale_code, slug) if slug and locale_id is not None else None
        raise LineErrors(check.errors, key)
    return entry_type, locale_code, slug, state


def _key_figures(data):
    figures = []
    for item in _list(data, "key_figures", dict):
        if isinstance(item.get("value"), int) and not isinstance(item.get("value"), bool):
            item = {**item, "value": str(item["value"])}  # 95 and "95" are the same figure
        figures.append(item)
    return _objects(
        {"key_figures": figures},
        "key_figures",
        ("value", "label"),
        ("value", "label"),
        max_lengths={"value": 30, "label": 120},
    )


def _practice_links(data):
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


def _dated(check, items, field_name):
    """The items of a list of dated objects, each date checked."""
    rows = []
    for item in items:
        when = check(_date, item["date"], field_name)
        rows.append({**item, "date": when.isoformat() if when else ""})
    return rows


def _parse_good_practice(data, vocabulary, locale_id, check):
    sections = data.get("sections")
    if sections is None:
        sections = {}
    if not isinstance(sections, dict):
        check.add("sections", "must be an object of section texts")
        sections = {}
    unknown = set(sections) - set(SECTION_NAMES)
    if unknown:
        check.add("sections", f"unknown section(s): {', '.join(sorted(unknown))}; known: {', '.join(SECTION_NAMES)}")
    state = {}
    for name in SECTION_NAMES:
        text = sections.get(name)
        if text is not None and not isinstance(text, str):
            check.add("sections", f'"{name}" must be text, not {json.dumps(text)}')
            text = ""
        state[name] = paragraphs(text or "")
    return state


def _parse_case_study(data, vocabulary, locale_id, check):
    return {"practices": [link["slug"] for link in check(_practice_links, data, default=[])]}


def _parse_training_module(data, vocabulary, locale_id, check):
    programme_slug = check(_text, data, "programme", required=True, default="")
    if programme_slug and locale_id is not None and (locale_id, programme_slug) not in vocabulary.programmes:
        check.add("programme", f'no training programme with slug "{programme_slug}" in this language')
    sessions = check(
        _objects, data, "sessions", ("date", "title", "place"), max_lengths={"title": 255, "place": 255}, default=[]
    )
    objectives = check(_list, data, "objectives", str, default=[])
    return {
        "programme": programme_slug,
        "number": check(_int, data, "number", 1, 999),
        "macro_action": check(_text, data, "macro_action", max_length=255, default=""),
        "hub": check(_choice, data, "hub", TrainingModulePage.Hub.values, default=""),
        "format": check(_choice, data, "format", TrainingModulePage.Format.values, default=""),
        "duration": check(_text, data, "duration", max_length=60, default=""),
        "objectives": "\n".join(line.strip() for line in objectives if line.strip()),
        "sessions": [
            {"date": item["date"], "title": item["title"], "place": item["place"]}
            for item in _dated(check, sessions, "sessions")
        ],
        "practices": check(_practice_links, data, default=[]),
    }


def _parse_residency(data, vocabulary, locale_id, check):
    city = check(_text, data, "city", required=True, default="")
    territory = vocabulary.territories.get(city)
    if city and territory is None:
        check.add("city", f'"{city}" is not an ISTAT territory code')
    elif territory is not None and territory.level != Territory.Level.MUNICIPALITY:
        check.add("city", f'"{city}" is a {territory.level}, not a municipality')
    start = check(_date, data["start_date"], "start_date") if data.get("start_date") is not None else None
    end = check(_date, data["end_date"], "end_date") if data.get("end_date") is not None else None
    if start and end and end < start:
        check.add("end_date", f"{end} is before the start date {start}")
    host = check(_text, data, "host_network", default="")
    if host and locale_id is not None:
        host = check(vocabulary.network, locale_id, host, "host_network")
    programme = check(
        _objects, data, "programme", ("date", "title", "description"), ("title",), {"title": 255}, default=[]
    )
    return {
        "city": city,
        "start_date": start.isoformat() if start else None,
        "end_date": end.isoformat() if end else None,
        "host_network": host or None,
        "programme": [
            {"date": item["date"], "title": item["title"], "description": item["description"]}
            for item in _dated(check, programme, "programme")
        ],
        "practices": check(_practice_links, data, default=[]),
        "participants": check(_text, data, "participants", default=""),
        "participants_count": check(_int, data, "participants_count", 0, 1_000_000),
    }


TYPE_PARSERS = {
    "good_practice": _parse_good_practice,
    "case_study": _parse_case_study,
    "training_module": _parse_training_module,
    "residency": _parse_residency,
}


# --- the state of an existing page, in the same shape -----------------------------------------------------


def existing_state(page):
    state = {
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
    if isinstance(page, GoodPracticePage):
        state.update({name: html_paragraphs(getattr(page, name)) for name in SECTION_NAMES})
    elif page.entry_type_key == "case_study":
        state["practices"] = [link.practice.slug for link in page.documented_practices.all()]
    elif isinstance(page, TrainingModulePage):
        state.update(
            {
                "programme": page.get_parent().slug,
                "number": page.number,
                "macro_action": page.macro_action,
                "hub": page.hub,
                "format": page.format,
                "duration": page.duration,
                "objectives": page.objectives,
                "sessions": [
                    {"date": v["date"], "title": v.get("title") or "", "place": v.get("place") or ""}
                    for v in stream_items(page.sessions, "session")
                ],
                "practices": [{"slug": link.practice.slug, "note": link.note} for link in page.practice_links.all()],
            }
        )
    elif page.entry_type_key == "residency":
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
                "practices": [{"slug": link.practice.slug, "note": link.note} for link in page.practice_links.all()],
                "participants": page.participants,
                "participants_count": page.participants_count,
            }
        )
    return state


PREFETCH = {
    "common": ["sdgs", "themes", "networks", "territory_links__territory", "organisation_links__organisation"],
    "case_study": ["documented_practices__practice"],
    "training_module": ["practice_links__practice"],
    "residency": ["practice_links__practice", "city", "host_network"],
}


EXISTING_BATCH = 500


def load_existing(slugs_by_locale):
    """Existing entries by (locale code, slug), with what existing_state reads prefetched per type."""
    found, duplicates = {}, set()
    for locale_code, slugs in slugs_by_locale.items():
        slugs = sorted(slugs)
        # In batches: SQLite refuses the prefetch queries of thousands of pages at once.
        batches = [slugs[start : start + EXISTING_BATCH] for start in range(0, len(slugs), EXISTING_BATCH)]
        for key, model in ENTRY_TYPES.items():
            for batch in batches:
                queryset = model.objects.filter(locale__language_code=locale_code, slug__in=batch).prefetch_related(
                    *PREFETCH["common"], *PREFETCH.get(key, [])
                )
                for page in queryset:
                    if (locale_code, page.slug) in found:
                        duplicates.add((locale_code, page.slug))
                    found[(locale_code, page.slug)] = page
    return found, duplicates


# --- the import ---------------------------------------------------------------------------------------------


class LibraryImport:
    def __init__(self, lines, progress=None):
        """`lines`: an iterable of bytes or str, one JSON object each. `progress(done, total)` is optional."""
        self.raw_lines = lines
        self.progress = progress or (lambda done, total: None)
        self.report = ImportReport()
        self.records = []

    def plan(self):
        """Validate every line and decide what each one will do; writes nothing."""
        decoded = []
        for number, raw in enumerate(self.raw_lines, start=1):
            try:
                text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            except UnicodeDecodeError:
                self.report.problems.append(Problem(number, "(line)", "is not valid UTF-8"))
                continue
            text = text.lstrip("\ufeff").strip()
            if not text:
                continue
            try:
                decoded.append((number, json.loads(text)))
            except (ValueError, RecursionError) as error:
                if not isinstance(error, json.JSONDecodeError):  # too deep, or a number too long to convert
                    self.report.problems.append(
                        Problem(number, "(line)", "is not valid JSON: too deeply nested or a number too long")
                    )
                    continue
                self.report.problems.append(
                    Problem(number, "(line)", f"is not valid JSON: {error.msg} at column {error.colno}")
                )
        locales = dict(Locale.objects.values_list("language_code", "id"))
        vocabulary = Vocabulary([data for _number, data in decoded if isinstance(data, dict)])
        first_line = {}
        for number, data in decoded:
            key, errors = None, []
            try:
                entry_type, locale_code, slug, state = parse_line(data, vocabulary, locales)
                key = (locale_code, slug)
            except RecursionError:
                self.report.problems.append(Problem(number, "(line)", "is too deeply nested"))
                continue
            except LineErrors as error:
                key, errors = error.key, error.errors
            self.report.problems.extend(Problem(number, error.field, error.message) for error in errors)
            if key in first_line:
                self.report.problems.append(
                    Problem(number, "slug", f'"{key[1]}" already appears on line {first_line[key]}')
                )
                continue
            if key is not None:
                first_line[key] = number
            if not errors:
                self.records.append(Record(number, entry_type, locale_code, slug, state))

        slugs_by_locale = {}
        for record in self.records:
            slugs_by_locale.setdefault(record.locale, set()).add(record.slug)
        linked = {
            (r.locale, link if isinstance(link, str) else link["slug"])
            for r in self.records
            for link in r.state.get("practices", [])
        }
        for locale_code, slug in linked:
            slugs_by_locale.setdefault(locale_code, set()).add(slug)
        existing, ambiguous = load_existing(slugs_by_locale)
        in_file = {(r.locale, r.slug): r for r in self.records}
        self.translated_parents = self._translated_parents({record.locale for record in self.records})
        for record in self.records:
            self._decide(record, existing, ambiguous, in_file)
        self.report.new_themes = sorted(vocabulary.new_themes.values())
        self.report.new_networks = sorted(vocabulary.new_networks.values())
        self.report.new_organisations = sorted(vocabulary.new_organisations.values())
        self.vocabulary = vocabulary
        self.existing = existing
        self.report.problems.sort(key=lambda problem: problem.line)
        return self.report

    @staticmethod
    def _translated_parents(locale_codes):
        """Which index pages exist per non-default language: entries in English go under the English
        translation of the library, which the import does not invent (the default tree it creates)."""
        default = Locale.get_default()
        available = {}
        for code in locale_codes - {default.language_code}:
            locale = Locale.objects.get(language_code=code)
            available[code] = {}
            for name, model in (
                ("library", LibraryIndexPage),
                ("residencies", ResidencyIndexPage),
                ("networks", NetworkIndexPage),
            ):
                original = model.objects.filter(locale=default).first()
                available[code][name] = bool(original and original.get_translation_or_none(locale))
        return available

    def _missing_parent(self, record):
        needed = {"residency": ["residencies"], "training_module": []}.get(record.type, ["library"])
        if record.state.get("networks") or record.state.get("host_network"):
            needed.append("networks")
        available = self.translated_parents.get(record.locale)
        if available is None:
            return None
        return next((name for name in needed if not available[name]), None)

    def _decide(self, record, existing, ambiguous, in_file):
        problems = self._problems_with_the_library(record, existing, ambiguous, in_file)
        self.report.problems.extend(Problem(record.line, name, message) for name, message in problems)

    def _problems_with_the_library(self, record, existing, ambiguous, in_file):
        """Decide the record's action; return every (field, message) that stops it, not only the first."""
        problems = []
        missing = self._missing_parent(record)
        if missing:
            problems.append(
                (
                    "locale",
                    f'there is no "{record.locale}" translation of the {missing} '
                    "index page yet: translate it in the admin first",
                )
            )
        for link in record.state.get("practices", []):
            slug = link if isinstance(link, str) else link["slug"]
            target = in_file.get((record.locale, slug))
            stored = existing.get((record.locale, slug))
            if not ((target and target.type == "good_practice") or isinstance(stored, GoodPracticePage)):
                problems.append(("practices", f'"{slug}" is not a good practice in this file or the library'))
        key = (record.locale, record.slug)
        if key in ambiguous:
            problems.append(("slug", f'"{record.slug}" names several entries; rename one of them in the admin'))
            return problems
        page = existing.get(key)
        if page is None:
            record.action = "create"
            return problems
        if page.entry_type_key != record.type:
            problems.append(("type", f'"{record.slug}" is already a {page.entry_type_key}, not a {record.type}'))
            return problems  # the stored state of another type cannot be compared with this line
        if record.type == "training_module" and page.get_parent().slug != record.state["programme"]:
            problems.append(("programme", "the module belongs to another programme; move it in the admin"))
        record.page = page
        record.action = "unchanged" if existing_state(page) == record.state else "update"
        if record.action == "update" and page.has_unpublished_changes and page.live:
            # The import writes on the published page; an editor's pending draft would be lost.
            problems.append(
                (
                    "slug",
                    f'"{record.slug}" has a draft not yet published in the admin: '
                    "publish or discard it before importing",
                )
            )
        return problems

    @transaction.atomic
    def write(self):
        """Write a valid plan in one transaction. Call plan() first."""
        assert self.report.ok, "write() needs a plan without problems"
        tree = ensure_site_tree()
        locales = {locale.language_code: locale for locale in Locale.objects.all()}
        self._create_vocabulary(tree, locales)
        territories = {
            t.code: t
            for t in Territory.objects.filter(
                code__in={c for r in self.records for c in r.state["territories"]}
                | {r.state["city"] for r in self.records if r.state.get("city")}
            )
        }
        refs = {
            "sdgs": {s.number: s for s in SDG.objects.all()},
            "themes": {t.slug: t for t in Theme.objects.all()},
            "networks": {(n.locale_id, n.slug): n for n in NetworkPage.objects.all()},
            "organisations": {o.name: o for o in Organisation.objects.all()},
            "territories": territories,
            "programmes": {(p.locale_id, p.slug): p for p in TrainingProgrammePage.objects.all()},
        }
        linked = {
            link if isinstance(link, str) else link["slug"]
            for record in self.records
            for link in record.state.get("practices", [])
        }
        refs["practices"] = {
            (p.locale.language_code, p.slug): p
            for p in GoodPracticePage.objects.filter(slug__in=linked).select_related("locale")
        }
        # Practices first, so that a case study, module or residency can link a practice of a later line.
        ordered = sorted(self.records, key=lambda record: record.type != "good_practice")
        total = len(ordered)
        saved = []
        # Each page is saved three times (tree, revision, publish): index its references and its search
        # document once, after all of them, instead of at every save.
        with disable_reference_index_auto_update(), search_index_deferred():
            for done, record in enumerate(ordered, start=1):
                if record.action == "unchanged":
                    self.report.unchanged += 1
                else:
                    page = self._save(record, tree, locales[record.locale], refs)
                    saved.append(page)
                    if record.type == "good_practice":
                        refs["practices"][(record.locale, record.slug)] = page
                    if record.action == "create":
                        self.report.created += 1
                    else:
                        self.report.updated += 1
                self.progress(done, total)
        for page in saved:
            ReferenceIndex.create_or_update_for_object(page)
        index_in_bulk(saved)
        return self.report

    def _create_vocabulary(self, tree, locales):
        Theme.objects.bulk_create([Theme(slug=slug, name_it=name) for slug, name in self.vocabulary.new_themes.items()])
        for name in self.vocabulary.new_organisations.values():
            Organisation.objects.create(name=name)  # one by one: save signals index them for the admin
        for (locale_id, slug), title in self.vocabulary.new_networks.items():
            parent = tree.networks
            if parent.locale_id != locale_id:
                parent = parent.get_translation(Locale.objects.get(pk=locale_id))
            network = NetworkPage(title=title, slug=slug, locale_id=locale_id)
            parent.add_child(instance=network)
            publish(network)

    def _parent(self, record, tree, locale, refs):
        if record.type == "training_module":
            return refs["programmes"][(locale.pk, record.state["programme"])]
        parent = tree.residencies if record.type == "residency" else tree.library
        return parent if parent.locale_id == locale.pk else parent.get_translation(locale)

    def _save(self, record, tree, locale, refs):
        state = record.state
        page = record.page or ENTRY_TYPES[record.type](slug=record.slug, locale=locale)
        page.title = state["title"]
        page.summary = state["summary"]
        page.body = [("paragraph", RichText(paragraph_html(text))) for text in state["body"]]
        page.year, page.end_year, page.status = state["year"], state["end_year"], state["status"]
        page.key_figures = [("key_figure", figure) for figure in state["key_figures"]]
        page.sdgs = [refs["sdgs"][number] for number in state["sdgs"]]
        page.themes = [refs["themes"][slug] for slug in state["themes"]]
        page.networks = [refs["networks"][(locale.pk, slug)] for slug in state["networks"]]
        page.territory_links = [
            EntryTerritory(territory=refs["territories"][code], sort_order=order)
            for order, code in enumerate(state["territories"])
        ]
        # The file names organisations and documented practices; roles and notes are written in the admin.
        roles = {link.organisation_id: link.role for link in page.organisation_links.all()} if page.pk else {}
        page.organisation_links = [
            EntryOrganisation(organisation=organisation, role=roles.get(organisation.pk, ""), sort_order=order)
            for order, organisation in enumerate(refs["organisations"][name] for name in state["organisations"])
        ]
        if record.type == "good_practice":
            for name in SECTION_NAMES:
                setattr(page, name, "".join(paragraph_html(text) for text in state[name]))
        elif record.type == "training_module":
            for name in ("number", "macro_action", "hub", "format", "duration", "objectives"):
                setattr(page, name, state[name])
            page.sessions = [
                ("session", {**session, "date": date.fromisoformat(session["date"])}) for session in state["sessions"]
            ]
        elif record.type == "residency":
            page.city = refs["territories"][state["city"]]
            page.start_date = date.fromisoformat(state["start_date"]) if state["start_date"] else None
            page.end_date = date.fromisoformat(state["end_date"]) if state["end_date"] else None
            page.host_network = refs["networks"][(locale.pk, state["host_network"])] if state["host_network"] else None
            page.programme = [("day", {**day, "date": date.fromisoformat(day["date"])}) for day in state["programme"]]
            page.participants, page.participants_count = state["participants"], state["participants_count"]
        practice = refs["practices"]
        if record.type == "case_study":
            notes = {link.practice_id: link.note for link in page.documented_practices.all()} if page.pk else {}
            page.documented_practices = [
                CaseStudyPractice(practice=documented, note=notes.get(documented.pk, ""), sort_order=order)
                for order, documented in enumerate(practice[(record.locale, slug)] for slug in state["practices"])
            ]
        elif record.type in ("training_module", "residency"):
            link_model = ModulePractice if record.type == "training_module" else ResidencyPractice
            page.practice_links = [
                link_model(practice=practice[(record.locale, link["slug"])], note=link["note"], sort_order=order)
                for order, link in enumerate(state["practices"])
            ]
        if page.pk is None:
            self._parent(record, tree, locale, refs).add_child(instance=page)  # validates the page
            publish(page, clean=False)
        elif not page.live:
            # Unpublished by an editor: update it, keep it offline (as the admin does, row and revision).
            page.save()
            page.save_revision(log_action=True)
        else:
            publish(page)
        return page
