from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, MultipleChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail_localize.fields import SynchronizedField, TranslatableField

from core.pages import BasePage
from core.visibility import public_pages
from practices.api_fields import record_fields
from practices.blocks import ProgrammeDayBlock

from .entries import GoodPracticePage, LibraryEntry, PracticeLink, with_classification


class ResidencyIndexPage(BasePage):
    intro = RichTextField(_("introduzione"), blank=True, features=["bold", "italic", "link"])

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    translatable_fields = BasePage.translatable_fields + [TranslatableField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["practices.ResidencyPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("indice delle residenze")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["residencies"] = (
            public_pages(ResidencyPage, None, within=self)
            .child_of(self)
            .select_related("city")
            .order_by("start_date", "title")
        )
        return context


class ResidencyPage(LibraryEntry):
    """A few days in a city to see practices where they happen."""

    city = models.ForeignKey(
        "practices.Territory",
        verbose_name=_("città"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Il comune che ospita la residenza."),
    )
    start_date = models.DateField(_("inizio"), null=True, blank=True)
    end_date = models.DateField(_("fine"), null=True, blank=True)
    host_network = models.ForeignKey(
        "practices.NetworkPage",
        verbose_name=_("rete ospitante"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_residencies",
    )
    programme = StreamField(
        [("day", ProgrammeDayBlock())], verbose_name=_("programma"), blank=True, help_text=_("Una voce per giornata.")
    )
    participants = models.TextField(_("partecipanti"), blank=True, help_text=_("Chi ha partecipato."))
    participants_count = models.PositiveIntegerField(_("numero di partecipanti"), null=True, blank=True)

    entry_type_key = "residency"

    content_panels = with_classification(
        LibraryEntry.content_panels,
        [
            MultiFieldPanel(
                [
                    FieldPanel("city"),
                    FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                    FieldPanel("host_network"),
                    FieldPanel("programme"),
                    FieldRowPanel([FieldPanel("participants_count")]),
                    FieldPanel("participants"),
                ],
                heading=_("La residenza"),
            ),
            MultipleChooserPanel(
                "practice_links", chooser_field_name="practice", heading=_("Pratiche visitate"), label=_("pratica")
            ),
        ],
    )
    translatable_fields = LibraryEntry.translatable_fields + [
        TranslatableField("programme"),
        TranslatableField("participants"),
        TranslatableField("practice_links"),
        SynchronizedField("city"),
        SynchronizedField("start_date"),
        SynchronizedField("end_date"),
        SynchronizedField("host_network"),
        SynchronizedField("participants_count"),
    ]
    api_fields = LibraryEntry.api_fields + record_fields(
        "city", "start_date", "end_date", "host_network", "programme", "participants", "participants_count"
    )
    linked_practices = "practice_links"
    parent_page_types = ["practices.ResidencyIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("residenza")
        verbose_name_plural = _("residenze")

    def structured_data(self, request):
        data = {
            "@type": "Event",
            "name": self.title,
            "description": self.summary,
            "url": self.get_full_url(request),
            "inLanguage": self.locale.language_code,
            "startDate": self.start_date,
            "endDate": self.end_date,
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        }
        if self.city_id:
            data["location"] = {
                "@type": "Place",
                "name": self.city.label,
                "address": {"@type": "PostalAddress", "addressLocality": self.city.name, "addressCountry": "IT"},
            }
        if self.host_network_id:
            data["organizer"] = {"@type": "Organization", "name": self.host_network.title}
        return data

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("La residenza non può finire prima di cominciare: controlla le date.")
        if self.city_id and self.city.level != self.city.Level.MUNICIPALITY:
            errors["city"] = _("Scegli un comune, non una provincia o una regione.")
        if errors:
            raise ValidationError(errors)


class ResidencyPractice(PracticeLink):
    page = ParentalKey(ResidencyPage, on_delete=models.CASCADE, related_name="practice_links")
    practice = models.ForeignKey(
        GoodPracticePage, verbose_name=_("buona pratica"), on_delete=models.CASCADE, related_name="residency_links"
    )
