from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Locale

from practices import facets
from practices.models import LibraryEntry


def search(request):
    query = facets.normalise_query(request.GET.get("q"))
    entries = LibraryEntry.objects.live().filter(locale=Locale.get_active())
    ids = facets.matching_ids(entries, query)
    results = facets.for_cards(facets.by_rank(entries.filter(pk__in=ids), ids))
    page_obj = Paginator(results, 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": query, "search_querystring": urlencode({"q": query}) if query else "", "page_obj": page_obj},
    )
