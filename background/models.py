from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A database-backend worker that is alive: `manage.py worker` writes `seen_at` every few seconds. A task
    left RUNNING by a worker not seen for TASKS_WORKER_STALE_AFTER seconds is put back in the queue
    (background/workers.py)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("worker")

    def __str__(self):
        return self.worker_id
