from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Locale

from practices import facets
from practices.models import ENTRY_TYPES, LibraryEntry
from practices.visibility import visible
from search.query import matching_ids, normalise_query


class LibrarySearchFilter(BaseFilterBackend):
    """`search=` ranks as the library does: q normalised (the backends raise on a lone quote or NUL),
    results ordered by relevance unless `order` is given. Replaces Wagtail's SearchFilter, which would
    bypass the library's search."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        query = normalise_query(request.GET["search"])
        if not query:
            return queryset.none()
        entries = visible(LibraryEntry.objects.filter(pk__in=queryset.values("pk")))
        # The search runs in the language of the pages asked for (?locale=en: English stemming), not the
        # language the browser's Accept-Language negotiated for this language-neutral address.
        language = request.GET.get("locale")
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language()
        with translation.override(language):
            ids = matching_ids(entries, query)
        queryset = queryset.filter(pk__in=ids)
        if "order" in request.GET or not ids:
            return queryset
        return facets.by_rank(queryset, ids)


class LibraryPagesAPIViewSet(PagesAPIViewSet):
    """The pages endpoint with the library's facet keys: `type` as good_practice|case_study|residency|
    training_module (app.Model still works), `sdg`, `territory` (ancestors included), `network`, `theme`,
    `year`, each repeatable. An unknown value is a 400 with a message."""

    filter_backends = [*PagesAPIViewSet.filter_backends[:-1], LibrarySearchFilter]
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(
        [key for key in facets.FACET_KEYS if key != "type"]
    )

    def get_queryset(self):
        request = self.request
        types = request.GET.getlist("type")
        library_types = bool(types) and all(value in ENTRY_TYPES for value in types)
        has_facets = any(request.GET.getlist(key) for key in facets.FACET_KEYS if key != "type")
        if not library_types and not has_facets:
            return super().get_queryset()
        if types and not library_types:
            raise BadRequestError(
                "type: combine the library's types (good_practice, case_study, residency, "
                "training_module) with its facets, not app.Model names"
            )
        params = QueryDict(mutable=True)
        for key in facets.FACET_KEYS:
            params.setlist(key, request.GET.getlist(key))
        locale_code = request.GET.get("locale")
        locale = Locale.objects.filter(language_code=locale_code).first() if locale_code else Locale.get_default()
        selection = facets.parse_selection(params, locale)
        if selection.ignored:
            raise BadRequestError(" ".join(selection.ignored))
        base = LibraryEntry.objects.filter(pk__in=self.get_base_queryset().values("pk"))
        return facets.filter_entries(base, selection)


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", LibraryPagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
