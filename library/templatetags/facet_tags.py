"""The facet form's checkboxes, written in Python: a listing at 10,000 entries shows some 250 of them, and as
an included template, a dozen lookups each, they took a quarter of the page's rendering."""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _option(key, option):
    empty = mark_safe(' class="empty"') if not option.count and not option.selected else ""
    checked = mark_safe(" checked") if option.selected else ""
    swatch = (
        format_html('<span class="swatch sdg-{}" aria-hidden="true"></span>', option.value) if option.colour else ""
    )
    return (
        option.depth,
        empty,
        key,
        option.value,
        checked,
        swatch,
        option.label,
        localize(option.count),
    )


@register.simple_tag
def facet_options(facet, options):
    """One <li> with a labelled checkbox for each of `options` of `facet`."""
    return format_html_join(
        "\n",
        '<li class="depth-{}"><label{}><input type="checkbox" name="{}" value="{}"{}>{}'
        ' <span class="option-label">{}</span> <span class="count">({})</span></label></li>',
        (_option(facet.key, option) for option in options),
    )
