import sys
import time

from django.core.management.base import BaseCommand, CommandError

from practices.importer import LibraryImport

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import library entries from a JSON Lines file (or - for standard input). Every line is validated first; "
        "if any is bad nothing is written. Entries are matched by slug and locale: created, updated or left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of a .jsonl file, or - to read standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report what would change; write nothing"
        )

    def handle(self, *args, file, dry_run, **options):
        started = time.monotonic()
        try:
            handle = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        with handle:
            lines = handle.readlines()
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
