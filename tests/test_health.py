"""Health, metrics and logs (issue 13, part 5): /healthz, /readyz (config/health.py), /metrics (config/metrics.py)
and JSON logs carrying the request id that the response sends back (config/settings/services.py)."""

import io
import json
import logging
import logging.config
import re
import time

import pytest
from django.conf import settings
from django.test import Client, override_settings

from config import health
from config.settings.services import caches_from_environment, logging_config, object_storage_from_environment
from tests.s3 import S3Server, free_port
from tests.test_redis import closed_port


def ready(client=None):
    response = (client or Client()).get("/readyz")
    return response.status_code, json.loads(response.content)


# /healthz ------------------------------------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database_or_checking_the_host(django_assert_num_queries):
    # No django_db mark: any query would fail the test. A load balancer asks by address, over plain HTTP.
    with override_settings(ALLOWED_HOSTS=["libreria.example.org"], SECURE_SSL_REDIRECT=True):
        response = Client().get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


# /readyz -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_every_service_with_its_latency():
    status, body = ready()
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage", "search"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["latency_ms"], float) and check["latency_ms"] >= 0
    assert body["checks"]["database"]["backend"] in ("sqlite", "postgresql")
    assert body["checks"]["storage"]["backend"] == "local"
    assert body["checks"]["search"]["backend"] == "database"


@pytest.mark.django_db(transaction=True)
def test_readyz_is_unavailable_while_redis_does_not_answer_and_names_it():
    with override_settings(CACHES=caches_from_environment(f"redis://127.0.0.1:{closed_port()}/2")):
        status, body = ready()
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False and body["checks"]["cache"]["error"] == "ConnectionError"
    assert all(body["checks"][name]["ok"] for name in ("database", "storage", "search"))
    assert "127.0.0.1" not in json.dumps(body)  # no address in a public answer


@pytest.mark.django_db(transaction=True)
def test_a_check_that_hangs_is_reported_as_a_timeout_and_the_answer_still_comes(monkeypatch):
    release = []

    def hangs():
        while not release:
            time.sleep(0.05)

    monkeypatch.setitem(health.CHECKS, "search", hangs)
    with override_settings(READYZ_TIMEOUT=0.2):
        status, body = ready()
    release.append(True)
    assert status == 503
    assert body["checks"]["search"]["ok"] is False and body["checks"]["search"]["error"] == "timeout"
    assert body["checks"]["database"]["ok"] is True


@pytest.fixture
def own_s3_server(tmp_path):
    """An S3 server of this test alone, which it may stop."""
    server = S3Server(free_port(), tmp_path / "moto.log").start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_readyz_follows_the_object_storage_down_and_back_up_without_a_restart(own_s3_server):
    server = own_s3_server
    private, public = server.new_buckets()
    configured, connection = object_storage_from_environment(server.environment(private, public))
    with override_settings(STORAGES={**settings.STORAGES, **configured}, READYZ_TIMEOUT=5.0, **connection):
        status, body = ready()
        assert status == 200 and body["checks"]["storage"]["backend"] == "s3", body
        server.stop()
        status, body = ready()
        assert status == 503 and body["checks"]["storage"]["ok"] is False
        assert body["checks"]["database"]["ok"] is True
        server.start()  # an empty server: the buckets are gone, which readiness must see as well
        status, body = ready()
        assert status == 503 and body["checks"]["storage"]["error"] == "ClientError"
        server.create_buckets(private, public)
        status, body = ready()
        assert status == 200, body


# /metrics ------------------------------------------------------------------------------------------------------


def queue_depth():
    return {"default": 3, "email": 0}


@pytest.mark.django_db
@override_settings(METRICS_TASK_QUEUE_DEPTH="tests.test_health.queue_depth")
def test_metrics_give_latency_by_view_queries_per_request_and_the_task_queues(site_tree):
    visitor = Client()
    assert visitor.get("/it/").status_code == 200
    assert visitor.get("/it/search/", {"q": "orti"}).status_code == 200
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    counts = [line for line in text.splitlines() if "_count{" in line]
    assert re.search(
        r'django_http_requests_latency_seconds_by_view_method_count\{method="GET",view="search"\} [1-9]', text
    ), counts
    assert re.search(r'libreria_db_queries_per_request_count\{view="wagtail_serve"\} [1-9]', text), counts
    assert re.search(r'libreria_db_queries_per_request_sum\{view="search"\} [1-9]', text), counts
    assert 'libreria_task_queue_depth{queue="default"} 3.0' in text
    assert 'libreria_task_queue_depth{queue="email"} 0.0' in text


@pytest.mark.django_db
def test_metrics_count_hits_and_misses_of_the_redis_cache():
    from tests import services

    url = services.redis_url("the cache metrics")
    with override_settings(CACHES=caches_from_environment(url, key_prefix="test-metrics")):
        from django.core.cache import cache

        cache.get("absent")
        cache.set("present", 1, 10)
        cache.get("present")
        text = Client().get("/metrics").content.decode()
        cache.delete("present")
    assert re.search(r'django_cache_get_hits_total\{backend="redis"\} [1-9]', text)
    assert re.search(r'django_cache_get_misses_total\{backend="redis"\} [1-9]', text)


@pytest.mark.django_db
def test_metrics_are_not_public():
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 404
    # Behind the proxy: the visitor's address is the one the proxy saw, not the proxy's.
    with override_settings(TRUSTED_PROXY_COUNT=1):
        proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert proxied.get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="10.0.4.7").get("/metrics").status_code == 200


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="s3cr3t-token")
def test_with_a_token_metrics_need_it_from_anywhere():
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404
    wrong = Client(REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.get("/metrics").status_code == 404
    right = Client(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cr3t-token")
    assert right.get("/metrics").status_code == 200


# Request ids and JSON logs -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_keeps_a_valid_one_from_the_proxy(site_tree):
    response = Client().get("/it/")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    from_nginx = "5f0c2b8a9d6e4f1a8b7c6d5e4f3a2b1c"  # nginx's $request_id: 32 hex digits
    assert Client().get("/it/", HTTP_X_REQUEST_ID=from_nginx)["X-Request-ID"] == from_nginx
    forged = Client().get("/it/", HTTP_X_REQUEST_ID='x" injected=1')["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


@pytest.fixture
def json_logs():
    """The production logging configuration, writing into a buffer; the test settings' back afterwards."""
    stream = io.StringIO()
    config = logging_config("INFO", "json")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_production_logs_are_json_lines_with_the_request_id(json_logs, site_tree):
    response = Client().get("/it/pagina-che-non-esiste/")
    assert response.status_code == 404
    records = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    (not_found,) = [record for record in records if record["logger"] == "django.request"]
    assert not_found["level"] == "WARNING"
    assert not_found["message"].startswith("Not Found: /it/pagina-che-non-esiste/")
    assert not_found["request_id"] == response["X-Request-ID"]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", not_found["time"])


def test_gunicorns_access_log_is_a_json_line_with_the_request_id():
    from config.logging import GunicornAccessJsonFormatter

    atoms = {"h": "10.0.0.2", "m": "GET", "U": "/it/", "q": "", "s": "200", "B": 5120, "M": 12, "f": "-"}
    atoms |= {"a": "curl/8", "{x-request-id}o": "5f0c2b8a9d6e4f1a8b7c6d5e4f3a2b1c"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s %(s)s", (atoms,), None)
    line = json.loads(GunicornAccessJsonFormatter("%(name)s %(message)s").format(record))
    assert line["message"] == "GET /it/ 200"
    assert line["request_id"] == "5f0c2b8a9d6e4f1a8b7c6d5e4f3a2b1c"
    assert (line["status"], line["bytes"], line["duration_ms"], line["method"]) == (200, 5120, 12, "GET")
    assert "referer" not in line and "query" not in line
