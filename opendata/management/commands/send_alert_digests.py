from django.core.management.base import BaseCommand

from opendata.alerts import send_digests
from opendata.models import AlertSubscription


class Command(BaseCommand):
    help = (
        "Send the e-mail alerts' digests that are due (one a day or a week per subscription, only new entries, "
        "never one twice). Schedule it hourly or daily; running it again sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frequency", choices=AlertSubscription.Frequency.values, help="only these alerts")

    def handle(self, *args, frequency=None, **options):
        sent, failed = send_digests(frequency)
        self.stdout.write(f"digests sent: {sent}, failed: {failed}")
        if failed:
            raise SystemExit(1)
