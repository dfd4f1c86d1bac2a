"""A hung Elasticsearch (accepts connections, never answers) must not hold searches or saves: after one failure
the circuit breaker of search/backends.py sends searches to the database and keeps index updates for later,
index updates go to the cluster only after the save's transaction commits, and the breaker closes again
after the cooldown. The hung cluster is a socket server that counts the connections it accepts: a search or
save "does not contact the cluster" when that count does not move."""

import logging
import socket
import threading
import time
import uuid

import pytest
import urllib3
from django.conf import settings
from django.test import override_settings
from elasticsearch import ConnectionError as ElasticsearchConnectionError
from modelsearch.backends import get_search_backend
from modelsearch.backends.elasticsearch9 import Elasticsearch9SearchBackend

from config.settings.base import search_backends
from config.settings.services import caches_from_environment
from practices.models import GoodPracticePage, LibraryEntry
from search import backends as search_backends_module
from search.backends import CircuitBreaker, PendingUpdates
from tests import services
from tests.factories import GoodPracticeFactory
from tests.test_proposals import URL as PROPOSAL_URL
from tests.test_proposals import proposal

pytestmark = pytest.mark.django_db

ENGINE = settings.DATABASES["default"]["ENGINE"]
TIMEOUT = 1  # seconds a request waits for the hung cluster: short, to keep the suite fast
COOLDOWN = 30
logger = logging.getLogger(__name__)


class HungCluster:
    """Accepts every connection and never answers a byte."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.accepted = 0
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _address = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    def close(self):
        self.server.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hung_cluster():
    cluster = HungCluster()
    backends = search_backends(ENGINE, cluster.url, timeout=TIMEOUT, cooldown=COOLDOWN)
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        yield cluster
        backend = get_search_backend()
        backend.breaker.reset()
        backend.pending.take()
    cluster.close()


@pytest.fixture
def clock(monkeypatch):
    """The breaker's clock, moved by hand."""

    class Clock:
        now = time.time()

        def advance(self, seconds):
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(search_backends_module, "now", lambda: clock.now)
    return clock


@pytest.fixture
def cooperatives(site_tree):
    page = GoodPracticeFactory(parent=site_tree.library, title="Le cooperative di comunità della montagna")
    page.save_revision().publish()
    return page


def timed_search(client, query="cooperative"):
    start = time.monotonic()
    response = client.get("/it/search/", {"q": query})
    elapsed = time.monotonic() - start
    assert response.status_code == 200
    return response.content.decode(), elapsed


def test_after_a_failure_searches_answer_from_the_database_without_asking_the_cluster(
    client, cooperatives, hung_cluster
):
    html, first = timed_search(client)
    assert f'href="{cooperatives.url}"' in html  # answered by the database after the timeout
    asked = hung_cluster.accepted
    assert asked >= 1

    html, second = timed_search(client)
    assert f'href="{cooperatives.url}"' in html
    assert hung_cluster.accepted == asked, "the open breaker still asked the hung cluster"
    logger.info("hung cluster: first search %.2f s, second %.2f s", first, second)


def test_a_page_save_with_the_breaker_open_does_not_contact_the_cluster(
    client, site_tree, hung_cluster, django_capture_on_commit_callbacks
):
    timed_search(client)  # the failure that opens the breaker
    asked = hung_cluster.accepted

    with django_capture_on_commit_callbacks(execute=True):
        page = GoodPracticeFactory(parent=site_tree.library, title="Banco alimentare di quartiere")
        page.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(PROPOSAL_URL, proposal(), REMOTE_ADDR="198.51.100.23").status_code == 302

    assert hung_cluster.accepted == asked
    proposed = GoodPracticePage.objects.get(proposed_at__isnull=False)
    # Kept for when the cluster answers again; the database backend has them already.
    missed = get_search_backend().pending.take()
    assert missed == {
        f"practices.goodpracticepage:{page.pk}": "add",
        f"practices.goodpracticepage:{proposed.pk}": "add",
    }
    assert [e.title for e in LibraryEntry.objects.live().search("alimentare", backend="database")] == [page.title]


def test_index_updates_reach_the_cluster_only_after_the_commit_and_once_per_save(
    site_tree, hung_cluster, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = GoodPracticeFactory(parent=site_tree.library, title="Banco alimentare di quartiere")
        page.save_revision().publish()  # the page is written three times
    assert hung_cluster.accepted == 0, "the save waited on the cluster inside its transaction"

    start = time.monotonic()
    for callback in callbacks:
        callback()
    logger.info("index update after the commit with a hung cluster: %.2f s", time.monotonic() - start)
    assert hung_cluster.accepted == 1  # one request for the whole save, then the breaker is open
    assert get_search_backend().breaker.is_open()
    assert get_search_backend().pending.take() == {f"practices.goodpracticepage:{page.pk}": "add"}


def test_a_rolled_back_save_sends_nothing(site_tree, hung_cluster, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            GoodPracticeFactory(parent=site_tree.library, title="Mai salvata")
            raise RuntimeError
    assert hung_cluster.accepted == 0
    assert not get_search_backend().breaker.is_open()


def test_the_breaker_closes_after_the_cooldown(client, cooperatives, hung_cluster, clock):
    timed_search(client)
    asked = hung_cluster.accepted

    clock.advance(COOLDOWN - 1)
    timed_search(client)
    assert hung_cluster.accepted == asked

    clock.advance(2)
    timed_search(client)
    assert hung_cluster.accepted > asked, "after the cooldown the cluster is asked again"
    # It failed again: open for another cooldown.
    asked = hung_cluster.accepted
    clock.advance(COOLDOWN - 1)
    timed_search(client)
    assert hung_cluster.accepted == asked


def test_missed_updates_are_sent_with_the_first_update_after_the_cooldown(
    client, site_tree, hung_cluster, clock, monkeypatch, django_capture_on_commit_callbacks
):
    timed_search(client)
    with django_capture_on_commit_callbacks(execute=True):
        missed = GoodPracticeFactory(parent=site_tree.library, title="Salvata a cluster fermo")

    # The cluster is back (here: a stand-in that records what it is sent).
    sent = []
    monkeypatch.setattr(Elasticsearch9SearchBackend, "add_bulk", lambda self, model, objs: sent.extend(objs))
    clock.advance(COOLDOWN + 1)
    with django_capture_on_commit_callbacks(execute=True):
        later = GoodPracticeFactory(parent=site_tree.library, title="Salvata a cluster ripartito")

    assert sorted(page.pk for page in sent) == sorted([missed.pk, later.pk])
    assert all(isinstance(page, GoodPracticePage) for page in sent)  # the specific pages, as modelsearch indexes
    assert get_search_backend().pending.take() == {}


def test_opening_a_connection_has_its_own_shorter_timeout(monkeypatch):
    backends = search_backends(ENGINE, "http://es.example:9200", timeout=5, connect_timeout=0.5)
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        backend = get_search_backend()
    [node] = backend.es.transport.node_pool.all()
    seen = []

    def urlopen(method, target, **kwargs):
        seen.append(kwargs["timeout"])
        raise urllib3.exceptions.NewConnectionError(None, "refused")

    monkeypatch.setattr(node.pool, "urlopen", urlopen)
    with pytest.raises(ElasticsearchConnectionError):
        backend.es.info()
    timeout = seen[0]
    assert isinstance(timeout, urllib3.Timeout)
    assert (timeout.connect_timeout, timeout.read_timeout) == (0.5, 5)


def test_the_breaker_holds_in_the_process_when_the_cache_fails(monkeypatch, clock):
    class BrokenCache:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr(search_backends_module, "cache", BrokenCache())
    breaker = CircuitBreaker(f"test-{uuid.uuid4().hex}", COOLDOWN)
    breaker.trip()
    assert breaker.is_open()
    pending = PendingUpdates(breaker.key)
    pending.add({"practices.goodpracticepage:1": "add"})
    assert pending.take() == {"practices.goodpracticepage:1": "add"}
    clock.advance(COOLDOWN + 1)
    assert not breaker.is_open()


def redis_url():
    return services.redis_url("the shared breaker")


def test_the_breaker_is_shared_by_workers_through_the_cache(clock):
    prefix = f"test-breaker-{uuid.uuid4().hex[:12]}"
    redis_cache = caches_from_environment(redis_url(), key_prefix=prefix)  # the production backend
    with override_settings(CACHES=redis_cache):
        breaker = CircuitBreaker("shared", COOLDOWN)
        try:
            breaker.trip()
            CircuitBreaker._local.clear()  # another worker: nothing of this process's memory
            assert CircuitBreaker("shared", COOLDOWN).is_open()
            clock.advance(COOLDOWN + 1)
            assert not CircuitBreaker("shared", COOLDOWN).is_open()
        finally:
            breaker.reset()


def test_updates_the_cluster_refuses_are_logged_not_kept_nor_breaking(site_tree, hung_cluster, monkeypatch, caplog):
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
    from elasticsearch import BadRequestError

    def refuse(self, model, objs):
        meta = ApiResponseMeta(400, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "es.example", 9200))
        raise BadRequestError("mapper_parsing_exception", meta, {})

    monkeypatch.setattr(Elasticsearch9SearchBackend, "add_bulk", refuse)
    page = GoodPracticeFactory(parent=site_tree.library, title="Documento rifiutato")
    backend = get_search_backend()
    backend.send_updates({f"practices.goodpracticepage:{page.pk}": "add"})
    assert not backend.breaker.is_open()  # the cluster answers: searches keep asking it
    assert backend.pending.take() == {}
    assert any(r.levelno == logging.ERROR and "refused" in r.getMessage() for r in caplog.records)
