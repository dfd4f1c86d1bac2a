from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Locale

from practices.facets import normalise_query
from practices.models import LibraryEntry


def search(request):
    query = normalise_query(request.GET.get("q"))
    results = LibraryEntry.objects.none()
    if query:
        entries = LibraryEntry.objects.live().filter(locale=Locale.get_active())
        results = entries.search(query)
    page_obj = Paginator(results, 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": query, "search_querystring": urlencode({"q": query}) if query else "", "page_obj": page_obj},
    )
