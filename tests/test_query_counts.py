"""Pages run a number of SQL queries that does not grow with the library: measured on the demo library,
then again after importing 1,000 more entries."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practices.demo import load_demo_library
from practices.importer import LibraryImport
from practices.models import (
    CaseStudyPage,
    GoodPracticePage,
    LibraryIndexPage,
    NetworkPage,
    ResidencyPage,
    TrainingModulePage,
    TrainingProgrammePage,
)

pytestmark = pytest.mark.django_db

# Generous enough for every page type, low enough that a query per listed item would break it.
MAX_QUERIES = 60


def page_paths():
    library = LibraryIndexPage.objects.get(locale__language_code="it")
    paths = {
        "home": library.get_parent().url,
        "library": library.url,
        "library-filtered": library.url + "?sdg=11&territory=M1&type=good_practice",
        "library-text": library.url + "?q=comunità",
        "search": "/it/search/?q=comunità",
        "landing-sdg": library.url + "sdg/11/",
        "landing-territory": library.url + "territorio/01/",
        "good-practice": GoodPracticePage.objects.live().first().url,
        "case-study": CaseStudyPage.objects.live().first().url,
        "module": TrainingModulePage.objects.live().first().url,
        "residency": ResidencyPage.objects.live().first().url,
        "network": NetworkPage.objects.live().first().url,
        "programme": TrainingProgrammePage.objects.live().first().url,
    }
    english = LibraryIndexPage.objects.filter(locale__language_code="en").first()
    if english:  # the English library mixes translations and marked Italian originals
        paths["library-en"] = english.url
        paths["search-en"] = "/en/search/?q=comunità"
    return paths


def count_queries(client, paths):
    counts = {}
    for name, path in paths.items():
        client.get(path)  # warm the caches a real server would have warm (content types, site root)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        if "page_obj" in (response.context or {}):
            assert response.context["page_obj"].paginator.count > 0, f"{path} lists nothing: pick another filter"
        counts[name] = len(queries)
    return counts


def test_queries_stay_flat_from_the_demo_library_to_a_thousand_more_entries(client):
    load_demo_library()
    paths = page_paths()
    small = count_queries(client, paths)

    lines = io.StringIO()
    call_command("generate_library", 1000, "--prefix", "carico", stdout=lines)
    importer = LibraryImport(lines.getvalue().splitlines())
    assert importer.plan().ok
    importer.write()
    large = count_queries(client, paths)

    assert {name: count for name, count in large.items() if count > small[name]} == {}, (small, large)
    assert max(large.values()) <= MAX_QUERIES, large
