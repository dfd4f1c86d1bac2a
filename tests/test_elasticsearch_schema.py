"""What the site sends to Elasticsearch 9, checked without a cluster: the index settings and every mapping
against the REST schema as the official client's generated classes carry it (tests/elasticsearch_schema.py,
which says what it cannot check), and the search bodies the public search page sends, caught on the wire by a
fake cluster (tests/fake_elasticsearch.py), checked the same way and compared with snapshots committed in
tests/snapshots/elasticsearch/. A change to a body fails here until the snapshot is rewritten on purpose:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_elasticsearch_schema.py
"""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from elasticsearch import Elasticsearch
from elasticsearch._sync.client.indices import IndicesClient
from modelsearch.backends import get_search_backend
from modelsearch.index import get_indexed_models

from config.settings.base import search_backends
from search.backends import Mapping
from tests import elasticsearch_schema as schema
from tests.factories import GoodPracticeFactory
from tests.fake_elasticsearch import FakeCluster

pytestmark = pytest.mark.django_db

ENGINE = settings.DATABASES["default"]["ENGINE"]
SNAPSHOTS = Path(__file__).parent / "snapshots" / "elasticsearch"


@pytest.fixture
def cluster():
    fake = FakeCluster()
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends(ENGINE, fake.url, timeout=5)):
        backend = get_search_backend()
        backend.breaker.reset()
        yield fake
        backend.breaker.reset()
    fake.close()


def elasticsearch():
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends(ENGINE, "http://127.0.0.1:9", timeout=1)):
        return get_search_backend()


# --- the checker itself --------------------------------------------------------------------------------------


def test_the_checker_finds_wrong_field_types_parameters_values_and_queries():
    assert schema.mapping_problems(
        {"title": {"type": "txt"}, "summary": {"type": "text", "analyser": "x", "store": "yes", "index_options": "all"}}
    ) == [
        "properties.title: no field type 'txt'",
        "properties.summary: Text has no parameter 'analyser'",
        "properties.summary.store: 'yes' should be a boolean",
        "properties.summary.index_options: 'all' is not one of ['docs', 'freqs', 'positions', 'offsets']",
    ]
    assert schema.query_problems(
        {"bool": {"must": [{"match": {"title": {"query": "x", "operatr": "and"}}}, {"mach": {}}]}}
    ) == [
        "query.bool.must[0].match.title: MatchQuery has no parameter 'operatr'",
        "query.bool.must[1]: no query named 'mach'",
    ]
    assert schema.query_problems({"multi_match": {"query": "x", "operator": "e"}}) == [
        "query.multi_match.operator: 'e' is not one of ['or', 'and']"
    ]
    assert schema.body_problems({"query": {}, "sorting": []}, Elasticsearch.search) == ["body: search has no 'sorting'"]


# --- index settings and mappings -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", get_indexed_models(), ids=lambda model: model._meta.label)
def test_every_mapping_fits_the_elasticsearch_9_schema(model):
    mapping = Mapping(model).get_mapping()
    assert schema.body_problems(mapping, IndicesClient.put_mapping) == []
    assert schema.mapping_problems(mapping["properties"]) == []


def test_the_index_creation_body_fits_the_schema_and_defines_what_the_mappings_use():
    body = elasticsearch().settings
    assert schema.body_problems(body, IndicesClient.create) == []
    analysis = body["settings"]["analysis"]
    defined = {kind: set(analysis.get(kind, {})) for kind in ("analyzer", "filter", "tokenizer")}
    for name, analyzer in analysis["analyzer"].items():
        assert analyzer["type"] == "custom" and analyzer["tokenizer"] in defined["tokenizer"] | {"standard"}, name
        builtin = {"lowercase", "asciifolding"}
        assert set(analyzer["filter"]) <= defined["filter"] | builtin, name
    for model in get_indexed_models():
        used = set()

        def collect(properties, used=used):
            for definition in properties.values():
                used.update(definition[key] for key in ("analyzer", "search_analyzer") if key in definition)
                collect(definition.get("properties", {}))

        collect(Mapping(model).get_mapping()["properties"])
        assert used <= defined["analyzer"], model


def test_the_pages_mapping_is_the_snapshot():
    from practices.models import LibraryEntry

    assert_snapshot("mapping-libraryentry", Mapping(LibraryEntry).get_mapping())


def test_the_index_settings_are_the_snapshot():
    assert_snapshot("index-settings", elasticsearch().settings)


# --- search bodies -------------------------------------------------------------------------------------------


def normalised(body):
    """The body with the database ids of this run (entries pre-selected by pk, locales) as placeholders."""

    def walk(value, key=None):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return "<ids>" if key in ("pk_filter", "locale_id_filter") else [walk(v) for v in value]
        if key in ("pk_filter", "locale_id_filter"):
            return "<id>"
        return value

    return walk(body)


def assert_snapshot(name, value):
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and commit it"
    assert json.loads(path.read_text()) == json.loads(text), f"{name} differs from {path}"


def sent_searches(cluster):
    return [json.loads(body) for method, path, body in cluster.requests if path.endswith("/_search")]


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("search-page-it", "/it/search/?q=cooperative+di+montagna"),
        ("search-page-it-with-filters", "/it/search/?q=orti&sdg=11&type=good_practice"),
        ("search-page-en", "/en/search/?q=community+gardens"),
        ("api-search", "/api/v2/pages/?search=orti+condivisi"),
    ],
)
def test_search_bodies_fit_the_schema_and_match_their_snapshot(client, site_tree, cluster, name, url):
    GoodPracticeFactory(parent=site_tree.library, title="Orti condivisi", slug="orti")
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    site_tree.home.copy_for_translation(english).save_revision().publish()
    site_tree.library.copy_for_translation(english).save_revision().publish()
    cluster.requests.clear()

    response = client.get(url)

    assert response.status_code == 200
    bodies = sent_searches(cluster)
    assert bodies, "the search reached the cluster"
    for body in bodies:
        assert schema.body_problems(body, Elasticsearch.search) == []
        assert schema.query_problems(body["query"]) == []
    assert_snapshot(name, [normalised(body) for body in bodies])
