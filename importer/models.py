from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """An `import_library --background` file, its progress and its outcome. The file is kept in the database:
    the worker may run on another machine than the command."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In coda")
        RUNNING = "running", _("In esecuzione")
        DONE = "done", _("Completata")
        FAILED = "failed", _("Non riuscita")

    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    status = models.CharField(_("stato"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("accodata il"), auto_now_add=True)
    started_at = models.DateTimeField(_("iniziata il"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminata il"), null=True, blank=True)
    total = models.PositiveIntegerField(_("voci"), default=0)
    done = models.PositiveIntegerField(_("voci elaborate"), default=0)
    created = models.PositiveIntegerField(_("create"), default=0)
    updated = models.PositiveIntegerField(_("aggiornate"), default=0)
    unchanged = models.PositiveIntegerField(_("invariate"), default=0)
    problems = models.JSONField(_("problemi"), default=list, blank=True)
    task_id = models.CharField(_("id dell'attività"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("importazione")
        verbose_name_plural = _("importazioni")

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress(self):
        return f"{self.done}/{self.total}"
