"""Two web processes on different ports, sharing PostgreSQL, Redis and an S3 server, as two machines behind a
proxy do (issue 13, "done when"): the same images, documents, sessions, rate limits and cached answers from
either; /readyz turns unhealthy within seconds when PostgreSQL, Redis or the storage stops, and healthy again
when it returns, without restarting anything; the site keeps answering while Redis is away.

gunicorn with the production settings, as site/ documents. PostgreSQL and Redis are reached through TCP
forwarders (tests/tcp_proxy.py) that the test stops and starts: the shared servers themselves are never
touched. Needs PostgreSQL (the postgres marker), Redis and moto; in CI none of them may be missing.
"""

import io
import json
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from PIL import Image

from tests import services
from tests.s3 import S3Server, free_port
from tests.tcp_proxy import TcpProxy
from tests.test_private_files import pdf_bytes

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from django.contrib.auth import get_user_model
from editorial.roles import ensure_editorial_roles
from bootstrap.reference_data import load_reference_data
from home.site_tree import ensure_site_tree
from tests.factories import GoodPracticeFactory
load_reference_data()
tree = ensure_site_tree()
ensure_editorial_roles()
GoodPracticeFactory(parent=tree.library, title="Orti condivisi di quartiere", slug="orti-condivisi")
get_user_model().objects.create_superuser("redazione", "redazione@example.org", "una-password-lunga-2024")
"""

# A change made behind the cache's back (no signal): only a fresh computation would see it.
RENAME_QUIETLY = """
from practices.models import GoodPracticePage
GoodPracticePage.objects.filter(slug="orti-condivisi").update(title="Giardini condivisi di quartiere")
"""

DOCUMENT_URL = """
from wagtail.documents.models import Document
print(Document.objects.get().url)
"""

# An editor publishes: the knowledge version moves in Redis and every process drops its cached answers.
PUBLISH = """
from practices.models import GoodPracticePage
page = GoodPracticePage.objects.get(slug="orti-condivisi")
page.title = "Giardini condivisi di quartiere"
page.save_revision().publish()
"""


@pytest.fixture
def postgres_server():
    """(host, port, user, password) of the PostgreSQL of DATABASE_URL, with a throwaway database, dropped after."""
    import psycopg

    server = settings.DATABASES["default"]
    params = {
        "host": server["HOST"] or "127.0.0.1",
        "port": int(server["PORT"] or 5432),
        "user": server["USER"],
        "password": server["PASSWORD"],
    }
    name = f"libreria_two_web_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield name, params
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Visitor:
    """A browser for one site address: cookies kept by hand (the production cookies are Secure, and the
    test speaks plain HTTP with X-Forwarded-Proto: https, as nginx does), CSRF as the forms send it."""

    def __init__(self, address="203.0.113.77"):
        self.cookies = {}
        self.address = address

    def headers(self, port):
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def request(self, method, port, path, **kwargs):
        if method == "POST":
            # 32 characters: Django accepts an unmasked secret equal to the cookie's.
            token = self.cookies.setdefault("csrftoken", secrets.token_hex(16))
        headers = {**self.headers(port), **kwargs.pop("headers", {})}
        if method == "POST":
            headers["Origin"] = f"https://127.0.0.1:{port}"
            kwargs.setdefault("data", {})["csrfmiddlewaretoken"] = token
        response = requests.request(
            method, f"http://127.0.0.1:{port}{path}", headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, port, path, **kwargs):
        return self.request("GET", port, path, **kwargs)

    def post(self, port, path, **kwargs):
        return self.request("POST", port, path, **kwargs)


class Web:
    """One gunicorn, production settings, its own port and log."""

    def __init__(self, env, tmp_path):
        self.env, self.tmp_path, self.port, self.process = env, tmp_path, free_port(), None

    def start(self):
        self.log = self.tmp_path / f"gunicorn-{self.port}.log"
        handle = open(self.log, "w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "site/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env={**self.env, "BIND": f"127.0.0.1:{self.port}"},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=5).raise_for_status()
                return self
            except requests.RequestException:
                time.sleep(0.3)
        pytest.fail(f"gunicorn on {self.port} did not answer within 60 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def ready(self):
        started = time.monotonic()
        response = requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=30)
        return response.status_code, response.json()["checks"], time.monotonic() - started


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (11, 92, 138)).save(buffer, "PNG")
    return buffer.getvalue()


def login(visitor, port):
    visitor.get(port, "/admin/login/")
    response = visitor.post(
        port, "/admin/login/", data={"username": "redazione", "password": "una-password-lunga-2024", "next": "/admin/"}
    )
    assert response.status_code == 302, response.text[:2000]
    assert "sessionid" in visitor.cookies


def propose(visitor, port, title, **files):
    data = {
        "title": title,
        "summary": "Un orto di quartiere curato da famiglie e scuole.",
        "description": "Nasce nel 2019.",
        "territory": "Chieri",
        "contact_name": "Maria Rossi",
        "contact_email": "maria.rossi@example.org",
        "consent": "on",
    }
    return visitor.post(port, "/it/segnala/", data=data, files=files or None).status_code


def suggested_titles(port):
    # Behind the proxy both processes see the site's one host name (nginx passes Host on), not their ports.
    headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    response = requests.get(f"http://127.0.0.1:{port}/it/search/suggest/", params={"q": "condivisi"}, headers=headers)
    assert response.status_code == 200
    return sorted(item["label"] for item in response.json()["suggestions"] if item["kind"] == "title")


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.postgres
def test_two_web_processes_share_everything_and_report_their_readiness(tmp_path, postgres_server):
    database, pg = postgres_server
    redis_target = urlsplit(services.redis_url("two web processes sharing one cache"))
    redis_proxy = TcpProxy(redis_target.hostname, redis_target.port or 6379).start()
    pg_proxy = TcpProxy(pg["host"], pg["port"]).start()
    s3 = S3Server(free_port(), tmp_path / "moto.log").start()
    private, public = s3.new_buckets()
    prefix = f"test-two-web-{uuid.uuid4().hex[:10]}"
    credentials = f"{pg['user']}:{pg['password']}@" if pg["password"] else f"{pg['user']}@"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ELASTICSEARCH_URL", "CACHE_URL", "REDIS_URL", "PYTHON", "MEDIA_ROOT"}
        and not key.startswith(("PYTEST", "DJANGO"))
    }
    env.update(
        s3.environment(private, public),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{credentials}127.0.0.1:{pg_proxy.port}/{database}",
        DATABASE_CONNECT_TIMEOUT="2",
        REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}{redis_target.path or '/0'}",
        CACHE_KEY_PREFIX=prefix,
        STATIC_ROOT=str(tmp_path / "static"),
        TRUSTED_PROXY_COUNT="1",
        WEB_CONCURRENCY="2",
        LOG_LEVEL="INFO",
        READYZ_TIMEOUT="3",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    webs = []
    try:
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        manage(env, "shell", "-c", SETUP)
        webs = [Web({**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{n}")}, tmp_path) for n in (1, 2)]
        a, b = (web.start().port for web in webs)

        # Sessions: logged in on A, the editor is logged in on B (cached_db, in Redis and PostgreSQL).
        editor = Visitor("198.51.100.1")
        login(editor, a)
        assert editor.get(b, "/admin/").status_code == 200
        assert Visitor().get(b, "/admin/").status_code == 302

        # An image uploaded through A's admin: B shows the same renditions, from the public bucket.
        response = editor.post(
            a,
            "/admin/images/add/",
            data={"title": "Orto", "collection": "1"},
            files={"file": ("orto.png", png(), "image/png")},
        )
        assert response.status_code == 302, response.text[:2000]
        listing = editor.get(b, "/admin/images/").text
        thumbnails = re.findall(rf'src="({re.escape(s3.endpoint)}/{public}/images/[^"]+)"', listing)
        assert thumbnails, listing[:2000]
        assert requests.get(thumbnails[0], timeout=10).content.startswith(b"\x89PNG")
        assert thumbnails[0] in editor.get(a, "/admin/images/").text

        # A proposal's document sent to A: private on the store, served by B's view to the editor only.
        pdf = pdf_bytes()
        attachment = ("relazione.pdf", pdf, "application/pdf")
        assert propose(Visitor("198.51.100.2"), a, "Con allegato", document=attachment) == 302
        keys = [key for key in s3.objects(private) if key.startswith("documents/")]
        assert len(keys) == 1
        assert requests.get(f"{s3.endpoint}/{private}/{keys[0]}", timeout=10).status_code == 403
        url = manage(env, "shell", "-c", DOCUMENT_URL).strip().splitlines()[-1]
        assert Visitor().get(a, url).status_code == 302  # restricted: to the login page
        served = editor.get(b, url)
        assert served.status_code == 200 and served.content == pdf

        # Rate limits: five proposals an hour from one address, counted together by A and B.
        visitor = Visitor("203.0.113.40")
        codes = [propose(visitor, (a, b)[n % 2], f"Pratica {n}") for n in range(8)]
        assert codes == [302] * 5 + [429] * 3

        # Cached answers: what A computed, B serves from Redis; a publish anywhere refreshes both.
        assert suggested_titles(a) == ["Orti condivisi di quartiere"]
        manage(env, "shell", "-c", RENAME_QUIETLY)
        assert suggested_titles(b) == ["Orti condivisi di quartiere"]
        manage(env, "shell", "-c", PUBLISH)
        assert suggested_titles(b) == suggested_titles(a) == ["Giardini condivisi di quartiere"]

        # Readiness, and what happens while a service is away.
        for web in webs:
            status, checks, _ = web.ready()
            assert status == 200, checks
            assert {name: check["backend"] for name, check in checks.items()} == {
                "cache": "redis",
                "database": "postgresql",
                "search": "database",
                "storage": "s3",
            }
        redis_proxy.stop()
        for web in webs:
            status, checks, seconds = web.ready()
            assert status == 503 and not checks["cache"]["ok"] and checks["database"]["ok"], checks
            assert seconds < 10
        # Without Redis the site answers: pages, search, suggestions, the editor's admin.
        for port in (a, b):
            assert Visitor().get(port, "/it/biblioteca/").status_code == 200
            assert Visitor().get(port, "/it/search/?q=orti").status_code == 200
            assert editor.get(port, "/admin/").status_code == 200
        redis_proxy.start()
        assert all(wait_for(lambda web=web: web.ready()[0] == 200) for web in webs)

        pg_proxy.stop()
        for web in webs:
            status, checks, seconds = web.ready()
            assert status == 503 and not checks["database"]["ok"] and checks["cache"]["ok"], checks
            assert seconds < 10
        pg_proxy.start()
        assert all(wait_for(lambda web=web: web.ready()[0] == 200) for web in webs)

        s3.stop()
        for web in webs:
            status, checks, seconds = web.ready()
            assert status == 503 and not checks["storage"]["ok"], checks
            assert seconds < 10
        s3.start()
        s3.create_buckets(private, public)
        assert all(wait_for(lambda web=web: web.ready()[0] == 200) for web in webs)

        # JSON logs: gunicorn's access lines carry the request id the application answered with.
        response = Visitor().get(a, "/it/")
        request_id = response.headers["X-Request-ID"]
        webs[0].stop()
        lines = [json.loads(line) for line in webs[0].log.read_text().splitlines() if line.startswith("{")]
        access = [line for line in lines if line.get("logger") == "gunicorn.access" and line.get("path") == "/it/"]
        assert any(line.get("request_id") == request_id and line.get("status") == 200 for line in access), access[-3:]
    finally:
        for web in webs:
            web.stop()
        s3.stop()
        redis_proxy.stop()
        pg_proxy.stop()
        import redis

        client = redis.Redis.from_url(services.redis_url("cleaning up"))
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
