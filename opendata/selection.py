"""A listing's selection taken away: the library, its landing pages and the search page hand their
LibraryQuery over (the `library_format` hook of library/pages.py); here it becomes an export, a feed, or the
selection of an alert."""

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext as _

from .exports import FORMATS as EXPORT_FORMATS
from .exports import export_response
from .feeds import FEED_ITEMS, FEED_TYPES, SelectionFeed
from .ratelimit import over_limit
from .records import RecordBuilder, entries_for_records

FORMATS = (*EXPORT_FORMATS, *FEED_TYPES)


def describe(query, landing=None):
    """The selection in words, for titles and file names: "Obiettivo 13 · Piemonte · «orti»"."""
    parts = [str(landing["title"])] if landing else []
    parts += [str(label) for label, _querystring in query.selection.chips()]
    return " · ".join(parts) or _("Tutta la biblioteca")


def selection_params(request):
    """The listing's parameters without the page, the format and anything else that is not a selection."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key not in ("page", "format"):
            params.setlist(key, values)
    return params


def too_many(request):
    response = HttpResponse(
        _("Troppe richieste da questo indirizzo: riprova tra un'ora."), status=429, content_type="text/plain"
    )
    response["Retry-After"] = "3600"
    return response


def take_away(request, query, page=None, landing=None):
    """The `library_format` hook: the listing's selection in request.GET["format"], or None for a format
    this app does not give."""
    fmt = request.GET.get("format")
    if fmt not in FORMATS:
        return None
    is_feed = fmt in FEED_TYPES
    rate = getattr(settings, "FEED_RATE" if is_feed else "EXPORT_RATE", "60/h")
    if over_limit(request, "feeds" if is_feed else "exports", rate):
        return too_many(request)
    description = describe(query, landing)
    language = query.locale.language_code
    if not is_feed:
        return export_response(
            fmt, entries_for_records(query.results), description, request, language, filename=f"libreria {description}"
        )
    listing = request.build_absolute_uri(request.path)
    params = selection_params(request)
    if params:
        listing += "?" + params.urlencode()
    return feed_response(fmt, query.filtered, description, request, language, listing)


def feed_response(fmt, entries, description, request, language, link):
    """The feed of the newest FEED_ITEMS of `entries` (a queryset of library entries)."""
    newest = list(entries_for_records(entries.order_by("-first_published_at", "-pk"))[:FEED_ITEMS])
    records = RecordBuilder(request=request, language=language, images=False).build(newest)
    feed = SelectionFeed(
        fmt,
        title=description,
        link=link,
        description=_("Le voci più recenti della selezione: %(selection)s") % {"selection": description},
        records=[records[entry.pk] for entry in newest],
        language=language,
    )
    return feed(request)
