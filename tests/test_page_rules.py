"""Where each page type may live, and the validation an editor meets on the model."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from home.models import HomePage, StandardPage
from library.pages import LibraryIndexPage
from practices.models import (
    CaseStudyPage,
    GoodPracticePage,
    LibraryEntry,
    NetworkIndexPage,
    NetworkPage,
    ResidencyIndexPage,
    ResidencyPage,
    Territory,
    TrainingModulePage,
    TrainingProgrammePage,
)
from tests.factories import TrainingProgrammeFactory

pytestmark = pytest.mark.django_db


def test_the_site_root_is_the_home_page(site_tree):
    assert HomePage.can_create_at(Page.get_first_root_node()) is False  # max one per parent, and it exists
    assert site_tree.home.get_parent().is_root()
    assert {type(child.specific) for child in site_tree.home.get_children()} == {
        LibraryIndexPage,
        ResidencyIndexPage,
        NetworkIndexPage,
    }


@pytest.mark.parametrize(
    ("model", "allowed_parent"),
    [
        (GoodPracticePage, "library"),
        (CaseStudyPage, "library"),
        (ResidencyPage, "residencies"),
        (NetworkPage, "networks"),
        (StandardPage, "home"),
        (TrainingProgrammePage, "home"),
    ],
)
def test_each_type_is_created_only_under_its_parent(site_tree, model, allowed_parent):
    parents = {
        "home": site_tree.home,
        "library": site_tree.library,
        "residencies": site_tree.residencies,
        "networks": site_tree.networks,
    }
    for name, parent in parents.items():
        assert model.can_create_at(parent) is (name == allowed_parent), f"{model.__name__} under {name}"


def test_modules_live_only_in_a_training_programme(site_tree):
    programme = TrainingProgrammeFactory(parent=site_tree.home)
    assert TrainingModulePage.can_create_at(programme)
    assert not TrainingModulePage.can_create_at(site_tree.library)
    assert not GoodPracticePage.can_create_at(programme)


def test_a_bare_library_entry_cannot_be_created(site_tree):
    assert LibraryEntry.is_creatable is False
    assert GoodPracticePage.is_creatable is True


def test_indexes_are_unique_under_the_home_page(site_tree):
    assert not LibraryIndexPage.can_create_at(site_tree.home)
    assert not ResidencyIndexPage.can_create_at(site_tree.home)


def residency(**fields):
    return ResidencyPage(title="Residenza", slug="residenza", summary="Tre giorni a Torino.", **fields)


def test_residency_cannot_end_before_it_starts(site_tree):
    page = residency(start_date=datetime.date(2023, 5, 20), end_date=datetime.date(2023, 5, 18))
    with pytest.raises(ValidationError) as error:
        site_tree.residencies.add_child(instance=page)
    assert error.value.message_dict["end_date"] == [
        "La residenza non può finire prima di cominciare: controlla le date."
    ]


def test_residency_on_one_day_is_fine(site_tree):
    site_tree.residencies.add_child(
        instance=residency(
            start_date=datetime.date(2023, 5, 18),
            end_date=datetime.date(2023, 5, 18),
            city=Territory.objects.get(code="001272"),
        )
    )
    assert ResidencyPage.objects.filter(slug="residenza").exists()


def test_residency_city_must_be_a_municipality(site_tree):
    with pytest.raises(ValidationError) as error:
        site_tree.residencies.add_child(instance=residency(city=Territory.objects.get(code="01")))
    assert error.value.message_dict["city"] == ["Scegli un comune, non una provincia o una regione."]


def test_programme_and_entry_periods_are_checked(site_tree):
    programme = TrainingProgrammePage(
        title="Programma", slug="programma", start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2022, 1, 1)
    )
    with pytest.raises(ValidationError, match="non può precedere"):
        site_tree.home.add_child(instance=programme)
    practice = GoodPracticePage(title="Pratica", slug="pratica", summary="Sommario", year=2022, end_year=2020)
    with pytest.raises(ValidationError) as error:
        site_tree.library.add_child(instance=practice)
    assert "end_year" in error.value.message_dict
