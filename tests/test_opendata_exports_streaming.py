"""Exports stream: the selection is read from the database in batches of exports.CHUNK entries, each batch by
its own query bounded by a LIMIT (keyset pagination, opendata/batches.py) with its prefetches limited to that
batch, so that the queries grow with rows / batch and no query reads the whole selection. The memory itself
is measured by `make bench-export`, not asserted here."""

import math
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from opendata import exports
from opendata.batches import batches
from practices.models import LibraryEntry
from tests.opendata_library import open_library  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
ENTRY_TABLE = '"practices_libraryentry"'


def export(client, url, fmt, monkeypatch, chunk):
    from django.core.cache import cache

    cache.clear()  # the exports' rate limit
    monkeypatch.setattr(exports, "CHUNK", chunk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"format": fmt})
        assert response.status_code == 200 and response.streaming
        content = b"".join(response.streaming_content)
    return content, [query["sql"] for query in queries.captured_queries]


def entry_reads(queries):
    """The queries that read entries themselves (not a count, not a subquery of ids)."""
    return [sql for sql in queries if sql.startswith("SELECT") and f"FROM {ENTRY_TABLE}" in sql.split(" WHERE ")[0]]


def in_lists(sql):
    return [len(group.split(",")) for group in re.findall(r" IN \(([^()]*)\)", sql)]


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_an_export_reads_the_selection_in_bounded_batches(client, open_library, monkeypatch, fmt):  # noqa: F811
    url = open_library["tree"].library.url
    csv_content, _queries = export(client, url, "csv", monkeypatch, chunk=1000)
    count = len(csv_content.decode("utf-8-sig").splitlines()) - 2  # the attribution line, the header
    assert count >= 5
    whole, whole_queries = export(client, url, fmt, monkeypatch, chunk=1000)
    assert len(entry_reads(whole_queries)) == 1  # the selection is smaller than a batch: one read
    per_batch = set()
    for chunk in (2, 3):
        content, queries = export(client, url, fmt, monkeypatch, chunk=chunk)
        # The same bytes whatever the batch size (the JSON header's generated_at aside).
        assert content.split(b"[", 1)[1] == whole.split(b"[", 1)[1] if fmt != "csv" else content == whole
        reads = entry_reads(queries)
        # A batch shorter than the batch size is the last: at most one more, empty, read.
        assert math.ceil(count / chunk) <= len(reads) <= math.ceil(count / chunk) + 1, (chunk, count, reads)
        for sql in reads:
            limit = re.search(r"LIMIT (\d+)", sql)
            assert limit and int(limit.group(1)) <= chunk, sql
        # The prefetches are the batch's: no list of ids holds the whole selection.
        assert max(size for sql in queries for size in in_lists(sql) or [0]) < count
        # The queries grow with the number of batches, by the same number for each batch.
        per_batch.add((len(queries) - len(whole_queries)) / (len(reads) - 1))
    (queries_per_batch,) = per_batch
    assert queries_per_batch >= 1


def test_batches_follow_any_order_with_nulls_and_slices(open_library):  # noqa: F811
    LibraryEntry.objects.filter(pk=LibraryEntry.objects.order_by("pk").values("pk")[:1]).update(year=None)
    entries = LibraryEntry.objects.all()
    assert entries.filter(year__isnull=True).exists() and entries.count() >= 5
    for ordering in (
        ["-year", "-first_published_at", "pk"],
        ["year", "title"],
        ["title"],
        [F("year").asc(nulls_last=True), "-pk"],
        [F("year").desc(nulls_first=True), "title"],
        ["path"],
    ):
        ordered = entries.order_by(*ordering)
        expected = [entry.pk for entry in ordered]
        for size in (1, 2, 3, 100):
            read = list(batches(ordered, size))
            assert all(len(batch) <= size for batch in read)
            assert [entry.pk for batch in read for entry in batch] == expected, (ordering, size)
            assert [entry.pk for batch in batches(ordered[1:4], size) for entry in batch] == expected[1:4]
