"""The chooser trainers use to link practices to modules, residencies and case studies: filterable by SDG,
by territory (a region select, or a place name typed without accents) and by text, with each practice's
goals and places in the listing.

Registered as a `ChooserViewSet` with `register_widget = True` (practices/wagtail_hooks.py), so every
ForeignKey to GoodPracticePage in an admin form (the `practice` of the link orderables) uses its widget,
and the MultipleChooserPanels of those links open this chooser."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.models import Locale

from practices import places
from practices.models import EntryTerritory, GoodPracticePage
from practices.models.taxonomy import SDG, Territory

SEARCH_FILTER = {"data-chooser-modal-search-filter": True}


class PracticeFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Cerca"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Titolo o sommario")}),
    )
    sdg = forms.TypedChoiceField(label=_("Obiettivo (SDG)"), required=False, coerce=int, empty_value=None)
    # Any ISTAT code is accepted from the URL (a province, a comune); the select offers areas and regions.
    territory = forms.CharField(label=_("Regione"), required=False, max_length=6)
    place = forms.CharField(
        label=_("Territorio"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("Comune, provincia o regione, es. forli"), **SEARCH_FILTER}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sdg"].choices = [("", _("Tutti gli obiettivi"))] + [
            (sdg.number, f"{sdg.number}. {sdg.short_it}") for sdg in SDG.objects.order_by("number")
        ]
        self.fields["sdg"].widget.attrs.update(SEARCH_FILTER)
        areas = Territory.objects.filter(level__in=[Territory.Level.MACROAREA, Territory.Level.REGION])
        self.fields["territory"].widget = forms.Select(
            choices=[("", _("Tutta Italia"))] + [(t.code, t.name) for t in areas.order_by("level", "code")],
            attrs=SEARCH_FILTER,
        )

    def filter(self, objects):
        objects = super().filter(objects)
        data = self.cleaned_data
        if data.get("sdg"):
            objects = objects.filter(sdgs__number=data["sdg"])
        if data.get("territory"):
            territory = Territory.objects.filter(code=data["territory"].strip().upper()).first()
            if territory is None:
                return objects.none()
            inside = Territory.inside_lookup(territory.code, territory.level, prefix="territory__")
            objects = objects.filter(territory_links__in=_links().filter(**inside))
        place = data.get("place") or ""
        if place.strip():
            # The entry's own territory or any territory containing it matches the typed name.
            matched = places.matching(place).order_by()
            inside = Q()
            for level, column in Territory.LEVEL_COLUMN.items():
                inside |= Q(**{f"territory__{column}__in": matched.filter(level=level).values("code")})
            objects = objects.filter(territory_links__in=_links().filter(inside))
        query = (data.get("q") or "").replace("\x00", "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(Q(title__icontains=query) | Q(summary__icontains=query))
        # Filtering across many-to-many rows duplicates practices.
        return objects.distinct()


def _links():
    return EntryTerritory.objects.all()


def _sdg_numbers(practice):
    return ", ".join(str(sdg.number) for sdg in practice.sdgs.all()) or "—"


def _places(practice):
    return ", ".join(str(link.territory) for link in practice.territory_links.all()) or "—"


def _status(practice):
    return _("pubblicata") if practice.live else _("bozza")


class PracticeListingMixin:
    filter_form_class = PracticeFilterForm
    per_page = 20

    def get_object_list(self):
        """The Italian practices, live or draft: links are stored against the Italian page and wagtail-localize
        copies them unchanged to translations, which then show the practice in the reader's language."""
        return (
            GoodPracticePage.objects.filter(locale=Locale.get_default())
            .defer_streamfields()
            .prefetch_related("sdgs", "territory_links__territory")
        )

    def apply_object_list_ordering(self, objects):
        return objects.order_by("title", "pk")

    @property
    def columns(self):
        return [
            self.title_column,
            Column("sdgs", label=_("SDG"), accessor=_sdg_numbers),
            Column("places", label=_("Territori"), accessor=_places),
            Column("status", label=_("Stato"), accessor=_status),
        ]


class PracticeChooseView(PracticeListingMixin, ChooseView):
    pass


class PracticeChooseResultsView(PracticeListingMixin, ChooseResultsView):
    pass


class PracticeChooserViewSet(ChooserViewSet):
    model = "practices.GoodPracticePage"
    icon = "doc-full-inverse"
    choose_one_text = _("Scegli una buona pratica")
    choose_another_text = _("Scegli un'altra pratica")
    edit_item_text = _("Modifica la pratica")
    page_title = _("Scegli una buona pratica")
    choose_view_class = PracticeChooseView
    choose_results_view_class = PracticeChooseResultsView
    # Every ForeignKey to GoodPracticePage in an admin form gets this chooser instead of the page explorer.
    register_widget = True


practice_chooser_viewset = PracticeChooserViewSet("practice_chooser", url_prefix="practices/choose-practice")
