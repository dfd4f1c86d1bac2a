from django import template
from django.conf import settings
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page

from core.languages import locale_of
from core.visibility import visible
from home.templatetags.navigation import lineage as page_lineage
from pagecache.parts import remembered

register = template.Library()


def _public_family(request, page):
    """The public pages, in every language, that are the page or one of its ancestors or a translation of
    them, with their locales: one query per generation of the published site (pagecache.parts), for the
    language switch and the hreflang alternates."""
    found = getattr(request, "_public_families", None)
    if found is None:
        found = {}
        if request is not None:
            request._public_families = found
    if page.pk not in found:
        lineage = page_lineage(request, page) if hasattr(page, "get_ancestors") else []
        keys = sorted({str(ancestor.translation_key) for ancestor in lineage} | {str(page.translation_key)})

        def family():
            pages = visible(Page.objects.filter(translation_key__in=keys)).select_related("locale").order_by("pk")
            return list(pages)

        path = getattr(page, "path", "")
        found[page.pk] = remembered(f"family:{path}:{'.'.join(keys)}", family) if page.pk and path else family()
    return found[page.pk]


@register.simple_tag(takes_context=True)
def language_links(context):
    """For each other language: the same page in it, or else its nearest translated ancestor (exact=False),
    or else that language's home. Two queries in all, whatever the depth of the page and shared with the
    alternates."""
    page = context.get("page")
    request = context.get("request")
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    lineage = list(reversed(page_lineage(request, page))) if page is not None else []
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        url, exact = f"/{code}/", False
        locale = locale_of(code)
        if lineage and locale is not None:
            translated = {
                translation.translation_key: translation
                for translation in _public_family(request, page)
                if translation.locale_id == locale.pk
            }
            nearest = next((translated[a.translation_key] for a in lineage if a.translation_key in translated), None)
            if nearest is not None:
                url, exact = nearest.url, nearest.translation_key == lineage[0].translation_key
        links.append({"code": code, "name": get_language_info(code)["name_local"], "url": url, "exact": exact})
    return links


@register.simple_tag(takes_context=True)
def alternate_links(context):
    """hreflang alternates of the current page: each public translation, and x-default for the Italian one."""
    page = context.get("page")
    request = context.get("request")
    if page is None or not hasattr(page, "get_translations"):
        return []
    links = []
    translations = [t for t in _public_family(request, page) if t.translation_key == page.translation_key]
    for translation in translations:
        url = translation.get_full_url(request)
        links.append({"code": translation.locale.language_code, "url": url})
        if translation.locale.language_code == settings.LANGUAGE_CODE:
            links.append({"code": "x-default", "url": url})
    return links if len(links) > 2 else []
