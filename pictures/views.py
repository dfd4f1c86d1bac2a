"""The share card of a page (its og:image), the web app manifest and the icons' well-known addresses."""

from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from wagtail.models import Page

from core.visibility import public_pages
from practices.place_labels import places_label

from .art import share_card

CARD_SECONDS = 24 * 3600


def share_image_url(page):
    """The address of `page`'s share card; the published revision in it, so a change is a new address."""
    return reverse("share_image", args=[page.pk]) + f"?v={page.live_revision_id or 0}"


def card_content(page):
    """What the card of `page` says, in the page's own language."""
    goals, places, kind = [], "", ""
    if hasattr(page, "sdgs"):
        goals = [(sdg.number, sdg.colour, sdg.short) for sdg in page.sdgs.order_by("number")]
    if hasattr(page, "territory_links"):
        places = places_label(link.territory for link in page.territory_links.select_related("territory"))
    if getattr(page, "year", None):
        places = " · ".join(part for part in (places, str(page.year)) if part)
    if hasattr(page, "type_label"):
        kind = str(page.type_label)
    return {
        "title": page.seo_title or page.title,
        "kind": kind,
        "goals": goals,
        "places": places,
        "site_name": gettext("Libreria delle Buone Pratiche"),
    }


@require_safe
def share_image(request, page_id):
    """A 1200x630 PNG drawn for the page; only for pages the public may read."""
    page = public_pages(Page, None).filter(pk=page_id).select_related("locale").first()
    if page is None:
        raise Http404
    page = page.specific
    key = f"share-card:{page.pk}:{page.live_revision_id or 0}:{page.locale.language_code}"
    data = cache.get(key)
    if data is None:
        with translation.override(page.locale.language_code):
            data = share_card(**card_content(page))
        cache.set(key, data, CARD_SECONDS)
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = f"public, max-age={CARD_SECONDS}"
    return response


ICONS = (("icons/icon-192.png", "192x192"), ("icons/icon-512.png", "512x512"))


@require_safe
def web_manifest(request):
    """The manifest of the site in the visitor's language: its name, icons and colours."""
    language = (translation.get_language() or "it")[:2]
    manifest = {
        "name": gettext("Libreria delle Buone Pratiche"),
        "short_name": gettext("Buone Pratiche"),
        "lang": language,
        "start_url": f"/{language}/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": "#0b5c8a",
        "icons": [{"src": static(path), "sizes": sizes, "type": "image/png"} for path, sizes in ICONS],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=86400"
    return response
