"""The one place that turns request parameters into library filters and facet counts.

Counts are taken in the ORM, each facet with the other facets applied (so a value's count is what the
visitor gets by adding it), and many-to-many filters go through `pk__in` subqueries so that no entry is
counted twice. modelsearch's own `facet()` cannot serve here: it fails on empty queries and cannot facet
many-to-many or hierarchical fields (see DESIGN, traps).
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import QueryDict
from django.utils.translation import gettext as _
from wagtail.models import Locale

from search.query import normalise_query

from .models import ENTRY_TYPES, SDG, EntryTerritory, LibraryEntry, NetworkPage, Territory, Theme
from .translations import in_language
from .visibility import public_pages

FACET_KEYS = ("type", "sdg", "territory", "network", "theme", "year")
SORTS = ("newest", "title", "relevance")
OTHER_KEYS = ("q", "sort", "page", "place")
MAX_VALUES_PER_FACET = 20

# The territory level shown under a selected territory, and the column that places an entry inside it.
CHILD_LEVEL = {
    None: "region",
    "macroarea": "region",
    "region": "province",
    "province": "municipality",
    "municipality": None,
}
LEVEL_COLUMN = {
    "macroarea": "macroarea_code",
    "region": "region_code",
    "province": "province_code",
    "municipality": "code",
}


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    colour: str = ""


@dataclass
class Facet:
    key: str
    label: str
    options: list

    @property
    def has_selection(self):
        return any(option.selected for option in self.options)


@dataclass
class Selection:
    """What the visitor asked for, validated: stable keys only, never database ids."""

    values: dict = field(default_factory=lambda: {key: [] for key in FACET_KEYS})
    territories: list = field(default_factory=list)  # Territory rows of values["territory"]
    q: str = ""
    sort: str = "newest"
    ignored: list = field(default_factory=list)  # messages for the visitor
    fixed: str = ""  # the facet a landing page's address already decides (/sdg/13/): not in links or chips
    place_off: bool = False  # place=off: the visitor wants a place name in q searched as text, not as a filter

    @property
    def is_empty(self):
        return not self.q and not any(self.values.values())

    def params(self):
        """The selection as (key, value) pairs, in a stable order, for links."""
        pairs = [(key, str(value)) for key in FACET_KEYS if key != self.fixed for value in self.values[key]]
        if self.q:
            pairs.append(("q", self.q))
        if self.sort != self.default_sort:
            pairs.append(("sort", self.sort))
        if self.place_off:
            pairs.append(("place", "off"))
        return pairs

    @property
    def default_sort(self):
        return "relevance" if self.q else "newest"

    def querystring(self, without=None, adding=None):
        query = QueryDict(mutable=True)
        for key, value in self.params():
            if (key, value) != without:
                query.appendlist(key, value)
        if adding:
            query.appendlist(*adding)
        return query.urlencode()

    def chips(self):
        """Selected values as (label, link that removes them)."""
        labels = {
            "sdg": {str(n): _("Obiettivo %(number)s") % {"number": n} for n in self.values["sdg"]},
            "territory": {t.code: str(t) for t in self.territories},
            "type": {key: str(model._meta.verbose_name) for key, model in ENTRY_TYPES.items()},
        }
        chips = [
            (labels.get(key, {}).get(str(value), str(value)), self.querystring(without=(key, str(value))))
            for key, value in ((k, v) for k in FACET_KEYS if k != self.fixed for v in self.values[k])
        ]
        if self.q:
            chips.append((f"«{self.q}»", self.querystring(without=("q", self.q))))
        return chips


def _ints(values, minimum, maximum):
    good, bad = [], []
    for value in values:
        if value.strip().isdigit() and minimum <= int(value) <= maximum:
            good.append(int(value))
        else:
            bad.append(value)
    return good, bad


def parse_selection(params, locale, fixed=None):
    """Validate request parameters. Unknown names and values are dropped with a message, never an error.
    `fixed` is (key, value) of a landing page, already validated: a territory row, an SDG number, a slug."""
    selection = Selection()
    for name in params:
        if name not in FACET_KEYS and name not in OTHER_KEYS:
            selection.ignored.append(
                _("Il parametro «%(name)s» non è riconosciuto ed è stato ignorato.") % {"name": name[:40]}
            )

    def keep(key, valid, raw_values):
        for value in raw_values:
            if value not in valid:
                selection.ignored.append(
                    _("Il valore «%(value)s» per «%(key)s» non esiste ed è stato ignorato.")
                    % {"value": value[:40], "key": key}
                )
        selection.values[key] = list(dict.fromkeys(v for v in raw_values if v in valid))

    raw = {key: [v.strip() for v in params.getlist(key) if v.strip()][:MAX_VALUES_PER_FACET] for key in FACET_KEYS}
    # PostgreSQL refuses a NUL byte in a text comparison (a 500); no code or slug holds one, so such a value is
    # not looked up, only reported as unknown.
    looked_up = {key: [v for v in values if "\x00" not in v] for key, values in raw.items()}
    keep("type", set(ENTRY_TYPES), raw["type"])
    for key, (low, high) in (("sdg", (1, 17)), ("year", (1900, 2100))):
        good, bad = _ints(raw[key], low, high)
        for value in bad:
            selection.ignored.append(
                _("Il valore «%(value)s» per «%(key)s» non esiste ed è stato ignorato.")
                % {"value": value[:40], "key": key}
            )
        selection.values[key] = list(dict.fromkeys(good))
    territories = {t.code: t for t in Territory.objects.filter(code__in=looked_up["territory"])}
    keep("territory", set(territories), raw["territory"])
    selection.territories = [territories[code] for code in selection.values["territory"]]
    keep(
        "network",
        # Entries link to the networks' original pages in every language (wagtail-localize copies page links),
        # so a network's key is the slug of its original page.
        set(NetworkPage.objects.filter(slug__in=looked_up["network"]).values_list("slug", flat=True)),
        raw["network"],
    )
    keep("theme", set(Theme.objects.filter(slug__in=looked_up["theme"]).values_list("slug", flat=True)), raw["theme"])

    selection.q = normalise_query(params.get("q"))
    selection.place_off = params.get("place") == "off"
    sort = params.get("sort") or selection.default_sort
    if sort not in SORTS or (sort == "relevance" and not selection.q):
        selection.ignored.append(_("L'ordinamento «%(sort)s» non è disponibile.") % {"sort": sort[:40]})
        sort = selection.default_sort
    selection.sort = sort
    if fixed:
        key, value = fixed
        selection.fixed = key
        if key == "territory":
            selection.territories = [value]
            value = value.code
        selection.values[key] = [value]
    return selection


def _through(field_name):
    return getattr(LibraryEntry, field_name).through.objects


def filter_entries(entries, selection, skip=None, search_ids=None):
    """`entries` narrowed to the selection, leaving out the facet `skip` (to count that facet's values)."""
    values = selection.values
    if values["type"] and skip != "type":
        content_types = ContentType.objects.get_for_models(*(ENTRY_TYPES[key] for key in values["type"]))
        entries = entries.filter(content_type__in=[ct.pk for ct in content_types.values()])
    if values["sdg"] and skip != "sdg":
        entries = entries.filter(
            pk__in=_through("sdgs").filter(sdg__number__in=values["sdg"]).values("libraryentry_id")
        )
    if values["territory"] and skip != "territory":
        inside = Q()
        for territory in selection.territories:
            inside |= Q(**{f"territory__{LEVEL_COLUMN[territory.level]}": territory.code})
        entries = entries.filter(pk__in=EntryTerritory.objects.filter(inside).values("page_id"))
    if values["network"] and skip != "network":
        entries = entries.filter(
            pk__in=_through("networks").filter(networkpage__slug__in=values["network"]).values("libraryentry_id")
        )
    if values["theme"] and skip != "theme":
        entries = entries.filter(
            pk__in=_through("themes").filter(theme__slug__in=values["theme"]).values("libraryentry_id")
        )
    if values["year"] and skip != "year":
        entries = entries.filter(year__in=values["year"])
    if search_ids is not None:
        entries = entries.filter(pk__in=search_ids)
    return entries


def order_entries(entries, selection, search_ids=None):
    if selection.sort == "title":
        return entries.order_by("title", "pk")
    if selection.sort == "relevance" and search_ids:
        return by_rank(entries, search_ids)
    return entries.order_by("-year", "-first_published_at", "pk")


def by_rank(queryset, ids):
    """`queryset` in the order of `ids` (relevance)."""
    rank = Case(*(When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)), output_field=IntegerField())
    return queryset.order_by(rank, "pk")


def for_cards(entries):
    """What an entry card shows, fetched in a fixed number of queries whatever the number of cards."""
    return (
        entries.defer_streamfields()
        .select_related("content_type", "locale")
        .prefetch_related("sdgs", "territory_links__territory", "networks")
    )


def _counted(queryset, column, counted):
    """{value of column: distinct count}; order_by() drops the model's ordering, which would split the groups."""
    grouped = queryset.order_by().values_list(column).annotate(n=Count(counted, distinct=True))
    return dict(grouped.values_list(column, "n"))


def facet_counts(entries, selection, search_ids=None):
    """Every facet with its options and how many entries each gives together with the other facets."""

    def base(skip):
        return filter_entries(entries, selection, skip=skip, search_ids=search_ids).values("pk")

    selected = {key: {str(value) for value in values} for key, values in selection.values.items()}
    facets = []

    by_type = _counted(filter_entries(entries, selection, "type", search_ids), "content_type", "pk")
    type_options = []
    for key, model in ENTRY_TYPES.items():
        count = by_type.get(ContentType.objects.get_for_model(model).pk, 0)
        type_options.append(Option(key, str(model._meta.verbose_name_plural), count, key in selected["type"]))
    facets.append(Facet("type", _("Tipo"), type_options))

    by_sdg = _counted(_through("sdgs").filter(libraryentry_id__in=base("sdg")), "sdg__number", "libraryentry_id")
    facets.append(
        Facet(
            "sdg",
            _("Obiettivo di sviluppo sostenibile"),
            [
                Option(
                    str(sdg.number),
                    f"{sdg.number}. {sdg.short}",
                    by_sdg.get(sdg.number, 0),
                    str(sdg.number) in selected["sdg"],
                    sdg.colour,
                )
                for sdg in SDG.objects.all()
            ],
        )
    )

    facets.append(Facet("territory", _("Territorio"), _territory_options(base("territory"), selection)))

    by_network = _counted(
        _through("networks").filter(libraryentry_id__in=base("network")), "networkpage__slug", "libraryentry_id"
    )
    linked = public_pages(NetworkPage, Locale.get_default()).filter(slug__in=set(by_network) | selected["network"])
    network_titles = {
        original.slug: shown.title
        for original, shown in zip(linked, in_language(linked, Locale.get_active()), strict=True)
    }
    facets.append(_named_facet("network", _("Rete"), by_network, network_titles, selected["network"]))

    by_theme = _counted(_through("themes").filter(libraryentry_id__in=base("theme")), "theme__slug", "libraryentry_id")
    theme_names = {t.slug: t.name for t in Theme.objects.filter(slug__in=set(by_theme) | selected["theme"])}
    facets.append(_named_facet("theme", _("Tema"), by_theme, theme_names, selected["theme"]))

    by_year = _counted(filter_entries(entries, selection, "year", search_ids).exclude(year=None), "year", "pk")
    years = set(by_year) | {int(y) for y in selected["year"]}
    facets.append(
        Facet(
            "year",
            _("Anno di avvio"),
            [
                Option(str(year), str(year), by_year.get(year, 0), str(year) in selected["year"])
                for year in sorted(years, reverse=True)
            ],
        )
    )
    return facets


def _named_facet(key, label, counts, names, selected):
    """A facet of slugs: the values in use and the selected ones, the largest first."""
    options = [
        Option(slug, names.get(slug, slug), counts.get(slug, 0), slug in selected) for slug in set(counts) | selected
    ]
    return Facet(key, label, sorted(options, key=lambda option: (-option.count, option.label)))


def _territory_options(entry_ids, selection):
    """Drill down: regions at first, then the provinces of the one selected region, then its comuni."""
    parent = selection.territories[0] if len(selection.territories) == 1 else None
    level = CHILD_LEVEL.get(parent.level if parent else None)
    links = EntryTerritory.objects.filter(page_id__in=entry_ids)
    if parent:
        links = links.filter(**{f"territory__{LEVEL_COLUMN[parent.level]}": parent.code})
    if level == "municipality":
        links = links.filter(territory__level="municipality")
    counts = {}
    if level:  # a municipality has nothing below it
        counted = _counted(links, f"territory__{LEVEL_COLUMN[level]}", "page_id")
        counts = {code: n for code, n in counted.items() if code}
    selected_codes = {t.code for t in selection.territories}
    if parent:  # the selected territory itself, with all it holds
        counts[parent.code] = links.values("page_id").distinct().count()
    rows = Territory.objects.filter(code__in=set(counts) | selected_codes)
    options = [Option(t.code, str(t), counts.get(t.code, 0), t.code in selected_codes) for t in rows]
    return sorted(options, key=lambda option: (not option.selected, -option.count, option.label))
