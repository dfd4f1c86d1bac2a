from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import TranslatableField

from core.languages import default_locale, mark_other_language, with_known_locale
from core.pages import BasePage
from core.visibility import public_pages, visible
from library.catalogue import catalogue_for
from library.facets import for_cards
from library.maps import catalogue_map
from library.pages import LibraryIndexPage
from library.query import library_entries
from practices.blocks import BodyBlock
from practices.models import ENTRY_TYPES, NetworkPage

# Deeper addresses than any page of the site are routed by Wagtail, level by level, rather than by one query
# that would list every component of a made-up address.
MAX_ROUTED_DEPTH = 12


class HomePage(BasePage):
    intro = RichTextField(
        _("introduzione"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("Cosa è la biblioteca, in due o tre frasi."),
    )

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    translatable_fields = BasePage.translatable_fields + [TranslatableField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "practices.LibraryIndexPage",
        "practices.TrainingProgrammePage",
        "practices.ResidencyIndexPage",
        "practices.NetworkIndexPage",
        "home.StandardPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Wagtail's routing from the home down, which reads two rows a level (the child by its slug, then its
        specific row), in two queries for any depth: the pages along the path, then the last one's specific
        row. A page on the way that routes by itself gets the rest of the path as Wagtail would hand it: a
        RoutablePage whose own addresses match it (the library's /sdg/13/, which take precedence over its
        children), or any page type with a route() of its own. tests/test_site.py compares the two routings
        on every page of the demo."""
        if not path_components or len(path_components) > MAX_ROUTED_DEPTH:
            return super().route(request, path_components)  # a made-up address that deep: Wagtail 404s early
        depths = range(self.depth + 1, self.depth + 1 + len(path_components))
        candidates = Page.objects.filter(
            path__startswith=self.path, depth__in=list(depths), slug__in=set(path_components)
        ).order_by()
        by_level = {(page.depth, page.slug, page.path[: -page.steplen]): page for page in candidates}
        parent = self
        for level, slug in enumerate(path_components, start=1):
            page = by_level.get((self.depth + level, slug, parent.path))
            if page is None:
                raise Http404
            page._cached_parent_obj = parent  # as Wagtail's route leaves it, for get_parent()
            remaining = path_components[level:]
            if not remaining or routes_itself(page, remaining):
                return page.specific.route(request, remaining)
            parent = page
        raise Http404  # not reached: the loop returns at the last component

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The entries the library of this language lists (in English, the Italian ones not translated yet too),
        # so that the home's figures and the library's count agree. Their figures, goals and map come from the
        # library's catalogue (library/catalogue.py), built once per change of the site and shared with it.
        entries = library_entries(with_known_locale(self).locale)
        catalogue = catalogue_for(self.locale)
        by_type = catalogue.counts(catalogue.everything, "type")
        context["key_figures"] = {
            "entries": catalogue.size,
            # Entries name the networks' original pages; the library shows each once, in the reader's language.
            "networks": public_pages(NetworkPage, default_locale()).count(),
            "organisations": catalogue.organisations,
            "territories": catalogue.places,
        }
        context["latest_entries"] = mark_other_language(
            list(for_cards(entries.order_by("-first_published_at", "-pk"))[:6]), self.locale
        )
        library = public_pages(LibraryIndexPage, None, within=self).child_of(self).first()
        context["library"] = library
        if library:
            context["map"] = catalogue_map(
                catalogue, catalogue.everything, link=lambda code: library.landing_url("territory", code)
            )
        context["entry_types"] = [
            (key, model._meta.verbose_name_plural, by_type.get(ContentType.objects.get_for_model(model).pk, 0))
            for key, model in ENTRY_TYPES.items()
        ]
        # Each goal with its entries: a goal nobody worked on yet is shown, not linked to an empty page.
        by_goal = catalogue.counts(catalogue.everything, "sdg")
        context["sdgs"] = [(goal, by_goal.get(goal.number, 0)) for goal in catalogue.goals]
        context["sections"] = visible(self.get_children(), within=self).in_menu()
        return context


def routes_itself(page, remaining):
    """Whether `page` (a base Page) would route `remaining` other than by looking for a child, as its type's
    route() decides: a RoutablePage does when it is live and one of its own addresses matches."""
    model = page.specific_class
    if model is None or model.route is Page.route:
        return False
    if model.route is RoutablePageMixin.route:
        try:
            model.get_resolver().resolve("/" + "/".join(remaining) + "/")
        except Http404:
            return False
        return page.live
    return True


class StandardPage(BasePage):
    summary = models.TextField(_("sommario"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("testo"), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    translatable_fields = BasePage.translatable_fields + [TranslatableField("summary"), TranslatableField("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("pagina semplice")
        verbose_name_plural = _("pagine semplici")


@register_setting(icon="site")
class SiteFooter(BaseSiteSetting):
    """One per site, in both languages: a setting is not a page, so wagtail-localize does not translate it;
    the English text sits beside the Italian, as the taxonomies' labels do, and falls back to it."""

    footer_text = RichTextField(_("testo del piè di pagina"), blank=True, features=["bold", "italic", "link"])
    footer_text_en = RichTextField(
        _("testo del piè di pagina (inglese)"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("Mostrato sulle pagine inglesi; se vuoto, si usa il testo italiano."),
    )
    contact_email = models.EmailField(_("email di contatto"), blank=True)
    contact_address = models.CharField(_("indirizzo"), max_length=255, blank=True)

    panels = [
        FieldPanel("footer_text"),
        FieldPanel("footer_text_en"),
        FieldPanel("contact_email"),
        FieldPanel("contact_address"),
    ]

    class Meta:
        verbose_name = _("piè di pagina e contatti")

    @property
    def text(self):
        if (get_language() or "it").startswith("en") and self.footer_text_en:
            return self.footer_text_en
        return self.footer_text
