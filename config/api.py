"""The public API (Wagtail's API v2 under /api/v2/): pages with the library's facets and search, images and
documents. Whatever a client sends, the answer is JSON: 200, a 400 with a message for a bad parameter, a 404
for what does not exist (tests/test_security_hostile.py sends the hostile values)."""

import re
from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.urls import re_path
from django.utils import translation
from django.utils.log import log_response
from modelsearch.query import PlainText
from rest_framework import status
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.base import FilterFieldError, OrderByFieldError

from core.visibility import visible
from library import facets
from opendata.api import EntryRecordsMixin
from practices.models import ENTRY_TYPES, LibraryEntry
from search.query import matching_ids, normalise_query, words_of

# Past any collection this site will hold; what the databases accept as OFFSET (2**63 - 1 at most) is not a
# limit a client should find by trial.
MAX_OFFSET = 100_000
DIGITS = re.compile(r"[0-9]{1,9}")


class BoundedPagination(WagtailPagination):
    """offset and limit as plain integers within a range, else a 400. Wagtail's pagination takes any integer
    Python can hold: offset=9223372036854775808 reached SQLite and PostgreSQL as an OFFSET they cannot hold
    (a 500)."""

    def paginate_queryset(self, queryset, request, view=None):
        limit_max = getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20) or MAX_OFFSET
        for name, maximum in (("offset", MAX_OFFSET), ("limit", limit_max)):
            value = request.GET.get(name)
            if value is not None and not (DIGITS.fullmatch(value) and int(value) <= maximum):
                raise BadRequestError(f"{name} must be an integer from 0 to {maximum}")
        return super().paginate_queryset(queryset, request, view)


class PlainWordsSearchFilter(BaseFilterBackend):
    """`search=` for images and documents, as words only: the cleaning of the site's search (search/query.py:
    no NUL, quotes or control characters, a length cap) and then letters and digits, handed to the backend as
    plain text so nothing reaches it as query syntax. Wagtail's SearchFilter passed the raw string, which broke
    the backends' parsers (a lone quote, a space, NUL, 500 words: 500s on SQLite and PostgreSQL)."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if not getattr(settings, "WAGTAILAPI_SEARCH_ENABLED", True):
            raise BadRequestError("search is disabled")
        operator = request.GET.get("search_operator") or "and"
        if operator not in ("and", "or"):
            raise BadRequestError("search_operator must be 'and' or 'or'")
        words = words_of(normalise_query(request.GET["search"]))
        if not words:
            return queryset.none()
        try:
            return get_search_backend().search(
                PlainText(" ".join(words), operator=operator),
                queryset,
                order_by_relevance="order" not in request.GET,
            )
        except (FilterFieldError, OrderByFieldError) as e:
            raise BadRequestError(f"cannot filter or order by '{e.field_name}' while searching") from e


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


class JSONErrorsMixin:
    """Every answer of an endpoint is JSON, errors included, and no parameter reaches a database in a form it
    refuses: NUL bytes (PostgreSQL cannot hold them in text) are a 400 wherever they appear, but in `search=`,
    which is cleaned; the object asked for by id must be a number. What still fails is a JSON 500, logged as
    Django logs any 500 (the traceback goes to the error log)."""

    pagination_class = BoundedPagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, values in request.GET.lists():
            if "\x00" in name or (name != "search" and any("\x00" in value for value in values)):
                raise BadRequestError(f"{name.replace(chr(0), '')[:40]}: null characters are not allowed")

    def find_object(self, queryset, request):
        if "id" in request.GET and not DIGITS.fullmatch(request.GET["id"]):
            raise BadRequestError("id must be a positive integer")
        return super().find_object(queryset, request)

    def handle_exception(self, exc):
        try:
            response = super().handle_exception(exc)
        except Exception:
            if settings.DEBUG:
                raise  # the developer's traceback page
            response = Response({"message": "internal error"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
            log_response(
                "Internal Server Error: %s", self.request.path, response=response, request=self.request, exc_info=exc
            )
            return response
        # Every error says what it is in "message", as Wagtail's do: REST framework's own say "detail", and an
        # unknown `format` is an Http404 without a text.
        data = response.data if isinstance(response.data, dict) else {}
        if response.status_code >= 400 and not data.get("message"):
            response.data = {"message": str(data.get("detail") or HTTPStatus(response.status_code).phrase.lower())}
        return response


class LibraryPagesAPIViewSet(JSONErrorsMixin, EntryRecordsMixin, PagesAPIViewSet):
    """The pages endpoint with the library's facet keys: `type` as good_practice|case_study|residency|
    training_module (app.Model still works), `sdg`, `territory` (ancestors included), `network`, `theme`,
    `year`, `quality` (verified|complete), each repeatable. An unknown value is a 400 with a message, an
    unknown `locale` too. Entries carry their content and taxonomy (the `api_fields` of practices/models, from
    opendata/records.py)."""

    filter_backends = [*PagesAPIViewSet.filter_backends[:-1], LibrarySearchFilter]
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(
        [key for key in facets.FACET_KEYS if key != "type"]
    )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Wagtail's LocaleFilter answers an unknown locale with a 404, as if the listing did not exist.
        locale = request.GET.get("locale")
        if locale is not None and not Locale.objects.filter(language_code=locale).exists():
            known = ", ".join(Locale.objects.order_by("language_code").values_list("language_code", flat=True))
            raise BadRequestError(f"locale must be one of: {known}")

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
        # One library type: its own model, so that its own fields (a practice's sections) can be listed.
        model = ENTRY_TYPES[types[0]] if len(set(types)) == 1 else LibraryEntry
        base = model.objects.filter(pk__in=self.get_base_queryset().values("pk"))
        return facets.filter_entries(base, selection)


class LibraryImagesAPIViewSet(JSONErrorsMixin, ImagesAPIViewSet):
    filter_backends = [*ImagesAPIViewSet.filter_backends[:-1], PlainWordsSearchFilter]


class LibraryDocumentsAPIViewSet(JSONErrorsMixin, DocumentsAPIViewSet):
    filter_backends = [*DocumentsAPIViewSet.filter_backends[:-1], PlainWordsSearchFilter]


def not_found(request):
    return JsonResponse({"message": "not found"}, status=404)


class APIRouter(WagtailAPIRouter):
    """Wagtail's router, with a JSON 404 for any other address ending in a slash under it (without the slash,
    CommonMiddleware first redirects to the address with one, as for the endpoints)."""

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), re_path(r"^(?:[\s\S]*/)?$", not_found)]


api_router = APIRouter("wagtailapi")
api_router.register_endpoint("pages", LibraryPagesAPIViewSet)
api_router.register_endpoint("images", LibraryImagesAPIViewSet)
api_router.register_endpoint("documents", LibraryDocumentsAPIViewSet)
