"""The PostgreSQL database backend with one text search configuration per content language: Italian entries
are indexed and searched with `italian_unaccent`, English ones with `english_unaccent` (both created by
search/migrations). modelsearch has one SEARCH_CONFIG per backend; the language is chosen here per object
when indexing and by the active language when searching, which is the language of the entries searched
(every front-end search is filtered by the active locale)."""

from django.utils import translation
from modelsearch.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from wagtail.models import Locale

CONFIGS = {"it": "italian_unaccent", "en": "english_unaccent"}


def config_for(language_code, default):
    return CONFIGS.get((language_code or "")[:2], default)


class _IndexingView:
    """What modelsearch's ObjectIndexer reads from its backend, with the configuration of one language."""

    def __init__(self, backend, config):
        self.config = config
        self.autocomplete_config = backend.autocomplete_config


class LocaleIndex(PostgresIndex):
    def add_items(self, model, objs):
        languages = dict(Locale.objects.values_list("pk", "language_code"))  # one query, not one per object
        by_config = {}
        for obj in objs:
            language = languages.get(getattr(obj, "locale_id", None))
            by_config.setdefault(config_for(language, self.backend.config), []).append(obj)
        backend = self.backend
        for config, group in by_config.items():
            # The index object is made for this call (backend.get_index_for_model), so swapping its
            # backend for a view does not touch searches running meanwhile.
            self.backend = _IndexingView(backend, config)
            try:
                super().add_items(model, group)
            finally:
                self.backend = backend


class LocaleSearchQueryCompiler(PostgresSearchQueryCompiler):
    def get_config(self, backend):
        return config_for(translation.get_language(), backend.config)


class LocaleSearchBackend(PostgresSearchBackend):
    query_compiler_class = LocaleSearchQueryCompiler
    index_class = LocaleIndex


SearchBackend = LocaleSearchBackend
