"""`import_library --background`: the import of a large file as a task, in batches, with its progress.

The command validates the file first (the same `plan()` as a plain import: a bad line is reported at once and
nothing is queued), keeps it in an ImportJob row and enqueues `run_import` on the "long" queue. The worker
plans again (the library may have changed meanwhile), then writes BATCH entries per transaction, good
practices first (the other entries link to them), and records its progress on the job after each batch:
`import_library --status` and the admin ("Impostazioni" > "Importazioni") show it.

A plain import writes everything in one transaction; here each batch commits on its own, so visitors see the
entries arrive batch by batch. If the worker dies, the task runs again from the start: the batches already
written are found unchanged (the import is idempotent by slug) and the rest is written."""

import logging

from django.utils import timezone
from django_tasks import task

from importer.models import ImportJob
from importer.pipeline import LibraryImport

logger = logging.getLogger("background")

BATCH = 200
MAX_PROBLEMS_KEPT = 1000


def enqueue_import(filename, content):
    job = ImportJob.objects.create(filename=filename[:255], content=content)
    result = run_import.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def _failed(job, problems):
    job.status = ImportJob.Status.FAILED
    job.problems = [str(problem) for problem in problems[:MAX_PROBLEMS_KEPT]]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "problems", "finished_at"])


@task(queue_name="long")
def run_import(job_id):
    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return {"created": job.created, "updated": job.updated, "unchanged": job.unchanged}
    lines = bytes(job.content).splitlines(keepends=True)
    job.status, job.started_at, job.problems = ImportJob.Status.RUNNING, timezone.now(), []
    job.done = job.created = job.updated = job.unchanged = 0
    job.save()
    whole = LibraryImport(lines)
    report = whole.plan()
    if not report.ok:
        _failed(job, report.problems)
        return {"problems": len(report.problems)}
    records = sorted(whole.records, key=lambda record: (record.type != "good_practice", record.line))
    job.total = len(records)
    job.save(update_fields=["total"])
    for start in range(0, len(records), BATCH):
        numbers = {record.line for record in records[start : start + BATCH]}
        # The other lines blanked, not removed: problems keep the numbers of the file's lines.
        batch = LibraryImport([raw if number in numbers else b"" for number, raw in enumerate(lines, start=1)])
        batch_report = batch.plan()
        if not batch_report.ok:
            _failed(job, batch_report.problems)
            return {"problems": len(batch_report.problems)}
        batch.write()
        job.done += len(numbers)
        job.created += batch_report.created
        job.updated += batch_report.updated
        job.unchanged += batch_report.unchanged
        job.save(update_fields=["done", "created", "updated", "unchanged"])
        logger.info("Import %s: %d/%d", job.pk, job.done, job.total)
    job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return {"created": job.created, "updated": job.updated, "unchanged": job.unchanged}
