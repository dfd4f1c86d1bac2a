"""`manage.py worker`: run the worker of the configured task backend (TASKS_BACKEND, background/settings.py)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from background.settings import QUEUES


class Command(BaseCommand):
    help = (
        "Run background tasks (search index updates, e-mails, imports, translations) for the configured "
        "TASKS_BACKEND: database (django-tasks-db) or rq (Redis). Stop it with SIGTERM or Ctrl+C: the task "
        "it is running finishes first. A worker killed outright loses nothing: its task is run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            choices=QUEUES,
            help="serve only this queue (repeat for several); all of them by default",
        )
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")

    def handle(self, *args, queues, batch, max_tasks, verbosity, **options):
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        kind = type(backend).__module__.split(".")[0]
        queues = queues or QUEUES
        if kind == "django_tasks_db":
            self.run_database(queues, batch, max_tasks, verbosity)
        elif kind == "django_tasks_rq":
            self.run_rq(queues, batch, max_tasks, verbosity)
        else:
            raise CommandError(
                f"TASKS_BACKEND runs tasks with {type(backend).__name__}: there is no worker to run. "
                "Set TASKS_BACKEND=database or TASKS_BACKEND=rq."
            )

    def run_database(self, queues, batch, max_tasks, verbosity):
        from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
        from django_tasks_db.management.commands.db_worker import Worker

        from background.workers import Heartbeat, beat, new_worker_id, reap

        DBWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        stale_after = float(os.environ.get("TASKS_WORKER_STALE_AFTER", "60"))
        worker_id = new_worker_id()
        beat(worker_id)
        reap(DEFAULT_TASK_BACKEND_ALIAS, stale_after)
        heartbeat = Heartbeat(worker_id, DEFAULT_TASK_BACKEND_ALIAS, stale_after)
        heartbeat.start()
        worker = Worker(
            queue_names=list(queues),
            interval=float(os.environ.get("TASKS_POLL_INTERVAL", "1")),
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not batch,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            heartbeat.stop()

    def run_rq(self, queues, batch, max_tasks, verbosity):
        from django_rq import get_worker
        from rq.logutils import setup_loghandlers

        level = "DEBUG" if verbosity >= 2 else "WARNING" if verbosity == 0 else "INFO"
        setup_loghandlers(level)
        worker = get_worker(
            *queues,
            job_class="django_tasks_rq.Job",
            queue_class="background.rq.Queue",
            # Abandoned jobs (a dead worker) are looked for every minute instead of every ten.
            maintenance_interval=int(os.environ.get("TASKS_RQ_MAINTENANCE_INTERVAL", "60")),
        )
        worker.work(burst=batch, with_scheduler=True, max_jobs=max_tasks, logging_level=level)
