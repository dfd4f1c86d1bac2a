from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from practices.blocks import BodyBlock


class BasePage(Page):
    """SEO and sharing fields that every page of the site carries."""

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("immagine per la condivisione"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Mostrata quando la pagina è condivisa sui social; se vuota si usa l'immagine principale."),
    )

    promote_panels = [
        MultiFieldPanel(
            [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description"), FieldPanel("social_image")],
            heading=_("Per i motori di ricerca e la condivisione"),
        ),
        FieldPanel("show_in_menus"),
    ]

    # wagtail-localize: text is translated, everything else is copied from the Italian source on each sync.
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        SynchronizedField("social_image"),
        SynchronizedField("show_in_menus"),
    ]

    class Meta:
        abstract = True

    def structured_data(self, request):
        """schema.org properties for JSON-LD; page types that are things of their own override it."""
        return None


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

    def get_context(self, request, *args, **kwargs):
        from practices.maps import library_map
        from practices.models import SDG, EntryOrganisation, EntryTerritory, LibraryEntry, LibraryIndexPage, NetworkPage
        from practices.visibility import public_pages, visible

        context = super().get_context(request, *args, **kwargs)
        entries = public_pages(LibraryEntry, self.locale)
        live_ids = entries.values("pk")
        context["key_figures"] = {
            "entries": entries.count(),
            "networks": public_pages(NetworkPage, self.locale).count(),
            "organisations": (
                EntryOrganisation.objects.filter(page__in=live_ids).values("organisation").distinct().count()
            ),
            "territories": EntryTerritory.objects.filter(page__in=live_ids).values("territory").distinct().count(),
        }
        context["latest_entries"] = (
            entries.order_by("-first_published_at", "-pk")
            .defer_streamfields()
            .select_related("content_type")
            .prefetch_related("sdgs", "territory_links__territory")[:6]
        )
        library = public_pages(LibraryIndexPage, None, within=self).child_of(self).first()
        context["library"] = library
        if library:
            context["map"] = library_map(live_ids, link=lambda code: library.landing_url("territory", code))
        context["sdgs"] = SDG.objects.all()
        context["sections"] = visible(self.get_children(), within=self).in_menu()
        return context


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
    footer_text = RichTextField(_("testo del piè di pagina"), blank=True, features=["bold", "italic", "link"])
    contact_email = models.EmailField(_("email di contatto"), blank=True)
    contact_address = models.CharField(_("indirizzo"), max_length=255, blank=True)

    panels = [FieldPanel("footer_text"), FieldPanel("contact_email"), FieldPanel("contact_address")]

    class Meta:
        verbose_name = _("piè di pagina e contatti")
