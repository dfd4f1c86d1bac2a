"""What the pages endpoint of API v2 (config/api.py) adds for the library: each entry's record, built for
the whole page of results at once (so the query count is flat in the page size), and `format=csv|json|
geojson|rss|atom` on a listing, which streams the whole selection as the library's exports do."""

from django.conf import settings
from django.utils.translation import gettext as _

from practices.models import LibraryEntry

from .exports import export_response
from .ratelimit import over_limit
from .records import build_records, entries_for_records
from .selection import feed_response, too_many

# `format=json` stays the API's own JSON; these give the listing's whole selection, as the library does.
EXPORTS = ("csv", "geojson", "rss", "atom")


class EntryRecordsMixin:
    """For a Wagtail PagesAPIViewSet: `api_record(entry)` for practices/api_fields.py."""

    def api_record(self, entry):
        records = getattr(self, "_records", None)
        if records is None or entry.pk not in records:
            records = self._records = {**(records or {}), **build_records([entry], self.request, content=True)}
        return records[entry.pk]

    def paginate_queryset(self, queryset):
        page = list(super().paginate_queryset(queryset))
        self._records = build_records(
            [item for item in page if isinstance(item, LibraryEntry)], self.request, content=True
        )
        return page

    def get_object(self):
        obj = super().get_object()
        if isinstance(obj, LibraryEntry) and obj.pk not in getattr(self, "_records", {}):
            self._records = build_records([obj], self.request, content=True)
        return obj

    def perform_content_negotiation(self, request, force=False):
        if request.GET.get("format") in EXPORTS:  # errors on the way are still JSON
            renderer = self.renderer_classes[0]()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def listing_view(self, request):
        fmt = request.GET.get("format")
        if fmt not in EXPORTS:
            return super().listing_view(request)
        is_feed = fmt in ("rss", "atom")
        rate = getattr(settings, "FEED_RATE" if is_feed else "EXPORT_RATE", "60/h")
        if over_limit(request, "feeds" if is_feed else "exports", rate):
            return too_many(request)
        queryset = self.get_queryset()
        self.check_query_parameters(queryset)
        queryset = self.filter_queryset(queryset)
        if not issubclass(queryset.model, LibraryEntry):
            queryset = LibraryEntry.objects.filter(pk__in=queryset.values("pk")).order_by("path")
        language = request.GET.get("locale") or settings.LANGUAGE_CODE
        params = [f"{key}={value}" for key, value in request.GET.items() if key not in ("format", "limit", "offset")]
        description = _("API: %(query)s") % {"query": "&".join(params) or "*"}
        if is_feed:
            return feed_response(fmt, queryset, description, request, language, request.build_absolute_uri())
        return export_response(fmt, entries_for_records(queryset), description, request, language, "libreria-api")
