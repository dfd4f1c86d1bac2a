from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail_localize.fields import TranslatableField

from core.languages import default_locale, in_language, with_known_locale
from core.pages import BasePage
from core.visibility import public_pages
from practices.models import SDG, LibraryEntry, NetworkPage, Territory, Theme

from . import alternatives, facets
from .query import LibraryQuery

# Apps that give the library's selections in other formats (CSV, feeds…) register a function under this
# Wagtail hook: fn(request, query, page, landing) returns a response for request.GET["format"], or None.
FORMAT_HOOK = "library_format"


def in_other_format(request, query, page=None, landing=None):
    """The response of the app that gives `query` in request.GET["format"], or None (with a notice for the
    visitor) when no app does."""
    for hook in hooks.get_hooks(FORMAT_HOOK):
        response = hook(request, query, page=page, landing=landing)
        if response is not None:
            return response
    query.selection.ignored.append(
        _("Il formato «%(format)s» non è disponibile.") % {"format": request.GET["format"][:40]}
    )
    return None


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
        # A model of the `practices` app (its table, content type and migrations are there), defined here
        # with the read side it renders: the domain below never imports what sits above it.
        app_label = "practices"
        verbose_name = _("biblioteca")

    def render(self, request, *args, fixed=None, context_overrides=None, **kwargs):
        """Every route (the library and each landing page) reads the library through one LibraryQuery. With
        `format=` the same selection is handed to whichever app answers the `library_format` hook (exports,
        feeds); a format nobody answers is reported on the HTML page like any unknown value."""
        query = LibraryQuery(request.GET, with_known_locale(self).locale, fixed=fixed)
        landing = (context_overrides or {}).get("landing")
        if request.GET.get("format"):
            response = in_other_format(request, query, page=self, landing=landing)
            if response is not None:
                return response
        return super().render(
            request, *args, query=query, landing=landing, context_overrides=context_overrides, **kwargs
        )

    def get_context(self, request, *args, query=None, landing=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        query = query or LibraryQuery(request.GET, self.locale)
        selection = query.selection
        if selection.fixed == "territory":
            region_link = lambda code: self.landing_url("territory", code)  # noqa: E731
        else:
            region_link = lambda code: "?" + selection.querystring(adding=("territory", code))  # noqa: E731
        all_facets = query.facets
        page_obj = query.page(request.GET.get("page"), self.PER_PAGE)
        fixed_facet = next((facet for facet in all_facets if facet.key == selection.fixed), None)
        context.update(
            query=query,
            selection=selection,
            facets=[facet for facet in all_facets if facet.key != selection.fixed],
            fixed_facet=fixed_facet,
            page_obj=page_obj,
            map=query.map(region_link),
            sorts=facets.sort_choices(with_words=bool(selection.q)),
        )
        if landing and landing["kind"] == "territory" and fixed_facet:
            context["inner_territories"] = fixed_facet.inside(landing["territory"].code)
        if not page_obj.paginator.count:
            # No dead end: the filters whose removal gives entries, and for a landing page that holds nothing
            # at all, the nearest pages that hold something, then the whole library.
            context["ways_without_a_filter"] = alternatives.without_one_filter(query)
            if landing and not context["ways_without_a_filter"]:
                context["ways_nearby"] = alternatives.near_an_empty_landing(self, landing, query.entries)
            context["way_to_everything"] = alternatives.whole_library(self, query.entries)
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

    def landing_route(self, key):
        """The name of the route of a landing page in this library's language: /territorio/ in Italian,
        /territory/ in English."""
        if key == "sdg":
            return "sdg_landing"
        return f"{key}_landing" + ("_en" if with_known_locale(self).locale.language_code == "en" else "")

    def landing_url(self, key, value):
        return self.url + self.reverse_subpage(self.landing_route(key), args=[value])

    def _in_its_language(self, request, key, value):
        """A landing page reached by the other language's word (/en/library/territorio/01/) redirects to this
        library's own (/en/library/territory/01/), keeping the filters."""
        match = getattr(request, "routable_resolver_match", None)
        if match is None or match.url_name == self.landing_route(key):
            return None
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(self.landing_url(key, value) + (f"?{query}" if query else ""))

    def italian_entry_url(self, entry):
        """Where the English library shows an Italian entry not translated yet, in the English interface."""
        return self.url + self.reverse_subpage("entry_in_italian", args=[entry.slug])

    @path("")
    def library(self, request):
        return self.render(request)

    @path("in-italian/<slug:slug>/", name="entry_in_italian")
    def entry_in_italian(self, request, slug):
        """An Italian entry read from the English library: its content in Italian (marked lang="it"), the
        interface, links and language switch in English, the Italian page as canonical address. Once it is
        translated, this address leads to the translation."""
        default = default_locale()
        if self.locale_id == default.pk:
            raise Http404
        entry = public_pages(LibraryEntry, default).filter(slug=slug).select_related("locale").order_by("path").first()
        if entry is None:
            raise Http404
        translation = public_pages(LibraryEntry, self.locale).filter(translation_key=entry.translation_key).first()
        if translation is not None:
            return HttpResponsePermanentRedirect(translation.url)
        entry = entry.specific
        request.reading_from = self  # base.html: this library in the trail, the Italian page as canonical
        request.canonical_url = entry.get_full_url(request)
        return entry.serve(request)

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
    @path("territory/<str:code>/", name="territory_landing_en")
    def territory_landing(self, request, code):
        territory = get_object_or_404(Territory.objects.select_related("parent__parent__parent"), code=code)
        moved = self._in_its_language(request, "territory", code)
        if moved:
            return moved
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
    @path("network/<slug:slug>/", name="network_landing_en")
    def network_landing(self, request, slug):
        # The key is the slug of the network's original page, which the entries link to in every language.
        networks = public_pages(NetworkPage, None).filter(slug=slug)
        original = networks.filter(locale=default_locale()).first() or networks.first()
        if original is None:
            raise Http404  # before any redirect, as for the other landing pages: no detour to a 404
        moved = self._in_its_language(request, "network", slug)
        if moved:
            return moved
        network = in_language([original], self.locale)[0]
        landing = {"kind": "network", "title": network.title, "text": network.summary, "page": network}
        return self.render(
            request,
            fixed=("network", slug),
            context_overrides={"landing": landing},
            template="practices/library_landing_page.html",
        )

    @path("tema/<slug:slug>/")
    @path("theme/<slug:slug>/", name="theme_landing_en")
    def theme_landing(self, request, slug):
        theme = get_object_or_404(Theme, slug=slug)
        moved = self._in_its_language(request, "theme", slug)
        if moved:
            return moved
        landing = {"kind": "theme", "title": theme.name, "text": theme.description}
        return self.render(
            request,
            fixed=("theme", slug),
            context_overrides={"landing": landing},
            template="practices/library_landing_page.html",
        )
