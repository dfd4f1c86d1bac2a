from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, MultipleChooserPanel
from wagtail.fields import StreamField
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from core.pages import BasePage
from core.visibility import public_pages
from practices.api_fields import record_fields
from practices.blocks import BodyBlock, HubBlock, KeyFigureBlock, MacroActionBlock, SessionBlock

from .entries import GoodPracticePage, LibraryEntry, PracticeLink, with_classification


class TrainingProgrammePage(BasePage):
    """A training programme such as "Reti solidali e competenti 2022-2023"; its modules are its children."""

    summary = models.TextField(_("sommario"), blank=True)
    start_date = models.DateField(_("inizio"), null=True, blank=True)
    end_date = models.DateField(_("fine"), null=True, blank=True)
    funder = models.CharField(
        _("finanziatore"),
        max_length=255,
        blank=True,
        help_text=_("Chi ha finanziato il programma, es. un avviso ministeriale."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("descrizione"), blank=True)
    macro_actions = StreamField([("macro_action", MacroActionBlock())], verbose_name=_("macro-azioni"), blank=True)
    hubs = StreamField([("hub", HubBlock())], verbose_name=_("hub territoriali"), blank=True)
    key_figures = StreamField([("key_figure", KeyFigureBlock())], verbose_name=_("dati chiave"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]), FieldPanel("funder")],
            heading=_("Periodo e finanziamento"),
        ),
        FieldPanel("body"),
        FieldPanel("macro_actions"),
        FieldPanel("hubs"),
        FieldPanel("key_figures"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    translatable_fields = BasePage.translatable_fields + [
        TranslatableField("summary"),
        TranslatableField("body"),
        TranslatableField("macro_actions"),
        TranslatableField("hubs"),
        TranslatableField("key_figures"),
        SynchronizedField("start_date"),
        SynchronizedField("end_date"),
        SynchronizedField("funder"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["practices.TrainingModulePage"]

    class Meta:
        verbose_name = _("programma formativo")
        verbose_name_plural = _("programmi formativi")

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La fine del programma non può precedere l'inizio.")})

    def macro_action_titles(self):
        return [block.value["title"] for block in self.macro_actions]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = (
            public_pages(TrainingModulePage, None, within=self).child_of(self).order_by("number", "title")
        )
        return context


class TrainingModulePage(LibraryEntry):
    class Hub(models.TextChoices):
        NORD = "nord", _("Nord")
        CENTRO = "centro", _("Centro")
        SUD = "sud", _("Sud")

    class Format(models.TextChoices):
        REMOTE = "distanza", _("A distanza")
        IN_PERSON = "presenza", _("In presenza")
        BLENDED = "misto", _("Misto")

    number = models.PositiveSmallIntegerField(_("numero del modulo"), null=True, blank=True)
    macro_action = models.CharField(
        _("macro-azione"),
        max_length=255,
        blank=True,
        help_text=_("Una delle macro-azioni del programma a cui appartiene il modulo."),
    )
    hub = models.CharField(_("hub"), max_length=10, choices=Hub.choices, blank=True)
    format = models.CharField(_("modalità"), max_length=10, choices=Format.choices, blank=True)
    duration = models.CharField(_("durata"), max_length=60, blank=True, help_text=_("es. «6 ore in 2 incontri»."))
    objectives = models.TextField(_("obiettivi formativi"), blank=True, help_text=_("Un obiettivo per riga."))
    sessions = StreamField([("session", SessionBlock())], verbose_name=_("sessioni"), blank=True)

    entry_type_key = "training_module"

    content_panels = with_classification(
        LibraryEntry.content_panels,
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("number"), FieldPanel("hub"), FieldPanel("format")]),
                    FieldPanel("macro_action"),
                    FieldPanel("duration"),
                    FieldPanel("objectives"),
                    FieldPanel("sessions"),
                ],
                heading=_("Il modulo"),
            ),
            MultipleChooserPanel(
                "practice_links",
                chooser_field_name="practice",
                heading=_("Pratiche insegnate"),
                label=_("pratica"),
                help_text=_(
                    "Le pratiche da cui parte il modulo, nell'ordine in cui le presenta, "
                    "con una nota del formatore sul perché."
                ),
            ),
        ],
    )
    search_fields = LibraryEntry.search_fields + [index.SearchField("objectives"), index.FilterField("hub")]
    translatable_fields = LibraryEntry.translatable_fields + [
        TranslatableField("macro_action"),
        TranslatableField("duration"),
        TranslatableField("objectives"),
        TranslatableField("sessions"),
        TranslatableField("practice_links"),
        SynchronizedField("number"),
        SynchronizedField("hub"),
        SynchronizedField("format"),
    ]
    api_fields = LibraryEntry.api_fields + record_fields(
        "number", "macro_action", "hub", "format", "duration", "objectives", "sessions", "programme"
    )
    linked_practices = "practice_links"
    parent_page_types = ["practices.TrainingProgrammePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("modulo formativo")
        verbose_name_plural = _("moduli formativi")

    def structured_data(self, request):
        mode = {"distanza": "online", "presenza": "onsite", "misto": "blended"}.get(self.format, "")
        return {
            "@type": "Course",
            "name": self.title,
            "description": self.summary,
            "url": self.get_full_url(request),
            "inLanguage": self.locale.language_code,
            "courseCode": str(self.number or ""),
            "teaches": self.objective_list(),
            "hasCourseInstance": [
                {"@type": "CourseInstance", "courseMode": mode, "startDate": block.value["date"]}
                for block in self.sessions
            ],
            "provider": {"@type": "Organization", "name": self.get_parent().title},
        }

    def objective_list(self):
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]


class ModulePractice(PracticeLink):
    page = ParentalKey(TrainingModulePage, on_delete=models.CASCADE, related_name="practice_links")
    practice = models.ForeignKey(
        GoodPracticePage, verbose_name=_("buona pratica"), on_delete=models.CASCADE, related_name="module_links"
    )
