"""Pages in the reader's language. wagtail-localize copies links to pages unchanged (a module's practices,
an entry's networks point at the Italian pages), and an entry nobody has translated yet must still be found
in the English library: these helpers resolve both in a fixed number of queries."""

from contextvars import ContextVar

from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from core.visibility import visible

# The site's locales, read once per request (in one query, the first time one is needed), so that the
# default, the active and each other language's Locale cost no query each time a helper asks: {} until read.
# None outside a request (a command, a test calling a function): then every call asks the database, as
# Locale's own methods do. Set and cleared by the request_started and request_finished signals (core.apps).
# A locale added during a request is seen from the next one.
_request_locales = ContextVar("request_locales", default=None)


def begin_request(**kwargs):
    _request_locales.set({})


def end_request(**kwargs):
    _request_locales.set(None)


def locale_of(language_code):
    """The Locale of `language_code`, or None when the site has none. In a request, every locale is read in
    one query, the first time one is asked for."""
    remembered = _request_locales.get()
    if remembered is None:
        return Locale.objects.filter(language_code=language_code).first()
    if not remembered:
        remembered.update({locale.language_code: locale for locale in Locale.objects.all()})
        remembered.setdefault(None, None)  # read, even when the site has no locale yet
    return remembered.get(language_code)


def default_locale():
    """Locale.get_default(), without a query once this request has read its locales."""
    locale = locale_of(get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return locale if locale is not None else Locale.get_default()


def active_locale():
    """Locale.get_active(), without a query once this request has read its locales."""
    try:
        locale = locale_of(get_supported_content_language_variant(get_language()))
    except LookupError:
        locale = None
    return locale if locale is not None else default_locale()


def with_known_locale(page):
    """`page` with its locale taken from this request's locales: page.locale would ask the database again.
    Outside a request, `page` as it is."""
    remembered = _request_locales.get()
    if page is None or remembered is None or "locale" in page._state.fields_cache:
        return page
    locale_of(None)  # read the locales if nobody has yet
    for locale in list(remembered.values()):
        if locale is not None and locale.pk == page.locale_id:
            page.locale = locale
            break
    return page


def _resolved(pages, locale):
    """Each page in `locale` when it has a public translation there, else the page itself (marked
    `in_other_language`) when it is public, else None: a link to a draft or a restricted page is not shown.
    One query for the whole list."""
    if not pages:
        return []
    if all(page.locale_id == locale.pk for page in pages):
        # Already in the reader's language: only which of them the public may see, no translation to load.
        public_ids = set(visible(Page.objects.filter(pk__in=[page.pk for page in pages])).values_list("pk", flat=True))
        return [page if page.pk in public_ids else None for page in pages]
    keys = {page.translation_key for page in pages}
    shown = visible(Page.objects.filter(translation_key__in=keys)).filter(
        Q(locale=locale) | Q(pk__in=[page.pk for page in pages])
    )
    translations, public_ids = {}, set()
    for candidate in shown.specific():
        public_ids.add(candidate.pk)
        if candidate.locale_id == locale.pk:
            translations[candidate.translation_key] = candidate
    resolved = []
    for page in pages:
        if page.locale_id == locale.pk:
            resolved.append(page if page.pk in public_ids else None)
        elif page.translation_key in translations:
            resolved.append(translations[page.translation_key])
        elif page.pk in public_ids:
            page.in_other_language = True
            resolved.append(page)
        else:
            resolved.append(None)
    return resolved


def in_language(pages, locale):
    """The public pages among `pages`, each in `locale` when translated there, else marked ("in italiano")."""
    return [page for page in _resolved(list(pages), locale) if page is not None]


def links_in_language(links, locale, attribute="practice"):
    """(link, linked page in the reader's language) for orderable links such as a module's practices; links
    to pages the public may not see are left out."""
    links = list(links)
    pages = _resolved([getattr(link, attribute) for link in links], locale)
    return [(link, page) for link, page in zip(links, pages, strict=True) if page is not None]


def reverse_links_in_language(links, locale):
    """Links pointing at a page, from pages in any language (a module and its English translation both link
    to the Italian practice): one per linking page, in `locale` when it exists there, else the original,
    marked. `links` must select_related("page")."""
    chosen = {}
    for link in links:
        key = link.page.translation_key
        if key not in chosen or link.page.locale_id == locale.pk:
            chosen[key] = link
    for link in chosen.values():
        link.page.in_other_language = link.page.locale_id != locale.pk
    return list(chosen.values())


def mark_other_language(entries, locale):
    """Flag the entries of a results page that are shown in another language than the reader's."""
    for entry in entries:
        entry.in_other_language = entry.locale_id != locale.pk
    return entries
