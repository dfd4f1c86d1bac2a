from django import template
from django.conf import settings
from django.utils.translation import get_language, get_language_info
from wagtail.models import Locale

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """For each other language: the same page in it, or its nearest translated ancestor (exact=False)."""
    page = context.get("page")
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        locale = Locale.objects.filter(language_code=code).first()
        target, exact = None, False
        if page is not None and locale is not None:
            target = page.get_translation_or_none(locale)
            exact = target is not None
            ancestor = page
            while target is None and ancestor is not None and ancestor.depth > 1:
                ancestor = ancestor.get_parent()
                target = ancestor.get_translation_or_none(locale) if ancestor.depth > 1 else None
        live = target is not None and target.live
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": target.url if live else f"/{code}/",
                "exact": exact and live,
            }
        )
    return links
