from itertools import groupby

from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, MultipleChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from core.languages import in_language
from core.pages import BasePage
from core.visibility import public_pages, visible
from practices.blocks import BodyBlock, KeyFigureBlock


class Organisation(index.Indexed, models.Model):
    class Type(models.TextChoices):
        ASSOCIAZIONE = "associazione", _("Associazione")
        APS = "aps", _("Associazione di promozione sociale (APS)")
        ODV = "odv", _("Organizzazione di volontariato (ODV)")
        FONDAZIONE = "fondazione", _("Fondazione")
        FONDAZIONE_COMUNITA = "fondazione_comunita", _("Fondazione di comunità")
        CSV = "csv", _("Centro di servizio per il volontariato (CSV)")
        COOPERATIVA_SOCIALE = "cooperativa_sociale", _("Cooperativa sociale")
        IMPRESA = "impresa", _("Impresa")
        PUBBLICA_AMMINISTRAZIONE = "pubblica_amministrazione", _("Pubblica amministrazione")
        UNIVERSITA = "universita", _("Università")
        ALTRO = "altro", _("Altro")

    name = models.CharField(_("nome"), max_length=255, unique=True)
    type = models.CharField(_("tipo"), max_length=30, choices=Type.choices, default=Type.ALTRO)
    territory = models.ForeignKey(
        "practices.Territory",
        verbose_name=_("sede"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Il comune (o la provincia, la regione) dove ha sede."),
    )
    website = models.URLField(_("sito web"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("type"), FieldPanel("territory"), FieldPanel("website")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("type")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organizzazione")
        verbose_name_plural = _("organizzazioni")

    def __str__(self):
        return self.name


class TerritoryLink(Orderable):
    """A page tagged with a territory; a through row instead of a plain many-to-many so that the admin can
    offer a searchable chooser rather than a select of 8,000 options."""

    territory = models.ForeignKey(
        "practices.Territory", verbose_name=_("territorio"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("territory")]

    class Meta(Orderable.Meta):
        abstract = True

    def __str__(self):
        return str(self.territory)


class NetworkTerritory(TerritoryLink):
    page = ParentalKey("practices.NetworkPage", on_delete=models.CASCADE, related_name="territory_links")


class NetworkMember(Orderable):
    page = ParentalKey("practices.NetworkPage", on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organizzazione"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("ruolo"), max_length=120, blank=True, help_text=_("es. capofila, partner, aderente."))

    panels = [FieldPanel("organisation"), FieldPanel("role")]


class NetworkIndexPage(BasePage):
    intro = RichTextField(_("introduzione"), blank=True, features=["bold", "italic", "link"])

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    translatable_fields = BasePage.translatable_fields + [TranslatableField("intro")]
    search_fields = BasePage.search_fields
    parent_page_types = ["home.HomePage"]
    subpage_types = ["practices.NetworkPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("indice delle reti")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["networks"] = public_pages(NetworkPage, None, within=self).child_of(self).order_by("title")
        return context


class NetworkPage(BasePage):
    class Kind(models.TextChoices):
        TERRITORIALE = "rete_territoriale", _("Rete territoriale")
        TEMATICA = "rete_tematica", _("Rete tematica")
        PARTENARIATO = "partenariato", _("Partenariato multi-attore")
        PROGRAMMA = "programma", _("Rete di programma o progetto")
        ALTRO = "altro", _("Altro")

    summary = models.TextField(_("sommario"), blank=True, help_text=_("Una o due frasi: chi sono e cosa fanno."))
    description = StreamField(BodyBlock(), verbose_name=_("descrizione"), blank=True)
    kind = models.CharField(_("tipo di rete"), max_length=30, choices=Kind.choices, default=Kind.TERRITORIALE)
    key_figures = StreamField(
        [("key_figure", KeyFigureBlock())],
        verbose_name=_("dati chiave"),
        blank=True,
        help_text=_("I numeri che raccontano la rete, es. «100+ organizzazioni coinvolte»."),
    )
    website = models.URLField(_("sito web"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("summary"),
        FieldPanel("kind"),
        FieldPanel("description"),
        FieldPanel("key_figures"),
        FieldPanel("website"),
        MultipleChooserPanel(
            "territory_links", chooser_field_name="territory", heading=_("Territori"), label=_("territorio")
        ),
        MultipleChooserPanel(
            "members",
            chooser_field_name="organisation",
            heading=_("Organizzazioni aderenti"),
            label=_("organizzazione"),
        ),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("kind"),
    ]
    translatable_fields = BasePage.translatable_fields + [
        TranslatableField("summary"),
        TranslatableField("description"),
        TranslatableField("key_figures"),
        SynchronizedField("kind"),
        SynchronizedField("website"),
        SynchronizedField("territory_links"),
        SynchronizedField("members"),
    ]
    parent_page_types = ["practices.NetworkIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("rete")
        verbose_name_plural = _("reti")

    def structured_data(self, request):
        return {
            "@type": "Organization",
            "name": self.title,
            "description": self.summary,
            "url": self.website or self.get_full_url(request),
            "member": [
                {"@type": "Organization", "name": member.organisation.name}
                for member in self.members.select_related("organisation")
            ],
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        members = sorted(
            self.members.select_related("organisation__territory"),
            key=lambda member: (member.organisation.get_type_display(), member.organisation.name),
        )
        context["member_groups"] = [
            (label, list(group)) for label, group in groupby(members, key=lambda m: m.organisation.get_type_display())
        ]
        context["territories"] = [link.territory for link in self.territory_links.select_related("territory")]
        context["entries"] = self.entries_in_language()
        return context

    def entries_in_language(self):
        """What the network produced, for readers of this page's language: entries link to the network's
        original page (wagtail-localize copies page links), so an English network page looks for the entries
        of every language's page of the network and shows each once, in English when it is translated."""
        pages = NetworkPage.objects.filter(translation_key=self.translation_key)
        entries = visible(self.entries.model.objects.filter(networks__in=pages)).distinct().order_by("title")
        shown = {}
        for entry in in_language(entries, self.locale):
            if entry.translation_key not in shown or entry.locale_id == self.locale_id:
                shown[entry.translation_key] = entry
        entries = sorted(shown.values(), key=lambda entry: entry.title)
        prefetch_related_objects(entries, "sdgs", "territory_links__territory", "networks")
        return entries
