"""Trainers link practices to modules, residencies and case studies with a chooser that filters by goal,
territory and text, keeping the order and a note per practice."""

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail.test.utils.form_data import querydict_from_html

from practices.models import GoodPracticePage, ModulePractice, TrainingModulePage

from .factories import (
    CaseStudyFactory,
    GoodPracticeFactory,
    ResidencyFactory,
    TrainingModuleFactory,
    TrainingProgrammeFactory,
)

pytestmark = pytest.mark.django_db

CHOOSE_URL = "practice_chooser:choose"
RESULTS_URL = "practice_chooser:choose_results"


@pytest.fixture
def practices(site_tree):
    library = site_tree.library
    return {
        "torino_climate": GoodPracticeFactory(
            parent=library, title="Orti condivisi di Torino", sdgs=[13, 11], territories=["001272"]
        ),
        "chieri_climate": GoodPracticeFactory(
            parent=library, title="Orti scolastici di Chieri", sdgs=[13], territories=["001078"]
        ),
        "torino_school": GoodPracticeFactory(
            parent=library, title="Orti e doposcuola a Torino", sdgs=[4], territories=["001272"]
        ),
        "forli_climate": GoodPracticeFactory(
            parent=library, title="Orti urbani di Forlì", sdgs=[13], territories=["040012"]
        ),
        "palermo_draft": GoodPracticeFactory(
            parent=library, title="Biblioteca di strada", sdgs=[13], territories=["082053"], live=False
        ),
    }


@pytest.fixture
def module(site_tree):
    programme = TrainingProgrammeFactory(parent=site_tree.home)
    return TrainingModuleFactory(parent=programme, title="Modulo 1: reti e territori")


def chooser_titles(client, **params):
    response = client.get(reverse(RESULTS_URL), params)
    assert response.status_code == 200
    html = response.content.decode()
    return {page.title for page in GoodPracticePage.objects.all() if page.title in html}


def test_chooser_filters_by_sdg_region_and_text(admin_client, practices):
    assert chooser_titles(admin_client, sdg=13, territory="01", q="orti") == {
        "Orti condivisi di Torino",
        "Orti scolastici di Chieri",
    }


def test_chooser_filters_by_each_facet_alone(admin_client, practices):
    everything = {page.title for page in practices.values()}
    assert chooser_titles(admin_client) == everything
    assert chooser_titles(admin_client, sdg=4) == {"Orti e doposcuola a Torino"}
    assert chooser_titles(admin_client, territory="001078") == {"Orti scolastici di Chieri"}
    assert chooser_titles(admin_client, q="doposcuola") == {"Orti e doposcuola a Torino"}


def test_chooser_place_search_ignores_accents_and_includes_what_is_inside(admin_client, practices):
    assert chooser_titles(admin_client, place="forli") == {"Orti urbani di Forlì"}
    # "Piemonte" is the region: both Torino and Chieri are inside it.
    assert chooser_titles(admin_client, place="piemonte", sdg=13) == {
        "Orti condivisi di Torino",
        "Orti scolastici di Chieri",
    }


def test_chooser_unknown_territory_gives_no_results_not_an_error(admin_client, practices):
    assert chooser_titles(admin_client, territory="ZZ") == set()
    assert admin_client.get(reverse(RESULTS_URL), {"sdg": "99"}).status_code == 200


def test_chooser_lists_drafts_and_shows_goals_and_places(admin_client, practices):
    response = admin_client.get(reverse(CHOOSE_URL), {"multiple": "true"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "Biblioteca di strada" in html and "bozza" in html
    assert "Palermo" in html and "Chieri" in html
    for field in ('name="sdg"', 'name="territory"', 'name="place"', 'name="q"'):
        assert field in html
    assert "Piemonte" in html  # the region select


def test_chooser_lists_only_the_italian_practices(admin_client, practices):
    english = Locale.objects.get_or_create(language_code="en")[0]
    translation = practices["chieri_climate"].copy_for_translation(english, copy_parents=True)
    translation.title = "School gardens in Chieri"
    translation.save()
    assert "School gardens in Chieri" not in admin_client.get(reverse(RESULTS_URL)).content.decode()


def test_chooser_query_count_does_not_grow_with_practices(admin_client, practices, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        admin_client.get(reverse(RESULTS_URL), {"sdg": 13})


@pytest.mark.parametrize("factory", [TrainingModuleFactory, ResidencyFactory, CaseStudyFactory])
def test_edit_forms_open_the_filtering_chooser(admin_client, site_tree, factory):
    if factory is TrainingModuleFactory:
        page = factory(parent=TrainingProgrammeFactory(parent=site_tree.home))
    elif factory is ResidencyFactory:
        page = factory(parent=site_tree.residencies)
    else:
        page = factory(parent=site_tree.library)
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    assert reverse(CHOOSE_URL) in html
    assert "Scegli una buona pratica" in html


def module_form(client, module):
    url = reverse("wagtailadmin_pages:edit", args=(module.pk,))
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    for stream_field in ("body", "key_figures", "resources", "sessions"):  # rendered by JavaScript
        data.setdefault(f"{stream_field}-count", "0")
    return url, data


def add_link(data, practice, note, order):
    total = int(data["practice_links-TOTAL_FORMS"])
    prefix = f"practice_links-{total}"
    data[f"{prefix}-practice"] = str(practice.pk)
    data[f"{prefix}-note"] = note
    data[f"{prefix}-ORDER"] = str(order)
    data[f"{prefix}-id"] = ""
    data[f"{prefix}-DELETE"] = ""
    data["practice_links-TOTAL_FORMS"] = str(total + 1)


def test_module_saves_two_ordered_practice_links_with_notes(admin_client, practices, module):
    url, data = module_form(admin_client, module)
    # Added Forlì first but ordered second: the ORDER field decides.
    add_link(data, practices["forli_climate"], "Per il confronto tra città.", 2)
    add_link(data, practices["chieri_climate"], "Il caso da cui parte il modulo.", 1)
    response = admin_client.post(url, dict(data.lists()))
    assert response.status_code == 302, response.content.decode()[:3000]
    draft = TrainingModulePage.objects.get(pk=module.pk).get_latest_revision_as_object()
    assert [(link.practice.title, link.note) for link in draft.practice_links.all()] == [
        ("Orti scolastici di Chieri", "Il caso da cui parte il modulo."),
        ("Orti urbani di Forlì", "Per il confronto tra città."),
    ]


def test_published_module_stores_links_in_order(admin_client, practices, module):
    url, data = module_form(admin_client, module)
    add_link(data, practices["torino_climate"], "Primo.", 1)
    add_link(data, practices["torino_school"], "Secondo.", 2)
    data["action-publish"] = "action-publish"
    response = admin_client.post(url, dict(data.lists()))
    assert response.status_code == 302, response.content.decode()[:3000]
    links = ModulePractice.objects.filter(page=module).order_by("sort_order")
    assert [(link.practice.title, link.note) for link in links] == [
        ("Orti condivisi di Torino", "Primo."),
        ("Orti e doposcuola a Torino", "Secondo."),
    ]
    assert all(link.locale_id == module.locale_id for link in links)


def test_chooser_needs_admin_access(client, practices):
    response = client.get(reverse(RESULTS_URL))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
