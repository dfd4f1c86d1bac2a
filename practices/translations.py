"""Pages in the reader's language. wagtail-localize copies links to pages unchanged (a module's practices,
an entry's networks point at the Italian pages), and an entry nobody has translated yet must still be found
in the English library: these helpers resolve both in a fixed number of queries."""

from django.db.models import Exists, OuterRef, Q
from wagtail.models import Locale, Page

from .visibility import public_pages, visible


def library_entries(locale):
    """Public library entries for readers of `locale`: those written or translated in it, and the
    Italian originals not translated into it yet (shown marked, with their Italian summary)."""
    from .models import LibraryEntry

    default = Locale.get_default()
    if locale.pk == default.pk:
        return public_pages(LibraryEntry, locale)
    translated = public_pages(Page, locale).filter(translation_key=OuterRef("translation_key"))
    return visible(LibraryEntry.objects.filter(Q(locale=locale) | (Q(locale=default) & ~Exists(translated))))


def _resolved(pages, locale):
    """Each page in `locale` when it has a public translation there, else the page itself (marked
    `in_other_language`) when it is public, else None: a link to a draft or a restricted page is not shown.
    One query for the whole list."""
    if not pages:
        return []
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
