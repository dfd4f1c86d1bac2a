import time

from django.core.management.base import BaseCommand, CommandError

from practices.demo import load_demo_library
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
        counts = ", ".join(f"{model.objects.live().count()} {key}" for key, model in ENTRY_TYPES.items())
        self.stdout.write(self.style.SUCCESS(f"The library holds {counts} ({time.monotonic() - started:.1f}s)."))
