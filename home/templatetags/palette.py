"""The goals' official colours as CSS classes (.sdg-1 … .sdg-17), in one <style> element with the request's
CSP nonce: the colours are data editors can change, and the Content-Security-Policy refuses style=""
attributes, which is how the templates used to carry them."""

import re

from django import template
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from practices.models import SDG

register = template.Library()

CACHE_KEY = "sdg-palette"
# Only a hex colour reaches the stylesheet: anything else could close the <style> element.
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}")


def palette_css():
    colours = cache.get(CACHE_KEY)
    if colours is None:
        colours = list(SDG.objects.order_by("number").values_list("number", "colour"))
        cache.set(CACHE_KEY, colours, 600)
    return "".join(f".sdg-{number}{{--sdg:{colour}}}" for number, colour in colours if HEX_COLOUR.fullmatch(colour))


@receiver(post_save, sender=SDG)
@receiver(post_delete, sender=SDG)
def _forget_palette(**kwargs):
    cache.delete(CACHE_KEY)


def csp_nonce(context):
    """The request's CSP nonce, or "" where there is no request (error pages rendered without one)."""
    # str(): django-csp's lazy nonce is falsy until read, and reading it is what puts it in the header.
    nonce = getattr(context.get("request"), "csp_nonce", None)
    return str(nonce) if nonce is not None else ""


@register.simple_tag(takes_context=True)
def sdg_palette(context):
    nonce = csp_nonce(context)
    return format_html(
        "<style{}>{}</style>", format_html(' nonce="{}"', nonce) if nonce else "", mark_safe(palette_css())
    )
