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
- Circuit breaker: a cluster that accepts connections and never answers made every search wait the whole
  TIMEOUT. After a failure that means "unavailable" (no connection, timeout, 429 or 5xx) the breaker opens
  for COOLDOWN seconds: searches go straight to the fallback and index updates are not sent. The state is
  kept in Django's default cache, so with Redis every worker knows at once, and in the process as well, so
  that a cache that fails cannot reopen the cluster to every request. It closes by itself after the
  cooldown: the next request asks the cluster again.
- Indexing: the database backend is updated in the transaction of the save (it is part of it); the cluster
  only after the transaction commits, once per object however many times a save writes it, through a task
  (search/tasks.py, django-tasks: the immediate backend runs it at the end of the request, a worker backend
  in TASKS would take it off the request). The task goes through the breaker: while it is open the updates
  are recorded in the cache and sent with the next index update after the cluster answers again
  (`manage.py update_index` rebuilds everything in any case).
- Timeouts: CONNECT_TIMEOUT bounds opening a connection, separately from TIMEOUT (the whole answer).
"""

import hashlib
import logging
import math
import time

import urllib3
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from elastic_transport import Urllib3HttpNode
from elastic_transport.client_utils import DEFAULT
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


# Recorded index updates waiting for the cluster: enough for an outage of a busy editorial day; beyond that,
# `manage.py update_index` is the way back and the log says so.
MAX_PENDING = 5000


def now():
    """Wall-clock time: the breaker's deadline is shared between processes through the cache."""
    return time.time()


def unavailable(error):
    """Whether an error means the cluster cannot answer now (as opposed to refusing one request)."""
    if isinstance(error, TransportError):
        return True
    status = getattr(getattr(error, "meta", None), "status", None) or getattr(error, "status_code", 0)
    return status == 429 or status >= 500


class CircuitBreaker:
    """Open for `cooldown` seconds after the cluster failed; closed again by time alone."""

    # The per-process copy: it holds when the shared cache is down, and answers without a cache round trip
    # in the process that saw the failure.
    _local = {}

    def __init__(self, name, cooldown):
        self.key = f"search:elasticsearch:open-until:{name}"
        self.cooldown = cooldown

    def is_open(self):
        return now() < max(self._local.get(self.key, 0), self._shared())

    def trip(self):
        until = now() + self.cooldown
        self._local[self.key] = until
        try:
            cache.set(self.key, until, timeout=math.ceil(self.cooldown) + 1)
        except Exception:
            logger.warning("The cache cannot share the Elasticsearch circuit breaker: this process only", exc_info=True)

    def reset(self):
        self._local.pop(self.key, None)
        try:
            cache.delete(self.key)
        except Exception:
            pass

    def _shared(self):
        try:
            return cache.get(self.key) or 0
        except Exception:
            return 0


class PendingUpdates:
    """Index updates the cluster missed, as {"app_label.model:pk": "add" | "delete"}, in the shared cache
    (a per-process dict if the cache fails). Two workers recording at the same instant may lose one of their
    records: `manage.py update_index` after an outage settles everything."""

    _local = {}

    def __init__(self, name):
        self.key = f"search:elasticsearch:pending:{name}"

    def add(self, updates):
        recorded = {**self._read(), **updates}
        if len(recorded) > MAX_PENDING:
            logger.error("Elasticsearch missed more than %d index updates: run `manage.py update_index`", MAX_PENDING)
            recorded = dict(list(recorded.items())[-MAX_PENDING:])
        self._write(recorded)

    def take(self):
        recorded = self._read()
        if recorded:
            self._write({})
        return recorded

    def _read(self):
        try:
            shared = cache.get(self.key)
        except Exception:
            shared = None
        return {**self._local.get(self.key, {}), **(shared or {})}

    def _write(self, recorded):
        self._local[self.key] = recorded
        try:
            cache.set(self.key, recorded, timeout=None)
            self._local.pop(self.key)  # shared: no need to keep a copy here
        except Exception:
            logger.warning("The cache cannot keep the missed Elasticsearch updates: this process only", exc_info=True)


class ConnectTimeoutNode(Urllib3HttpNode):
    """urllib3 node that waits at most `connect_timeout` to open a connection and the request timeout for the
    answer (the client would use the request timeout for both)."""

    connect_timeout = None

    def perform_request(self, method, target, body=None, headers=None, request_timeout=DEFAULT):
        if self.connect_timeout is not None and isinstance(request_timeout, (int, float)):
            request_timeout = urllib3.Timeout(connect=min(self.connect_timeout, request_timeout), read=request_timeout)
        return super().perform_request(method, target, body=body, headers=headers, request_timeout=request_timeout)


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
        if self.backend.breaker.is_open():
            return list(self._from_fallback())
        try:
            # Elasticsearch's _do_search is a generator: consume it here, where its errors can be caught.
            return list(super()._do_search())
        except CLUSTER_ERRORS as error:
            self.backend.failed(error)
            return list(self._from_fallback())

    def _do_count(self):
        if self.backend.breaker.is_open():
            return self._from_fallback().count()
        try:
            return super()._do_count()
        except CLUSTER_ERRORS as error:
            self.backend.failed(error)
            return self._from_fallback().count()

    def _from_fallback(self):
        results = self.fallback()[self.start : self.stop]
        return results.annotate_score(self._score_field) if self._score_field else results


class ElasticsearchWithFallback(Elasticsearch9SearchBackend):
    mapping_class = Mapping
    query_compiler_class = SearchQueryCompiler
    autocomplete_query_compiler_class = AutocompleteQueryCompiler
    results_class = FallbackSearchResults

    def __init__(self, params):
        self.fallback = params.pop("FALLBACK", "database")
        cooldown = float(params.pop("COOLDOWN", 30))
        connect_timeout = params.pop("CONNECT_TIMEOUT", None)
        # One breaker and one record of missed updates per cluster and index, whichever instance asks
        # (modelsearch builds a new backend instance at every get_search_backend()).
        where = repr((params.get("URLS"), params.get("HOSTS"), params.get("INDEX_PREFIX")))
        self.name = hashlib.sha256(where.encode()).hexdigest()[:16]
        self.breaker = CircuitBreaker(self.name, cooldown)
        self.pending = PendingUpdates(self.name)
        if connect_timeout is not None:
            options = params.setdefault("OPTIONS", {})
            options.setdefault(
                "node_class", type("Node", (ConnectTimeoutNode,), {"connect_timeout": float(connect_timeout)})
            )
        super().__init__(params)

    def failed(self, error):
        """Called with any error of the cluster: opens the breaker if the cluster is unavailable."""
        if unavailable(error):
            self.breaker.trip()
            logger.warning(
                "Elasticsearch failed (%s): the '%s' backend answers searches and index updates wait for %g s",
                error,
                self.fallback,
                self.breaker.cooldown,
            )
        else:
            logger.warning("Elasticsearch failed (%s): the '%s' backend answers this time", error, self.fallback)

    # --- index updates: after the commit, through the breaker ------------------------------------------------

    def add(self, obj):
        self._after_commit(obj, "add")

    def delete(self, obj):
        self._after_commit(obj, "delete")

    def add_bulk(self, model, obj_list):
        # Imports and the demo loader: many objects at once, sent together after the commit as well.
        for obj in obj_list:
            self._after_commit(obj, "add")

    def _after_commit(self, obj, operation):
        """Queue the update of `obj` for the end of the transaction. A save writes a page several times
        (creation, revision, publication): the cluster gets it once, as it is when the transaction commits."""
        key = f"{obj._meta.label_lower}:{obj.pk}"
        connection = transaction.get_connection()
        if not hasattr(connection, "elasticsearch_batches"):
            connection.elasticsearch_batches = {}
        batches = connection.elasticsearch_batches
        batch = batches.get(self.name)
        registered = connection.in_atomic_block and batch is not None and not batch["sent"]
        if registered:
            # A rolled-back transaction drops its callbacks, and with them the batch.
            registered = any(callback is batch["callback"] for _sids, callback, _robust in connection.run_on_commit)
        if not registered:
            batch = {"updates": {}, "sent": False}
            batches[self.name] = batch
            name = self.name

            def send():
                from search.tasks import update_elasticsearch

                batch["sent"] = True
                update_elasticsearch.enqueue(name, batch["updates"])

            batch["callback"] = send
            # Registered before the update is recorded: outside a transaction on_commit runs at once.
            batch["updates"][key] = operation
            transaction.on_commit(send)
        else:
            batch["updates"][key] = operation

    def send_updates(self, updates):
        """Send index updates to the cluster, with the ones it missed, unless the breaker is open. Runs in a
        task (search/tasks.py), after the commit of the transaction that made them."""
        if self.breaker.is_open():
            self.pending.add(updates)
            logger.warning("Elasticsearch unavailable: %d index updates recorded for later", len(updates))
            return
        updates = {**self.pending.take(), **updates}
        by_model = {}
        for key, operation in updates.items():
            label, pk = key.rsplit(":", 1)
            by_model.setdefault((label, operation), []).append(pk)
        done = set()
        try:
            for (label, operation), pks in by_model.items():
                self._send(apps.get_model(label), operation, pks)
                done.add((label, operation))
        except CLUSTER_ERRORS as error:
            if not unavailable(error):
                # The cluster answered and refused them: sending them again would not help.
                logger.exception("Elasticsearch refused index updates %s", sorted(updates))
                return
            self.failed(error)
            missed = {key: op for key, op in updates.items() if (key.rsplit(":", 1)[0], op) not in done}
            self.pending.add(missed)
            logger.warning("Elasticsearch unavailable: %d index updates recorded for later", len(missed))
        except Exception:
            # As modelsearch does on save: a document the cluster refuses must not fail anything else.
            logger.exception("Elasticsearch refused index updates %s", sorted(updates))

    def _send(self, model, operation, pks):
        if operation == "delete":
            for pk in pks:
                super().delete(model(pk=model._meta.pk.to_python(pk)))
            return
        objects = list(model.get_indexed_objects().filter(pk__in=pks))
        if objects:
            super().add_bulk(model, objects)

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
