from django import template
from django.conf import settings
from wagtail.models import Site

from core.languages import active_locale
from core.visibility import visible
from pagecache.parts import remembered

register = template.Library()


def lineage(request, page):
    """The page's ancestors below the root and the page itself, from the top: one query per generation of the
    published site (pagecache.parts), shared by the breadcrumbs and the language switch."""
    found = getattr(request, "_lineages", None)
    if found is None:
        found = {}
        if request is not None:
            request._lineages = found
    if page.pk not in found:
        # A home (depth 2) is its own lineage: no query. The ancestors are the published rows above the
        # page's place in the tree, the same for a visitor and for an editor's preview of it.
        found[page.pk] = [*_ancestors(page), page] if page.depth > 2 else [page]
    return found[page.pk]


def _ancestors(page):
    def compute():
        return list(page.get_ancestors().filter(depth__gt=1))

    if not (page.pk and page.path):  # the preview of a page not saved yet has no place of its own
        return compute()
    return remembered(f"ancestors:{page.path}", compute)


@register.simple_tag(takes_context=True)
def breadcrumb_pages(context, page):
    """The pages above `page` the breadcrumbs lead to, from the home down."""
    return [ancestor for ancestor in lineage(context.get("request"), page) if ancestor.pk != page.pk]


@register.simple_tag
def localized(page):
    """Wagtail's page.localized (its live translation in the reader's language, else the page itself), with
    the locale this request has looked up already."""
    if page is None or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return page
    locale = active_locale()
    if locale.pk == page.locale_id:
        return page
    translation = page.get_translation_or_none(locale)
    return translation if translation is not None and translation.live else page


@register.simple_tag
def menu_pages(home):
    """The home's children shown in menus that the public may read: a restricted section is not announced."""
    if home is None:
        return []
    return remembered(f"menu:{home.pk}", lambda: list(visible(home.get_children()).in_menu()))


@register.simple_tag(takes_context=True)
def site_footer(context):
    """The site's footer and contacts (SiteFooter), read once per generation of the published site: a saved
    setting moves it (pagecache.signals)."""
    from home.models import SiteFooter

    site = Site.find_for_request(context.get("request")) if context.get("request") else None
    if site is None:
        return None
    return remembered(f"footer:{site.pk}", lambda: SiteFooter.for_site(site))
