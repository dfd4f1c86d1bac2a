"""Index updates for Elasticsearch, run after the transaction that made them commits (search/backends.py).

A django-tasks task: with the immediate backend (the default, TASKS in config/settings/base.py) it runs at
the end of the request that saved; a worker backend would run it elsewhere. Either way it goes through the
backend's circuit breaker, so a dead cluster costs at most one timeout per cooldown."""

from django_tasks import task
from modelsearch.backends import get_search_backends


@task()
def update_elasticsearch(backend_name, updates):
    """`updates`: {"app_label.model:pk": "add" | "delete"} for the backend whose `name` is `backend_name`."""
    from search.backends import ElasticsearchWithFallback

    for backend in get_search_backends(with_auto_update=True):
        if isinstance(backend, ElasticsearchWithFallback) and backend.name == backend_name:
            backend.send_updates(updates)
            return
