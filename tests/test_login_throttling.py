"""Brute force against the two password prompts: the admin login (django-axes, by username and address) and
Wagtail's page and collection passwords (django-ratelimit, by address). And /django-admin/ is gone."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse
from wagtail.models import Collection, PageViewRestriction

from core.client_ip import client_ip
from tests.factories import GoodPracticeFactory

pytestmark = pytest.mark.django_db

ATTACKER, ELSEWHERE, PROXY = "203.0.113.7", "198.51.100.20", "127.0.0.1"


@pytest.fixture(autouse=True)
def _fresh_counters():
    """The page-password counters live in the cache, which outlives each test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("redattrice", "redattrice@example.org", "giusta-Password-1")


def admin_login(client, password, address=ATTACKER, username="redattrice", **headers):
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(client):
    return client.get(reverse("wagtailadmin_home")).status_code == 200


def test_django_admin_is_gone(client, editor):
    for url in ("/django-admin/", "/django-admin/login/"):
        assert client.get(url, follow=True).status_code == 404, url


def test_a_correct_login_works_after_a_few_typos(client, editor):
    for _ in range(3):
        assert admin_login(client, "sbagliata").status_code == 200
    response = admin_login(client, "giusta-Password-1")
    assert response.status_code == 302 and logged_in(client)


def test_twenty_wrong_passwords_lock_the_username_from_that_address(client, editor):
    statuses = [admin_login(client, f"tentativo-{n}").status_code for n in range(20)]
    assert statuses[0] == 200 and statuses[-1] == 429
    assert statuses.index(429) == 9  # AXES_FAILURE_LIMIT = 10: the tenth failure locks
    response = admin_login(client, "giusta-Password-1")
    assert response.status_code == 429
    assert "Troppi tentativi" in response.content.decode()
    assert not logged_in(client)


def test_the_lockout_does_not_shut_the_editor_out_from_elsewhere(client, editor):
    for n in range(20):
        admin_login(client, f"tentativo-{n}")
    other = type(client)()
    assert admin_login(other, "giusta-Password-1", address=ELSEWHERE).status_code == 302
    assert logged_in(other)
    assert admin_login(type(client)(), "giusta-Password-1").status_code == 429  # still locked from there


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_a_forged_forwarded_for_does_not_reset_the_lockout(client, editor):
    """nginx appends the address it saw; whatever the attacker wrote before it changes nothing."""
    for n in range(20):
        admin_login(client, f"tentativo-{n}", address=PROXY, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, {ATTACKER}")
    response = admin_login(client, "giusta-Password-1", address=PROXY, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {ATTACKER}")
    assert response.status_code == 429 and not logged_in(client)
    other = type(client)()
    response = admin_login(other, "giusta-Password-1", address=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert response.status_code == 302


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert client_ip(request) == ATTACKER
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"10.0.0.1, {ATTACKER}, 10.1.1.1")
    assert client_ip(request) == ATTACKER


@pytest.fixture
def secret_page(site_tree):
    page = GoodPracticeFactory(parent=site_tree.library, title="Pratica dei soci", slug="pratica-dei-soci")
    page.save_revision().publish()
    restriction = PageViewRestriction.objects.create(page=page, restriction_type="password", password="chiave")
    return page, restriction


def page_password(client, page, restriction, password, address=ATTACKER):
    return client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk]),
        {"password": password, "return_url": page.url},
        REMOTE_ADDR=address,
    )


def test_a_flood_of_wrong_page_passwords_is_refused_with_429(client, secret_page):
    page, restriction = secret_page
    statuses = [page_password(client, page, restriction, f"prova-{n}").status_code for n in range(10)]
    assert statuses == [200] * 10  # the form again, with its error
    response = page_password(client, page, restriction, "chiave")
    assert response.status_code == 429
    assert "Troppi tentativi" in response.content.decode()
    assert "Pratica dei soci" not in client.get(page.url, REMOTE_ADDR=ATTACKER).content.decode()
    # Another address is not affected.
    assert page_password(type(client)(), page, restriction, "chiave", address=ELSEWHERE).status_code == 302


def test_the_right_page_password_still_opens_the_page(client, secret_page):
    page, restriction = secret_page
    for _ in range(3):
        page_password(client, page, restriction, "sbagliata")
    assert page_password(client, page, restriction, "chiave").status_code == 302
    assert client.get(page.url, REMOTE_ADDR=ATTACKER).status_code == 200


def test_collection_passwords_are_limited_too(client):
    from wagtail.models import CollectionViewRestriction

    collection = Collection.get_first_root_node().add_child(name="Riservata")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type="password", password="chiave"
    )
    url = reverse("wagtaildocs_authenticate_with_password", args=[restriction.pk])
    for n in range(10):
        assert client.post(url, {"password": f"prova-{n}", "return_url": "/"}, REMOTE_ADDR=ATTACKER).status_code == 200
    assert client.post(url, {"password": "chiave", "return_url": "/"}, REMOTE_ADDR=ATTACKER).status_code == 429


def test_the_refusal_speaks_english_on_the_english_site(client, secret_page):
    from django.utils import translation

    page, restriction = secret_page
    with translation.override("en"):
        url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])
    assert url.startswith("/en/")
    for n in range(11):
        response = client.post(url, {"password": f"prova-{n}", "return_url": "/en/"}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
