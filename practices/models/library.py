from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Locale
from wagtail_localize.fields import TranslatableField

from home.models import BasePage
from practices.visibility import public_pages

from .entries import CaseStudyPage, GoodPracticePage, LibraryEntry
from .organisations import NetworkPage
from .residencies import ResidencyPage
from .taxonomy import SDG, Territory, Theme
from .training import TrainingModulePage

# The public keys of the four entry types, used by the import, the facets and the API.
ENTRY_TYPES = {
    model.entry_type_key: model for model in (GoodPracticePage, CaseStudyPage, ResidencyPage, TrainingModulePage)
}


class LibraryIndexPage(RoutablePageMixin, BasePage):
    """The library: every entry of the active language, wherever it sits in the tree, with facets; and the
    landing pages of one SDG, territory, network or theme (/sdg/13/, /territorio/01/, /rete/…/, /tema/…/)."""

    intro = RichTextField(_("introduzione"), blank=True, features=["bold", "italic", "link"])

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    translatable_fields = BasePage.translatable_fields + [TranslatableField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["practices.GoodPracticePage", "practices.CaseStudyPage"]
    max_count_per_parent = 1

    PER_PAGE = 24

    class Meta:
        verbose_name = _("biblioteca")

    def get_context(self, request, *args, fixed=None, **kwargs):
        from practices import facets, maps
        from practices.translations import library_entries, mark_other_language
        from search.query import matching_ids

        context = super().get_context(request, *args, **kwargs)
        entries = library_entries(self.locale)
        selection = facets.parse_selection(request.GET, self.locale, fixed=fixed)
        search_ids = matching_ids(entries, selection.q) if selection.q else None
        filtered = facets.filter_entries(entries, selection, search_ids=search_ids)
        results = facets.for_cards(facets.order_entries(filtered, selection, search_ids))
        all_facets = facets.facet_counts(entries, selection, search_ids)
        if selection.fixed == "territory":
            region_link = lambda code: self.landing_url("territory", code)  # noqa: E731
        else:
            region_link = lambda code: "?" + selection.querystring(adding=("territory", code))  # noqa: E731
        page_obj = Paginator(results, self.PER_PAGE).get_page(request.GET.get("page"))
        mark_other_language(page_obj.object_list, self.locale)
        context.update(
            selection=selection,
            facets=[facet for facet in all_facets if facet.key != selection.fixed],
            fixed_facet=next((facet for facet in all_facets if facet.key == selection.fixed), None),
            page_obj=page_obj,
            map=maps.library_map(filtered.values("pk"), link=region_link),
            sorts=[("newest", _("più recenti")), ("title", _("titolo"))]
            + ([("relevance", _("pertinenza"))] if selection.q else []),
        )
        return context

    def get_sitemap_urls(self, request=None):
        """The library, then its landing pages: every goal, every region, and the networks and themes in use."""
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        lastmod = self.last_published_at or self.latest_revision_created_at
        entries = public_pages(LibraryEntry, self.locale).values("pk")
        landings = [("sdg", number) for number in SDG.objects.values_list("number", flat=True)]
        landings += [
            ("territory", code) for code in Territory.objects.filter(level="region").values_list("code", flat=True)
        ]
        landings += [
            ("network", slug)
            for slug in public_pages(NetworkPage, self.locale)
            .filter(entries__in=entries)
            .values_list("slug", flat=True)
            .distinct()
        ]
        landings += [
            ("theme", slug)
            for slug in Theme.objects.filter(entries__in=entries).values_list("slug", flat=True).distinct()
        ]
        for key, value in landings:
            urls.append(
                {
                    "location": base.rstrip("/") + self.landing_url(key, value)[len(self.url.rstrip("/")) :],
                    "lastmod": lastmod,
                }
            )
        return urls

    def landing_url(self, key, value):
        route = {
            "sdg": "sdg_landing",
            "territory": "territory_landing",
            "network": "network_landing",
            "theme": "theme_landing",
        }[key]
        return self.url + self.reverse_subpage(route, args=[value])

    @path("")
    def library(self, request):
        return self.render(request)

    @path("sdg/<int:number>/")
    def sdg_landing(self, request, number):
        sdg = get_object_or_404(SDG, number=number)
        landing = {
            "kind": "sdg",
            "title": f"{_('Obiettivo')} {sdg.number}. {sdg.short}",
            "text": sdg.title,
            "colour": sdg.colour,
        }
        return self.render(
            request,
            fixed=("sdg", number),
            context_overrides={"landing": landing},
            template="practices/library_landing_page.html",
        )

    @path("territorio/<str:code>/")
    def territory_landing(self, request, code):
        territory = get_object_or_404(Territory.objects.select_related("parent__parent__parent"), code=code)
        ancestors = []
        parent = territory.parent
        while parent:
            ancestors.insert(0, parent)
            parent = parent.parent
        landing = {"kind": "territory", "title": territory.label, "territory": territory, "ancestors": ancestors}
        return self.render(
            request,
            fixed=("territory", territory),
            context_overrides={"landing": landing},
            template="practices/library_landing_page.html",
        )

    @path("rete/<slug:slug>/")
    def network_landing(self, request, slug):
        from practices.translations import in_language

        # The key is the slug of the network's original page, which the entries link to in every language.
        networks = public_pages(NetworkPage, None).filter(slug=slug)
        original = networks.filter(locale=Locale.get_default()).first() or networks.first()
        if original is None:
            raise Http404
        network = in_language([original], self.locale)[0]
        landing = {"kind": "network", "title": network.title, "text": network.summary, "page": network}
        return self.render(
            request,
            fixed=("network", slug),
            context_overrides={"landing": landing},
            template="practices/library_landing_page.html",
        )

    @path("tema/<slug:slug>/")
    def theme_landing(self, request, slug):
        theme = get_object_or_404(Theme, slug=slug)
        landing = {"kind": "theme", "title": theme.name, "text": theme.description}
        return self.render(
            request,
            fixed=("theme", slug),
            context_overrides={"landing": landing},
            template="practices/library_landing_page.html",
        )
