from django import template
from django.conf import settings
from django.utils.translation import get_language, get_language_info
from wagtail.models import Locale, Page

from practices.visibility import public_pages, visible

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """For each other language: the same page in it, or else its nearest translated ancestor (exact=False),
    or else that language's home. Two queries per language, whatever the depth of the page."""
    page = context.get("page")
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    lineage = list(page.get_ancestors(inclusive=True).filter(depth__gt=1).reverse()) if page is not None else []
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        url, exact = f"/{code}/", False
        locale = Locale.objects.filter(language_code=code).first()
        if lineage and locale is not None:
            translated = {
                translation.translation_key: translation
                for translation in public_pages(Page, locale).filter(
                    translation_key__in=[ancestor.translation_key for ancestor in lineage]
                )
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
    for translation in visible(page.get_translations(inclusive=True)).select_related("locale"):
        url = translation.get_full_url(request)
        links.append({"code": translation.locale.language_code, "url": url})
        if translation.locale.language_code == settings.LANGUAGE_CODE:
            links.append({"code": "x-default", "url": url})
    return links if len(links) > 2 else []
