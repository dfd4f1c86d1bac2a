from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

from home.models import BasePage

from .entries import CaseStudyPage, GoodPracticePage, LibraryEntry
from .residencies import ResidencyPage
from .training import TrainingModulePage

# The public keys of the four entry types, used by the import, the facets and the API.
ENTRY_TYPES = {
    model.entry_type_key: model for model in (GoodPracticePage, CaseStudyPage, ResidencyPage, TrainingModulePage)
}


class LibraryIndexPage(BasePage):
    """The library: every entry of the active language, wherever it sits in the tree."""

    intro = RichTextField(_("introduzione"), blank=True, features=["bold", "italic", "link"])

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["practices.GoodPracticePage", "practices.CaseStudyPage"]
    max_count_per_parent = 1

    PER_PAGE = 24

    class Meta:
        verbose_name = _("biblioteca")

    def get_context(self, request, *args, **kwargs):
        from practices import facets

        context = super().get_context(request, *args, **kwargs)
        entries = LibraryEntry.objects.live().filter(locale=self.locale)
        selection = facets.parse_selection(request.GET, self.locale)
        search_ids = [entry.pk for entry in entries.search(selection.q)[:1000]] if selection.q else None
        results = facets.order_entries(
            facets.filter_entries(entries, selection, search_ids=search_ids), selection, search_ids
        )
        results = (
            results.defer_streamfields()
            .select_related("content_type")
            .prefetch_related("sdgs", "territory_links__territory", "networks")
        )
        context.update(
            selection=selection,
            facets=facets.facet_counts(entries, selection, search_ids),
            page_obj=Paginator(results, self.PER_PAGE).get_page(request.GET.get("page")),
            sorts=[("newest", _("più recenti")), ("title", _("titolo"))]
            + ([("relevance", _("pertinenza"))] if selection.q else []),
        )
        return context
