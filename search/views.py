from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from wagtail.models import Locale

from practices.models import LibraryEntry

MAX_QUERY_LENGTH = 200


def normalise_query(raw):
    """The backends raise on NUL bytes and on a lone double quote: strip them before any backend sees q."""
    text = (raw or "").replace("\x00", " ").replace('"', " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def search(request):
    query = normalise_query(request.GET.get("q"))
    results = LibraryEntry.objects.none()
    if query:
        entries = LibraryEntry.objects.live().filter(locale=Locale.get_active())
        results = entries.search(query)
    page_obj = Paginator(results, 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "search/search.html", {"search_query": query, "page_obj": page_obj})
