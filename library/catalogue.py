"""The library's facets in memory: for every public entry of one language, what the facets filter and count
(its type, goals, places, networks, themes, year and qualities) and its rank in each order.

Why: counted in SQL, every facet re-ran the public-entries filter (live, outside restricted sections, in the
reader's language) with the other facets applied: seven grouped queries of 20-40 ms each at 10,000 entries,
for every combination of filters nobody had asked for before. Here an entry is a position, a facet value the
set of positions that hold it, kept as one Python integer used as a bitset: a selection is a few ANDs and ORs
of them, a count one `int.bit_count()`, and any combination costs the same (about a millisecond at 10,000).

The catalogue depends on nothing but the published site: it is built once per generation of the page cache
(`pagecache.parts.remembered`, shared by the workers through the cache), and every change public pages may
show moves the generation, so it is never staler than a cached page. It decides counts and order only: the
entries a page shows are read again through `core.visibility` (see LibraryQuery.page).

Values of few entries (a comune, a territory's own links) are kept as tuples of positions rather than as
bitsets, whose size grows with the position of their last entry: 8,000 comuni at 100,000 entries would take
100 MB as bitsets, their links take a few."""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from wagtail.models import Page

from core.languages import default_locale
from core.visibility import public_pages, visible
from pagecache.generation import current
from pagecache.parts import remembered
from practices.models import ENTRY_TYPES, SDG, EntryOrganisation, EntryTerritory, LibraryEntry, Territory, Theme

from .facets import QUALITIES, Selection, order_entries

# The columns of a territory that place it inside one of each level ("inside region 01": region_code="01").
CONTAINING_LEVELS = ("macroarea", "region", "province")
ORDERS = ("documented", "newest", "title")


def bitset(positions):
    """The integer whose bits are `positions`."""
    if not positions:
        return 0
    flags = bytearray(max(positions) // 8 + 1)
    for position in positions:
        flags[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(flags, "little")


class Flags:
    """A bitset read position by position in constant time (an integer's bit test costs its length)."""

    def __init__(self, bits, size):
        self.data = bits.to_bytes(size // 8 + 1, "little")

    def count(self, positions):
        data = self.data
        return sum(data[p >> 3] >> (p & 7) & 1 for p in positions)

    def among(self, positions):
        """The `positions` that are set, lazily, in their order."""
        data = self.data
        return (p for p in positions if data[p >> 3] >> (p & 7) & 1)


class InOrder:
    """The pks of a selection in one order, found only as far as they are read: a listing's first page reads
    its 24 without walking the 10,000 others. Its length is the selection's count. Django's Paginator takes it
    as it takes a list (len() and slices)."""

    def __init__(self, pks, matches, length):
        self.pks, self.matches, self.length, self.found = pks, matches, length, []

    def __len__(self):
        return self.length

    def __getitem__(self, wanted):
        stop = self.length if not isinstance(wanted, slice) or wanted.stop is None else wanted.stop
        if not isinstance(wanted, slice):
            stop = wanted + 1 if wanted >= 0 else self.length
        while len(self.found) < stop:
            position = next(self.matches, None)
            if position is None:
                break
            self.found.append(self.pks[position])
        return self.found[wanted]

    def __iter__(self):
        return iter(self[:])


@dataclass
class Catalogue:
    pks: list  # position -> entry pk
    index: dict  # entry pk -> position
    members: dict  # {(facet key, territory level or "language", its value): bitset}
    direct: dict  # {territory code: positions of the entries linked to it}
    territories: dict  # {territory code: Territory} of every territory linked, and of every one holding them
    orders: dict  # {order: positions in that order}
    goals: list  # every SDG, in order
    themes: list  # every theme, in order
    organisations: int  # how many organisations the entries name (the home's figures)
    everything: int = field(init=False)
    values: dict = field(init=False)  # {facet key or territory level: the values some entry holds}
    located: list = field(init=False)  # the codes of the linked territories that have a place on the map
    _memo: dict = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self.everything = (1 << len(self.pks)) - 1
        self.values = {}
        for key, value in self.members:
            self.values.setdefault(key, []).append(value)
        self.located = [code for code in self.direct if self.territories[code].latitude is not None]

    # How many results of kept() one catalogue holds: a few MB at most per worker.
    KEPT = 64

    def kept(self, key, compute):
        """compute(), remembered under `key` for as long as this catalogue serves (what depends on it alone,
        such as a selection's map markers); the oldest of KEPT results make way."""
        try:
            return self._memo[key]
        except KeyError:
            pass
        value = compute()
        if len(self._memo) >= self.KEPT:
            for oldest in list(self._memo)[: len(self._memo) - self.KEPT + 1]:  # a copy: other threads add too
                self._memo.pop(oldest, None)
        self._memo[key] = value
        return value

    @property
    def size(self):
        return len(self.pks)

    @property
    def languages(self):
        """The language codes of the entries (the English library holds Italian ones too)."""
        return sorted(self.values.get("language", ()))

    @property
    def places(self):
        """How many territories the entries are linked to."""
        return len(self.direct)

    def bits(self, key, value):
        return self.members.get((key, value), 0)

    def any_of(self, key, values):
        bits = 0
        for value in values:
            bits |= self.bits(key, value)
        return bits

    def inside(self, territory):
        """The entries placed inside `territory` (itself included)."""
        if territory.level in CONTAINING_LEVELS:
            return self.bits(territory.level, territory.code)
        return bitset(self.direct.get(territory.code, ()))

    def matching(self, pks):
        """The entries among `pks` (ids from a search)."""
        index = self.index
        return bitset([index[pk] for pk in pks if pk in index])

    def select(self, selection, skip=(), search_ids=None):
        """The entries of the selection as a bitset, leaving out the facets `skip` (to count their values): the
        same entries as facets.filter_entries gives in SQL. Values within a facet are ORed, facets ANDed."""
        values = selection.values
        bits = self.everything
        for key in ("type", "sdg", "territory", "network", "theme", "year", "quality"):
            if not values[key] or key in skip:
                continue
            if key == "type":
                types = ContentType.objects.get_for_models(*(ENTRY_TYPES[name] for name in values["type"]))
                bits &= self.any_of("type", [content_type.pk for content_type in types.values()])
            elif key == "territory":
                inside = 0
                for territory in selection.territories:
                    inside |= self.inside(territory)
                bits &= inside
            else:
                bits &= self.any_of(key, values[key])
        if search_ids is not None:
            bits &= self.matching(search_ids)
        return bits

    def counts(self, bits, key, values=None):
        """{value: entries of `bits` holding it} for the `values` of `key` (every value some entry holds by
        default), the values no entry of `bits` holds left out."""
        counts = {}
        for value in self.values.get(key, ()) if values is None else values:
            n = (bits & self.bits(key, value)).bit_count()
            if n:
                counts[value] = n
        return counts

    def linked_counts(self, bits, codes):
        """{territory code: entries of `bits` linked to it} for the territories `codes`, those with none left out."""
        if bits == self.everything:
            return {code: len(self.direct[code]) for code in codes if self.direct.get(code)}
        flags = Flags(bits, self.size)
        counts = {}
        for code in codes:
            n = flags.count(self.direct.get(code, ()))
            if n:
                counts[code] = n
        return counts

    def ordered(self, bits, order, ranked_pks=None):
        """The pks of the entries in `bits` (InOrder), in `order`, or in the order of `ranked_pks` (relevance)."""
        if ranked_pks is not None:
            index = self.index
            positions = (index[pk] for pk in ranked_pks if pk in index)
        else:
            positions = self.orders[order]
        return InOrder(self.pks, Flags(bits, self.size).among(positions), bits.bit_count())


def library_entries(locale):
    """Public library entries for readers of `locale`: those written or translated in it, and the
    Italian originals not translated into it yet (shown marked, with their Italian summary)."""
    default = default_locale()
    if locale.pk == default.pk:
        return public_pages(LibraryEntry, locale)
    translated = public_pages(Page, locale).filter(translation_key=OuterRef("translation_key"))
    return visible(LibraryEntry.objects.filter(Q(locale=locale) | (Q(locale=default) & ~Exists(translated))))


def build(entries):
    """The catalogue of the entries of the queryset `entries` (public entries of one language), in a number of
    queries that does not grow with them (pinned in tests/test_query_counts.py)."""
    qualities = {f"quality_{key}": ExpressionWrapper(condition, BooleanField()) for key, condition in QUALITIES.items()}
    rows = list(
        entries.order_by("pk")
        .annotate(**qualities)
        .values("pk", "content_type_id", "year", "locale__language_code", *qualities)
    )
    pks = [row["pk"] for row in rows]
    index = {pk: position for position, pk in enumerate(pks)}
    members = {}

    def add(key, value, position):
        members.setdefault((key, value), []).append(position)

    for position, row in enumerate(rows):
        add("type", row["content_type_id"], position)
        add("language", row["locale__language_code"], position)
        if row["year"] is not None:
            add("year", row["year"], position)
        for key in QUALITIES:
            if row[f"quality_{key}"]:
                add("quality", key, position)
    ids = entries.values("pk")
    through = {name: getattr(LibraryEntry, name).through.objects for name in ("sdgs", "networks", "themes")}
    links = (
        ("sdg", through["sdgs"].filter(libraryentry_id__in=ids).values_list("libraryentry_id", "sdg__number")),
        (
            "network",
            through["networks"].filter(libraryentry_id__in=ids).values_list("libraryentry_id", "networkpage__slug"),
        ),
        ("theme", through["themes"].filter(libraryentry_id__in=ids).values_list("libraryentry_id", "theme__slug")),
    )
    for key, pairs in links:
        for pk, value in pairs:
            add(key, value, index[pk])

    direct = {}
    for pk, code in EntryTerritory.objects.filter(page_id__in=ids).values_list("page_id", "territory__code"):
        direct.setdefault(code, set()).add(index[pk])
    linked = Territory.objects.in_bulk(direct, field_name="code")
    for code, positions in direct.items():
        territory = linked[code]
        for level in CONTAINING_LEVELS:
            inside = getattr(territory, Territory.LEVEL_COLUMN[level])
            if inside:
                for position in positions:
                    add(level, inside, position)
    # Order matters nowhere in a set of positions; sorted for bitset() and for a stable pickle.
    members = {value: bitset(sorted(set(positions))) for value, positions in members.items()}
    direct = {code: tuple(sorted(positions)) for code, positions in direct.items()}
    holding = {code for level, code in members if level in CONTAINING_LEVELS}
    territories = {**linked, **Territory.objects.in_bulk(holding - set(linked), field_name="code")}

    orders = {}
    for order in ORDERS:
        ordered = order_entries(entries, Selection(sort=order)).values_list("pk", flat=True)
        orders[order] = [index[pk] for pk in ordered]
    return Catalogue(
        pks=pks,
        index=index,
        members=members,
        direct=direct,
        territories=territories,
        orders=orders,
        goals=list(SDG.objects.all()),
        themes=list(Theme.objects.all()),
        organisations=EntryOrganisation.objects.filter(page_id__in=ids).values("organisation_id").distinct().count(),
    )


# {locale pk: (generation, its catalogue)}: one per language in this process, replaced in one assignment
# (atomic, so the threads of a worker need no lock) when the generation moves.
_kept = {}


def catalogue_for(locale):
    """The catalogue of library_entries(locale) in the current generation: from this process's memory, else
    from the shared cache, else built. With no generation (the cache does not answer) it is built every
    time, as pagecache.parts.remembered computes its parts: a catalogue kept from before the outage could
    count an entry made private since."""
    generation = current()
    if generation is None:
        return build(library_entries(locale))
    kept = _kept.get(locale.pk)
    if kept is not None and kept[0] == generation:
        return kept[1]
    found = remembered(f"library-catalogue:{locale.pk}", lambda: build(library_entries(locale)))
    _kept[locale.pk] = (generation, found)
    return found
