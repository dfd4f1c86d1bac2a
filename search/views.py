from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Locale

from practices import facets
from practices.models import LibraryIndexPage
from practices.translations import library_entries, mark_other_language
from practices.visibility import public_pages

from .query import matching_ids, parse
from .snippets import annotate

PER_PAGE = 20


def search(request):
    """Results by relevance in the active language, with the library's facets and their counts. A place named
    in q ("welfare Lombardia") becomes a territory filter, with a link back to searching the words as text."""
    locale = Locale.get_active()
    entries = library_entries(locale)
    selection = facets.parse_selection(request.GET, locale)
    parsed = parse(selection.q) if selection.q else None
    place, typed = None, selection.q
    if parsed and parsed.place and not selection.place_off and parsed.without_place:
        place = parsed.place
        if place.code not in selection.values["territory"]:
            selection.values["territory"].append(place.code)
            selection.territories.append(place)
        selection.q = parsed.without_place
        parsed = parse(selection.q)

    search_ids = matching_ids(entries, parsed) if parsed else None
    page_obj = facet_list = None
    if parsed:
        filtered = facets.filter_entries(entries, selection, search_ids=search_ids)
        results = facets.for_cards(facets.order_entries(filtered, selection, search_ids))
        page_obj = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
        annotate(mark_other_language(page_obj.object_list, locale), parsed.highlight_words())
        facet_list = facets.facet_counts(entries, selection, search_ids)

    library = public_pages(LibraryIndexPage, locale).first() if parsed else None
    context = {
        "selection": selection,
        "search_query": selection.q,
        "parsed": parsed,
        "place": place,
        "typed": typed,
        "page_obj": page_obj,
        "facets": facet_list,
        "place_landing": _place_landing(library, parsed) if parsed and parsed.place and not place else "",
        "library_url": library.url if library else "",
        "examples": ["welfare Lombardia", "cooperative di comunità", "SDG 13", "CSV", "agricoltura sociale"],
        "sorts": [("relevance", _("pertinenza")), ("newest", _("più recenti")), ("title", _("titolo"))],
    }
    if place:
        context["place_as_text"] = _text_search_link(selection, place, typed)
    return TemplateResponse(request, "search/search.html", context)


def _text_search_link(selection, place, typed):
    """The same search with the place's words back in q, as text, and without the filter it became."""
    params = QueryDict(mutable=True)
    for key, value in selection.params():
        if key != "q" and (key, value) != ("territory", place.code):
            params.appendlist(key, value)
    params["q"] = typed
    params["place"] = "off"
    return params.urlencode()


def _place_landing(library, parsed):
    """A query that is only a place ("Lombardia") also links to the place's page in the library."""
    return library.landing_url("territory", parsed.place.code) if library else ""
