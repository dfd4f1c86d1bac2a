from urllib.parse import urlencode

from django.http import QueryDict
from django.template.response import TemplateResponse
from wagtail.models import Locale

from core.visibility import public_pages
from search.query import parse
from search.snippets import annotate

from . import alternatives, facets
from .examples import search_examples
from .pages import LibraryIndexPage, in_other_format
from .query import LibraryQuery

PER_PAGE = 20


def search(request):
    """Results by relevance in the active language, with the library's facets and their counts. A place named
    in q ("welfare Lombardia") becomes a territory filter, with a link back to searching the words as text."""
    locale = Locale.get_active()
    query = LibraryQuery(request.GET, locale)
    selection = query.selection
    correct = not selection.spell_off
    parsed = parse(selection.q, correct=correct) if selection.q else None
    place, typed = None, selection.q
    if parsed and parsed.place and not selection.place_off and parsed.without_place:
        place = parsed.place
        if place.code not in selection.values["territory"]:
            selection.values["territory"].append(place.code)
            selection.territories.append(place)
        selection.q = parsed.without_place
        parsed = parse(selection.q, correct=correct)
    query.parsed = parsed
    if parsed and request.GET.get("format"):
        response = in_other_format(request, query)
        if response is not None:
            return response

    page_obj = facet_list = None
    if parsed:
        facet_list = query.facets  # first: the page's count is read from them
        page_obj = query.page(request.GET.get("page"), PER_PAGE)
        annotate(page_obj.object_list, parsed.highlight_words())
    # A word the library never uses was searched as the nearest word it does use: say so, and keep the
    # visitor's own spelling one click away (spell=off). With spell=off, offer the correction back.
    corrected = parsed.corrected if parsed and page_obj.paginator.count else ""
    suggested = ""
    if parsed and selection.spell_off:
        suggested = parse(selection.q).corrected
        if suggested and not LibraryQuery(QueryDict(urlencode({"q": suggested})), locale).results.exists():
            suggested = ""

    library = public_pages(LibraryIndexPage, locale).first() if parsed else None
    context = {
        "selection": selection,
        "search_query": selection.q,
        "results_query": corrected or selection.q,
        "corrected": corrected,
        "typed_exactly": _exactly_link(selection) if corrected else "",
        "suggested": suggested,
        "parsed": parsed,
        "place": place,
        "typed": typed,
        "page_obj": page_obj,
        "facets": facet_list,
        "place_landing": _place_landing(library, parsed) if parsed and parsed.place and not place else "",
        "library_url": library.url if library else "",
        "examples": search_examples(locale),
        "active_filters": selection.active_filters,
        "sorts": facets.sort_choices(with_words=True),
    }
    if place:
        context["place_as_text"] = _text_search_link(selection, place, typed)
    if parsed and not page_obj.paginator.count:
        context["ways_without_a_filter"] = alternatives.without_one_filter(query, everything_url=context["library_url"])
    return TemplateResponse(request, "search/search.html", context)


def _exactly_link(selection):
    """The same search with the words exactly as typed, not corrected."""
    params = QueryDict(mutable=True)
    for key, value in selection.params():
        if key != "spell":
            params.appendlist(key, value)
    params["spell"] = "off"
    return params.urlencode()


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
