"""What the entry templates need to make every value a way on: the library of the page's language, the
landing page of a goal, place or theme, places as a visitor reads them ("Tutta Italia"), and dates written
as Italian writes them (months and days in lower case)."""

from django import template
from django.conf import settings
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.translation import get_language
from wagtail.models import Locale

from core.visibility import public_pages
from library.pages import LibraryIndexPage
from pagecache.parts import remembered
from practices.place_labels import place_links, places_label

register = template.Library()

NAMES = set("FlMDbE")  # format characters that give month or day names


def _library(locale_id):
    """The public library of a language (of any language without `locale_id`): the same for every reader of
    one generation of the site, so kept with the page parts (pagecache.parts) rather than asked per page."""

    def first_public():
        libraries = public_pages(LibraryIndexPage, None)
        return (libraries.filter(locale_id=locale_id) if locale_id else libraries).first()

    return remembered(f"library-page:{locale_id}", first_public)


@register.simple_tag(takes_context=True)
def library_page(context, page=None):
    """The library of the reader: the one an Italian entry is read from in English, else the library of
    `page`'s language (of the page being read by default)."""
    request = context.get("request")
    reading_from = getattr(request, "reading_from", None)
    if reading_from is not None and page is None:
        return reading_from
    page = page or context.get("page")
    return _library(getattr(page, "locale_id", None))


@register.simple_tag(takes_context=True)
def entry_url(context, entry):
    """Where an entry's card leads: the entry, or, for an Italian entry listed in another language's library,
    that library's page for it, so that the interface stays in the reader's language."""
    request = context.get("request")
    reader = (get_language() or settings.LANGUAGE_CODE)[:2]
    if reader != settings.LANGUAGE_CODE:  # one cached look-up per request, and none for Italian readers
        active = _active_locale(request)
        if active is not None and entry.locale_id != active.pk:
            library = _library(active.pk)
            if library is not None:
                return library.italian_entry_url(entry)
    return entry.get_url(request)


def _active_locale(request):
    cached = getattr(request, "_active_locale", None)
    if cached is None:
        try:
            cached = Locale.get_active()
        except Locale.DoesNotExist:
            return None
        if request is not None:
            request._active_locale = cached
    return cached


@register.simple_tag
def landing_url(library, key, value):
    """The landing page of one goal, territory, network or theme, or "" without a library."""
    return library.landing_url(key, value) if library else ""


@register.simple_tag
def entry_places(entry, library=None):
    """[(label, url)] for the entry's places: "Tutta Italia" (the whole library) for national scope."""
    return place_links((link.territory for link in entry.territory_links.all()), library)


@register.filter
def places(entry):
    """The entry's places as one line of text, "Tutta Italia" for national scope."""
    return places_label(link.territory for link in entry.territory_links.all())


@register.filter
def long_date(value, format_string="j F Y"):
    """Django's date filter, with month and day names in lower case in Italian ("4 ottobre 2025")."""
    if not value:
        return ""
    italian = (get_language() or "it").startswith("it")
    parts, escaped = [], False
    for char in format_string:
        if escaped:
            parts.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in NAMES or char.isalpha():
            text = str(dateformat.format(value, char))
            parts.append(text.lower() if italian and char in NAMES else text)
        else:
            parts.append(char)
    return "".join(parts)


@register.simple_tag
def content_lang(page):
    """` lang="it"` for the text of a page written in another language than the interface's, else nothing."""
    language = getattr(getattr(page, "locale", None), "language_code", "")
    if language and language != (get_language() or "")[:2]:
        return format_html(' lang="{}"', language)
    return ""
