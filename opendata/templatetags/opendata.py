"""Every listing links its selection in the other formats: <link rel="alternate"> for feed readers in the
head, and a "take it away" box (downloads, feeds, alerts) by the results."""

from django import template
from django.http import QueryDict
from django.urls import reverse

from opendata.selection import selection_params

register = template.Library()


def _with(request, **extra):
    params = selection_params(request)
    for key, value in extra.items():
        params[key] = value
    return "?" + params.urlencode()


@register.inclusion_tag("opendata/feed_links.html", takes_context=True)
def feed_links(context, title=""):
    request = context["request"]
    return {"rss": _with(request, format="rss"), "atom": _with(request, format="atom"), "title": title}


def _alert_link(context, source):
    """The alert sign-up for the listing's selection, a landing page's own facet included (/sdg/13/ → sdg=13)."""
    selection = context.get("selection")
    params = QueryDict(mutable=True)
    if selection is not None:
        for key, value in selection.params():
            params.appendlist(key, value)
        if selection.fixed:
            for value in selection.values[selection.fixed]:
                params.appendlist(selection.fixed, str(value))
    params["source"] = source
    return reverse("opendata_alert_subscribe") + "?" + params.urlencode()


@register.inclusion_tag("opendata/take_away.html", takes_context=True)
def take_away(context, source="library"):
    request = context["request"]
    alert = _alert_link(context, source)
    return {
        "downloads": [(fmt, _with(request, format=fmt)) for fmt in ("csv", "json", "geojson")],
        "rss": _with(request, format="rss"),
        "atom": _with(request, format="atom"),
        "alert": alert,
        "codebook": reverse("opendata_codebook"),
    }
