import json

from django import template
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

# As Django's json_script does: these characters could close the script element or open a comment.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def structured_data(context, page):
    """The page's schema.org description as JSON-LD, if its type has one."""
    method = getattr(page, "structured_data", None)
    data = method(context["request"]) if method else None
    if not data:
        return ""
    payload = json.dumps({"@context": "https://schema.org", **data}, ensure_ascii=False, default=str)
    # The nonce: the block is data, but a Content-Security-Policy without it may still refuse it (or report it).
    # str(): django-csp's lazy nonce is falsy until read, and reading it is what puts it in the header.
    nonce = getattr(context["request"], "csp_nonce", None)
    nonce = str(nonce) if nonce is not None else ""
    return format_html(
        '<script type="application/ld+json"{}>{}</script>',
        format_html(' nonce="{}"', nonce) if nonce else "",
        mark_safe(payload.translate(_ESCAPES)),
    )


@register.simple_tag(takes_context=True)
def social_image_url(context, page):
    """An absolute URL of the image to show when the page is shared: the editors' own choice, else the card
    drawn for the page in its language (title, goals, places: pictures/views.py), else nothing."""
    from pictures.views import share_image_url

    image = getattr(page, "social_image", None)
    if image:
        return context["request"].build_absolute_uri(image.get_rendition("fill-1200x630").url)
    if getattr(page, "pk", None) and getattr(page, "live", False):
        return context["request"].build_absolute_uri(share_image_url(page))
    return ""


@register.simple_tag
def page_description(page):
    """The page's description for search engines and shares: the editors' own, else its summary or intro,
    else what the site is. Plain text (the template truncates it)."""
    for field in ("search_description", "summary", "intro"):
        text = strip_tags(str(getattr(page, field, "") or "")).strip()
        if text:
            return " ".join(text.split())
    return gettext(
        "La biblioteca digitale delle buone pratiche delle reti territoriali italiane: esperienze, casi studio, "
        "residenze e moduli formativi da conoscere e replicare, per obiettivo di sviluppo sostenibile e territorio."
    )
