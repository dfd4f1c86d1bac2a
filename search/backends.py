"""Elasticsearch 9 for the library's search, answering from the database backend when the cluster cannot.

Configured in config/settings/base.py (`search_backends`) when ELASTICSEARCH_URL is set:
`{"BACKEND": "search.backends", ..., "FALLBACK": "database"}`, the database backend staying configured under
that name so that every save keeps it indexed.

- Analysis: the index's default analyzer is Italian (settings), so every text field modelsearch maps is
  Italian. One index holds both languages (modelsearch keeps one index per root model, and Elasticsearch has
  no per-document analyzer), so the catch-all fields that searches run on (`_all_text`, `_all_text_boost_*`)
  get an English twin (`*_en`, "english_content" analyzer), and a search made while English is the active
  language (/en/ pages) runs on the twins. Both sides of a match always go through the same analyzer.
- Operator: "and", as the database backends, so both backends answer the same question with the same words.
- Fallback: results are lazy; the cluster is only asked when they are iterated or counted, so that is where
  errors are caught (connection refused, timeout, any error status) and the same search is run on the
  fallback backend, with a warning on the "search" logger.
- Indexing: modelsearch already logs and swallows Elasticsearch errors on save (`catch_indexing_errors`),
  so an editor's save succeeds; it waits at most the configured TIMEOUT for an unreachable host. The entry
  is then missing from Elasticsearch until the next `manage.py update_index`.
"""

import logging

from django.utils import translation
from elasticsearch import ApiError, TransportError
from modelsearch.backends import get_search_backend
from modelsearch.backends.elasticsearch9 import (
    Elasticsearch9AutocompleteQueryCompiler,
    Elasticsearch9Mapping,
    Elasticsearch9SearchBackend,
    Elasticsearch9SearchQueryCompiler,
    Elasticsearch9SearchResults,
)
from modelsearch.backends.elasticsearchbase import Field

logger = logging.getLogger("search")

ENGLISH_ANALYZER = "english_content"
# Transport errors: the cluster cannot be reached or did not answer in time. API errors: it answered with an
# error status (index not created yet, no shard available).
CLUSTER_ERRORS = (TransportError, ApiError)


def english(column):
    """The English twin of a catch-all column."""
    return f"{column}_en"


class Mapping(Elasticsearch9Mapping):
    # modelsearch analyses what is typed into autocomplete with "standard", which keeps accents, while the
    # indexed prefixes are folded: a typed "città" would not meet the indexed "citta".
    edgengram_analyzer_config = {"analyzer": "edgengram_analyzer", "search_analyzer": "autocomplete_search"}

    def get_mapping(self):
        mapping = super().get_mapping()
        properties = mapping["properties"]
        catch_all = [name for name in properties if name.startswith("_all_text")]
        self._copy_to_english(properties)
        for name in catch_all:
            properties[english(name)] = {"type": "text", "analyzer": ENGLISH_ANALYZER}
        return mapping

    def _copy_to_english(self, properties):
        for field in properties.values():
            if "copy_to" in field:
                targets = [field["copy_to"]] if isinstance(field["copy_to"], str) else field["copy_to"]
                field["copy_to"] = targets + [english(target) for target in targets]
            if field["type"] == "nested":
                self._copy_to_english(field["properties"])


class SearchQueryCompiler(Elasticsearch9SearchQueryCompiler):
    mapping_class = Mapping
    DEFAULT_OPERATOR = "and"

    def _remap_fields(self, fields):
        remapped = super()._remap_fields(fields)
        # Searches on named fields keep the Italian analysis: only the catch-all columns have English twins.
        if fields or translation.get_language() != "en":
            return remapped
        return [Field(english(field.field_name), field.boost) for field in remapped]


class AutocompleteQueryCompiler(Elasticsearch9AutocompleteQueryCompiler):
    mapping_class = Mapping
    DEFAULT_OPERATOR = "and"


class FallbackSearchResults(Elasticsearch9SearchResults):
    """Elasticsearch results that, if the cluster fails them, come from the same search on another backend."""

    fallback = None  # set by the backend: runs the same search on the fallback backend

    def _clone(self):
        clone = super()._clone()
        clone.fallback = self.fallback
        return clone

    def _do_search(self):
        try:
            # Elasticsearch's _do_search is a generator: consume it here, where its errors can be caught.
            return list(super()._do_search())
        except CLUSTER_ERRORS as error:
            return list(self._from_fallback(error))

    def _do_count(self):
        try:
            return super()._do_count()
        except CLUSTER_ERRORS as error:
            return self._from_fallback(error).count()

    def _from_fallback(self, error):
        logger.warning("Elasticsearch failed (%s): searching the '%s' backend instead", error, self.backend.fallback)
        results = self.fallback()[self.start : self.stop]
        return results.annotate_score(self._score_field) if self._score_field else results


class ElasticsearchWithFallback(Elasticsearch9SearchBackend):
    mapping_class = Mapping
    query_compiler_class = SearchQueryCompiler
    autocomplete_query_compiler_class = AutocompleteQueryCompiler
    results_class = FallbackSearchResults

    def __init__(self, params):
        self.fallback = params.pop("FALLBACK", "database")
        super().__init__(params)

    def search(self, query, model_or_queryset, **kwargs):
        results = super().search(query, model_or_queryset, **kwargs)
        return self._with_fallback(results, "search", query, model_or_queryset, kwargs)

    def autocomplete(self, query, model_or_queryset, **kwargs):
        results = super().autocomplete(query, model_or_queryset, **kwargs)
        return self._with_fallback(results, "autocomplete", query, model_or_queryset, kwargs)

    def _with_fallback(self, results, method, query, model_or_queryset, kwargs):
        # The original arguments, not the compiled query: the fallback compiles them its own way (its default
        # operator, its handling of fields), exactly as if it were the only backend.
        if isinstance(results, FallbackSearchResults):
            results.fallback = lambda: getattr(get_search_backend(self.fallback), method)(
                query, model_or_queryset, **kwargs
            )
        return results


SearchBackend = ElasticsearchWithFallback
