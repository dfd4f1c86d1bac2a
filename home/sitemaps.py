"""The sitemap of every language: Wagtail's lists the descendants of the site's root page, which is the
Italian home; the English home is its translation, a sibling, and would be left out."""

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from core.visibility import public_pages


class AllLanguagesSitemap(Sitemap):
    def items(self):
        homes = self.get_wagtail_site().root_page.get_translations(inclusive=True)
        in_a_tree = Q()
        for home in homes:
            in_a_tree |= Q(path__startswith=home.path)
        return public_pages(Page, None).filter(in_a_tree).order_by("path").defer_streamfields().specific()
