"""The TASKS configuration (django-tasks) chosen from the environment; read by config/settings/base.py.

TASKS_BACKEND:
- `immediate` (the default outside production, so that `make run` needs nothing more): every task runs where
  it is enqueued, at the end of the request or command that enqueued it. Nothing to start, nothing queued.
- `database` (the default of config/settings/production.py): django-tasks-db keeps the queue in the
  site's database; `manage.py worker` runs it. Nothing else to operate.
- `rq`: django-tasks-rq on Redis (TASKS_REDIS_URL, else REDIS_URL); `manage.py worker` runs an RQ worker.
  For many workers on many machines: the database is not polled.

Two queues: "default" for the short work (index updates, e-mails, reference index) and "long" for imports
and translation of whole trees, so that a worker started with `--queue default` keeps the short work flowing
while another works through an import. `manage.py worker` serves both unless told otherwise.
"""

import os

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
QUEUES = ["default", "long"]


def tasks_settings(backend=None, redis_url=None):
    """(TASKS, RQ_QUEUES) for a backend name; both read from the environment when not given."""
    backend = (backend or os.environ.get("TASKS_BACKEND", "immediate")).strip().lower()
    if backend not in BACKENDS:
        raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    tasks = {"default": {"BACKEND": BACKENDS[backend], "QUEUES": QUEUES}}
    redis_url = redis_url or os.environ.get("TASKS_REDIS_URL") or os.environ.get("REDIS_URL") or ""
    if backend == "rq" and not redis_url:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs TASKS_REDIS_URL or REDIS_URL")
    # background/rq.py: retries, and jobs enqueued when the transaction commits. Imports may take long.
    rq_queues = {
        name: {
            "URL": redis_url or "redis://127.0.0.1:6379/0",
            "QUEUE_CLASS": "background.rq.Queue",
            "DEFAULT_TIMEOUT": 6 * 3600 if name == "long" else 600,
        }
        for name in QUEUES
    }
    return tasks, rq_queues
