import time

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Locale

from bootstrap.demo import load_demo_library
from practices.models import ENTRY_TYPES


class Command(BaseCommand):
    help = "Build the demo library from the seeds (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        started = time.monotonic()
        report = load_demo_library()
        if report.import_problems:
            for problem in report.import_problems:
                self.stderr.write(problem)
            raise CommandError("the demo library does not validate: nothing was written")
        created = ", ".join(f"{count} {kind}" for kind, count in report.created.items() if count) or "nothing new"
        self.stdout.write(f"Demo library: {created}.")
        lines = []
        for locale in Locale.objects.order_by("pk"):
            counts = ", ".join(
                f"{model.objects.live().filter(locale=locale).count()} {key}" for key, model in ENTRY_TYPES.items()
            )
            lines.append(f"{locale.language_code}: {counts}")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"The library holds {'; '.join(lines)} ({elapsed:.1f}s)."))
