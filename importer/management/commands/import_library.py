import shutil
import sys
import tempfile
import time

from django.core.management.base import BaseCommand, CommandError

from importer.pipeline import LibraryImport, LinesFile

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import library entries from a JSON Lines file (or - for standard input). Every line is validated first; "
        "if any is bad nothing is written. Entries are matched by slug and locale: created, updated or left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="path of a .jsonl file, or - to read standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report what would change; write nothing"
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="validate, then leave the writing to a task worker (manage.py worker); follow it with --status",
        )
        parser.add_argument(
            "--status",
            nargs="?",
            const="latest",
            metavar="ID",
            help="progress of a background import (the latest by default)",
        )

    def handle(self, *args, file, dry_run, background, status, **options):
        if status:
            return self._status(status)
        if not file:
            raise CommandError("name the file to import (or - for standard input)")
        started = time.monotonic()
        try:
            handle = open(file, "rb") if file != "-" else tempfile.TemporaryFile()  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        with handle:
            if file == "-":
                # The import reads its lines twice (plan, then write): standard input is kept in a file.
                shutil.copyfileobj(sys.stdin.buffer, handle)
            self._import(LinesFile(handle), dry_run, started, background=background, file=file, handle=handle)

    def _import(self, lines, dry_run, started, background=False, file=None, handle=None):
        show_progress = self.stderr.isatty()
        importer = LibraryImport(lines, progress=self._progress_bar if show_progress else None)
        report = importer.plan()
        if not report.ok:
            for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
                self.stderr.write(str(problem))
            hidden = len(report.problems) - MAX_PROBLEMS_SHOWN
            if hidden > 0:
                self.stderr.write(f"... and {hidden} more problems")
            raise CommandError(f"{len(report.problems)} problem(s) found: nothing was imported.")

        actions = [record.action for record in importer.records]
        if background and not dry_run:
            from importer.background import enqueue_import

            handle.seek(0)
            job = enqueue_import(file, handle.read())
            self.stdout.write(
                self.style.SUCCESS(f"Import {job.pk} queued: {job.get_status_display()}, {job.progress}.")
            )
            self.stdout.write(f"Follow it with: manage.py import_library --status {job.pk}")
            return
        if dry_run:
            self._summary(
                "Dry run, nothing written. Would create",
                actions.count("create"),
                actions.count("update"),
                actions.count("unchanged"),
                report,
            )
            return
        importer.write()
        if show_progress:
            self.stderr.write("", style_func=lambda text: text)
        self._summary("Imported: created", report.created, report.updated, report.unchanged, report)
        self.stdout.write(f"in {time.monotonic() - started:.1f}s")

    def _status(self, job_id):
        from importer.models import ImportJob

        jobs = ImportJob.objects.defer("content")
        job = jobs.first() if job_id == "latest" else jobs.filter(pk=job_id if job_id.isdigit() else None).first()
        if job is None:
            raise CommandError(f"no background import {job_id}")
        self.stdout.write(f"Import {job.pk} of {job.filename}: {job.get_status_display()}, {job.progress} entries")
        if job.status == ImportJob.Status.DONE:
            self.stdout.write(f"created {job.created}, updated {job.updated}, unchanged {job.unchanged}")
        for problem in job.problems[:MAX_PROBLEMS_SHOWN]:
            self.stderr.write(problem)
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(f"import {job.pk} failed after {job.done} entries written")

    def _summary(self, prefix, created, updated, unchanged, report):
        self.stdout.write(self.style.SUCCESS(f"{prefix} {created}, updated {updated}, unchanged {unchanged}."))
        for label, names in (
            ("themes", report.new_themes),
            ("networks", report.new_networks),
            ("organisations", report.new_organisations),
        ):
            if names:
                self.stdout.write(f"New {label} ({len(names)}): {', '.join(names)}")

    def _progress_bar(self, done, total):
        width = 30
        filled = int(width * done / total) if total else width
        bar = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        self.stderr.write(bar, ending="", style_func=lambda text: text)  # progress, not an error: no red
        self.stderr.flush()
