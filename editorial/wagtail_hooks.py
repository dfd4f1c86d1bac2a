from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from core.text import fold
from editorial.label_translation import LabelTranslationMixin
from practices import places
from practices.models import SDG, Organisation, Territory, Theme


class TerritoryFilterForm(BaseFilterForm):
    """Searches the 7,896 comuni by accent-folded name prefix, ISTAT code or car-plate code, in the ORM:
    territories are reference data, not something to keep in the full-text index."""

    q = forms.CharField(
        label=_("Cerca"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Nome del comune, provincia o regione")}),
    )
    level = forms.ChoiceField(
        label=_("Livello"), required=False, choices=[("", _("Tutti i livelli")), *Territory.Level.choices]
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        level = self.cleaned_data.get("level")
        if level:
            objects = objects.filter(level=level)
        if query:
            self.is_searching = True
            self.search_query = query
            if query.isdigit() or (len(query) == 2 and query[0] in "Mm" and query[1].isdigit()):
                objects = objects.filter(code=query.upper())
            else:
                # The matcher's words, or the car-plate code ("FC"); exact names and big places first.
                named = places.matching(query).values("pk")
                objects = places.ranked(objects.filter(Q(pk__in=named) | Q(sigla__iexact=query)), fold(query))
        return objects


class TerritoryChooseView(ChooseView):
    filter_form_class = TerritoryFilterForm


class TerritoryChooseResultsView(ChooseResultsView):
    filter_form_class = TerritoryFilterForm


class TerritoryChooserViewSet(SnippetChooserViewSet):
    choose_view_class = TerritoryChooseView
    choose_results_view_class = TerritoryChooseResultsView


class SDGViewSet(LabelTranslationMixin, SnippetViewSet):
    model = SDG
    icon = "globe"
    menu_label = _("Obiettivi (SDG)")
    list_display = ["number", "short_it", "short_en", "colour"]
    ordering = ["number"]
    # Translators (practices.translate_sdg) write the English labels; number, colour and Italian stay as they are.
    translator_fields = ["number", "colour", "short_it", "short_en", "title_it", "title_en"]
    translated_fields = ["short_en", "title_en"]


class TerritoryViewSet(SnippetViewSet):
    model = Territory
    icon = "site"
    menu_label = _("Territori")
    chooser_viewset_class = TerritoryChooserViewSet
    list_display = ["name", "code", Column("level", label=_("livello")), "sigla", "population"]
    list_filter = ["level"]
    search_fields = ["name", "code", "sigla"]
    search_backend_name = None
    chooser_per_page = 20
    ordering = ["code"]


class ThemeViewSet(LabelTranslationMixin, SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("Temi")
    list_display = ["name_it", "name_en", "slug"]
    search_fields = ["name_it", "name_en", "slug"]
    search_backend_name = None
    translator_fields = ["slug", "name_it", "name_en", "description"]
    translated_fields = ["name_en"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organizzazioni")
    list_display = ["name", "type", "territory", "website"]
    list_filter = ["type"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("Tassonomie")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (SDGViewSet, TerritoryViewSet, ThemeViewSet, OrganisationViewSet)


# The policies must be in place before the viewsets register their permissions.
SDGViewSet.register_policy()
ThemeViewSet.register_policy()
register_snippet(TaxonomyGroup)


# --- Editorial dashboard (issue 6: roles and moderation) -------------------------------------------------
from wagtail import hooks  # noqa: E402

from .dashboard import panels_for  # noqa: E402


@hooks.register("construct_homepage_panels")
def add_editorial_panels(request, panels):
    panels.extend(panels_for(request.user))


# --- Trainers and editors' comfort (issue 6, items 4-5): practice chooser, bulk tagging ------------------
from wagtail import hooks as comfort_hooks  # noqa: E402

from .bulk_actions import AddSDGOrThemeBulkAction  # noqa: E402
from .choosers import practice_chooser_viewset  # noqa: E402


@comfort_hooks.register("register_admin_viewset")
def register_practice_chooser():
    return practice_chooser_viewset


comfort_hooks.register("register_bulk_action", AddSDGOrThemeBulkAction)


# --- Private stays private (issue 10): translations only of pages the translator may view -----------------
from . import translation_access  # noqa: E402, F401  (registers its admin URLs)
