"""The one place that turns request parameters into library filters and facet counts.

Filters are applied in the ORM (`filter_entries`: the listing's entries, exports, feeds, the API), many-to-many
filters through `pk__in` subqueries so that no entry is listed twice. Counts are taken in the library's
catalogue (library/catalogue.py, the same filters on bitsets), each facet with the other facets applied, so a
value's count is what the visitor gets by adding it. modelsearch's own `facet()` cannot serve here: it fails
on empty queries and cannot facet many-to-many or hierarchical fields (see DESIGN, traps).
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Case, F, Func, IntegerField, Q, Value, When
from django.http import QueryDict
from django.utils.translation import gettext as _

from core.languages import active_locale, default_locale, in_language
from core.visibility import public_pages
from pagecache.parts import remembered
from practices.models import ENTRY_TYPES, SDG, EntryTerritory, LibraryEntry, NetworkPage, Territory, Theme
from search.query import normalise_query

FACET_KEYS = ("type", "sdg", "territory", "network", "theme", "year", "quality")
SORTS = ("documented", "newest", "title", "relevance")
OTHER_KEYS = ("q", "sort", "page", "place", "format", "spell")
MAX_VALUES_PER_FACET = 20
# How many values of a facet show before "mostra tutti" (None: every value, as the 17 goals).
SHOWN_VALUES = {"type": None, "sdg": None, "territory": 10, "network": 8, "theme": 8, "year": 8, "quality": None}
# What the editors vouch for (the badges of templates/components/quality_badges.html), as a facet: verified by
# the editors (`verified_on`), every section of the UN template written (`sections_complete`).
QUALITIES = {"verified": Q(verified_on__isnull=False), "complete": Q(sections_complete=True)}
# Territories whose provinces or comuni are listed under them: the first ones a visitor chose.
MAX_DRILLED = 3


def sort_label(key):
    """How an order reads after "Ordina per"."""
    return {
        "documented": _("più documentate"),
        "newest": _("più recenti"),
        "title": _("titolo"),
        "relevance": _("pertinenza"),
    }[key]


def sort_choices(with_words=False):
    """(key, label) of the orders a listing offers; relevance only when words are searched."""
    keys = ["relevance"] if with_words else []
    return [(key, sort_label(key)) for key in [*keys, "documented", "newest", "title"]]


def facet_label(key):
    """A facet's name as the visitor reads it in the filters, in the active language."""
    return {
        "type": _("Tipo"),
        "sdg": _("Obiettivo di sviluppo sostenibile"),
        "territory": _("Territorio"),
        "network": _("Rete"),
        "theme": _("Tema"),
        "year": _("Anno di avvio"),
        "quality": _("Qualità"),
    }[key]


def quality_label(key):
    """A quality value in the visitor's words, as its badge reads on the cards."""
    return {"verified": _("Verificata dalla redazione"), "complete": _("Scheda completa")}[key]


def quality_filter(keys):
    """The entries with any of the quality values `keys` (OR within the facet, as for the others)."""
    condition = Q()
    for key in keys:
        condition |= QUALITIES[key]
    return condition


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    colour: str = ""
    depth: int = 0  # territories: 0 for a region, 1 for a province under it, 2 for a comune
    level: str = ""  # territories: their level
    within: tuple = ()  # territories: the codes of the macro-area, region and province holding it


@dataclass
class Facet:
    key: str
    label: str
    options: list

    @property
    def has_selection(self):
        return any(option.selected for option in self.options)

    def _split(self):
        """(shown, behind "mostra tutti"): the first values (and every chosen one, with what it sits in), then
        the rest; a facet of a few values shows them all."""
        limit = SHOWN_VALUES.get(self.key)
        if limit is None or len(self.options) <= limit + 2:
            return self.options, []
        shown, more, top_level, parent_shown = [], [], 0, True
        for option in self.options:
            if option.depth == 0:  # a value; the ones under it (a region's provinces) go where it goes
                top_level += 1
                parent_shown = top_level <= limit or option.selected
            (shown if parent_shown or option.selected else more).append(option)
        return shown, more

    def inside(self, code):
        """The territories one level below the territory `code` among the options (a macro-area's regions, a
        region's provinces, a province's comuni)."""
        parent = next((option for option in self.options if option.value == code), None)
        if parent is None:
            return []
        below = Territory.CHILD_LEVEL[parent.level]
        return [option for option in self.options if option.level == below and code in option.within]

    @property
    def shown_options(self):
        return self._split()[0]

    @property
    def more_options(self):
        return self._split()[1]


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
    spell_off: bool = False  # spell=off: the words exactly as typed, without correcting a typo
    names: dict = field(default_factory=dict)  # {key: {value: what the visitor reads}} for networks and themes
    # {number: SDG} for every goal once the facets have read them: the chips' labels need no query of their own.
    goals: dict = field(default=None, compare=False, repr=False)

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
        if self.spell_off:
            pairs.append(("spell", "off"))
        return pairs

    @property
    def default_sort(self):
        return "relevance" if self.q else "documented"

    @property
    def active_filters(self):
        """How many values the visitor chose (the landing page's own excepted): the number beside "Filtra"."""
        return sum(len(values) for key, values in self.values.items() if key != self.fixed)

    def querystring(self, without=None, adding=None):
        query = QueryDict(mutable=True)
        for key, value in self.params():
            if (key, value) != without:
                query.appendlist(key, value)
        if adding:
            query.appendlist(*adding)
        return query.urlencode()

    def chips(self):
        """Selected values as (label in the visitor's words, link that removes them)."""
        goals = self.goals
        if goals is None:
            goals = (
                {sdg.number: sdg for sdg in SDG.objects.filter(number__in=self.values["sdg"])}
                if self.values["sdg"]
                else {}
            )
        # "Obiettivo 13. Lotta contro il cambiamento climatico": the word says what the number is, as the goal's
        # landing page title does; alerts, exports and feeds describe the selection with these labels too.
        labels = {
            "sdg": {
                str(n): _("Obiettivo %(number)s") % {"number": n} + (f". {goals[n].short}" if n in goals else "")
                for n in self.values["sdg"]
            },
            "territory": {t.code: str(t) for t in self.territories},
            "type": {key: str(model._meta.verbose_name_plural) for key, model in ENTRY_TYPES.items()},
            "year": {str(y): _("avviate nel %(year)s") % {"year": y} for y in self.values["year"]},
            "quality": {key: quality_label(key) for key in self.values["quality"]},
            **self.names,
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


def _networks_for_reader(networks):
    """Public original network pages in the reader's language: themselves for an Italian reader (no query),
    else each translation or the page itself, marked."""
    if not networks:
        return []
    reader = active_locale()
    if reader.pk == default_locale().pk:
        return list(networks)
    return in_language(networks, reader)


def network_titles():
    """{slug: title in the reader's language} of every public network (entries link the Italian originals):
    the same for every reader of a language and one generation of the site, so kept with the page parts
    rather than read, some 70 pages at 10,000 entries, for every listing."""

    def read():
        networks = list(public_pages(NetworkPage, default_locale()))
        return {
            original.slug: shown.title for original, shown in zip(networks, _networks_for_reader(networks), strict=True)
        }

    return remembered(f"network-titles:{active_locale().pk}", read)


def parse_selection(params, locale, fixed=None):
    """Validate request parameters. Unknown names and values are dropped with a message, never an error.
    `fixed` is (key, value) of a landing page, already validated: a territory row, an SDG number, a slug."""
    selection = Selection()
    for name in params:
        if name not in FACET_KEYS and name not in OTHER_KEYS:
            selection.ignored.append(
                _("L'indirizzo chiede «%(name)s», che non è un filtro della biblioteca: lo abbiamo ignorato.")
                % {"name": name[:40]}
            )

    def unknown(key, value):
        selection.ignored.append(
            _("«%(value)s» non è un valore di «%(facet)s»: quel filtro è stato ignorato.")
            % {"value": value[:40], "facet": facet_label(key)}
        )

    def keep(key, valid, raw_values):
        for value in raw_values:
            if value not in valid:
                unknown(key, value)
        selection.values[key] = list(dict.fromkeys(v for v in raw_values if v in valid))

    raw = {key: [v.strip() for v in params.getlist(key) if v.strip()][:MAX_VALUES_PER_FACET] for key in FACET_KEYS}
    # PostgreSQL refuses a NUL byte in a text comparison (a 500); no code or slug holds one, so such a value is
    # not looked up, only reported as unknown.
    looked_up = {key: [v for v in values if "\x00" not in v] for key, values in raw.items()}
    keep("type", set(ENTRY_TYPES), raw["type"])
    keep("quality", set(QUALITIES), raw["quality"])
    for key, (low, high) in (("sdg", (1, 17)), ("year", (1900, 2100))):
        good, bad = _ints(raw[key], low, high)
        for value in bad:
            unknown(key, value)
        selection.values[key] = list(dict.fromkeys(good))
    territories = {t.code: t for t in Territory.objects.filter(code__in=looked_up["territory"])}
    keep("territory", set(territories), raw["territory"])
    selection.territories = [territories[code] for code in selection.values["territory"]]
    # Entries link to the networks' original pages in every language (wagtail-localize copies page links), so a
    # network's key is the slug of its original page; the visitor reads its title in their language.
    titles = network_titles() if looked_up["network"] else {}
    networks = {slug: titles[slug] for slug in looked_up["network"] if slug in titles}
    keep("network", set(networks), raw["network"])
    themes = {theme.slug: theme for theme in Theme.objects.filter(slug__in=looked_up["theme"])}
    keep("theme", set(themes), raw["theme"])
    selection.names = {"network": networks, "theme": {slug: theme.name for slug, theme in themes.items()}}

    selection.q = normalise_query(params.get("q"))
    selection.place_off = params.get("place") == "off"
    selection.spell_off = params.get("spell") == "off"
    sort = params.get("sort") or selection.default_sort
    if sort not in SORTS or (sort == "relevance" and not selection.q):
        selection.ignored.append(
            _("L'ordinamento «%(sort)s» non è disponibile: le voci sono ordinate per «%(default)s».")
            % {"sort": sort[:40], "default": sort_label(selection.default_sort)}
        )
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
    """`entries` narrowed to the selection, leaving out the facet `skip` (or the facets, a tuple of keys) to
    count that facet's values."""
    values = selection.values
    skip = (skip,) if isinstance(skip, str) else tuple(skip or ())
    if values["type"] and "type" not in skip:
        content_types = ContentType.objects.get_for_models(*(ENTRY_TYPES[key] for key in values["type"]))
        entries = entries.filter(content_type__in=[ct.pk for ct in content_types.values()])
    if values["sdg"] and "sdg" not in skip:
        entries = entries.filter(
            pk__in=_through("sdgs").filter(sdg__number__in=values["sdg"]).values("libraryentry_id")
        )
    if values["territory"] and "territory" not in skip:
        inside = Q()
        for territory in selection.territories:
            inside |= Q(**Territory.inside_lookup(territory.code, territory.level, prefix="territory__"))
        entries = entries.filter(pk__in=EntryTerritory.objects.filter(inside).values("page_id"))
    if values["network"] and "network" not in skip:
        entries = entries.filter(
            pk__in=_through("networks").filter(networkpage__slug__in=values["network"]).values("libraryentry_id")
        )
    if values["theme"] and "theme" not in skip:
        entries = entries.filter(
            pk__in=_through("themes").filter(theme__slug__in=values["theme"]).values("libraryentry_id")
        )
    if values["year"] and "year" not in skip:
        entries = entries.filter(year__in=values["year"])
    if values["quality"] and "quality" not in skip:
        entries = entries.filter(quality_filter(values["quality"]))
    if search_ids is not None:
        entries = entries.filter(pk__in=search_ids)
    return entries


def documentation_order():
    """How well an entry is documented, for the default order: first what the editors verified, then by
    points: every section of the UN template written (3), a good practice (2) or a case study (1) rather than
    a module or a residency, a way to reach its promoters (1), a picture (1). The README explains it."""
    types = ContentType.objects.get_for_models(ENTRY_TYPES["good_practice"], ENTRY_TYPES["case_study"])
    practice, case = (types[ENTRY_TYPES[key]].pk for key in ("good_practice", "case_study"))

    def points(condition, value):
        return Case(When(condition, then=Value(value)), default=Value(0), output_field=IntegerField())

    verified = points(Q(verified_on__isnull=False), 1)
    score = (
        points(Q(sections_complete=True), 3)
        + Case(
            When(content_type_id=practice, then=Value(2)),
            When(content_type_id=case, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        + points(~Q(contact_email="") | ~Q(contact_url=""), 1)
        + points(Q(hero_image__isnull=False), 1)
    )
    return verified, score


def order_entries(entries, selection, search_ids=None):
    if selection.sort == "title":
        return entries.order_by("title", "pk")
    if selection.sort == "relevance" and search_ids:
        return by_rank(entries, search_ids)
    if selection.sort == "documented":
        verified, score = documentation_order()
        return entries.alias(verified=verified, documented=score).order_by(
            "-verified", "-documented", "-year", "-first_published_at", "pk"
        )
    return entries.order_by("-year", "-first_published_at", "pk")


def by_rank(queryset, ids):
    """`queryset` in the order of `ids` (relevance). On PostgreSQL the position of each row's id in one array
    parameter; elsewhere a CASE with a branch per id, which PostgreSQL would evaluate branch by branch for
    every row (about 100 ms for 1,000 results)."""
    if connections[queryset.db].vendor == "postgresql":
        from django.contrib.postgres.fields import ArrayField

        ranked = Value(list(ids), output_field=ArrayField(IntegerField()))
        rank = Func(ranked, F("pk"), function="array_position", output_field=IntegerField())
    else:
        rank = Case(
            *(When(pk=pk, then=Value(position)) for position, pk in enumerate(ids)), output_field=IntegerField()
        )
    return queryset.order_by(rank, "pk")


def for_cards(entries):
    """What an entry card shows, fetched in a fixed number of queries whatever the number of cards."""
    return (
        entries.defer_streamfields()
        .select_related("content_type", "locale")
        .prefetch_related(*LibraryEntry.card_prefetches())
    )


def facet_counts(catalogue, selection, search_ids=None):
    """Every facet with its options and how many entries each gives together with the other facets, counted in
    the library's catalogue (library/catalogue.py): no query but the titles of the networks."""

    def base(skip):
        return catalogue.select(selection, skip=skip, search_ids=search_ids)

    selected = {key: {str(value) for value in values} for key, values in selection.values.items()}
    facets = []

    by_type, by_quality = _type_and_quality_counts(catalogue, base(("type", "quality")), selection)
    type_options = []
    for key, model in ENTRY_TYPES.items():
        count = by_type.get(ContentType.objects.get_for_model(model).pk, 0)
        type_options.append(Option(key, str(model._meta.verbose_name_plural), count, key in selected["type"]))
    facets.append(Facet("type", _("Tipo"), type_options))

    by_goal = catalogue.counts(base("sdg"), "sdg")
    selection.goals = {sdg.number: sdg for sdg in catalogue.goals}
    facets.append(
        Facet(
            "sdg",
            _("Obiettivo di sviluppo sostenibile"),
            [
                Option(
                    str(sdg.number),
                    f"{sdg.number}. {sdg.short}",
                    by_goal.get(sdg.number, 0),
                    str(sdg.number) in selected["sdg"],
                    sdg.colour,
                )
                for sdg in catalogue.goals
            ],
        )
    )

    facets.append(Facet("territory", _("Territorio"), _territory_options(catalogue, base("territory"), selection)))

    by_network = catalogue.counts(base("network"), "network")
    titles = network_titles()
    listed = {slug: titles[slug] for slug in set(by_network) | selected["network"] if slug in titles}
    facets.append(_named_facet("network", _("Rete"), by_network, listed, selected["network"]))

    by_theme = catalogue.counts(base("theme"), "theme")
    theme_names = {theme.slug: theme.name for theme in catalogue.themes}
    facets.append(_named_facet("theme", _("Tema"), by_theme, theme_names, selected["theme"]))

    by_year = catalogue.counts(base("year"), "year")
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
    facets.append(
        Facet(
            "quality",
            _("Qualità"),
            [Option(key, quality_label(key), by_quality.get(key, 0), key in selected["quality"]) for key in QUALITIES],
        )
    )
    return facets


def _type_and_quality_counts(catalogue, bits, selection):
    """({content type id: count}, {quality: count}) of the entries `bits` (every other facet applied): the
    type facet counts the entries with the chosen qualities, the quality facet the entries of the chosen
    types (an entry has one type: none is counted twice)."""
    with_qualities = catalogue.any_of("quality", selection.values["quality"]) if selection.values["quality"] else -1
    kept = [ContentType.objects.get_for_model(ENTRY_TYPES[key]).pk for key in selection.values["type"]]  # cached
    of_types = catalogue.any_of("type", kept) if kept else -1
    return catalogue.counts(bits & with_qualities, "type"), catalogue.counts(bits & of_types, "quality")


def _named_facet(key, label, counts, names, selected):
    """A facet of slugs: the values in use and the selected ones, the largest first."""
    options = [
        Option(slug, names.get(slug, slug), counts.get(slug, 0), slug in selected) for slug in set(counts) | selected
    ]
    return Facet(key, label, sorted(options, key=lambda option: (-option.count, option.label)))


def _territory_options(catalogue, bits, selection):
    """The regions side by side, each a checkbox, so that "Piemonte or Lombardia" takes two clicks; under a
    chosen region its provinces, under a chosen province its comuni (drilling down is an option, it never
    replaces the list). A chosen place deeper down shows under the region and province that hold it. Counted
    among the entries `bits` (every other facet applied) in the catalogue."""
    chosen = selection.territories
    chosen_codes = {territory.code for territory in chosen}
    by_level = {level: {t.code for t in chosen if t.level == level} for level in Territory.LEVEL_COLUMN}
    ancestors = {code for t in chosen for code in (t.region_code, t.province_code) if code and code != t.code}
    provinces = by_level["province"] | {t.province_code for t in chosen if t.level == "municipality"}
    places = catalogue.territories
    counts = catalogue.counts(bits, "region")
    if by_level["region"] or provinces:
        counts.update(
            catalogue.counts(
                bits,
                "province",
                [
                    code
                    for code in catalogue.values.get("province", ())
                    if code in provinces or places[code].region_code in by_level["region"]
                ],
            )
        )
    if by_level["province"] or by_level["municipality"]:
        comuni = [
            code
            for code, place in places.items()
            if code in catalogue.direct
            and place.level == "municipality"
            and (place.province_code in by_level["province"] or code in by_level["municipality"])
        ]
        counts.update(catalogue.linked_counts(bits, comuni))
    if by_level["macroarea"]:
        counts.update(catalogue.counts(bits, "macroarea", by_level["macroarea"]))

    def wanted(territory):
        """Listed: every region with entries, what is chosen and holds a choice, and what a chosen place holds."""
        return (
            territory.level == "region"
            or territory.code in chosen_codes
            or territory.code in ancestors
            or (territory.level == "province" and territory.region_code in by_level["region"])
            or (territory.level == "municipality" and territory.province_code in by_level["province"])
        )

    listed = set(counts) | chosen_codes | ancestors
    # The catalogue holds every territory entries are placed in; a chosen one without entries is read here.
    found = {code: places[code] for code in listed if code in places}
    found.update({t.code: t for t in Territory.objects.filter(code__in=listed - set(found))})
    rows = [found[code] for code in sorted(found) if wanted(found[code])]

    def interest(territory):
        holds = territory.code in chosen_codes or territory.code in ancestors
        return (not holds, -counts.get(territory.code, 0), str(territory))

    def under(parent):
        column = "region_code" if parent.level == "region" else "province_code"
        return [t for t in rows if t.level == Territory.CHILD_LEVEL[parent.level] and getattr(t, column) == parent.code]

    def territory_option(territory, depth):
        within = tuple(c for c in (territory.macroarea_code, territory.region_code, territory.province_code) if c)
        return Option(
            territory.code,
            str(territory),
            counts.get(territory.code, 0),
            territory.code in chosen_codes,
            depth=depth,
            level=territory.level,
            within=tuple(code for code in within if code != territory.code),
        )

    def branch(territory, depth):
        options = [territory_option(territory, depth)]
        for child in sorted(under(territory), key=interest) if territory.level in ("region", "province") else []:
            options += branch(child, depth + 1)
        return options

    options = []
    for territory in sorted((t for t in rows if t.level in ("macroarea", "region")), key=interest):
        options += branch(territory, 0)
    # A chosen comune or province whose region is not listed (no entries there): still shown, ticked.
    listed = {option.value for option in options}
    options += [territory_option(t, 0) for t in chosen if t.code not in listed]
    return options
