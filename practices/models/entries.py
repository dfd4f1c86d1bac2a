from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, MultipleChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from core.languages import in_language, links_in_language, reverse_links_in_language, with_known_locale
from core.pages import BasePage
from core.visibility import public_pages
from practices.api_fields import record_fields
from practices.blocks import BodyBlock, KeyFigureBlock, ResourceBlock
from practices.panels import CompletenessPanel, is_blank
from practices.place_labels import is_national

from .organisations import Organisation, TerritoryLink
from .taxonomy import Territory

SECTION_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class LibraryEntryForm(WagtailAdminPageForm):
    """Drafts may be incomplete; what is published (or sent to moderation to be published) must be findable
    by SDG and by territory, so both are required at that moment, with a message on the field that names the
    action the editor chose. A territory is listed once."""

    PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action", "action-restart-workflow")

    def publishing_action(self):
        """ "publish", "submit" (to moderation) or None (saving a draft)."""
        if self.data.get("action-publish"):
            return "publish"
        if any(self.data.get(action) for action in self.PUBLISHING_ACTIONS):
            return "submit"
        return None

    def clean(self):
        cleaned_data = super().clean()
        chosen = self._distinct_territories()
        if not getattr(self.instance, "requires_sdg_and_territory", False):
            return cleaned_data
        action = self.publishing_action()
        if action is None:
            return cleaned_data
        if action == "publish":
            missing_sdg = _("Per pubblicare, scegli almeno un obiettivo di sviluppo sostenibile.")
            missing_territory = _("Per pubblicare, indica almeno un territorio (sezione «Territori»).")
        else:
            missing_sdg = _("Per inviare a revisione, scegli almeno un obiettivo di sviluppo sostenibile.")
            missing_territory = _("Per inviare a revisione, indica almeno un territorio (sezione «Territori»).")
        refused = False
        if not cleaned_data.get("sdgs"):
            self.add_error("sdgs", missing_sdg)
            refused = True
        if not chosen:
            self.add_error(None, missing_territory)
            refused = True
        if refused and self.instance.pk and not self.instance.live:
            # The admin saves drafts automatically while the editor types: the page exists already, though the
            # action was refused. Say so, and where to find it, instead of leaving a hidden draft behind.
            self.add_error(
                None,
                _(
                    "La bozza è comunque salvata (salvataggio automatico): non è stata né pubblicata né inviata "
                    "a revisione. La ritrovi nella Biblioteca tra le pagine in bozza; completa i campi indicati "
                    "e riprova da qui, senza crearla di nuovo."
                ),
            )
        return cleaned_data

    def _distinct_territories(self):
        """The territories chosen, each once: a repeated one gets an error on its row."""
        formset = self.formsets.get("territory_links")
        chosen = {}
        for form in formset.forms if formset else []:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            territory = form.cleaned_data.get("territory")
            if territory is None:
                continue
            if territory.pk in chosen:
                form.add_error("territory", _("«%(name)s» è già tra i territori di questa voce.") % {"name": territory})
            else:
                chosen[territory.pk] = territory
        return list(chosen.values())


class LibraryEntry(BasePage):
    """What every library entry shares. Concrete on purpose: one table to list, count, facet, search and
    serve through the API across the four types."""

    # Set on a results page by search.snippets (the words found, marked), read by the entry card; defaults, as
    # for BasePage.in_other_language.
    title_marked = ""
    snippet = ""

    class Status(models.TextChoices):
        PLANNED = "in_progettazione", _("In progettazione")
        ONGOING = "in_corso", _("In corso")
        COMPLETED = "concluso", _("Concluso")

    summary = models.TextField(
        _("sommario"),
        help_text=_("Due o tre frasi che dicono cosa è e perché conta: appare nelle schede e nei risultati."),
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("immagine principale"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("descrizione"), blank=True)
    sdgs = ParentalManyToManyField(
        "practices.SDG",
        verbose_name=_("obiettivi di sviluppo sostenibile"),
        blank=True,
        related_name="entries",
        help_text=_("Gli obiettivi dell'Agenda 2030 a cui l'esperienza contribuisce davvero (di solito 1-3)."),
    )
    themes = ParentalManyToManyField(
        "practices.Theme",
        verbose_name=_("temi"),
        blank=True,
        related_name="entries",
    )
    networks = ParentalManyToManyField(
        "practices.NetworkPage",
        verbose_name=_("reti"),
        blank=True,
        related_name="entries",
        help_text=_("Le reti che hanno prodotto o promosso l'esperienza."),
    )
    year = models.PositiveSmallIntegerField(
        _("anno di avvio"), null=True, blank=True, db_index=True, help_text=_("L'anno in cui l'esperienza è iniziata.")
    )
    end_year = models.PositiveSmallIntegerField(_("anno di conclusione"), null=True, blank=True)
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, blank=True)
    key_figures = StreamField(
        [("key_figure", KeyFigureBlock())],
        verbose_name=_("dati chiave"),
        blank=True,
        help_text=_("I numeri che contano, es. «212 famiglie raggiunte»."),
    )
    resources = StreamField(
        ResourceBlock(),
        verbose_name=_("allegati e link"),
        blank=True,
        help_text=_("Documenti da scaricare (PDF, schede, regolamenti) e link a materiali esterni."),
    )
    contact_name = models.CharField(
        _("referente"),
        max_length=255,
        blank=True,
        help_text=_("Chi contattare per saperne di più o replicare l'esperienza."),
    )
    contact_email = models.EmailField(
        _("email del referente"),
        blank=True,
        help_text=_(
            "Non è pubblicata, salvo che tu lo scelga qui sotto: i visitatori scrivono con un modulo e la "
            "redazione inoltra il messaggio a questo indirizzo."
        ),
    )
    contact_email_public = models.BooleanField(
        _("mostra l'email sul sito"),
        default=False,
        help_text=_("Solo con il consenso del referente: l'indirizzo sarà visibile a tutti, anche allo spam."),
    )
    contact_url = models.URLField(_("sito o pagina di contatto"), blank=True)
    # Quality, shown to visitors as badges and offered as a facet.
    verified_on = models.DateField(
        _("verificata dalla redazione il"),
        null=True,
        blank=True,
        help_text=_(
            "La data in cui la redazione ha controllato contenuti, contatti e fonti con chi promuove "
            "l'esperienza. Lascia vuoto finché non è verificata."
        ),
    )
    # Every section of the UN template is written (good practices only); kept by save(), read by the facets.
    sections_complete = models.BooleanField(default=False, editable=False, db_index=True)

    requires_sdg_and_territory = False
    entry_type_key = None
    # Editors create one of the four concrete types, never a bare entry.
    is_creatable = False

    base_form_class = LibraryEntryForm

    classification_panels = [
        FieldPanel("sdgs", widget=forms.CheckboxSelectMultiple),
        MultipleChooserPanel(
            "territory_links",
            chooser_field_name="territory",
            heading=_("Territori"),
            label=_("territorio"),
            help_text=_(
                "Scegli il livello più preciso: un comune vale anche per la sua provincia, regione e ripartizione."
            ),
        ),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("networks", widget=forms.CheckboxSelectMultiple),
        MultipleChooserPanel(
            "organisation_links",
            chooser_field_name="organisation",
            heading=_("Organizzazioni promotrici"),
            label=_("organizzazione"),
        ),
    ]
    detail_panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("year"), FieldPanel("end_year"), FieldPanel("status")])],
            heading=_("Periodo"),
        ),
        FieldPanel("key_figures"),
        FieldPanel("resources"),
        MultiFieldPanel(
            [
                FieldPanel("contact_name"),
                FieldPanel("contact_email"),
                FieldPanel("contact_email_public"),
                FieldPanel("contact_url"),
            ],
            heading=_("Contatti"),
        ),
        FieldPanel("verified_on"),
    ]
    content_panels = BasePage.content_panels + [FieldPanel("summary"), FieldPanel("hero_image"), FieldPanel("body")]

    # What a visitor types: places with the places that contain them ("Chieri" is found by "Piemonte"),
    # goals by number and name ("SDG 13", "obiettivo 13", "goal 13"), themes, networks and organisations.
    search_fields = BasePage.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("place_names"),
        index.SearchField("goal_terms"),
        index.SearchField("tag_terms"),
        index.FilterField("year"),
    ]

    # Text is translated; taxonomy links, places, organisations, dates, figures' layout and contacts are
    # copied from the Italian source. Links to networks stay on the Italian pages and are shown in the
    # reader's language when a translation exists (see practices/translations.py).
    translatable_fields = BasePage.translatable_fields + [
        TranslatableField("summary"),
        TranslatableField("body"),
        TranslatableField("key_figures"),
        TranslatableField("resources"),
        SynchronizedField("hero_image"),
        SynchronizedField("sdgs"),
        SynchronizedField("themes"),
        SynchronizedField("networks"),
        SynchronizedField("territory_links"),
        SynchronizedField("organisation_links"),
        SynchronizedField("year"),
        SynchronizedField("end_year"),
        SynchronizedField("status"),
        SynchronizedField("contact_name"),
        SynchronizedField("contact_email"),
        SynchronizedField("contact_email_public"),
        SynchronizedField("contact_url"),
        SynchronizedField("verified_on"),
    ]

    # The API (/api/v2/pages/): content and taxonomy by stable keys, from the entry's open-data record
    # (opendata/records.py; the codebook is docs/data.md). Never the proposer's contact.
    api_fields = record_fields(
        "type_label",
        "summary",
        "year",
        "end_year",
        "status",
        "status_label",
        "sdgs",
        "territories",
        "themes",
        "networks",
        "organisations",
        "key_figures",
        "contact",
        "hero_image",
        "body",
        "resources",
        "related",
        entry_type="type",
    )

    class Meta:
        verbose_name = _("voce della biblioteca")
        verbose_name_plural = _("voci della biblioteca")

    def save(self, *args, **kwargs):
        self.sections_complete = self.has_complete_sections()
        return super().save(*args, **kwargs)

    def has_complete_sections(self):
        """Whether every section of the UN template is written; only good practices follow it."""
        return False

    def clean(self):
        super().clean()
        if self.year and self.end_year and self.end_year < self.year:
            raise ValidationError({"end_year": _("L'anno di conclusione non può precedere l'anno di avvio.")})

    @staticmethod
    def card_prefetches():
        """What an entry's card shows (goals, places, networks), for prefetch_related: three queries for any
        number of cards, the places with their territories in one."""
        return (
            "sdgs",
            Prefetch("territory_links", queryset=EntryTerritory.objects.select_related("territory")),
            "networks",
        )

    def prefetch_taxonomies(self):
        """Load the entry's goals, places, themes and promoters once, four queries in all, for everything a
        detail page shows of them (the header, the JSON-LD, the similar practices): each reads
        `self.sdgs.all()`, `self.territories`... from the prefetch instead of asking again. A preview's page
        carries its relations in memory (modelcluster) and is left as it is."""
        if self.pk is None or getattr(self, "_cluster_related_objects", None):
            return
        prefetch_related_objects([self], *self.TAXONOMY_PREFETCHES)

    def structured_data(self, request):
        territories = self.territories
        places = [
            {
                "@type": "Place",
                "name": territory.label,
                **(
                    {
                        "geo": {
                            "@type": "GeoCoordinates",
                            "latitude": territory.latitude,
                            "longitude": territory.longitude,
                        }
                    }
                    if territory.latitude is not None
                    else {}
                ),
            }
            for territory in territories
        ]
        if is_national(territories):
            places = [{"@type": "Country", "name": "Italia", "identifier": "IT"}]
        return {
            "@type": "Article",
            "headline": self.title,
            "description": self.summary,
            "url": self.get_full_url(request),
            "inLanguage": self.locale.language_code,
            "datePublished": self.first_published_at,
            "dateModified": self.last_published_at,
            "about": [sdg.title for sdg in self.sdgs.all()] + [theme.name for theme in self.themes.all()],
            "spatialCoverage": places,
            "author": [
                {"@type": "Organization", "name": link.organisation.name} for link in self.organisation_links.all()
            ],
        }

    # The child relation of linked practices with a note (a module's, a residency's, a case study's).
    linked_practices = None

    def get_context(self, request, *args, **kwargs):
        with_known_locale(self)
        self.prefetch_taxonomies()
        context = super().get_context(request, *args, **kwargs)
        context["networks"] = in_language(self.networks.all(), self.locale)
        if self.linked_practices:
            links = getattr(self, self.linked_practices).select_related("practice")
            context["practice_links"] = links_in_language(links, self.locale)
            prefetch_related_objects(
                [practice for _link, practice in context["practice_links"]], *self.card_prefetches()
            )
        return context

    def place_names(self):
        """Names of the entry's territories and of every territory containing them, in one query."""
        codes = {code for link in self.territory_links.all() for code in link.territory.ancestor_codes}
        names = Territory.objects.filter(code__in=codes).values_list("name", "name_en", "name_other")
        return " ".join(dict.fromkeys(name for row in names for name in row if name))

    def goal_terms(self):
        return " ".join(
            f"SDG {sdg.number} obiettivo {sdg.number} goal {sdg.number} {sdg.short_it} {sdg.short_en}"
            for sdg in self.sdgs.all()
        )

    def tag_terms(self):
        themes = [term for theme in self.themes.all() for term in (theme.name_it, theme.name_en) if term]
        networks = [network.title for network in self.networks.all()]
        organisations = [link.organisation.name for link in self.organisation_links.select_related("organisation")]
        return " ".join(themes + networks + organisations)

    @property
    def type_label(self):
        return self.specific_class._meta.verbose_name

    @property
    def territories(self):
        return [link.territory for link in self.territory_links.all()]


class EntryTerritory(TerritoryLink):
    page = ParentalKey(LibraryEntry, on_delete=models.CASCADE, related_name="territory_links")


class EntryOrganisation(Orderable):
    page = ParentalKey(LibraryEntry, on_delete=models.CASCADE, related_name="organisation_links")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organizzazione"), on_delete=models.PROTECT, related_name="entry_links"
    )
    role = models.CharField(_("ruolo"), max_length=120, blank=True, help_text=_("es. promotore, partner."))

    panels = [FieldPanel("organisation"), FieldPanel("role")]


# What a detail page shows of its entry's classification (LibraryEntry.prefetch_taxonomies).
LibraryEntry.TAXONOMY_PREFETCHES = (
    "sdgs",
    Prefetch("territory_links", queryset=EntryTerritory.objects.select_related("territory")),
    "themes",
    Prefetch("organisation_links", queryset=EntryOrganisation.objects.select_related("organisation")),
)


# The library, which ranks the entries in its catalogue (library/related.py), registers under this Wagtail hook
# the function that chooses a good practice's similar practices: fn(practice) gives them, public and in the
# practice's language, best first. Without one the page suggests none.
SIMILAR_PRACTICES_HOOK = "similar_practices"


class PracticeLink(TranslatableMixin, Orderable):
    """A good practice linked from another page, with a note that says why. Translatable, so that the note is
    translated with its page; the linked practice is the Italian one and is shown in the reader's language."""

    practice = models.ForeignKey(
        "practices.GoodPracticePage", verbose_name=_("buona pratica"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.TextField(_("nota"), blank=True)

    panels = [FieldPanel("practice"), FieldPanel("note")]
    translatable_fields = [SynchronizedField("practice"), TranslatableField("note")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        abstract = True


class ProposalPanel(MultiFieldPanel):
    """The proposer's contact, shown only on practices that came from the public form."""

    class BoundPanel(MultiFieldPanel.BoundPanel):
        def is_shown(self):
            return bool(getattr(self.instance, "proposed_at", None)) and super().is_shown()


def with_classification(panels, extra=()):
    """Content, type-specific, classification and details: the order editors meet on every entry form."""
    return [*panels, *extra, *LibraryEntry.classification_panels, *LibraryEntry.detail_panels]


class GoodPracticePage(LibraryEntry):
    """A replicable practice, described with the sections of the UN SDG Good Practices template."""

    SECTIONS = [
        ("context", _("Contesto")),
        ("objectives", _("Obiettivi")),
        ("actors", _("Attori coinvolti")),
        ("implementation", _("Realizzazione")),
        ("results", _("Risultati")),
        ("enabling_factors", _("Fattori abilitanti")),
        ("replicability", _("Replicabilità")),
        ("lessons", _("Lezioni apprese")),
    ]
    context = RichTextField(
        _("contesto"),
        blank=True,
        features=SECTION_FEATURES,
        help_text=_("Il territorio e il problema da cui nasce la pratica."),
    )
    objectives = RichTextField(
        _("obiettivi"), blank=True, features=SECTION_FEATURES, help_text=_("Cosa si voleva ottenere, e per chi.")
    )
    actors = RichTextField(
        _("attori coinvolti"),
        blank=True,
        features=SECTION_FEATURES,
        help_text=_("Chi ha partecipato e con quale ruolo."),
    )
    implementation = RichTextField(
        _("realizzazione"), blank=True, features=SECTION_FEATURES, help_text=_("Le fasi, i tempi, le risorse.")
    )
    results = RichTextField(
        _("risultati"),
        blank=True,
        features=SECTION_FEATURES,
        help_text=_("Cosa è cambiato, con i numeri quando ci sono."),
    )
    enabling_factors = RichTextField(
        _("fattori abilitanti"),
        blank=True,
        features=SECTION_FEATURES,
        help_text=_("Le condizioni che hanno reso possibile il successo."),
    )
    replicability = RichTextField(
        _("replicabilità"),
        blank=True,
        features=SECTION_FEATURES,
        help_text=_("Cosa serve per riprodurre la pratica altrove."),
    )
    lessons = RichTextField(
        _("lezioni apprese"), blank=True, features=SECTION_FEATURES, help_text=_("Cosa rifareste e cosa cambiereste.")
    )
    # Who proposed the practice through the public form (practices/proposals.py). Private: for the editors
    # only, never rendered on the public site nor served by the API; read-only in the admin. They stay on the
    # page the proposal created: a translation, an alias or a copy starts without them (PROPOSER_FIELDS).
    proposer_name = models.CharField(_("nome di chi l'ha segnalata"), max_length=255, blank=True)
    proposer_email = models.EmailField(_("email di chi l'ha segnalata"), blank=True)
    proposer_organisation = models.CharField(_("rete o organizzazione indicata"), max_length=255, blank=True)
    proposed_at = models.DateTimeField(_("segnalata il"), null=True, blank=True)

    PROPOSER_FIELDS = ("proposer_name", "proposer_email", "proposer_organisation", "proposed_at")
    # Wagtail's copy and copy_for_translation (which wagtail-localize uses to create a translation) leave these
    # out; they are not in translatable_fields either, so wagtail-localize's sync never copies them later.
    exclude_fields_in_copy = list(PROPOSER_FIELDS)

    requires_sdg_and_territory = True
    entry_type_key = "good_practice"

    # The completeness note comes first, above the title: it is what an editor reads before writing.
    content_panels = [CompletenessPanel()] + with_classification(
        LibraryEntry.content_panels,
        [
            ProposalPanel(
                [
                    FieldPanel("proposed_at", read_only=True),
                    FieldPanel("proposer_name", read_only=True),
                    FieldPanel("proposer_email", read_only=True),
                    FieldPanel("proposer_organisation", read_only=True),
                ],
                heading=_("Segnalazione"),
                help_text=_("Chi ha proposto la pratica dal sito. Dati riservati: non compaiono sul sito."),
            ),
            MultiFieldPanel([FieldPanel(name) for name, _label in SECTIONS], heading=_("Scheda della pratica")),
        ],
    )
    search_fields = LibraryEntry.search_fields + [index.SearchField(name) for name, _label in SECTIONS]
    api_fields = LibraryEntry.api_fields + record_fields("sections")
    # No proposer field here: a translator edits the translation and would read the proposer's contact.
    translatable_fields = LibraryEntry.translatable_fields + [TranslatableField(name) for name, _label in SECTIONS]

    parent_page_types = ["practices.LibraryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("buona pratica")
        verbose_name_plural = _("buone pratiche")

    def save(self, *args, **kwargs):
        if self.alias_of_id:
            # Wagtail creates and refreshes aliases (wagtail-localize's locale synchronisation makes one in
            # each synchronised language) with every field of the original, ignoring exclude_fields_in_copy.
            self.clear_proposer()
        return super().save(*args, **kwargs)

    def clear_proposer(self):
        for name in self.PROPOSER_FIELDS:
            setattr(self, name, None if name == "proposed_at" else "")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)

        # Links are stored against the Italian practice, from pages in every language: show each linking page
        # once, in the reader's language when it is translated. The link models on the other side (a module's,
        # a residency's, a case study's) are reached without importing the modules that build on this one.
        relations = ("module_links", "residency_links", "case_study_links")
        link_models = {relation: self._meta.get_field(relation).related_model for relation in relations}
        # Which relations hold any link, in one light query: most practices have none, and the query that reads
        # the linking pages joins five tables (PostgreSQL spends 4-5 ms planning it, for each relation).
        held = (
            Page.objects.filter(pk=self.pk)
            .annotate(
                **{
                    relation: Exists(model.objects.filter(practice__translation_key=self.translation_key))
                    for relation, model in link_models.items()
                }
            )
            .values(*relations)
            .first()
        ) or dict.fromkeys(relations, False)

        def linking(relation):
            if not held[relation]:
                return []
            links = link_models[relation].objects.filter(
                practice__translation_key=self.translation_key, page__in=public_pages(Page, None).values("pk")
            )
            return reverse_links_in_language(links.select_related("page").order_by("page__title"), self.locale)

        context["module_links"] = linking("module_links")
        context["residency_links"] = linking("residency_links")
        context["case_studies"] = [link.page for link in linking("case_study_links")]
        context["similar"] = next((list(hook(self)) for hook in hooks.get_hooks(SIMILAR_PRACTICES_HOOK)), [])
        # Every related entry is shown as a card: what cards show, fetched once for the four lists.
        related = [
            *context["similar"],
            *(link.page for link in context["module_links"]),
            *context["case_studies"],
            *(link.page for link in context["residency_links"]),
        ]
        prefetch_related_objects(related, *self.card_prefetches())
        return context

    def has_complete_sections(self):
        return all(not is_blank(getattr(self, name, "")) for name, _label in self.SECTIONS)

    def sections(self):
        return [(label, getattr(self, name)) for name, label in self.SECTIONS if getattr(self, name)]


class CaseStudyPage(LibraryEntry):
    """The story of one intervention; it documents one or more practices."""

    requires_sdg_and_territory = True
    entry_type_key = "case_study"

    content_panels = with_classification(
        LibraryEntry.content_panels,
        [
            MultipleChooserPanel(
                "documented_practices",
                chooser_field_name="practice",
                heading=_("Pratiche documentate"),
                label=_("pratica"),
            )
        ],
    )
    translatable_fields = LibraryEntry.translatable_fields + [TranslatableField("documented_practices")]
    linked_practices = "documented_practices"
    parent_page_types = ["practices.LibraryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("caso studio")
        verbose_name_plural = _("casi studio")


class CaseStudyPractice(PracticeLink):
    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="documented_practices")
    practice = models.ForeignKey(
        GoodPracticePage, verbose_name=_("buona pratica"), on_delete=models.CASCADE, related_name="case_study_links"
    )
