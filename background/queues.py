"""How many tasks wait in each queue of the configured backend: the default of METRICS_TASK_QUEUE_DEPTH, read
by config/metrics.py at each scrape (`libreria_task_queue_depth{queue}`).

- database (django-tasks-db): tasks ready to run (READY and due), counted per queue in one grouped query;
- rq (django-tasks-rq): the length of each RQ queue in Redis;
- immediate: nothing ever waits, so no queue is reported.
A backend that cannot be asked (its database or Redis down) reports nothing rather than failing the scrape:
/readyz says what is down.
"""

import logging

from django.conf import settings

from .settings import BACKENDS, QUEUES

logger = logging.getLogger(__name__)


def queue_depth():
    """{queue name: waiting tasks} of the default task backend."""
    backend = settings.TASKS["default"]["BACKEND"]
    try:
        if backend == BACKENDS["database"]:
            return _database_depth()
        if backend == BACKENDS["rq"]:
            return _rq_depth()
    except Exception as error:  # noqa: BLE001 - a metric must never break the scrape
        logger.warning("task queue depth unavailable: %s", error)
    return {}


def _database_depth():
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    waiting = dict.fromkeys(settings.TASKS["default"].get("QUEUES", QUEUES), 0)
    rows = DBTaskResult.objects.ready().order_by().values_list("queue_name").annotate(n=Count("pk"))
    waiting.update(dict(rows))
    return waiting


def _rq_depth():
    import django_rq

    return {name: django_rq.get_queue(name).count for name in settings.TASKS["default"].get("QUEUES", QUEUES)}
