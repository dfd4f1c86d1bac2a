import time

from django.core.management.base import BaseCommand

from bootstrap.reference_data import load_reference_data


class Command(BaseCommand):
    help = "Load the 17 SDGs, the ISTAT territories and the base themes (idempotent)."

    def handle(self, *args, **options):
        started = time.monotonic()
        report = load_reference_data()
        for name in report.created:
            self.stdout.write(f"{name}: {report.created[name]} created, {report.updated[name]} updated")
        verdict = "reference data updated" if report.changed else "reference data already up to date"
        self.stdout.write(self.style.SUCCESS(f"{verdict} in {time.monotonic() - started:.1f}s"))
