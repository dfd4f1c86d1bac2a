"""The library's read side: what a visitor asks for (facets, words, order, page) in, the entries, their
counts per facet, the map and the page of results out. The library, its landing pages, the search page and
the API all read the library through here."""

from functools import cached_property

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from core.languages import mark_other_language
from search.query import matching_ids

from . import facets, maps
from .catalogue import catalogue_for, library_entries


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
        if not query:
            return None
        return matching_ids(self.entries, query, languages=self.catalogue.languages)

    @cached_property
    def filtered(self):
        """The selected entries, unordered: what counts and the map are computed from."""
        return facets.filter_entries(self.entries, self.selection, search_ids=self.search_ids)

    @cached_property
    def results(self):
        """The selected entries in the selection's order, with what a card shows: a QuerySet, for whoever reads
        the whole selection (exports, feeds)."""
        return facets.for_cards(facets.order_entries(self.filtered, self.selection, self.search_ids))

    @cached_property
    def catalogue(self):
        """The facets of every entry of the reader's language, in memory (library/catalogue.py)."""
        return catalogue_for(self.locale)

    @cached_property
    def selected(self):
        """The selected entries as a bitset of the catalogue."""
        return self.catalogue.select(self.selection, search_ids=self.search_ids)

    @cached_property
    def facets(self):
        return facets.facet_counts(self.catalogue, self.selection, self.search_ids)

    @property
    def total(self):
        """How many entries are selected."""
        return self.selected.bit_count()

    def ordered_ids(self):
        """The ids of the selected entries in the selection's order (relevance: the search's own order), read as
        far as they are needed."""
        sort = self.selection.sort
        if sort == "relevance" and self.search_ids:
            return self.catalogue.ordered(self.selected, None, ranked_pks=self.search_ids)
        return self.catalogue.ordered(self.selected, "newest" if sort == "relevance" else sort)

    def page(self, number, per_page):
        """One page of results (Django's Page), each entry marked when shown in another language. A page that
        does not exist gives the nearest one (the first, or the last) and a notice says so. The catalogue
        decides which entries and in what order; the entries themselves are read through the public pages
        again, with what their cards show."""
        paginator = Paginator(self.ordered_ids(), per_page)
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
        ids = list(page_obj.object_list)
        cards = facets.for_cards(self.entries.filter(pk__in=ids)).in_bulk()
        page_obj.object_list = [cards[pk] for pk in ids if pk in cards]
        mark_other_language(page_obj.object_list, self.locale)
        return page_obj

    def map(self, link):
        """The map of the selected entries; `link(region code)` is where a region leads."""
        return maps.catalogue_map(self.catalogue, self.selected, link=link)
