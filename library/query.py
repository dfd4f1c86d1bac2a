"""The library's read side: what a visitor asks for (facets, words, order, page) in, the entries, their
counts per facet, the map and the page of results out. The library, its landing pages, the search page and
the API all read the library through here."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from wagtail.models import Page

from core.languages import default_locale, mark_other_language
from core.visibility import public_pages, visible
from practices.models import LibraryEntry
from search.query import matching_ids

from . import facets, maps


def library_entries(locale):
    """Public library entries for readers of `locale`: those written or translated in it, and the
    Italian originals not translated into it yet (shown marked, with their Italian summary)."""
    default = default_locale()
    if locale.pk == default.pk:
        return public_pages(LibraryEntry, locale)
    translated = public_pages(Page, locale).filter(translation_key=OuterRef("translation_key"))
    return visible(LibraryEntry.objects.filter(Q(locale=locale) | (Q(locale=default) & ~Exists(translated))))


class LibraryQuery:
    """One reading of the library: the visitor's parameters (facets, q, sort) in the reader's language, and
    what every listing shows of it, each computed once and only when asked for:
    `results` (every selected entry, in order, ready for cards), `facets` (each facet's values with their
    counts), `map(link)` and `page(number)`. `fixed` is a landing page's own facet, e.g. ("sdg", 13).

    The search page hands in the query it parsed (`parsed`, after taking a place name out of q as a filter);
    otherwise q is searched as the visitor typed it."""

    def __init__(self, params, locale, fixed=None, parsed=None):
        self.locale = locale
        self.entries = library_entries(locale)
        self.selection = facets.parse_selection(params, locale, fixed=fixed)
        self.parsed = parsed

    @cached_property
    def search_ids(self):
        """Ids of the entries matching q, best first; None when there are no words to search."""
        query = self.parsed or self.selection.q
        return matching_ids(self.entries, query) if query else None

    @cached_property
    def filtered(self):
        """The selected entries, unordered: what counts and the map are computed from."""
        return facets.filter_entries(self.entries, self.selection, search_ids=self.search_ids)

    @cached_property
    def results(self):
        """The selected entries in the selection's order, with what a card shows."""
        return facets.for_cards(facets.order_entries(self.filtered, self.selection, self.search_ids))

    @cached_property
    def facets(self):
        return facets.facet_counts(self.entries, self.selection, self.search_ids)

    @property
    def total(self):
        """How many entries are selected, from the type facet when the facets are counted already (an entry has
        one type: the counts of the chosen types, or of every type, add up to the selection), else None."""
        if "facets" not in self.__dict__:
            return None
        types = next(facet for facet in self.facets if facet.key == "type")
        chosen = [option for option in types.options if option.selected]
        return sum(option.count for option in chosen or types.options)

    def page(self, number, per_page):
        """One page of results (Django's Page), each entry marked when shown in another language. A page that
        does not exist gives the nearest one (the first, or the last) and a notice says so."""
        paginator = Paginator(self.results, per_page)
        if self.total is not None:
            paginator.count = self.total  # the query Paginator would run to count them, spared
        wanted = (number or "").strip() if isinstance(number, str) else number
        if wanted in (None, ""):
            page_obj = paginator.page(1)
        else:
            try:
                asked = int(wanted)
            except (TypeError, ValueError):
                asked = None
            if asked is not None and 1 <= asked <= paginator.num_pages:
                page_obj = paginator.page(asked)
            else:
                page_obj = paginator.page(paginator.num_pages if asked and asked > 1 else 1)
                self.selection.ignored.append(
                    _("La pagina «%(asked)s» non esiste: ecco la pagina %(shown)s di %(total)s.")
                    % {"asked": str(wanted)[:20], "shown": page_obj.number, "total": paginator.num_pages}
                )
        mark_other_language(page_obj.object_list, self.locale)
        return page_obj

    def map(self, link):
        """The map of the selected entries; `link(region code)` is where a region leads. Without a territory
        chosen, the territory facet has counted the selected entries per region already: the map uses them."""
        by_region = None
        if "facets" in self.__dict__ and not self.selection.values["territory"]:
            territories = next(facet for facet in self.facets if facet.key == "territory")
            by_region = {option.value: option.count for option in territories.options if option.level == "region"}
        return maps.library_map(self.filtered.values("pk"), link=link, by_region=by_region)
