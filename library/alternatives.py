"""Ways on from a listing that found nothing, each with the number of entries it leads to, so that the site
never proposes a link to another empty page: the filters to drop, and for an empty landing page the nearest
places, goals, networks or themes that hold entries, and the whole library."""

from copy import deepcopy
from dataclasses import dataclass

from django.db.models import Count
from django.http import QueryDict
from wagtail.models import Locale

from core.visibility import public_pages
from practices.models import SDG, EntryTerritory, NetworkPage, Territory, Theme

from . import facets

MAX_WAYS = 5


@dataclass
class Way:
    label: str
    url: str
    count: int


def without_one_filter(query, everything_url="", limit=MAX_WAYS):
    """("senza X", link, count) for each chosen value whose removal gives entries; the words last. A removal
    that leaves nothing chosen leads to `everything_url` when given (the search page's bare form lists
    nothing: from there, everything is the library), else to this page without parameters."""
    selection = query.selection
    ways = []
    for label, querystring in selection.chips():
        key, value = _removed(selection, querystring)
        if key is None:
            continue
        reduced = deepcopy(selection)
        if key == "q":
            reduced.q = ""
            search_ids = None
        else:
            reduced.values[key] = [v for v in reduced.values[key] if str(v) != value]
            if key == "territory":
                reduced.territories = [t for t in reduced.territories if t.code != value]
            search_ids = query.search_ids
        count = facets.filter_entries(query.entries, reduced, search_ids=search_ids).count()
        if count:
            # The words' chip is already «quoted»; the template quotes every label.
            url = everything_url if not querystring and everything_url else "?" + querystring
            ways.append(Way(selection.q if key == "q" else label, url, count))
        if len(ways) >= limit:
            break
    return ways


def _removed(selection, querystring):
    """The (key, value) a chip's link drops, by comparing its parameters with the selection's."""
    kept = set(_pairs(querystring))
    for pair in selection.params():
        if pair not in kept and pair[0] not in ("sort", "place", "spell"):
            return pair
    return None, None


def _pairs(querystring):
    return [(key, value) for key, values in QueryDict(querystring).lists() for value in values]


def near_an_empty_landing(library, landing, entries):
    """For a landing page with no entries at all: the nearest pages that have some, best first."""
    kind = landing["kind"]
    if kind == "territory":
        ways = _ancestors(library, landing["territory"], entries)
    elif kind == "sdg":
        ways = _counted_ways(
            SDG.objects.filter(entries__in=entries),
            lambda sdg: f"{sdg.number}. {sdg.short}",
            lambda sdg: library.landing_url("sdg", sdg.number),
        )
    elif kind == "network":
        ways = _counted_ways(
            public_pages(NetworkPage, Locale.get_default()).filter(entries__in=entries),
            lambda network: network.title,
            lambda network: library.landing_url("network", network.slug),
        )
    else:
        ways = _counted_ways(
            Theme.objects.filter(entries__in=entries),
            lambda theme: theme.name,
            lambda theme: library.landing_url("theme", theme.slug),
        )
    return ways


def _counted_ways(queryset, label, url):
    rows = queryset.annotate(n=Count("entries", distinct=True)).order_by("-n")[:MAX_WAYS]
    return [Way(label(row), url(row), row.n) for row in rows if row.n]


def _ancestors(library, territory, entries):
    """The province, region and macro-area holding an empty place, nearest first, with their entries."""
    ways = []
    codes = [code for code in (territory.province_code, territory.region_code, territory.macroarea_code) if code]
    for ancestor in sorted(Territory.objects.filter(code__in=codes).exclude(code=territory.code), key=_depth):
        inside = Territory.inside_lookup(ancestor.code, ancestor.level, prefix="territory__")
        count = EntryTerritory.objects.filter(page__in=entries.values("pk"), **inside).values("page").distinct().count()
        if count:
            ways.append(Way(str(ancestor), library.landing_url("territory", ancestor.code), count))
    return ways


def _depth(territory):
    return -Territory.LEVEL_RANK[territory.level]


def whole_library(library, entries):
    """The library itself, when it holds anything."""
    count = entries.count()
    return Way("", library.url, count) if count else None
