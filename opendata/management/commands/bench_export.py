"""Streams the library's exports of the first N entries and reports time, size and peak memory (tracemalloc)
beside a ceiling measured in the same run: the export of a single batch (exports.CHUNK entries), the least
a streamed export can hold. The memory must stay flat from a thousand entries to ten thousand: a few times
that one batch whatever the size, never growing with it (a batch at a time, never the whole selection)."""

import time
import tracemalloc

from django.conf import settings
from django.core.management.base import BaseCommand
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import Locale

from library.query import LibraryQuery
from opendata.exports import CHUNK, export_response
from opendata.records import entries_for_records


class Command(BaseCommand):
    help = "Time and peak memory of streamed CSV, JSON and GeoJSON exports of the library, at several sizes."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of entries")
        parser.add_argument("--formats", default="csv,json,geojson")

    def handle(self, *args, sizes, formats, **options):
        settings.DEBUG = False  # no query log growing in memory
        host = (settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".").replace("*", "localhost")
        factory = RequestFactory(HTTP_HOST=host)
        locale = Locale.objects.get(language_code="it")
        total = LibraryQuery(QueryDict(), locale).entries.count()
        self.stdout.write(f"library: {total} public Italian entries")
        self.stdout.write(f"{'format':8} {'entries':>8} {'MB out':>8} {'seconds':>8} {'peak MB':>8} {'of 1 batch':>10}")
        for fmt in formats.split(","):
            ceiling = None
            for index, size in enumerate([CHUNK, *(int(value) for value in sizes.split(","))]):
                written, seconds, peak = self.measure(factory, locale, fmt, size)
                ceiling = ceiling or peak  # the first: one batch
                label = f"{'1 batch' if index == 0 else min(size, total):>8}"
                self.stdout.write(
                    f"{fmt:8} {label} {written / 1e6:>8.1f} {seconds:>8.1f} {peak / 1e6:>8.1f} {peak / ceiling:>9.1f}x"
                )

    def measure(self, factory, locale, fmt, size):
        with translation.override("it"):
            query = LibraryQuery(QueryDict(), locale)
            entries = entries_for_records(query.results)[:size]
            request = factory.get("/it/biblioteca/", {"format": fmt})
            tracemalloc.start()
            started = time.perf_counter()
            response = export_response(fmt, entries, "bench", request, "it")
            written = sum(len(chunk) for chunk in response.streaming_content)
            seconds = time.perf_counter() - started
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return written, seconds, peak
