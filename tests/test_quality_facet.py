"""A visitor narrows the library to what the editors vouch for: the "Qualità" facet (verified by the editors,
every section of the UN template written), with live counts, chips in words, OR within the facet, on the
library, a landing page, the search page and the API, in Italian and in English."""

import gettext
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.html import escape
from wagtail.models import Locale

from practices.models import GoodPracticePage
from tests.factories import CaseStudyFactory, GoodPracticeFactory
from tests.test_library_facets import counts, titles

pytestmark = pytest.mark.django_db

WRITTEN = {name: "<p>Scritto.</p>" for name, _label in GoodPracticePage.SECTIONS}


@pytest.fixture
def library(site_tree):
    """Two verified practices (one complete too), a complete practice, a verified case study, and a practice
    that is neither; all of them on goal 13 but the last, all with "orto" in the title."""
    verified = {"verified_on": date(2025, 10, 4)}
    GoodPracticeFactory(parent=site_tree.library, title="Orto verificato e completo", sdgs=[13], **verified, **WRITTEN)
    GoodPracticeFactory(parent=site_tree.library, title="Orto verificato", sdgs=[13], year=2021, **verified)
    GoodPracticeFactory(parent=site_tree.library, title="Orto completo", sdgs=[13], **WRITTEN)
    CaseStudyFactory(parent=site_tree.library, title="Orto studiato e verificato", sdgs=[13], **verified)
    GoodPracticeFactory(parent=site_tree.library, title="Orto da documentare", sdgs=[4])
    return site_tree.library


def browse(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def chips(response):
    return dict(response.context["selection"].chips())


def test_the_facet_counts_what_each_badge_gives(client, library):
    response = browse(client, library.url)
    assert len(titles(response)) == 5
    assert counts(response, "quality") == {"verified": 3, "complete": 2}
    html = response.content.decode()
    # The facet reads as the badges do, with a checkbox per value: no JavaScript needed.
    assert "<summary>Qualità</summary>" in html
    assert 'name="quality" value="verified"' in html and 'name="quality" value="complete"' in html
    assert 'Verificata dalla redazione</span> <span class="count">(3)</span>' in html
    assert 'Scheda completa</span> <span class="count">(2)</span>' in html


def test_ticking_verified_gives_only_verified_entries_with_counts_that_match(client, library):
    response = browse(client, library.url, quality="verified")
    assert titles(response) == ["Orto studiato e verificato", "Orto verificato", "Orto verificato e completo"]
    # Its own facet counts without itself (adding "complete" would add one entry); the others with it.
    assert counts(response, "quality") == {"verified": 3, "complete": 2}
    assert counts(response, "type") == {"good_practice": 2, "case_study": 1, "residency": 0, "training_module": 0}
    assert counts(response, "sdg")["13"] == 3 and counts(response, "sdg")["4"] == 0
    html = response.content.decode()
    assert 'name="quality" value="verified" checked' in html
    assert '<details class="facet-group" open>\n        <summary>Qualità</summary>' in html


def test_the_chip_reads_in_words_and_its_link_removes_it(client, library):
    response = browse(client, library.url, quality="verified", year="2021")
    assert titles(response) == ["Orto verificato"]
    assert chips(response) == {"avviate nel 2021": "quality=verified", "Verificata dalla redazione": "year=2021"}
    html = response.content.decode()
    assert 'href="?year=2021">Verificata dalla redazione' in html
    assert titles(browse(client, library.url, year="2021")) == ["Orto verificato"]
    assert len(titles(browse(client, library.url))) == 5  # removing the last chip: everything again


def test_both_values_give_either(client, library):
    response = browse(client, library.url, quality=["verified", "complete"])
    assert titles(response) == [
        "Orto completo",
        "Orto studiato e verificato",
        "Orto verificato",
        "Orto verificato e completo",
    ]
    assert chips(response) == {"Verificata dalla redazione": "quality=complete", "Scheda completa": "quality=verified"}
    assert counts(response, "type")["good_practice"] == 3


def test_quality_and_type_count_each_other(client, library):
    """One query counts both facets: each with the other's choice applied."""
    response = browse(client, library.url, type="case_study")
    assert titles(response) == ["Orto studiato e verificato"]
    assert counts(response, "quality") == {"verified": 1, "complete": 0}
    response = browse(client, library.url, quality="complete")
    assert titles(response) == ["Orto completo", "Orto verificato e completo"]
    assert counts(response, "type") == {"good_practice": 2, "case_study": 0, "residency": 0, "training_module": 0}
    response = browse(client, library.url, quality="complete", type=["good_practice", "case_study"])
    assert titles(response) == ["Orto completo", "Orto verificato e completo"]
    assert counts(response, "quality") == {"verified": 3, "complete": 2}


def test_an_unknown_quality_is_ignored_with_a_message(client, library):
    response = browse(client, library.url, quality=["gold", "verified", "\x00", "verified"])
    assert titles(response) == ["Orto studiato e verificato", "Orto verificato", "Orto verificato e completo"]
    assert escape("«gold» non è un valore di «Qualità»: quel filtro è stato ignorato.") in response.content.decode()
    assert response.context["selection"].values["quality"] == ["verified"]
    assert len(titles(browse(client, library.url, quality="gold"))) == 5


def test_a_landing_page_and_the_search_page_take_the_facet(client, library):
    response = browse(client, library.url + "sdg/13/", quality="complete")
    assert titles(response) == ["Orto completo", "Orto verificato e completo"]
    assert chips(response) == {"Scheda completa": ""}
    response = browse(client, "/it/search/", q="orto", quality="verified")
    assert titles(response) == ["Orto studiato e verificato", "Orto verificato", "Orto verificato e completo"]
    assert counts(response, "quality") == {"verified": 3, "complete": 2}
    assert 'name="quality" value="verified" checked' in response.content.decode()


def test_an_empty_listing_offers_to_drop_the_quality(client, library):
    response = browse(client, library.url, quality="complete", sdg="4")
    assert titles(response) == []
    html = response.content.decode()
    assert escape("senza «Scheda completa»") in html and 'href="?sdg=4"' in html


def test_the_api_filters_by_quality(client, library):
    response = client.get("/api/v2/pages/", {"quality": "complete", "type": "good_practice"})
    assert response.status_code == 200
    assert sorted(item["title"] for item in response.json()["items"]) == ["Orto completo", "Orto verificato e completo"]
    response = client.get("/api/v2/pages/", {"quality": ["verified", "complete"]})
    assert response.status_code == 200 and response.json()["meta"]["total_count"] == 4
    response = client.get("/api/v2/pages/", {"quality": "gold"})
    assert response.status_code == 400 and "gold" in response.json()["message"]


@pytest.fixture
def english_interface():
    """The project's catalogues compiled and read again, as tests/test_translations.py does."""
    call_command("compile_translations", verbosity=0)
    gettext._translations.clear()
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        pass


def test_the_facet_speaks_english(client, site_tree, library, english_interface):
    english = Locale.objects.get(language_code="en")
    site_tree.home.copy_for_translation(english).save_revision().publish()
    english_library = site_tree.library.copy_for_translation(english)
    english_library.save_revision().publish()
    response = browse(client, english_library.url, quality=["verified", "complete"])
    assert len(titles(response)) == 4  # the Italian originals, marked, carry their badges
    assert chips(response) == {"Verified by the editors": "quality=complete", "Complete sheet": "quality=verified"}
    html = response.content.decode()
    assert "<summary>Quality</summary>" in html and "Verificata dalla redazione" not in html
    response = browse(client, english_library.url, quality="gold")
    assert escape("‘gold’ is not a value of ‘Quality’: that filter was ignored.") in response.content.decode()
