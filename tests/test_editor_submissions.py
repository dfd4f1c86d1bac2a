"""What an editor is told when a practice cannot be published or sent to review: the message names the action
they chose, a draft the admin saved on its own is announced rather than left hidden, and a territory cannot
be listed twice."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from practices.models import SDG, GoodPracticePage
from tests.test_admin import add_practice_form, add_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workflow(site_tree):
    from editorial.roles import ensure_editorial_roles

    ensure_editorial_roles()  # the library is moderated: "Invia a revisione" is offered
    return site_tree


def errors_of(response):
    assert response.status_code == 200  # the form comes back
    return response.content.decode()


def test_submitting_without_a_goal_says_submitting_not_publishing(admin_client, workflow):
    url, data = add_practice_form(admin_client, workflow.library)
    data["action-submit"] = "1"
    html = errors_of(admin_client.post(url, dict(data.lists())))
    assert "Per inviare a revisione, scegli almeno un obiettivo di sviluppo sostenibile." in html
    assert "Per inviare a revisione, indica almeno un territorio" in html
    assert "Per pubblicare" not in html
    assert not GoodPracticePage.objects.filter(slug="biblioteca-di-strada").exists()
    assert "La bozza è comunque salvata" not in html  # nothing was saved, so nothing is announced


def test_publishing_without_a_goal_says_publishing(admin_client, workflow):
    url, data = add_practice_form(admin_client, workflow.library)
    data["action-publish"] = "1"
    html = errors_of(admin_client.post(url, dict(data.lists())))
    assert "Per pubblicare, scegli almeno un obiettivo di sviluppo sostenibile." in html
    assert "Per inviare a revisione" not in html


def test_a_draft_saved_automatically_is_announced_when_the_submission_is_refused(admin_client, workflow):
    url, data = add_practice_form(admin_client, workflow.library)
    # The admin's autosave posts the form as the editor types (a "save" expecting JSON): the page now exists.
    autosaved = admin_client.post(url, dict(data.lists()), HTTP_ACCEPT="application/json")
    assert autosaved.status_code == 200 and autosaved.json()["success"], autosaved.content[:500]
    draft = GoodPracticePage.objects.get(slug="biblioteca-di-strada")
    assert not draft.live
    edit = reverse("wagtailadmin_pages:edit", args=[draft.pk])
    data["action-submit"] = "1"
    html = errors_of(admin_client.post(edit, dict(data.lists())))
    assert "Per inviare a revisione, scegli almeno un obiettivo" in html
    assert "La bozza è comunque salvata (salvataggio automatico)" in html
    assert "senza crearla di nuovo" in html
    # And it is where the message says: among the library's pages, as a draft.
    assert Page.objects.child_of(workflow.library).filter(pk=draft.pk, live=False).exists()


def test_the_same_territory_cannot_be_listed_twice(admin_client, workflow):
    url, data = add_practice_form(admin_client, workflow.library)
    data.setlist("sdgs", [str(SDG.objects.get(number=4).pk)])
    add_territory(data, "001078")  # Chieri
    add_territory(data, "001078")  # Chieri again
    data["action-publish"] = "1"
    html = errors_of(admin_client.post(url, dict(data.lists())))
    assert "«Chieri (TO)» è già tra i territori di questa voce." in html
    assert not GoodPracticePage.objects.filter(slug="biblioteca-di-strada").exists()
    # Saving a draft refuses it too: a page never carries the same place twice.
    del data["action-publish"]
    errors_of(admin_client.post(url, dict(data.lists())))
    assert not GoodPracticePage.objects.filter(slug="biblioteca-di-strada").exists()
