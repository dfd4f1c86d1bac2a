"""The editorial dashboard: what waits for review, the user's drafts, entries missing an SDG or a territory,
Italian entries without an English translation. Each panel shows at most LIMIT pages and costs two queries
(the page and the count), whatever the size of the library; which panels a user sees costs one more."""

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.models import Page, WorkflowState, get_default_page_content_type

from editorial.roles import EDITORS, MODERATORS, TRAINERS, TRANSLATORS
from practices.models import EntryTerritory, LibraryEntry

LIMIT = 10


def default_language():
    return get_supported_language_variant(settings.LANGUAGE_CODE)


class PageListPanel(Component):
    """A titled, bounded list of pages with links to edit them and, for drafts, to preview them."""

    template_name = "wagtailadmin/panels/page_list.html"
    name = ""
    heading = ""
    empty_message = ""
    order = 150

    def __init__(self, user):
        self.user = user

    def get_queryset(self):
        raise NotImplementedError

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        queryset = self.get_queryset()
        pages = list(queryset.select_related("locale")[:LIMIT])
        total = len(pages) if len(pages) < LIMIT else queryset.count()
        context.update(
            {
                "panel_id": self.name,
                "heading": self.heading,
                "empty_message": self.empty_message,
                "pages": pages,
                "total": total,
                "more": total - len(pages),
                "request": parent_context.get("request"),
            }
        )
        return context


class AwaitingReviewPanel(PageListPanel):
    name = "libreria-awaiting-review"
    heading = _("In attesa di revisione")
    empty_message = _("Nessuna pagina in attesa di revisione.")
    order = 90

    def get_queryset(self):
        # WorkflowState.object_id is text: compare it with the page's id cast to text (PostgreSQL casts nothing).
        in_progress = WorkflowState.objects.active().filter(
            base_content_type_id=get_default_page_content_type().id,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
        return Page.objects.filter(Exists(in_progress)).order_by("-latest_revision_created_at", "-pk")


class DraftsPanel(PageListPanel):
    name = "libreria-drafts"
    heading = _("Le tue bozze")
    empty_message = _("Non hai bozze da completare.")
    order = 95

    def get_queryset(self):
        return Page.objects.filter(
            Q(owner=self.user) | Q(latest_revision__user=self.user), has_unpublished_changes=True
        ).order_by("-latest_revision_created_at", "-pk")


class IncompleteEntriesPanel(PageListPanel):
    name = "libreria-incomplete"
    heading = _("Voci senza obiettivo o territorio")
    empty_message = _("Ogni voce ha almeno un obiettivo e un territorio.")
    order = 96

    def get_queryset(self):
        has_sdg = Exists(LibraryEntry.sdgs.through.objects.filter(libraryentry_id=OuterRef("pk")))
        has_territory = Exists(EntryTerritory.objects.filter(page_id=OuterRef("pk")))
        return (
            LibraryEntry.objects.filter(locale__language_code=default_language())
            .filter(~has_sdg | ~has_territory)
            .order_by("-latest_revision_created_at", "-pk")
        )


class MissingTranslationsPanel(PageListPanel):
    name = "libreria-missing-translations"
    heading = _("Traduzioni mancanti")
    empty_message = _("Ogni voce pubblicata ha la sua traduzione inglese.")
    order = 97

    def get_queryset(self):
        translated = Page.objects.filter(translation_key=OuterRef("translation_key"), locale__language_code="en")
        return (
            LibraryEntry.objects.live()
            .filter(locale__language_code=default_language())
            .filter(~Exists(translated))
            .order_by("-first_published_at", "-pk")
        )


# Which roles see which panel; superusers see them all.
PANELS = (
    (AwaitingReviewPanel, {MODERATORS}),
    (DraftsPanel, {EDITORS, TRAINERS, TRANSLATORS, MODERATORS}),
    (IncompleteEntriesPanel, {EDITORS, MODERATORS}),
    (MissingTranslationsPanel, {EDITORS, TRANSLATORS, MODERATORS}),
)


def panels_for(user):
    roles = set(user.groups.values_list("name", flat=True)) if not user.is_superuser else None
    return [panel(user) for panel, audience in PANELS if roles is None or roles & audience]
