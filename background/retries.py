"""Retries of failed tasks on the database backend, and the attempts RQ makes by itself.

django-tasks has no retries. RQ has them natively (background/rq.py gives every job a `Retry`, which also
covers a job whose worker died: RQ's registry cleanup re-queues it). For the database backend, a task that
raised is enqueued again, later, when it is one of the tasks below, whose failures are usually transient: an
SMTP server or a database lock, a cluster that timed out. A task whose object disappeared (`DoesNotExist`: a
page deleted before its index update ran) is not retried: it would fail the same way. A task whose worker
died is handled by the worker command (background/workers.py), whatever the task.

Attempts are counted in the cache (shared with Redis, per worker process otherwise) under a digest of the
task and its arguments; after the last one the failure stays in the task results for the operator (the
admin's "Attività in background"). The immediate backend never retries: it runs inside a request."""

import hashlib
import json
import logging
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.immediate import ImmediateBackend

logger = logging.getLogger("background")

# task path -> attempts in all (the first one included)
RETRIED = {
    "background.mail.deliver": 5,
    "modelsearch.tasks.insert_or_update_object_task": 3,
    "wagtail.tasks.update_reference_index_task": 3,
    "search.tasks.update_elasticsearch": 3,
}
BACKOFF_SECONDS = 10  # 10 s, 20 s, 40 s, 80 s
ATTEMPTS_TTL = 24 * 3600


def _key(task_result):
    payload = json.dumps([task_result.task.module_path, task_result.args, task_result.kwargs], sort_keys=True)
    return "background:attempts:" + hashlib.sha256(payload.encode()).hexdigest()


def retry_failed_task(sender, task_result, **kwargs):
    """task_finished receiver."""
    limit = RETRIED.get(task_result.task.module_path)
    if not limit:
        return
    backend = task_result.task.get_backend()
    if isinstance(backend, ImmediateBackend) or backend.__class__.__module__.startswith("django_tasks_rq"):
        return
    key = _key(task_result)
    try:
        if task_result.status != TaskResultStatus.FAILED:
            cache.delete(key)
            return
        error = task_result.errors[-1].exception_class_path if task_result.errors else ""
        if error.endswith("DoesNotExist"):
            return
        attempt = cache.get(key, 1)
        if attempt >= limit:
            logger.error("Task %s failed %d times: not retried again", task_result.task.module_path, attempt)
            cache.delete(key)
            return
        cache.set(key, attempt + 1, ATTEMPTS_TTL)
    except Exception:
        logger.exception("The cache cannot count the attempts of %s: not retried", task_result.task.module_path)
        return
    task = task_result.task
    delay = BACKOFF_SECONDS * 2 ** (attempt - 1)
    if backend.supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
    task.enqueue(*task_result.args, **task_result.kwargs)
    logger.warning("Task %s failed (%s): attempt %d in %d s", task.module_path, error, attempt + 1, delay)
