"""`manage.py update_index` on Elasticsearch, against a fake cluster (tests/fake_elasticsearch.py): modelsearch's
atomic rebuild writes a new index in batches and moves the alias the site searches only when the new index is
complete, so a rebuild never leaves the site without an index, even when it fails halfway."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from modelsearch.backends import get_search_backend

from config.settings.base import search_backends
from tests.factories import GoodPracticeFactory
from tests.fake_elasticsearch import FakeCluster

pytestmark = pytest.mark.django_db

ENGINE = settings.DATABASES["default"]["ENGINE"]
PAGES = "libreria_wagtailcore_page"  # the alias of the pages' index (INDEX_PREFIX + root model)


@pytest.fixture
def cluster():
    fake = FakeCluster()
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends(ENGINE, fake.url, timeout=5)):
        backend = get_search_backend()
        backend.breaker.reset()
        backend.pending.take()
        yield fake
        backend.breaker.reset()
        backend.pending.take()
    fake.close()


@pytest.fixture
def practices(site_tree):
    return [
        GoodPracticeFactory(parent=site_tree.library, title=f"Pratica {number}", slug=f"pratica-{number}")
        for number in range(5)
    ]


def rebuild(chunk_size=1000):
    call_command("update_index", backend_name="default", chunk_size=chunk_size, stdout=io.StringIO())


def titles(cluster, name=PAGES):
    return sorted(doc.get("title") for doc in cluster.documents(name).values() if doc.get("title"))


def test_update_index_fills_a_new_index_in_batches_then_points_the_alias_at_it(cluster, practices):
    rebuild(chunk_size=2)

    (index,) = cluster.resolve(PAGES)
    assert index.startswith(f"{PAGES}_") and index in cluster.indices
    assert PAGES in cluster.aliases, "the site searches an alias, not the index itself"
    assert {f"Pratica {number}" for number in range(5)} <= set(titles(cluster))
    page_bulks = [body for method, path, body in cluster.requests if path == f"/{index}/_bulk"]
    assert len(page_bulks) >= 3, "five practices and their tree in batches of two: several bulk requests"
    assert all(body.count(b'"index"') <= 2 for body in page_bulks)
    mapping = cluster.indices[index]["mappings"]
    assert "title" in mapping["properties"] and "_all_text_en" in mapping["properties"]
    assert "analysis" in cluster.indices[index]["settings"]


def test_a_second_rebuild_moves_the_alias_before_deleting_the_old_index(cluster, practices):
    rebuild()
    (old,) = cluster.resolve(PAGES)
    cluster.requests.clear()

    rebuild()

    (new,) = cluster.resolve(PAGES)
    assert new != old and old not in cluster.indices
    calls = [(method, path) for method, path, _body in cluster.requests]
    moved = calls.index(("PUT", f"/{new}/_alias/{PAGES}"))
    deleted = calls.index(("DELETE", f"/{old}"))
    assert moved < deleted, "the alias reaches the new index before the old one goes: no moment without an index"
    assert {f"Pratica {number}" for number in range(5)} <= set(titles(cluster))


def test_a_rebuild_that_fails_halfway_leaves_the_site_on_the_complete_old_index(cluster, practices, site_tree):
    rebuild()
    (old,) = cluster.resolve(PAGES)
    before = titles(cluster)
    GoodPracticeFactory(parent=site_tree.library, title="Pratica nuova", slug="pratica-nuova")
    cluster.fail_bulk_after = cluster.bulks + 1  # the cluster gives out after the next bulk request

    with pytest.raises(Exception):  # noqa: B017 (the bulk helper's or the client's error: either stops the rebuild)
        rebuild(chunk_size=2)

    assert cluster.resolve(PAGES) == [old], "the alias still points at the previous, complete index"
    assert titles(cluster) == before
    cluster.fail_bulk_after = None
    rebuild()
    assert "Pratica nuova" in titles(cluster)
