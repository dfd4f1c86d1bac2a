"""What an editor meets in the Wagtail admin."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from practices.models import SDG, GoodPracticePage, Territory

pytestmark = pytest.mark.django_db


def add_practice_form(client, library):
    url = reverse("wagtailadmin_pages:add", args=("practices", "goodpracticepage", library.pk))
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data["title"] = "Biblioteca di strada"
    data["slug"] = "biblioteca-di-strada"
    data["summary"] = "Libri portati nei cortili."
    for stream_field in ("body", "key_figures", "resources"):  # rendered by JavaScript, absent from the HTML
        data.setdefault(f"{stream_field}-count", "0")
    return url, data


def add_territory(data, code):
    total = int(data["territory_links-TOTAL_FORMS"])
    data[f"territory_links-{total}-territory"] = str(Territory.objects.get(code=code).pk)
    data[f"territory_links-{total}-ORDER"] = str(total + 1)
    data[f"territory_links-{total}-id"] = ""
    data[f"territory_links-{total}-DELETE"] = ""
    data["territory_links-TOTAL_FORMS"] = str(total + 1)


def test_editor_can_save_an_incomplete_draft(admin_client, site_tree):
    url, data = add_practice_form(admin_client, site_tree.library)
    response = admin_client.post(url, dict(data.lists()))
    assert response.status_code == 302
    page = GoodPracticePage.objects.get(slug="biblioteca-di-strada")
    assert page.live is False


def test_publishing_without_sdg_or_territory_is_refused_with_a_clear_message(admin_client, site_tree):
    url, data = add_practice_form(admin_client, site_tree.library)
    data["action-publish"] = "action-publish"
    response = admin_client.post(url, dict(data.lists()))
    assert response.status_code == 200  # the form comes back with errors
    html = response.content.decode()
    assert "Per pubblicare, scegli almeno un obiettivo di sviluppo sostenibile." in html
    assert "Per pubblicare, indica almeno un territorio" in html
    assert not GoodPracticePage.objects.filter(slug="biblioteca-di-strada").exists()


def test_publishing_with_sdg_and_territory_succeeds(admin_client, site_tree):
    url, data = add_practice_form(admin_client, site_tree.library)
    data.setlist("sdgs", [str(pk) for pk in SDG.objects.filter(number__in=[4, 10]).values_list("pk", flat=True)])
    add_territory(data, "082053")  # Palermo
    data["action-publish"] = "action-publish"
    response = admin_client.post(url, dict(data.lists()))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = GoodPracticePage.objects.get(slug="biblioteca-di-strada")
    assert page.live
    assert sorted(page.sdgs.values_list("number", flat=True)) == [4, 10]
    assert [t.code for t in page.territories] == ["082053"]


def test_territory_field_is_a_chooser_not_a_select_of_every_comune(admin_client, site_tree):
    url = reverse("wagtailadmin_pages:add", args=("practices", "goodpracticepage", site_tree.library.pk))
    html = admin_client.get(url).content.decode()
    assert html.count("<option") < 500


@pytest.mark.parametrize(("query", "expected_first"), [("chieri", "Chieri"), ("forli", "Forlì"), ("Roma", "Roma")])
def test_territory_chooser_finds_comuni_without_accents(admin_client, query, expected_first):
    response = admin_client.get(reverse("wagtailsnippetchoosers_practices_territory:choose_results"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert expected_first in html
    first_row = html.index(expected_first)
    assert all(other not in html[:first_row] for other in ["Romagnano Sesia"])


def test_snippets_are_grouped_under_taxonomies(admin_client):
    response = admin_client.get(reverse("wagtailsnippets_practices_territory:list"), {"q": "Chieri"})
    assert response.status_code == 200
    assert "Chieri" in response.content.decode()


@pytest.mark.parametrize(
    ("model", "parent"),
    [
        ("goodpracticepage", "library"),
        ("casestudypage", "library"),
        ("residencypage", "residencies"),
        ("networkpage", "networks"),
        ("trainingprogrammepage", "home"),
        ("standardpage", "home"),
    ],
)
def test_every_page_type_has_a_working_add_form(admin_client, site_tree, model, parent):
    app = "home" if model == "standardpage" else "practices"
    url = reverse("wagtailadmin_pages:add", args=(app, model, getattr(site_tree, parent).pk))
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'id="page-edit-form"' in response.content.decode()


def test_module_form_offers_practices_with_a_trainers_note(admin_client, site_tree):
    from tests.factories import TrainingProgrammeFactory

    programme = TrainingProgrammeFactory(parent=site_tree.home)
    url = reverse("wagtailadmin_pages:add", args=("practices", "trainingmodulepage", programme.pk))
    html = admin_client.get(url).content.decode()
    assert "Pratiche insegnate" in html
    assert "practice_links-__prefix__-note" in html
