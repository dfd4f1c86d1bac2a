"""Pages in the reader's language. wagtail-localize copies links to pages unchanged (a module's practices,
an entry's networks point at the Italian pages), and an entry nobody has translated yet must still be found
in the English library: these helpers resolve both in a fixed number of queries."""

from django.db.models import Exists, OuterRef, Q
from wagtail.models import Locale, Page


def library_entries(locale):
    """Live library entries for readers of `locale`: those written or translated in it, and the
    Italian originals not translated into it yet (shown marked, with their Italian summary)."""
    from .models import LibraryEntry

    entries = LibraryEntry.objects.live()
    default = Locale.get_default()
    if locale.pk == default.pk:
        return entries.filter(locale=locale)
    translated = Page.objects.live().filter(locale=locale, translation_key=OuterRef("translation_key"))
    return entries.filter(Q(locale=locale) | (Q(locale=default) & ~Exists(translated)))


def in_language(pages, locale):
    """Each page in `locale` when it has a live translation there, else the page itself with
    `in_other_language` set, so templates can mark it ("in italiano"). One query for the whole list."""
    pages = list(pages)
    keys = {page.translation_key for page in pages if page.locale_id != locale.pk}
    translations = {}
    if keys:
        for translation in Page.objects.live().filter(locale=locale, translation_key__in=keys).specific():
            translations[translation.translation_key] = translation
    resolved = []
    for page in pages:
        if page.locale_id == locale.pk:
            resolved.append(page)
        elif page.translation_key in translations:
            resolved.append(translations[page.translation_key])
        else:
            page.in_other_language = True
            resolved.append(page)
    return resolved


def links_in_language(links, locale, attribute="practice"):
    """(link, linked page in the reader's language) for orderable links such as a module's practices."""
    links = list(links)
    pages = in_language([getattr(link, attribute) for link in links], locale)
    return list(zip(links, pages, strict=True))


def translations_of(page):
    """Every live version of a page, in any language: reverse links (the modules that teach a practice) are
    stored against the Italian page, and must show on its English translation too."""
    return Page.objects.live().filter(translation_key=page.translation_key)


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
