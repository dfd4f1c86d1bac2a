"""E-mail alerts as a visitor lives them: sign up to a selection, confirm from the e-mail (double opt-in),
receive one digest with the new matching entries and never one twice, unsubscribe from the e-mail's link or
with the mail client's one click (RFC 8058) without logging in; the address is never shown or exported."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from opendata.alerts import send_digests
from opendata.models import AlertDelivery, AlertSubscription
from tests.factories import GoodPracticeFactory
from tests.opendata_library import open_library, publish  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
ADDRESS = "lettrice.riservata@example.org"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


# The e-mail's links in the words of its language: /it/avvisi/conferma/…, /en/alerts/confirm/….
ENGLISH_WORDS = {"conferma": "confirm", "disiscrizione": "unsubscribe", "selezione": "selection"}


def link(message, name):
    words = rf"(?:avvisi/{name}|alerts/{ENGLISH_WORDS[name]})"
    return re.search(rf"https?://[^\s]+/{words}/[^\s/]+/", message.body).group(0)


def path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def subscribe(client, **selection):
    form = client.get("/it/avvisi/", {**selection, "source": "library"})
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"] or "max-age=0" in form["Cache-Control"]
    response = client.post("/it/avvisi/", {**selection, "source": "library", "email": ADDRESS, "frequency": "daily"})
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert ADDRESS not in thanks  # the page does not repeat the address
    return form.content.decode()


def new_practice(library, title, sdgs):
    return publish(GoodPracticeFactory(parent=library, title=title, sdgs=sdgs, territories=["001272"], live=False))


def test_a_subscriber_gets_one_digest_of_new_entries_and_nothing_twice(client, open_library):  # noqa: F811
    library = open_library["tree"].library
    form = subscribe(client, sdg="13")
    assert "Obiettivo 13" in form
    (confirmation,) = mail.outbox
    assert confirmation.to == [ADDRESS]
    # Nothing is sent before the visitor confirms, even if matching entries appear.
    new_practice(library, "Tetti verdi a Torino", [13])
    assert send_digests() == (0, 0) and len(mail.outbox) == 1
    confirm_url = path(link(confirmation, "conferma"))
    assert "Sì, attiva l'avviso" in client.get(confirm_url).content.decode()  # a GET confirms nothing
    assert AlertSubscription.objects.get().confirmed_at is None
    client.post(confirm_url)
    subscription = AlertSubscription.objects.get()
    assert subscription.confirmed_at is not None

    # Only entries first published after the confirmation count; the old ones were there already.
    first = new_practice(library, "Comunità solare di Moncalieri", [13])
    new_practice(library, "Orto dei bambini", [4])  # another goal: not in the selection
    call_command("send_alert_digests")
    digest = mail.outbox[-1]
    assert len(mail.outbox) == 2
    assert "Comunità solare di Moncalieri" in digest.body and "Orto dei bambini" not in digest.body
    assert "Tetti verdi a Torino" not in digest.body
    unsubscribe = link(digest, "disiscrizione")
    assert digest.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Run again at once, or the next day with nothing new: nothing is sent twice.
    call_command("send_alert_digests")
    later = timezone.now() + timedelta(days=1, hours=1)
    assert send_digests(now=later) == (0, 0)
    assert len(mail.outbox) == 2
    # The next day, a new entry comes alone.
    second = new_practice(library, "Cappotti termici condivisi", [13])
    assert send_digests(now=later) == (1, 0)
    assert "Cappotti termici condivisi" in mail.outbox[-1].body
    assert "Comunità solare di Moncalieri" not in mail.outbox[-1].body
    assert set(AlertDelivery.objects.values_list("page_id", flat=True)) == {first.pk, second.pk}
    assert send_digests(now=later + timedelta(days=2)) == (0, 0)


def test_an_entry_and_its_translation_are_one_entry(client, open_library):  # noqa: F811
    from tests.opendata_library import translate

    client.post("/en/alerts/", {"sdg": "13", "source": "library", "email": ADDRESS, "frequency": "daily"})
    assert "/en/alerts/confirm/" in mail.outbox[0].body
    client.post(path(link(mail.outbox[0], "conferma")))
    practice = new_practice(open_library["tree"].library, "Comunità solare di Moncalieri", [13])
    assert send_digests() == (1, 0)
    assert "Comunità solare di Moncalieri" in mail.outbox[-1].body  # in Italian: not translated yet
    translate(practice, title="Moncalieri solar community")
    later = timezone.now() + timedelta(days=1, hours=1)
    assert send_digests(now=later) == (0, 0)  # the translation is the same entry: not sent again


def test_unsubscribing_from_the_link_works_without_logging_in(client, open_library):  # noqa: F811
    subscribe(client, theme="energia-comunita")
    client.post(path(link(mail.outbox[0], "conferma")))
    new_practice(open_library["tree"].library, "Energia per tutti", [7]).themes.add(
        open_library["chieri"].themes.first()
    )
    assert (
        "disiscrizione" not in mail.outbox[0].body
    )  # the confirmation has no unsubscribe link: nothing to unsubscribe from yet
    subscription = AlertSubscription.objects.get()
    anonymous = Client()
    page = anonymous.get(f"/it/avvisi/disiscrizione/{subscription.token}/")
    assert page.status_code == 200 and AlertSubscription.objects.exists()  # a GET (a link scanner) changes nothing
    done = anonymous.post(f"/it/avvisi/disiscrizione/{subscription.token}/")
    assert done.status_code == 200 and "Avviso annullato" in done.content.decode()
    assert not AlertSubscription.objects.exists()  # the address is forgotten


def test_the_mail_clients_one_click_unsubscribes(open_library):  # noqa: F811
    subscription = AlertSubscription.objects.create(
        email=ADDRESS, language="it", query="sdg=13", frequency="weekly", confirmed_at=timezone.now()
    )
    client = Client(enforce_csrf_checks=True)  # a mail client has no form token and no cookie
    response = client.post(
        f"/it/avvisi/disiscrizione/{subscription.token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not AlertSubscription.objects.filter(pk=subscription.pk).exists()
    # Again, or with an unknown token: the same answer, nothing to learn.
    again = client.post(
        f"/it/avvisi/disiscrizione/{subscription.token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 200


def test_the_address_is_never_shown_or_exported(client, admin_client, open_library):  # noqa: F811
    AlertSubscription.objects.create(
        email=ADDRESS, language="it", query="sdg=13", frequency="weekly", confirmed_at=timezone.now()
    )
    library = open_library["tree"].library
    for url in (
        library.url,
        library.url + "?sdg=13&format=csv",
        library.url + "?sdg=13&format=json",
        library.url + "?format=rss",
        "/api/v2/pages/?fields=*",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
        "/it/dati/",
    ):
        response = client.get(url)
        text = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        assert ADDRESS not in text, url
    assert ADDRESS not in admin_client.get("/admin/").content.decode()
    assert ADDRESS not in str(AlertSubscription.objects.get())


def test_the_same_answer_whether_or_not_the_address_is_subscribed(client, open_library):  # noqa: F811
    subscribe(client, sdg="13")
    client.post(path(link(mail.outbox[0], "conferma")))
    again = client.post("/it/avvisi/", {"sdg": "13", "source": "library", "email": ADDRESS, "frequency": "daily"})
    assert again.status_code == 302 and again["Location"].endswith("/avvisi/grazie/")
    assert len(mail.outbox) == 1  # a confirmed alert is not confirmed again
    assert AlertSubscription.objects.count() == 1


@override_settings(ALERT_RATE="2/h")
def test_sign_ups_are_limited_per_address(client, open_library):  # noqa: F811
    statuses = [
        client.post(
            "/it/avvisi/",
            {"sdg": str(number), "source": "library", "email": f"a{number}@example.org", "frequency": "daily"},
        ).status_code
        for number in (1, 2, 3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2
    # One address cannot be flooded with confirmations from many places either.
    cache.clear()
    for number, remote in enumerate(("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4")):
        client.post(
            "/it/avvisi/",
            {"sdg": str(number + 4), "source": "library", "email": ADDRESS, "frequency": "daily"},
            REMOTE_ADDR=remote,
        )
    assert sum(ADDRESS in message.to for message in mail.outbox) == 3


def test_a_landing_page_offers_its_own_selection(client, open_library):  # noqa: F811
    library = open_library["tree"].library
    html = client.get(library.landing_url("sdg", 13) + "?territory=01").content.decode()
    alert = re.search(r'href="(/it/avvisi/\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "sdg=13" in alert and "territory=01" in alert and "source=library" in alert
    form = client.get(alert).content.decode()
    assert "Obiettivo 13" in form and "Piemonte" in form


def test_the_alert_pages_speak_english_in_english_and_old_links_keep_working(open_library):  # noqa: F811
    client = Client()
    assert client.get("/en/alerts/", {"sdg": "13", "source": "library"}).status_code == 200
    assert client.get("/en/data/").status_code == 200
    for italian, english in (("/en/avvisi/?sdg=13", "/en/alerts/?sdg=13"), ("/en/dati/", "/en/data/")):
        response = client.get(italian)
        assert (response.status_code, response["Location"]) == (301, english)
    response = client.get("/it/data/")
    assert (response.status_code, response["Location"]) == (301, "/it/dati/")
    # An e-mail sent before the English words existed: its one-click unsubscribe (a POST) still works, at once.
    subscription = AlertSubscription.objects.create(
        email=ADDRESS, language="en", query="sdg=13", frequency="weekly", confirmed_at=timezone.now()
    )
    response = Client(enforce_csrf_checks=True).post(
        f"/en/avvisi/disiscrizione/{subscription.token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not AlertSubscription.objects.filter(pk=subscription.pk).exists()
