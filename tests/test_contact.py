"""A visitor writes to the people behind an entry: the message waits for a moderator, who forwards it to the
referent (Reply-To the visitor) or discards it; the referent's address never reaches the visitor; robots and
floods are kept out as for proposals."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from contact.models import ContactMessage
from tests.factories import GoodPracticeFactory

pytestmark = pytest.mark.django_db

REFERENT = "referente@promotori.example.org"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # django-ratelimit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def practice(site_tree):
    page = GoodPracticeFactory(parent=site_tree.library, title="Orti condivisi")
    page.contact_name = "Associazione Orti"
    page.contact_email = REFERENT
    page.save_revision().publish()
    return page


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("moderatrice", "moderatrice@example.org", "password")
    user.groups.add(Group.objects.get(name="Moderatori"))
    return user


def message(**changes):
    return {
        "name": "Giulia Bianchi",
        "email": "giulia@example.org",
        "organisation": "Comune di Asti",
        "message": "Vorremmo replicare gli orti: come avete trovato i terreni?",
        "consent": "on",
        "website": "",
        **changes,
    }


def test_the_form_is_offered_without_showing_the_address(client, practice):
    page = client.get(practice.url).content.decode()
    form_url = reverse("contact", kwargs={"page_id": practice.pk})
    assert f'href="{form_url}"' in page and REFERENT not in page
    form = client.get(form_url)
    assert form.status_code == 200 and REFERENT not in form.content.decode()
    assert "no-store" in form["Cache-Control"] or "private" in form["Cache-Control"]


def test_a_message_waits_for_the_moderators_who_are_told_by_mail(client, practice, moderator):
    response = client.post(reverse("contact", kwargs={"page_id": practice.pk}), message())
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "è arrivato alla redazione" in thanks.content.decode() and REFERENT not in thanks.content.decode()
    kept = ContactMessage.objects.get()
    assert kept.status == ContactMessage.Status.PENDING and kept.entry_id == practice.pk
    assert kept.message.startswith("Vorremmo replicare")
    assert [m.to for m in mail.outbox] == [["moderatrice@example.org"]]  # nothing to the referent yet
    assert f"/admin/snippets/contact/contactmessage/edit/{kept.pk}/" in mail.outbox[0].body


def test_the_moderator_forwards_it_to_the_referent_with_the_visitor_as_reply_to(client, practice, moderator):
    client.post(reverse("contact", kwargs={"page_id": practice.pk}), message())
    kept = ContactMessage.objects.get()
    mail.outbox.clear()
    client.force_login(moderator)
    edit = reverse("wagtailsnippets_contact_contactmessage:edit", args=[kept.pk])
    page = client.get(edit)
    assert page.status_code == 200 and "Vorremmo replicare" in page.content.decode()
    response = client.post(edit, {"status": ContactMessage.Status.FORWARDED})
    assert response.status_code == 302, response.content.decode()[:3000]
    kept.refresh_from_db()
    assert kept.status == ContactMessage.Status.FORWARDED and kept.forwarded_to == REFERENT
    assert kept.reviewed_by == moderator and kept.reviewed_at is not None
    [forwarded] = mail.outbox
    assert forwarded.to == [REFERENT] and forwarded.reply_to == ["giulia@example.org"]
    assert "come avete trovato i terreni?" in forwarded.body and "Orti condivisi" in forwarded.subject
    # Saving again does not send it twice.
    client.post(edit, {"status": ContactMessage.Status.FORWARDED})
    assert len(mail.outbox) == 1


def test_a_discarded_message_goes_nowhere(client, practice, moderator):
    client.post(reverse("contact", kwargs={"page_id": practice.pk}), message(message="Compra ora!!!"))
    kept = ContactMessage.objects.get()
    mail.outbox.clear()
    client.force_login(moderator)
    edit = reverse("wagtailsnippets_contact_contactmessage:edit", args=[kept.pk])
    assert client.post(edit, {"status": ContactMessage.Status.DISCARDED}).status_code == 302
    kept.refresh_from_db()
    assert kept.status == ContactMessage.Status.DISCARDED and kept.forwarded_to == ""
    assert mail.outbox == []


def test_editors_cannot_read_the_messages(client, practice, django_user_model):
    client.post(reverse("contact", kwargs={"page_id": practice.pk}), message())
    editor = django_user_model.objects.create_user("redattore", "r@example.org", "password")
    editor.groups.add(Group.objects.get(name="Redattori"))
    client.force_login(editor)
    listing = client.get(reverse("wagtailsnippets_contact_contactmessage:list"))
    assert listing.status_code == 302 and listing["Location"] == reverse("wagtailadmin_home")


def test_mistakes_are_explained_and_what_was_typed_is_kept(client, practice):
    response = client.post(
        reverse("contact", kwargs={"page_id": practice.pk}), message(email="non-una-email", consent="")
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in html
    assert "nome@esempio.it" in html and "informativa sulla privacy" in html
    assert "come avete trovato i terreni?" in html
    assert ContactMessage.objects.count() == 0


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_kept(client, practice, moderator):
    response = client.post(reverse("contact", kwargs={"page_id": practice.pk}), message(website="http://spam"))
    assert response.status_code == 302
    assert ContactMessage.objects.count() == 0 and mail.outbox == []


def test_more_than_five_messages_an_hour_from_one_address_are_refused(client, practice, settings):
    settings.CONTACT_RATE = "5/h"
    url = reverse("contact", kwargs={"page_id": practice.pk})
    statuses = [client.post(url, message(message=f"Messaggio {n}")).status_code for n in range(7)]
    assert statuses == [302] * 5 + [429] * 2
    assert ContactMessage.objects.count() == 5
    assert client.post(url, message(), REMOTE_ADDR="10.0.0.9").status_code == 302  # another address is fine


def test_no_form_for_an_entry_without_a_referent_or_not_public(client, site_tree, practice):
    nobody = GoodPracticeFactory(parent=site_tree.library, title="Senza referente")
    nobody.save_revision().publish()
    assert client.get(reverse("contact", kwargs={"page_id": nobody.pk})).status_code == 404
    assert "Questa voce non indica ancora un referente." in client.get(nobody.url).content.decode()
    practice.unpublish()
    assert client.get(reverse("contact", kwargs={"page_id": practice.pk})).status_code == 404
    assert client.post(reverse("contact", kwargs={"page_id": practice.pk}), message()).status_code == 404
