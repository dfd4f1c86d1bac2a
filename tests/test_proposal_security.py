"""Proposals under attack and under load (issue 10, findings 2, 4, 6 and the cache part of 11).

- A proposer's contact stays on the proposal: translations, aliases and copies start without it, and a
  translator cannot submit for translation a page they may not view (an unpublished proposal in moderation).
- The proposal limit (five an hour per address) holds across processes through the shared cache, cannot be
  reset with a forged X-Forwarded-For and cannot be raced: tested in process and against gunicorn with three
  workers, production settings, Redis and a file SQLite (and PostgreSQL) database.
- Concurrent proposals are all saved, once, in one "Segnalazioni" collection.
- The form and thanks pages are never stored by a shared cache.

The gunicorn tests need Redis (REDIS_URL, or 127.0.0.1:6379): without it they skip, except with CI=true,
where they fail.
"""

import concurrent.futures
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from wagtail.models import Locale, Page, Revision
from wagtail_localize.models import TranslationSource

from config.settings.services import caches_from_environment
from editorial.roles import MODERATORS, TRANSLATORS
from practices.models import GoodPracticePage
from proposals import views as proposals
from tests import services
from tests.editorial import login
from tests.test_proposals import proposal

ROOT = Path(__file__).resolve().parent.parent
URL = "/it/segnala/"
CONTACT = ("Maria Rossi", "maria.rossi@example.org", "Rete dei quartieri")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# A proposer's contact and the translators -----------------------------------------------------------------


def propose(**overrides):
    """A proposal sent through the public form by an anonymous visitor: the draft practice it created."""
    response = Client().post(URL, proposal(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return GoodPracticePage.objects.get(title=overrides.get("title", "Orti condivisi a Chieri"))


def english():
    return Locale.objects.get(language_code="en")


def submit_url(page):
    return reverse("wagtail_localize:submit_page_translation", args=(page.pk,))


def english_copy(page):
    return GoodPracticePage.objects.filter(translation_key=page.translation_key, locale=english()).first()


def refused(response):
    """Wagtail's admin turns a PermissionDenied into a redirect to the dashboard with an error message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def assert_no_contact(page, client=None):
    """No proposer field on `page`, in any of its revisions, nor on its edit view as `client` sees it."""
    page.refresh_from_db()
    assert (page.proposer_name, page.proposer_email, page.proposer_organisation, page.proposed_at) == ("", "", "", None)
    for revision in Revision.page_revisions.filter(object_id=str(page.pk)):
        for value in CONTACT:
            assert value not in json.dumps(revision.content), revision
    if client is not None:
        response = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert response.status_code == 200
        text = response.content.decode()
        for value in CONTACT:
            assert value not in text


def test_a_translator_cannot_start_a_translation_of_a_proposal_in_moderation(client, world):
    draft = propose()
    assert not draft.live and draft.workflow_in_progress
    login(client, world["users"][TRANSLATORS])
    url = submit_url(draft)
    assert refused(client.get(url))
    assert refused(client.post(url, {"locales": [english().pk]}))
    assert english_copy(draft) is None
    assert not TranslationSource.objects.filter(object_id=draft.translation_key).exists()
    # The published practice next to it stays translatable: that is the translator's job.
    practice = world["practice"]
    assert client.get(submit_url(practice)).status_code == 200
    client.post(submit_url(practice), {"locales": [english().pk]})
    assert english_copy(practice) is not None


def test_a_translation_of_a_proposal_never_carries_the_proposers_contact(client, world):
    draft = propose()
    assert (draft.proposer_name, draft.proposer_email, draft.proposer_organisation) == CONTACT
    # A moderator may read the proposal; an administrator sends it for translation through wagtail-localize.
    superuser = Client()
    superuser.force_login(world["superuser"])
    superuser.post(submit_url(draft), {"locales": [english().pk]})
    copy = english_copy(draft)
    assert copy is not None
    translator = login(client, world["users"][TRANSLATORS])
    assert_no_contact(copy, translator)
    # Once the proposal is published, synchronising the translation from it does not bring the contact either.
    draft.refresh_from_db()
    draft.save_revision(user=world["superuser"]).publish()
    source = TranslationSource.objects.get(object_id=draft.translation_key)
    response = superuser.post(
        reverse("wagtail_localize:update_translations", args=(source.pk,)), {"publish_translations": "on"}
    )
    assert response.status_code == 302
    assert_no_contact(copy, translator)
    # The proposal itself keeps it, for the editors.
    draft.refresh_from_db()
    assert (draft.proposer_name, draft.proposer_email, draft.proposer_organisation) == CONTACT


def test_a_translator_cannot_refresh_translations_from_a_page_they_may_not_view(client, world):
    draft = propose()
    superuser = Client()
    superuser.force_login(world["superuser"])
    superuser.post(submit_url(draft), {"locales": [english().pk]})
    source = TranslationSource.objects.get(object_id=draft.translation_key)
    login(client, world["users"][TRANSLATORS])
    url = reverse("wagtail_localize:update_translations", args=(source.pk,))
    assert refused(client.get(url))
    assert refused(client.post(url, {"publish_translations": "on"}))
    login(client, world["users"][MODERATORS])  # may view it, but translating is not a moderator's right
    assert refused(client.get(url))


def test_translating_the_library_with_its_subtree_leaves_out_the_proposals_in_moderation(client, world):
    library = world["tree"].library
    practice = world["practice"]  # live in Italian
    # The English home stays; the library is still to be translated (the world's English copy goes).
    Page.objects.get(translation_key=library.translation_key, locale=english()).delete()
    draft = propose()
    login(client, world["users"][TRANSLATORS])
    response = client.post(submit_url(library), {"locales": [english().pk], "include_subtree": "on"}, follow=True)
    assert response.status_code == 200
    assert Page.objects.filter(translation_key=library.translation_key, locale=english()).exists()
    assert english_copy(practice) is not None
    assert english_copy(draft) is None


def test_an_alias_of_a_proposal_has_no_contact(world):
    """wagtail-localize's locale synchronisation makes aliases, which Wagtail fills with every field."""
    draft = propose()
    alias = draft.copy_for_translation(english(), copy_parents=True, alias=True)
    assert alias.alias_of_id == draft.pk
    assert_no_contact(GoodPracticePage.objects.get(pk=alias.pk))
    draft.refresh_from_db()
    draft.save_revision().publish()  # publishing updates the aliases with the original's content
    assert_no_contact(GoodPracticePage.objects.get(pk=alias.pk))


def test_a_copy_of_a_proposal_is_not_a_proposal(admin_client, site_tree):
    draft = propose()
    admin_client.post(
        reverse("wagtailadmin_pages:copy", args=(draft.pk,)),
        {"new_title": "Copia", "new_slug": "copia", "new_parent_page": str(site_tree.library.pk)},
    )
    assert_no_contact(GoodPracticePage.objects.get(slug="copia"))


def test_the_migration_blanks_the_contact_copied_into_earlier_translations(world):
    """Translations made before the fix keep the contact in the page and its revisions until 0004 runs."""
    import importlib

    from django.apps import apps

    draft = propose()
    copy = draft.copy_for_translation(english(), copy_parents=True)
    copy.save_revision()
    GoodPracticePage.objects.filter(pk=copy.pk).update(
        proposer_name=CONTACT[0], proposer_email=CONTACT[1], proposer_organisation=CONTACT[2]
    )
    revision = copy.latest_revision
    revision.content.update(proposer_name=CONTACT[0], proposer_email=CONTACT[1], proposer_organisation=CONTACT[2])
    revision.save()
    migration = importlib.import_module("practices.migrations.0004_proposer_only_on_the_proposal")
    migration.blank_copies(apps, None)
    assert_no_contact(GoodPracticePage.objects.get(pk=copy.pk))
    draft.refresh_from_db()
    assert (draft.proposer_name, draft.proposer_email, draft.proposer_organisation) == CONTACT


# The proposal limit in process ----------------------------------------------------------------------------


def test_ten_proposals_from_one_address_give_five(site_tree):
    visitor = Client(REMOTE_ADDR="203.0.113.5")
    codes = [visitor.post(URL, proposal(title=f"Pratica {n}")).status_code for n in range(10)]
    assert codes == [302] * 5 + [429] * 5
    assert GoodPracticePage.objects.filter(proposed_at__isnull=False).count() == 5


def test_a_forged_x_forwarded_for_does_not_reset_the_limit_without_a_trusted_proxy(site_tree):
    """TRUSTED_PROXY_COUNT=0 (the default): the header is the visitor's own writing and is ignored."""
    visitor = Client(REMOTE_ADDR="127.0.0.1")  # even from the loopback, which the old code trusted
    codes = [
        visitor.post(URL, proposal(title=f"Pratica {n}"), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(10)
    ]
    assert codes.count(302) == 5


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_saw_counts(site_tree):
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    # The visitor 203.0.113.9 writes a different address each time; the proxy appends the one it saw.
    codes = [
        proxy.post(URL, proposal(title=f"Pratica {n}"), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9").status_code
        for n in range(7)
    ]
    assert codes == [302] * 5 + [429] * 2
    # Another visitor behind the same proxy has their own count.
    assert proxy.post(URL, proposal(title="Altra"), HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302


def test_a_form_with_mistakes_does_not_use_up_the_limit(site_tree):
    visitor = Client(REMOTE_ADDR="203.0.113.6")
    for _ in range(6):
        assert visitor.post(URL, proposal(title="")).status_code == 200
    codes = [visitor.post(URL, proposal(title=f"Pratica {n}")).status_code for n in range(6)]
    assert codes == [302] * 5 + [429]


def test_the_honeypot_counts_against_the_limit(site_tree):
    robot = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        assert robot.post(URL, proposal(title=f"Spam {n}", website="http://spam.example")).status_code == 302
    assert robot.post(URL, proposal(title="Vera")).status_code == 429
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def redis_url():
    return services.redis_url("the shared rate limit")


@pytest.fixture
def redis_prefix():
    """A unique key prefix in the test Redis, deleted afterwards."""
    import redis

    url = redis_url()
    prefix = f"test-proposals-{uuid.uuid4().hex[:12]}"
    yield url, prefix
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_the_count_is_atomic_in_redis_under_concurrency(redis_prefix):
    """Twenty threads ask at once for one more proposal from the same address: exactly five get through."""
    url, prefix = redis_prefix
    redis_cache = caches_from_environment(url, key_prefix=prefix)["default"]  # the production backend
    request = RequestFactory().post(URL, REMOTE_ADDR="203.0.113.8")
    barrier = threading.Barrier(20)

    def one():
        barrier.wait()
        return proposals.over_the_limit(proposals.proposals_counted(request, increment=True))

    with override_settings(CACHES={"default": redis_cache}):
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            refused = list(pool.map(lambda _: one(), range(20)))
    assert refused.count(False) == 5


# Caching ----------------------------------------------------------------------------------------------------


def test_the_form_and_the_thanks_page_are_private(client, site_tree):
    response = client.get(URL)
    assert "csrftoken" in response.cookies
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    response = client.post(URL, proposal(), follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


# gunicorn, three workers, production settings ---------------------------------------------------------------

SETUP = """
from editorial.roles import ensure_editorial_roles
from bootstrap.reference_data import load_reference_data
from home.site_tree import ensure_site_tree
load_reference_data()
ensure_site_tree()
ensure_editorial_roles()
"""

STATE = """
import json
from wagtail.models import Collection
from practices.models import GoodPracticePage
print(json.dumps({
    "drafts": GoodPracticePage.objects.filter(proposed_at__isnull=False, live=False).count(),
    "slugs": len(set(GoodPracticePage.objects.filter(proposed_at__isnull=False).values_list("slug", flat=True))),
    "collections": Collection.objects.filter(name="Segnalazioni").count(),
}))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """A production-like installation in a temporary directory, served by gunicorn as site/ documents."""

    def __init__(self, tmp_path, database_url, redis, prefix):
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"ELASTICSEARCH_URL", "CACHE_URL", "PYTHON"} and not key.startswith(("PYTEST", "DJANGO"))
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=secrets.token_urlsafe(40),
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=database_url,
            REDIS_URL=redis,
            CACHE_KEY_PREFIX=prefix,
            MEDIA_ROOT=str(tmp_path / "media"),
            STATIC_ROOT=str(tmp_path / "static"),
            WEB_CONCURRENCY="3",
            LOG_LEVEL="WARNING",
        )
        self.tmp_path = tmp_path
        self.process = None

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def install(self):
        self.manage("migrate", "--no-input", "-v0")
        self.manage("shell", "-c", SETUP)
        self.manage("collectstatic", "--no-input", "-v0")

    def state(self):
        return json.loads(self.manage("shell", "-c", STATE).strip().splitlines()[-1])

    def start(self, trusted_proxies):
        self.port = free_port()
        env = {**self.env, "BIND": f"127.0.0.1:{self.port}", "TRUSTED_PROXY_COUNT": str(trusted_proxies)}
        self.log = open(self.tmp_path / f"gunicorn-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "site/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.tmp_path / f"gunicorn-{self.port}.log").read_text()[-3000:]
            try:
                if requests.get(self.url(URL), headers={"X-Forwarded-Proto": "https"}, timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a worker still importing the site
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer within 30 s")
        return self.workers()

    def workers(self):
        """The master's worker processes (their parent is the master)."""
        children = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    children += 1
            except (OSError, IndexError, ValueError):
                continue
        return children

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.log.close()
        self.process = None

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def post(self, title, forwarded_for=None):
        """A proposal as a browser sends it: CSRF cookie and token, HTTPS as the proxy reports it."""
        token = secrets.token_hex(16)  # 32 characters: Django accepts an unmasked secret equal to the cookie
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": f"https://127.0.0.1:{self.port}",
            "Cookie": f"csrftoken={token}",
        }
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        data = {
            "title": title,
            "summary": "Un orto di quartiere curato da famiglie e scuole.",
            "description": "Nasce nel 2019.",
            "territory": "Chieri",
            "contact_name": "Maria Rossi",
            "contact_email": "maria.rossi@example.org",
            "consent": "on",
            "csrfmiddlewaretoken": token,
        }
        return requests.post(self.url(URL), data=data, headers=headers, allow_redirects=False, timeout=60).status_code

    def burst(self, posts):
        """Send (title, X-Forwarded-For) posts all at once, from as many threads."""
        barrier = threading.Barrier(len(posts))

        def one(post):
            barrier.wait()
            return self.post(*post)

        with concurrent.futures.ThreadPoolExecutor(len(posts)) as pool:
            return list(pool.map(one, posts))


def accepted(codes):
    assert set(codes) <= {302, 429}, codes
    return codes.count(302)


@pytest.fixture
def postgres_database():
    """A throwaway PostgreSQL database on the server of DATABASE_URL, dropped afterwards."""
    import psycopg

    server = settings.DATABASES["default"]
    name = f"libreria_proposals_{uuid.uuid4().hex[:10]}"
    params = {
        "host": server["HOST"] or "127.0.0.1",
        "port": server["PORT"] or 5432,
        "user": server["USER"],
        "password": server["PASSWORD"],
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    credentials = f"{params['user']}:{params['password']}@" if params["password"] else f"{params['user']}@"
    yield f"postgres://{credentials}{params['host']}:{params['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def check_concurrency(site):
    """Twelve visitors at once, with the same title, on a fresh site: twelve drafts with twelve slugs, in one
    collection. Then twelve posts at once from one visitor: five."""
    codes = site.burst([("Orto simultaneo", f"203.0.113.{100 + n}") for n in range(12)])
    assert codes == [302] * 12
    state = site.state()
    assert state == {"drafts": 12, "slugs": 12, "collections": 1}, state
    assert accepted(site.burst([(f"Raffica {n}", "203.0.113.30") for n in range(12)])) == 5


def test_gunicorn_three_workers_on_sqlite_hold_the_limit_and_save_every_proposal(tmp_path, redis_prefix):
    redis, prefix = redis_prefix
    site = Site(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", redis, prefix)
    site.install()
    try:
        # As behind site/nginx.conf.example: one proxy, which appends the address it saw.
        assert site.start(trusted_proxies=1) == 3
        check_concurrency(site)
        assert accepted([site.post(f"Pratica {n}", "203.0.113.10") for n in range(10)]) == 5
        # A visitor writing their own X-Forwarded-For: the proxy appends the real address after it.
        spoofed = [site.post(f"Finta {n}", f"198.51.100.{n}, 203.0.113.20") for n in range(10)]
        assert accepted(spoofed) == 5
        site.stop()
        # No proxy trusted: a peer's X-Forwarded-For is ignored whatever it says.
        assert site.start(trusted_proxies=0) == 3
        assert accepted([site.post(f"Diretta {n}", f"198.51.100.{n}") for n in range(10)]) == 5
        assert site.state()["drafts"] == 12 + 5 + 5 + 5 + 5
    finally:
        site.stop()


@pytest.mark.postgres
def test_gunicorn_three_workers_on_postgresql_save_every_proposal_once(tmp_path, redis_prefix, postgres_database):
    redis, prefix = redis_prefix
    site = Site(tmp_path, postgres_database, redis, prefix)
    site.install()
    try:
        assert site.start(trusted_proxies=1) == 3
        check_concurrency(site)
        assert site.state()["drafts"] == 12 + 5
    finally:
        site.stop()
