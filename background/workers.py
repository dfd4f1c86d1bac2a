"""Workers of the database backend that leave nothing behind when they die.

django-tasks-db's worker claims a task (status RUNNING, its id appended to `worker_ids`) and runs it; a
worker killed meanwhile (SIGKILL, out of memory, a machine lost) leaves the task RUNNING for ever. Here each
worker also keeps a heartbeat row (WorkerHeartbeat) fresh from a thread, and every worker, at each beat,
looks for RUNNING tasks whose worker has not been seen for `stale_after` seconds: such a task goes back to
READY and the next free worker runs it again from the start. A task whose workers died MAX_DEATHS times is
marked FAILED instead (it may be what kills them), for the operator to see. Tasks must therefore be safe to
run twice: index updates, e-mails (at worst a message twice), imports (idempotent, by slug) are."""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from background.models import WorkerHeartbeat

logger = logging.getLogger("background")

MAX_DEATHS = 3


def new_worker_id():
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def beat(worker_id):
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "seen_at": timezone.now()},
    )


def reap(backend_name, stale_after):
    """Put back in the queue the tasks of workers not seen for `stale_after` seconds; return how many."""
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    requeued = 0
    running = DBTaskResult.objects.running().filter(backend_name=backend_name).only("id", "worker_ids")
    for candidate in running:
        if candidate.worker_ids and candidate.worker_ids[-1] in alive:
            continue
        with exclusive_transaction(DBTaskResult.objects.db):
            task = DBTaskResult.objects.select_for_update().filter(pk=candidate.pk).first()
            if task is None or task.status != TaskResultStatus.RUNNING or task.worker_ids != candidate.worker_ids:
                continue  # finished meanwhile, or already taken again
            if len(task.worker_ids) >= MAX_DEATHS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = timezone.now()
                task.exception_class_path = "background.workers.WorkerDied"
                task.traceback = f"Its worker died {len(task.worker_ids)} times: {', '.join(task.worker_ids)}"
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                logger.error("Task %s (%s) killed its worker %d times: failed", task.pk, task.task_path, MAX_DEATHS)
                continue
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            requeued += 1
            logger.warning(
                "Worker %s died running task %s (%s): back in the queue", task.worker_ids[-1], task.pk, task.task_path
            )
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(seconds=stale_after * 10)).delete()
    return requeued


class Heartbeat(threading.Thread):
    """Beats for `worker_id` and reaps dead workers' tasks every `stale_after / 6` seconds, on its own
    database connection (Django gives each thread one)."""

    def __init__(self, worker_id, backend_name, stale_after):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.backend_name = backend_name
        self.stale_after = stale_after
        self.interval = max(stale_after / 6, 0.5)
        self.stopping = threading.Event()

    def run(self):
        try:
            while not self.stopping.wait(self.interval):
                self.once()
        finally:
            connection.close()

    def once(self):
        try:
            close_old_connections()
            beat(self.worker_id)
            reap(self.backend_name, self.stale_after)
        except Exception:
            # A locked or briefly unreachable database: the next beat tries again.
            logger.warning("Worker %s could not record its heartbeat", self.worker_id, exc_info=True)

    def stop(self):
        self.stopping.set()
        self.join(timeout=self.interval + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            pass
