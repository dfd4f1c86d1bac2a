"""Search latency on the configured database: the search page, the library and the API, each asked the same
varied queries with and without facets, through the whole view and template path. `make bench-search`
prepares the database (BENCH_ENTRIES generated entries) and runs this.

Timings are a report, never a test: they depend on the machine and on what else it is doing."""

import logging
import os
import random
import re
import resource
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from core.text import fold
from library.pages import LibraryIndexPage
from practices.models import ENTRY_TYPES, SDG, EntryTerritory, LibraryEntry, Territory, Theme

LANGUAGE = "it"
STOPWORDS = {
    "alla", "alle", "anche", "come", "dalla", "dalle", "degli", "della", "delle", "dello", "nella",
    "nelle", "nello", "negli", "sono", "dove", "ogni", "tutti", "tutte", "loro", "questo", "questa",
}  # fmt: skip
ENGLISH = [
    "volunteering", "food bank", "energy community", "social farming", "urban regeneration", "elderly care",
    "youth centre", "climate action", "good practice", "community welfare", "bike repair", "refugees",
]  # fmt: skip
# The kinds of query, taken in turn, so that every kind of input is asked about equally often.
KINDS = [
    "word", "two_words", "theme", "region", "title_phrase", "comune", "sdg", "three_words", "province",
    "theme_and_place", "typo", "accented_place", "english", "odd", "no_result",
]  # fmt: skip


@dataclass
class Scenario:
    key: str
    label: str
    path: str
    query_key: str | None  # None: browse the facets without a query
    facets: bool
    timings: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # (status, url, exception)

    def url(self, sample):
        pairs = [(self.query_key, sample.q)] if self.query_key else []
        if self.facets:
            pairs += sample.facets
        return f"{self.path}?{urlencode(pairs)}"


@dataclass
class Sample:
    kind: str
    q: str
    facets: list  # (key, value) pairs, used by the scenarios with facets
    api_hits: int = 0


def words(text):
    return re.findall(r"\w+", text)


class QueryMaker:
    """Queries drawn from what the database holds (words of the titles and summaries, themes, places at
    every level, goals), so that most find something, plus the inputs that break search backends."""

    def __init__(self, rng):
        self.rng = rng
        entries = LibraryEntry.objects.live().filter(locale__language_code=LANGUAGE)
        texts = list(entries.order_by("slug").values_list("title", "summary"))
        if not texts:
            raise CommandError("No live entries: prepare the database first (make bench-search does).")
        self.titles = [title for title, _summary in texts]
        territories = Territory.objects.order_by("code")
        # Place names have kinds of their own; left among the words, the 8,000 comuni would crowd out the
        # few hundred words that say what the entries are about.
        place_words = {word.lower() for name in territories.values_list("name", flat=True) for word in words(name)}
        self.words = sorted(
            {word.lower() for text in texts for word in words(" ".join(text)) if len(word) > 3 and not word.isdigit()}
            - STOPWORDS
            - place_words
        )
        self.themes = sorted(Theme.objects.values_list("name_it", flat=True))
        self.english_terms = sorted({*filter(None, Theme.objects.values_list("name_en", flat=True)), *ENGLISH})
        self.regions = list(territories.filter(level="region").values_list("name", flat=True))
        self.region_codes = list(territories.filter(level="region").values_list("code", flat=True))
        self.provinces = list(territories.filter(level="province").values_list("name", flat=True))
        # Comuni that entries are about, so that a place query usually has an answer.
        self.comuni = sorted(
            set(
                EntryTerritory.objects.filter(page__in=entries, territory__level="municipality").values_list(
                    "territory__name", flat=True
                )
            )
        )
        self.accented = [name for name in self.regions + self.provinces + self.comuni if not name.isascii()]
        self.sdg_names = list(SDG.objects.order_by("number").values_list("short_it", flat=True))
        self.types = sorted(key for key, model in ENTRY_TYPES.items() if model.objects.live().exists())

    def samples(self, count, avoid=()):
        """`count` queries taking the kinds in turn, none asked twice nor taken from `avoid`. A kind with few
        possible queries may repeat one after a few draws rather than loop for ever."""
        seen, samples = set(avoid), []
        for index in range(count):
            kind = KINDS[index % len(KINDS)]
            for _draw in range(20):
                sample = Sample(kind, getattr(self, kind)(), self.facets())
                if sample.q not in seen:
                    break
            seen.add(sample.q)
            samples.append(sample)
        return samples

    def facets(self):
        rng = self.rng
        pairs = []
        for key in sorted(rng.sample(["sdg", "territory", "type"], rng.randint(1, 3))):
            value = {
                "sdg": lambda: str(rng.randint(1, 17)),
                "territory": lambda: rng.choice(self.region_codes),
                "type": lambda: rng.choice(self.types),
            }[key]()
            pairs.append((key, value))
        return pairs

    def word(self):
        return self.rng.choice(self.words)

    def two_words(self):
        return " ".join(self.rng.sample(self.words, 2))

    def three_words(self):
        return " ".join(self.rng.sample(self.words, 3))

    def title_phrase(self):
        title = self.rng.choice(self.titles).split()
        length = self.rng.randint(2, 4)
        start = self.rng.randint(0, max(0, len(title) - length))
        return " ".join(title[start : start + length])

    def theme(self):
        return self.rng.choice(self.themes)

    def region(self):
        return self.rng.choice(self.regions)

    def province(self):
        return self.rng.choice(self.provinces)

    def comune(self):
        return self.rng.choice(self.comuni)

    def theme_and_place(self):
        return f"{self.theme()} {self.rng.choice(self.regions + self.provinces)}"

    def accented_place(self):
        name = self.rng.choice(self.accented)
        return self.rng.choice([name, fold(name), fold(name).title()])

    def sdg(self):
        number = self.rng.randint(1, 17)
        forms = [f"SDG {number}", f"sdg{number}", f"obiettivo {number}", f"Goal {number}", self.sdg_names[number - 1]]
        return self.rng.choice(forms)

    def typo(self):
        word = self.rng.choice([word for word in self.words if len(word) > 5])
        at = self.rng.randrange(1, len(word) - 1)
        return self.rng.choice(
            [
                word[:at] + word[at + 1 :],  # a letter left out
                word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :],  # two letters swapped
                word[:at] + self.rng.choice("aeiou") + word[at + 1 :],  # a wrong vowel
                word[:at] + word[at] + word[at:],  # a letter doubled
            ]
        )

    def english(self):
        return self.rng.choice(self.english_terms)

    def odd(self):
        word = self.word()
        return self.rng.choice(
            [
                f'"{word} {self.word()}"',
                f'"{word}',
                f"{word} -{self.word()}",
                f"{word[:4]}*",
                f"{word} 🌱",
                "🤝",
                "\\",
                f"{word}\\",
                f"{word}' OR '1'='1",
                "%",
                "_",
                "<script>alert(1)</script>",
                f"{word}\x00",
                "   ",
                " ".join(self.rng.sample(self.words, 60))[:300],
                (word + " ") * (10_000 // (len(word) + 1)),
            ]
        )

    def no_result(self):
        return "".join(self.rng.choice("bcdfghlmnpqrstvz") for _ in range(self.rng.randint(6, 10)))


def percentile(values, share):
    """Nearest-rank percentile: the smallest value with `share` of all values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * share // 100) - 1)]


class Command(BaseCommand):
    help = (
        "Time the search page, the library and the API on the configured database with varied queries, with "
        "and without facets, and print p50/p95 per scenario."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=200, help="queries per scenario (default 200)")
        parser.add_argument("--seed", type=int, default=1, help="seed of the query mix (default 1)")
        parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per scenario first")
        parser.add_argument("--only", default="", help="comma-separated scenario keys (default: all)")
        parser.add_argument("--slowest", type=int, default=5, help="list the N slowest requests")
        parser.add_argument("--by-kind", action="store_true", help="also print p95 per kind of query")

    def handle(self, *args, queries, seed, warmup, only, slowest, by_kind, **options):
        with translation.override(LANGUAGE):
            library = LibraryIndexPage.objects.live().filter(locale__language_code=LANGUAGE).first()
            if library is None:
                raise CommandError("No library page: prepare the database first (make bench-search does).")
            search_path, library_path = reverse("search"), library.get_url()
        scenarios = [
            Scenario("search", "search page, q", search_path, "q", facets=False),
            Scenario("search-facets", "search page, q + facets", search_path, "q", facets=True),
            Scenario("library", "library, q", library_path, "q", facets=False),
            Scenario("library-facets", "library, q + facets", library_path, "q", facets=True),
            Scenario("library-browse", "library, facets only", library_path, None, facets=True),
            Scenario("api", "API, search", "/api/v2/pages/", "search", facets=False),
            Scenario("api-facets", "API, search + facets", "/api/v2/pages/", "search", facets=True),
        ]
        if only:
            keys = set(only.split(","))
            if unknown := keys - {scenario.key for scenario in scenarios}:
                raise CommandError(f"Unknown scenarios: {', '.join(sorted(unknown))}")
            scenarios = [scenario for scenario in scenarios if scenario.key in keys]

        maker = QueryMaker(random.Random(seed))
        samples = maker.samples(queries)
        # Other queries than the measured ones, so that these find nothing already cached by the warm-up.
        warm_samples = maker.samples(warmup, avoid={sample.q for sample in samples})
        self.print_header(queries, seed, warmup)

        hosts = [host for host in settings.ALLOWED_HOSTS if host != "*" and not host.startswith(".")]
        client = Client(HTTP_HOST=hosts[0] if hosts else "127.0.0.1", raise_request_exception=False)
        request_log = logging.getLogger("django.request")
        level = request_log.level
        # Failures are listed after the table; a traceback per failing request would bury it. DEBUG off
        # because its query log and template debugging are not what visitors get.
        request_log.setLevel(logging.CRITICAL)
        started = time.perf_counter()
        self.stdout.write(f"{'scenario':<26}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'non-200':>9}")
        try:
            with override_settings(DEBUG=False):
                for scenario in scenarios:
                    self.run(client, scenario, samples, warm_samples)
                    self.print_row(scenario)
        finally:
            request_log.setLevel(level)
        if by_kind:
            self.print_by_kind(scenarios, samples)
        self.print_details(scenarios, samples, slowest, time.perf_counter() - started)

    def run(self, client, scenario, samples, warm_samples):
        for sample in warm_samples:
            client.get(scenario.url(sample))
        for sample in samples:
            url = scenario.url(sample)
            begin = time.perf_counter()
            response = client.get(url)
            scenario.timings.append((time.perf_counter() - begin) * 1000)
            if response.status_code != 200:
                exception = response.exc_info[1] if response.exc_info else None
                scenario.failures.append((response.status_code, url, exception))
            elif scenario.key == "api":
                sample.api_hits = response.json()["meta"]["total_count"]

    def print_header(self, queries, seed, warmup):
        version = {
            "postgresql": lambda: f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}",
            "sqlite": lambda: f"SQLite {sqlite3.sqlite_version}",
        }.get(connection.vendor, lambda: connection.vendor)()
        backends = ", ".join(
            f"{name} {backend['BACKEND']}" + (f" ({backend['SEARCH_CONFIG']})" if "SEARCH_CONFIG" in backend else "")
            for name, backend in settings.WAGTAILSEARCH_BACKENDS.items()
        )
        entries = LibraryEntry.objects.live().filter(locale__language_code=LANGUAGE)
        by_type = ", ".join(
            f"{model.objects.live().filter(locale__language_code=LANGUAGE).count():,} {key}"
            for key, model in ENTRY_TYPES.items()
        )
        self.stdout.write(f"database: {version}, {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"search backends: {backends}")
        self.stdout.write(f"entries: {entries.count():,} live in '{LANGUAGE}' ({by_type})")
        self.stdout.write(
            f"queries: {queries} per scenario, seed {seed}, {warmup} warm-up requests per scenario, DEBUG off, "
            "in-process test client (no network, persistent database connection)"
        )
        # Other processes slow every timing down: say how busy the machine was.
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        self.stdout.write(f"machine: {os.cpu_count()} CPUs, load average {load} at start\n")

    def print_row(self, scenario):
        """One row as soon as its scenario is done: a full run takes minutes."""
        timings = scenario.timings
        self.stdout.write(
            f"{scenario.label:<26}{len(timings):>5}{statistics.median(timings):>9.1f}"
            f"{percentile(timings, 95):>9.1f}{max(timings):>9.1f}{len(scenario.failures):>9}"
        )
        self.stdout.flush()

    def print_by_kind(self, scenarios, samples):
        """Which kinds of input are slow: the scenarios as columns, p95 ms of each kind of query."""
        self.stdout.write(f"\np95 ms by kind of query\n{'kind':<16}" + "".join(f"{s.key:>15}" for s in scenarios))
        for kind in KINDS:
            cells = []
            for scenario in scenarios:
                timings = [ms for sample, ms in zip(samples, scenario.timings, strict=True) if sample.kind == kind]
                cells.append(f"{percentile(timings, 95):>15.1f}" if timings else f"{'-':>15}")
            self.stdout.write(f"{kind:<16}" + "".join(cells))

    def print_details(self, scenarios, samples, slowest, seconds):
        if any(scenario.key == "api" for scenario in scenarios):
            found = sum(1 for sample in samples if sample.api_hits)
            self.stdout.write(f"\nqueries with at least one API result: {found} of {len(samples)}")
        for scenario in scenarios:
            for status, url, exception in scenario.failures[:3]:
                self.stdout.write(f"{scenario.label}: {status} {url[:150]} {exception!r}")
        if slowest:
            self.stdout.write(f"\nslowest {slowest} requests:")
            slow = [
                (ms, scenario.label, sample.kind, scenario.url(sample))
                for scenario in scenarios
                for sample, ms in zip(samples, scenario.timings, strict=True)
            ]
            for ms, label, kind, url in sorted(slow, reverse=True)[:slowest]:
                self.stdout.write(f"  {ms:8.1f} ms  {label:<26} {kind:<16} {url[:110]}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        requests = sum(len(scenario.timings) for scenario in scenarios)
        self.stdout.write(f"\npeak memory (max RSS): {peak:.0f} MB; {requests} requests in {seconds:.0f} s")
