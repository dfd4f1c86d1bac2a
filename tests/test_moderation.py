"""Moderation: an editor submits, the moderators are told by email, a moderator approves (the entry goes live
in the library, facet counts included) or rejects with a comment; the dashboard shows each role its work."""

import pytest
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from editorial.dashboard import LIMIT, panels_for
from editorial.roles import EDITORS, MODERATORS, ROLES, TRAINERS, TRANSLATORS
from practices.models import SDG, GoodPracticePage, Territory
from tests.editorial import add_practice_data, login
from tests.factories import GoodPracticeFactory

pytestmark = pytest.mark.django_db


def sdg_counts(response):
    facet = next(f for f in response.context["facets"] if f.key == "sdg")
    return {option.value: option.count for option in facet.options}


def submit_new_practice(client, world, django_capture_on_commit_callbacks):
    login(client, world["users"][EDITORS])
    url, data = add_practice_data(client, world["tree"].library)
    data["sdgs"] = [str(SDG.objects.get(number=13).pk)]
    total = int(data["territory_links-TOTAL_FORMS"][0])
    data.update(
        {
            f"territory_links-{total}-territory": [str(Territory.objects.get(code="082053").pk)],
            f"territory_links-{total}-ORDER": [str(total + 1)],
            f"territory_links-{total}-id": [""],
            f"territory_links-{total}-DELETE": [""],
            "territory_links-TOTAL_FORMS": [str(total + 1)],
            "action-submit": ["1"],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return GoodPracticePage.objects.get(slug="biblioteca-di-strada")


def workflow_action(client, page, action, comment=""):
    task_state = TaskState.objects.get(workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS)
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    return client.post(url, {"comment": comment} if comment else {})


def test_submitting_puts_the_practice_in_moderation_and_emails_the_moderators(
    client, world, django_capture_on_commit_callbacks
):
    page = submit_new_practice(client, world, django_capture_on_commit_callbacks)
    assert page.live is False
    state = WorkflowState.objects.active().get(object_id=str(page.pk))
    assert state.workflow.name == "Revisione della biblioteca"
    recipients = {address for message in mail.outbox for address in message.to}
    assert "moderatore@example.org" in recipients
    assert "redattrice@example.org" not in recipients  # the editor is not told about her own submission
    assert any(page.title in message.subject or page.title in message.body for message in mail.outbox)


def test_a_moderator_approves_and_the_practice_appears_in_the_library_with_counts(
    client, world, django_capture_on_commit_callbacks
):
    library_url = world["tree"].library.url
    before = sdg_counts(client.get(library_url)).get("13", 0)
    page = submit_new_practice(client, world, django_capture_on_commit_callbacks)
    login(client, world["users"][MODERATORS])
    with django_capture_on_commit_callbacks(execute=True):
        response = workflow_action(client, page, "approve", comment="Perfetta.")
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    assert not WorkflowState.objects.active().filter(object_id=str(page.pk)).exists()
    client.logout()
    response = client.get(library_url)
    assert "Biblioteca di strada" in response.content.decode()
    assert sdg_counts(response)["13"] == before + 1
    assert "redattrice@example.org" in {address for message in mail.outbox for address in message.to}


def test_a_moderator_rejects_with_a_comment_and_the_editor_gets_it_back(
    client, world, django_capture_on_commit_callbacks
):
    page = submit_new_practice(client, world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    login(client, world["users"][MODERATORS])
    with django_capture_on_commit_callbacks(execute=True):
        workflow_action(client, page, "reject", comment="Manca il contatto della rete.")
    page.refresh_from_db()
    assert page.live is False
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "Manca il contatto della rete."
    assert [message.to for message in mail.outbox] == [["redattrice@example.org"]]
    assert "Manca il contatto della rete." in mail.outbox[0].body
    login(client, world["users"][EDITORS])
    html = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    assert "Manca il contatto della rete." in html  # the editor sees why, and can edit and resubmit


def test_an_editor_cannot_approve(client, world, django_capture_on_commit_callbacks):
    page = submit_new_practice(client, world, django_capture_on_commit_callbacks)
    workflow_action(client, page, "approve")  # still logged in as the editor
    page.refresh_from_db()
    assert page.live is False


PANEL_HEADINGS = {
    "In attesa di revisione": {MODERATORS},
    "Le tue bozze": {EDITORS, TRAINERS, TRANSLATORS, MODERATORS},
    "Voci senza obiettivo o territorio": {EDITORS, MODERATORS},
    "Traduzioni mancanti": {EDITORS, TRANSLATORS, MODERATORS},
}


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_shows_each_role_its_panels(client, world, role, django_capture_on_commit_callbacks):
    submit_new_practice(client, world, django_capture_on_commit_callbacks)
    login(client, world["users"][role])
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    for heading, roles in PANEL_HEADINGS.items():
        assert (heading in html) == (role in roles), f"{role}: {heading}"
    if role == MODERATORS:
        assert "Biblioteca di strada" in html  # awaiting review, with a link to the edit view
        page = GoodPracticePage.objects.get(slug="biblioteca-di-strada")
        assert reverse("wagtailadmin_pages:edit", args=(page.pk,)) in html
    if role == TRANSLATORS:
        assert "Orto sociale a Chieri" in html  # live in Italian, not yet in English


def render_panels(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        panels = panels_for(user)
        html = "".join(panel.render_html({"request": request, "csrf_token": "x"}) for panel in panels)
    return html, len(queries)


def add_incomplete_drafts(world, numbers):
    superuser = world["superuser"]
    for number in numbers:
        page = GoodPracticeFactory(parent=world["tree"].library, title=f"Pratica {number}", sdgs=[1], owner=superuser)
        page.sdgs.clear()  # without an SDG: incomplete
        page.save_revision(user=superuser).publish()
        page.title = f"Pratica {number} (bozza)"
        page.save_revision(user=superuser)  # a draft of the superuser's


def test_panels_are_bounded_with_a_fixed_number_of_queries(world):
    add_incomplete_drafts(world, range(LIMIT + 5))
    html, queries = render_panels(world["superuser"])
    assert queries <= 2 * 4  # the page list and its count for each of the four panels
    assert html.count("Pratica ") == 3 * LIMIT  # drafts, incomplete, untranslated: ten each
    assert "E altre 5 pagine." in html  # 15 drafts, and the practice from the fixture is complete
    add_incomplete_drafts(world, range(100, 100 + LIMIT))
    html, more_queries = render_panels(world["superuser"])
    assert more_queries == queries
    assert html.count("Pratica ") == 3 * LIMIT
