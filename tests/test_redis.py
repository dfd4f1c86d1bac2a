"""Redis for real (issue 13, part 1): the cache, sessions and rate limits shared through the local Redis, and a
site that keeps answering, with a warning in its log, when Redis does not (config/cache.py).

Against the Redis of REDIS_URL (or 127.0.0.1:6379): without it these tests skip, except with CI=true, where they
fail. Stopping the shared Redis is not possible here: "Redis gone" is a cache pointed at a closed port.
"""

import logging
import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_PREFIX
from django.core.cache import cache
from django.test import Client, override_settings

from config.cache import FailOpenRedisCache, redacted
from config.settings.services import caches_from_environment
from search.query import KNOWLEDGE_CACHE_KEY, knowledge_changed, knowledge_version
from tests import services
from tests.test_proposals import proposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cached_sessions_with_redis(request):
    """The settings choose cached_db only when REDIS_URL is set at start-up; these tests set the cache later."""
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        yield


def closed_port():
    """A port on the loopback where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_cache():
    """The settings' cache pointed at the test Redis under a key prefix of its own, deleted afterwards."""
    import redis

    url = services.redis_url("the shared cache")
    prefix = f"test-redis-{uuid.uuid4().hex[:12]}"
    with override_settings(CACHES=caches_from_environment(url, key_prefix=prefix)):
        yield url, prefix
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def redis_gone():
    """The settings' cache pointed at a port where no Redis listens."""
    url = f"redis://:hunter2@127.0.0.1:{closed_port()}/2"
    with override_settings(CACHES=caches_from_environment(url, key_prefix="gone")):
        yield url


def another_process(url, prefix):
    """A second cache client, with its own connection pool, as another worker or machine has."""
    return FailOpenRedisCache(url, {"KEY_PREFIX": prefix, "OPTIONS": {}})


def test_the_cache_is_shared_by_every_process_through_redis(redis_cache):
    url, prefix = redis_cache
    cache.set("palette", ["#e5243b"], 60)
    assert another_process(url, prefix).get("palette") == ["#e5243b"]
    # django-ratelimit's counting: an atomic add, then increments seen by everyone.
    assert cache.add("count", 1, 60) is True
    assert another_process(url, prefix).incr("count") == 2
    assert cache.incr("count") == 3


def test_a_publish_in_one_process_moves_the_search_knowledge_of_all(redis_cache):
    url, prefix = redis_cache
    other = another_process(url, prefix)
    assert other.get(KNOWLEDGE_CACHE_KEY) is None
    knowledge_changed()  # what a publish does (practices/signals.py)
    assert other.get(KNOWLEDGE_CACHE_KEY) == knowledge_version() == 1
    other.incr(KNOWLEDGE_CACHE_KEY)  # a publish on another machine
    assert knowledge_version() == 2


def test_sessions_are_cached_in_redis_and_kept_in_the_database(redis_cache, admin_user):
    """An editor's session is read from Redis; with Redis emptied (a restart) it is read back from the
    database: nobody is logged out."""
    import redis

    url, prefix = redis_cache
    editor = Client()
    editor.force_login(admin_user)
    key = editor.cookies[settings.SESSION_COOKIE_NAME].value
    assert cache.get(SESSION_PREFIX + key) is not None
    assert editor.get("/admin/").status_code == 200
    client = redis.Redis.from_url(url)
    for stored in client.scan_iter(f"{prefix}*"):
        client.delete(stored)
    assert editor.get("/admin/").status_code == 200
    assert cache.get(SESSION_PREFIX + key) is not None  # read from the database, cached again


# Redis gone ----------------------------------------------------------------------------------------------------


def test_without_redis_the_site_answers_and_the_log_says_why_once(redis_gone, site_tree, caplog):
    visitor = Client()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        assert visitor.get("/it/").status_code == 200
        assert visitor.get("/it/biblioteca/").status_code == 200
        assert visitor.get("/it/search/", {"q": "orti"}).status_code == 200
        assert visitor.get("/it/search/suggest/", {"q": "chieri"}).status_code == 200
    # The first cache call (in the fixtures already) warns; the many calls of four pages after it do not.
    warnings = [r for r in caplog.get_records("setup") + caplog.records if r.name == "config.cache"]
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    message = warnings[0].getMessage()
    assert "does not answer" in message and "Connection refused" in message
    assert "hunter2" not in message and ":***@" in message


def test_without_redis_a_proposal_is_accepted_and_an_editor_stays_logged_in(redis_gone, site_tree, admin_user):
    response = Client(REMOTE_ADDR="203.0.113.50").post("/it/segnala/", proposal())
    assert response.status_code == 302
    editor = Client()
    editor.force_login(admin_user)
    assert editor.get("/admin/").status_code == 200
    assert editor.get("/admin/pages/").status_code == 200


def test_without_redis_every_cache_call_is_a_miss_or_a_no_op(redis_gone):
    assert cache.set("key", "value") is None
    assert cache.get("key", "default") == "default"
    assert cache.get_many(["key"]) == {}
    assert not cache.add("key", 1)
    assert cache.incr("key") is None
    assert not cache.delete("key")
    knowledge_changed()  # a publish while Redis is away: no error
    assert knowledge_version() == 0


def test_the_password_is_never_logged():
    assert redacted("redis://:s3cret@redis.internal:6380/1") == "redis://:***@redis.internal:6380/1"
    assert redacted("redis://user:s3cret@redis.internal/1") == "redis://user:***@redis.internal/1"
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_production_reads_redis_from_the_environment():
    configured = caches_from_environment("redis://127.0.0.1:6379/3", key_prefix="site", socket_timeout=0.25)
    assert configured["default"]["BACKEND"] == "config.cache.FailOpenRedisCache"
    assert configured["default"]["OPTIONS"] == {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25}
    assert caches_from_environment("")["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize(("redis", "engine"), [("redis://127.0.0.1:6379/3", "cached_db"), ("", "db")])
def test_sessions_are_cached_only_with_a_shared_cache(redis, engine):
    code = "from django.conf import settings; print(settings.SESSION_ENGINE, settings.CACHES['default']['BACKEND'])"
    env = {key: value for key, value in os.environ.items() if key not in {"CACHE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org")
    if redis:
        env["REDIS_URL"] = redis
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    session_engine, backend = result.stdout.split()
    assert session_engine == f"django.contrib.sessions.backends.{engine}"
    assert backend.endswith("FailOpenRedisCache" if redis else "LocMemCache")
