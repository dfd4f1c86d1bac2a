"""Elasticsearch 9: the configuration built from ELASTICSEARCH_URL, what would be sent to the cluster (index
settings, mapping, query bodies, all built without a server), the fallback to the database backend when the
cluster is unreachable, and, only when ELASTICSEARCH_URL is set, the Italian analysis on a real cluster."""

import io
import logging
import os
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from elasticsearch import ConnectionError as ElasticsearchConnectionError
from elasticsearch.serializer import JsonSerializer
from modelsearch.backends import get_search_backend
from modelsearch.query import And, Boost, Fuzzy, Or, Phrase, PlainText
from wagtail.models import Locale

from config.settings.base import search_backends
from practices.models import LibraryEntry
from search.backends import ElasticsearchWithFallback, Mapping, SearchQueryCompiler
from tests.factories import GoodPracticeFactory, ThemeFactory

pytestmark = pytest.mark.django_db

ENGINE = settings.DATABASES["default"]["ENGINE"]
# Nothing listens on the discard port: connections are refused at once.
DEAD_CLUSTER = "http://127.0.0.1:9"
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")


@pytest.fixture(autouse=True)
def database_search_only(settings):
    """These tests choose their backends: the suite's settings may point at a real cluster (ELASTICSEARCH_URL)
    whose index must not receive test pages."""
    settings.WAGTAILSEARCH_BACKENDS = search_backends(ENGINE)


def elasticsearch_backend(url=DEAD_CLUSTER):
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends(ENGINE, url, timeout=1)):
        return get_search_backend()


@pytest.fixture
def dead_cluster():
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends(ENGINE, DEAD_CLUSTER, timeout=1)):
        yield


@pytest.fixture(autouse=True)
def closed_breaker():
    """Each test meets the dead cluster for the first time: its circuit breaker is kept in the cache."""
    backend = elasticsearch_backend()
    backend.breaker.reset()
    backend.pending.take()
    yield
    backend.breaker.reset()
    backend.pending.take()


@pytest.fixture
def cooperatives(site_tree):
    page = GoodPracticeFactory(
        parent=site_tree.library,
        title="Le cooperative di comunità della montagna",
        summary="Servizi gestiti dagli abitanti nei borghi.",
        body=[("paragraph", "<p>Un emporio e un servizio di trasporto gestiti dalla comunità.</p>")],
        sdgs=[8],
        territories=["001078"],
    )
    page.themes.add(ThemeFactory(name_it="welfare di comunità", slug="welfare-di-comunita"))
    page.save_revision().publish()
    return page


def titles(results):
    return [entry.title for entry in results]


def fallback_warnings(caplog):
    return [r for r in caplog.records if r.name == "search" and r.levelno == logging.WARNING]


# --- configuration ---------------------------------------------------------------------------------------


def test_without_elasticsearch_url_the_database_backend_is_the_only_one():
    assert search_backends("django.db.backends.sqlite3") == {"default": {"BACKEND": "wagtail.search.backends.database"}}
    assert search_backends("django.db.backends.postgresql") == {
        "default": {"BACKEND": "search.postgres", "SEARCH_CONFIG": "italian_unaccent"}
    }


def test_elasticsearch_url_makes_elasticsearch_the_default_and_keeps_the_database_backend():
    backends = search_backends("django.db.backends.postgresql", "http://es.example:9200", index="biblioteca")
    # The database first: update_index stops at the first failing backend.
    assert list(backends) == ["database", "default"]
    assert backends["database"]["SEARCH_CONFIG"] == "italian_unaccent"
    default = backends["default"]
    assert default["BACKEND"] == "search.backends"
    assert default["URLS"] == ["http://es.example:9200"]
    assert default["INDEX_PREFIX"] == "biblioteca_"
    assert default["FALLBACK"] == "database"
    assert default["TIMEOUT"] <= 5
    assert default["OPTIONS"]["retry_on_timeout"] is False
    assert default["CONNECT_TIMEOUT"] <= 1
    assert default["COOLDOWN"] == 30


def test_backend_is_built_from_the_configuration_without_contacting_the_cluster():
    backend = elasticsearch_backend("http://es.example:9200")
    assert isinstance(backend, ElasticsearchWithFallback)
    assert backend.hosts == [{"host": "es.example", "port": 9200, "path_prefix": "", "scheme": "http"}]
    assert backend.get_index_for_model(LibraryEntry).name == "libreria_wagtailcore_page"
    assert backend.fallback == "database"


# --- what would be sent to Elasticsearch -------------------------------------------------------------------


def test_index_settings_define_italian_and_english_analyzers():
    analysis = elasticsearch_backend().settings["settings"]["analysis"]
    filters, analyzers = analysis["filter"], analysis["analyzer"]

    def kinds(analyzer):
        return [filters.get(name, {"type": name}) for name in analyzers[analyzer]["filter"]]

    # Italian is the index default: modelsearch maps its text fields without an analyzer.
    italian = kinds("default")
    assert italian[0]["type"] == "elision" and {"l", "dell", "un"} <= set(italian[0]["articles"])
    assert {"type": "stop", "stopwords": "_italian_"} in italian
    assert {"type": "asciifolding"} in italian and {"type": "lowercase"} in italian
    assert italian[-1] == {"type": "stemmer", "language": "light_italian"}

    english = kinds("english_content")
    assert english[0] == {"type": "stemmer", "language": "possessive_english"}
    assert {"type": "stop", "stopwords": "_english_"} in english
    assert {"type": "asciifolding"} in english and {"type": "lowercase"} in english
    assert english[-1] == {"type": "stemmer", "language": "english"}

    # Merged with modelsearch's own settings, not in place of them.
    assert "ngram_analyzer" in analyzers and "edgengram" in filters
    assert [filters.get(name, {}).get("type") for name in analyzers["edgengram_analyzer"]["filter"]][-1] == "edge_ngram"


def test_every_analyzer_the_mapping_uses_is_defined_in_the_index_settings():
    analyzers = elasticsearch_backend().settings["settings"]["analysis"]["analyzer"]
    properties = Mapping(LibraryEntry).get_mapping()["properties"]
    used = {field[key] for field in properties.values() for key in ("analyzer", "search_analyzer") if key in field}
    assert used == {"edgengram_analyzer", "autocomplete_search", "english_content"}
    assert used <= set(analyzers)


def test_library_entry_mapping_has_its_search_and_filter_fields():
    properties = Mapping(LibraryEntry).get_mapping()["properties"]
    # The title is boosted: it is also copied to the catch-all column of its boost.
    assert properties["title"]["copy_to"] == [
        "_all_text",
        "_all_text_boost_2_0",
        "_all_text_en",
        "_all_text_boost_2_0_en",
    ]
    for name in ("summary", "body", "place_names", "goal_terms", "tag_terms"):
        field = properties[f"practices_libraryentry__{name}"]
        assert field["type"] == "text"
        assert field["copy_to"] == ["_all_text", "_all_text_en"]
    for name in ("live_filter", "locale_id_filter", "id_filter", "practices_libraryentry__year_filter"):
        assert name in properties
    # The catch-all columns: Italian (the index default) and their English twins.
    assert properties["_all_text"] == {"type": "text"}
    assert properties["_all_text_boost_2_0"] == {"type": "text"}
    assert properties["_all_text_en"] == {"type": "text", "analyzer": "english_content"}
    assert properties["_all_text_boost_2_0_en"] == {"type": "text", "analyzer": "english_content"}


def test_document_of_an_entry_carries_places_goals_and_themes(cooperatives):
    document = Mapping(LibraryEntry).get_document(LibraryEntry.objects.get(pk=cooperatives.pk))
    JsonSerializer().dumps(document)  # as the client will send it
    assert document["title"] == "Le cooperative di comunità della montagna"
    assert "Un emporio e un servizio di trasporto" in " ".join(document["practices_libraryentry__body"])
    assert "Piemonte" in document["practices_libraryentry__place_names"]
    assert "SDG 8" in document["practices_libraryentry__goal_terms"]
    assert "welfare di comunità" in document["practices_libraryentry__tag_terms"]
    assert document["practices_libraryentry__year_filter"] == 2022


def test_search_body_needs_every_word_on_the_catch_all_columns_with_the_title_boosted(site_tree):
    italian = Locale.objects.get(language_code="it")
    entries = LibraryEntry.objects.live().filter(locale=italian)
    query = SearchQueryCompiler(entries, "cooperative montagna").get_query()
    assert query["bool"]["must"] == {
        "multi_match": {
            "query": "cooperative montagna",
            "operator": "and",
            "fields": ["_all_text", "_all_text_boost_2_0^2.0"],
        }
    }
    assert {"term": {"live_filter": True}} in query["bool"]["filter"][1]["bool"]["must"]
    assert {"term": {"locale_id_filter": italian.pk}} in query["bool"]["filter"][1]["bool"]["must"]


def test_search_body_in_english_runs_on_the_english_columns():
    with translation.override("en"):
        query = SearchQueryCompiler(LibraryEntry.objects.live(), "cooperatives").get_query()
    assert query["bool"]["must"]["multi_match"]["fields"] == ["_all_text_en", "_all_text_boost_2_0_en^2.0"]


def test_search_body_compiles_query_expressions():
    either = Or([PlainText("anziano"), PlainText("anziani")])
    expression = And([either, Phrase("sdg 13"), Boost(PlainText("orti"), 3), Fuzzy("cooperatva")])
    query = SearchQueryCompiler(LibraryEntry.objects.live(), expression).get_query()
    per_column = query["bool"]["must"]["dis_max"]["queries"]
    assert len(per_column) == 2  # _all_text and the title's boosted column
    either, phrase, boosted, fuzzy = per_column[0]["bool"]["must"]
    assert either == {
        "bool": {
            "should": [
                {"match": {"_all_text": {"query": "anziano", "operator": "and"}}},
                {"match": {"_all_text": {"query": "anziani", "operator": "and"}}},
            ]
        }
    }
    assert phrase == {"match_phrase": {"_all_text": "sdg 13"}}
    assert boosted == {"match": {"_all_text": {"query": "orti", "operator": "and", "boost": 3.0}}}
    assert fuzzy["match"]["_all_text"]["fuzziness"] == "AUTO"
    assert per_column[1]["bool"]["must"][2]["match"]["_all_text_boost_2_0"]["boost"] == 6.0


def test_autocomplete_body_needs_every_prefix():
    backend = elasticsearch_backend()
    compiler = backend.autocomplete_query_compiler_class(LibraryEntry.objects.live(), "coop mont")
    assert compiler.get_query()["bool"]["must"] == {"match": {"_edgengrams": {"query": "coop mont", "operator": "and"}}}


# --- fallback to the database backend ------------------------------------------------------------------------


def test_search_page_answers_from_the_database_when_the_cluster_is_down(client, cooperatives, dead_cluster, caplog):
    response = client.get("/it/search/", {"q": "cooperative montagna"})
    assert response.status_code == 200
    assert f'href="{cooperatives.url}"' in response.content.decode()  # the title itself may carry highlights
    assert fallback_warnings(caplog)


@pytest.mark.parametrize(
    "query",
    [
        "cooperative montagna",
        And([PlainText("cooperative"), PlainText("montagna")]),
        Or([PlainText("cooperative"), PlainText("inesistente")]),
        Phrase("cooperative di comunità"),
    ],
    ids=["string", "and", "or", "phrase"],
)
def test_queryset_search_answers_from_the_database_when_the_cluster_is_down(cooperatives, dead_cluster, caplog, query):
    results = LibraryEntry.objects.live().filter(locale=cooperatives.locale).search(query)
    assert titles(results) == ["Le cooperative di comunità della montagna"]
    [warning] = fallback_warnings(caplog)
    assert "database" in warning.getMessage()


def test_fallback_keeps_slices_counts_and_scores(cooperatives, site_tree, dead_cluster, caplog):
    GoodPracticeFactory(parent=site_tree.library, title="Cooperative sociali in città")
    results = LibraryEntry.objects.live().search("cooperative")
    assert results.count() == 2
    assert len(titles(results[1:])) == 1
    scored = results.annotate_score("score")[:1]
    assert scored[0].score is not None
    # The first failure opens the circuit breaker: the next two go to the database without asking the cluster.
    assert len(fallback_warnings(caplog)) == 1


def test_autocomplete_answers_from_the_database_when_the_cluster_is_down(cooperatives, dead_cluster, caplog):
    assert titles(LibraryEntry.objects.live().autocomplete("coop")) == ["Le cooperative di comunità della montagna"]
    assert fallback_warnings(caplog)


def test_saving_with_the_cluster_down_succeeds_and_indexes_the_database(
    site_tree, dead_cluster, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = GoodPracticeFactory(parent=site_tree.library, title="Banco alimentare di quartiere")
        page.save_revision().publish()
    # The Elasticsearch update, after the commit, fails and is recorded for when the cluster is back.
    assert any("index updates recorded for later" in r.getMessage() for r in fallback_warnings(caplog))
    assert elasticsearch_backend().pending.take() == {f"practices.goodpracticepage:{page.pk}": "add"}
    assert titles(LibraryEntry.objects.live().search("alimentare", backend="database")) == [page.title]


def test_update_index_rebuilds_the_database_before_failing_on_a_dead_cluster(cooperatives, dead_cluster):
    out = io.StringIO()
    with pytest.raises(ElasticsearchConnectionError):
        call_command("update_index", stdout=out)
    assert "database: indexed" in out.getvalue()
    assert titles(LibraryEntry.objects.live().search("cooperative", backend="database")) == [cooperatives.title]

    out = io.StringIO()
    call_command("update_index", backend_name="database", stdout=out)
    assert "database: indexed" in out.getvalue()


# --- a real cluster ----------------------------------------------------------------------------------------


real_cluster = pytest.mark.skipif(
    not ELASTICSEARCH_URL,
    reason="needs an Elasticsearch 9 cluster: `make test-elasticsearch` (README, Elasticsearch)",
)


@pytest.mark.elasticsearch
@real_cluster
def test_elasticsearch_finds_italian_inflections_unaccented_and_elided_words(site_tree, caplog):
    italian = GoodPracticeFactory(
        parent=site_tree.library,
        title="Le cooperative di comunità della montagna",
        summary="Servizi gestiti dagli abitanti in città e nei borghi.",
    )
    environment = GoodPracticeFactory(parent=site_tree.library, title="Educazione alla tutela dell'ambiente")
    english_locale = Locale.objects.get(language_code="en")
    site_tree.home.copy_for_translation(english_locale).save_revision().publish()
    library_en = site_tree.library.copy_for_translation(english_locale)
    library_en.save_revision().publish()
    english = GoodPracticeFactory(parent=library_en, title="Community cooperatives in the mountains", slug="coops")

    # A private index, removed afterwards: the cluster may hold the real one.
    prefix = f"libreria_test_{uuid.uuid4().hex[:8]}"
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends(ENGINE, ELASTICSEARCH_URL, index=prefix, timeout=30)):
        try:
            call_command("update_index", backend_name="default", stdout=io.StringIO())

            def found(query, page):
                return titles(LibraryEntry.objects.live().filter(locale=page.locale).search(query))

            assert found("cooperativa", italian) == [italian.title]
            assert found("citta", italian) == [italian.title]
            assert found("comunita montagna", italian) == [italian.title]
            assert found("ambiente", italian) == [environment.title]
            assert found("dell'ambiente", italian) == [environment.title]
            assert found("l'ambiente", italian) == [environment.title]
            with translation.override("en"):
                assert found("cooperative", english) == [english.title]
                assert found("mountain", english) == [english.title]
            assert not fallback_warnings(caplog), "answered by the fallback, not by Elasticsearch"
        finally:
            es = get_search_backend().es
            indices = list(es.indices.get(index=f"{prefix}_*"))
            if indices:
                es.indices.delete(index=",".join(indices))


@pytest.mark.elasticsearch
@real_cluster
def test_a_real_cluster_accepts_the_index_and_update_index_swaps_its_alias(site_tree):
    GoodPracticeFactory(parent=site_tree.library, title="Orti condivisi di quartiere", slug="orti")
    prefix = f"libreria_test_{uuid.uuid4().hex[:8]}"
    alias = f"{prefix}_wagtailcore_page"
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends(ENGINE, ELASTICSEARCH_URL, index=prefix, timeout=30)):
        es = get_search_backend().es
        try:
            call_command("update_index", backend_name="default", stdout=io.StringIO())
            (first,) = es.indices.get_alias(name=alias)
            call_command("update_index", backend_name="default", chunk_size=1, stdout=io.StringIO())
            (second,) = es.indices.get_alias(name=alias)
            assert second != first and not es.indices.exists(index=first)
            assert titles(LibraryEntry.objects.live().search("orti")) == ["Orti condivisi di quartiere"]
        finally:
            indices = list(es.indices.get(index=f"{prefix}_*"))
            if indices:
                es.indices.delete(index=",".join(indices))
