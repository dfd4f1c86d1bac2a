"""The facet form's checkboxes, written in Python: a listing at 10,000 entries shows some 250 of them. As an
included template, a dozen lookups each, they took a quarter of the page's rendering, and through
format_html (which escapes and marks every argument) still a tenth; here only the texts are escaped."""

from django import template
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _option(key, option):
    empty = ' class="empty"' if not option.count and not option.selected else ""
    checked = " checked" if option.selected else ""
    value = escape(option.value)
    swatch = f'<span class="swatch sdg-{value}" aria-hidden="true"></span>' if option.colour else ""
    return (
        f'<li class="depth-{int(option.depth)}"><label{empty}><input type="checkbox" name="{key}" value="{value}"'
        f'{checked}>{swatch} <span class="option-label">{escape(option.label)}</span> '
        f'<span class="count">({localize(option.count)})</span></label></li>'
    )


@register.simple_tag
def facet_options(facet, options):
    """One <li> with a labelled checkbox for each of `options` of `facet`."""
    key = escape(facet.key)
    return mark_safe("\n".join(_option(key, option) for option in options))  # every text escaped in _option
