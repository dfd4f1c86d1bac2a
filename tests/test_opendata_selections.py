"""Any page a visitor sees can be taken away as it is: for six selections of the demo library (a goal, a
region, a network, a theme, what the editors verified or found complete, a text search with a facet), in
Italian and in English, the CSV, JSON and GeoJSON exports and the RSS and Atom feeds at the page's own address
list exactly the entries the page lists."""

import csv
import io
import json

import feedparser
import pytest
from django.core.cache import cache
from wagtail.models import Locale

from library.pages import LibraryIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # exports are counted per address in the cache
    yield
    cache.clear()


@pytest.fixture(scope="module")
def libraries(demo, django_db_blocker):
    """{language: {"library": its address, "network": the address of a network's landing page in its words}}."""
    with django_db_blocker.unblock():
        pages = {
            language: LibraryIndexPage.objects.get(locale=Locale.objects.get(language_code=language))
            for language in ("it", "en")
        }
        return {
            language: {"library": page.url, "network": page.landing_url("network", "rete-next-mobilitarsi")}
            for language, page in pages.items()
        }


SELECTIONS = [
    ("goal", "{library}sdg/11/", {}),
    ("region", "{library}", {"territory": "01"}),
    ("network", "{network}", {}),
    ("theme", "{library}", {"theme": "reti-territoriali"}),
    ("quality", "{library}", {"quality": ["verified", "complete"]}),
    ("search with a facet", "/{language}/search/", {"q": "rete", "sdg": "17"}),
]


def listed(client, url, params):
    """(id, absolute URL) of every entry the page lists, over all its pages, in its order."""
    entries, number = [], 1
    while True:
        response = client.get(url, {**params, "page": number})
        assert response.status_code == 200
        page_obj = response.context["page_obj"]
        entries += [(entry.pk, "http://testserver" + entry.url) for entry in page_obj]
        if not page_obj.has_next():
            return entries, response.content.decode()
        number += 1


def download(client, url, params, fmt):
    response = client.get(url, {**params, "format": fmt})
    assert response.status_code == 200, (url, fmt, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("name, address, params", SELECTIONS, ids=[name for name, _a, _p in SELECTIONS])
def test_exports_and_feeds_list_exactly_what_the_page_lists(client, libraries, language, name, address, params):
    url = address.format(**libraries[language], language=language)
    entries, html = listed(client, url, params)
    assert entries, f"the {name} selection lists nothing: the comparison would prove nothing"
    ids = [pk for pk, _url in entries]
    # Feed readers find the feeds of the page.
    assert 'rel="alternate" type="application/rss+xml"' in html and 'type="application/atom+xml"' in html

    text = download(client, url, params, "csv").decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";" if language == "it" else ","))
    assert "CC BY 4.0" in rows[0][0]
    header = rows[1]
    assert [int(row[header.index("id")]) for row in rows[2:]] == ids

    document = json.loads(download(client, url, params, "json"))
    assert [entry["id"] for entry in document["entries"]] == ids
    assert document["count"] == len(ids) and document["licence"]["name"] == "CC BY 4.0"

    geojson = json.loads(download(client, url, params, "geojson"))
    assert geojson["type"] == "FeatureCollection"
    assert list(dict.fromkeys(feature["properties"]["id"] for feature in geojson["features"])) == ids
    for feature in geojson["features"]:
        if feature["geometry"]:
            longitude, latitude = feature["geometry"]["coordinates"]
            assert 6 < longitude < 19 and 35 < latitude < 48  # a point in Italy, longitude first

    for fmt, version in (("rss", "rss20"), ("atom", "atom10")):
        feed = feedparser.parse(download(client, url, params, fmt))
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == version
        assert sorted(item.link for item in feed.entries) == sorted(link for _pk, link in entries)
        assert feed.feed.language if fmt == "rss" else True


def test_english_exports_speak_english_and_mark_the_italian_entries(client, libraries):
    url = libraries["en"]["library"]
    entries, _html = listed(client, url, {"sdg": "11"})
    document = json.loads(download(client, url, {"sdg": "11"}, "json"))
    assert [entry["id"] for entry in document["entries"]] == [pk for pk, _url in entries]
    names = {name for entry in document["entries"] for name in entry["sdg_names"]}
    assert "Sustainable Cities and Communities" in names
    assert {entry["language"] for entry in document["entries"]} == {"en", "it"}
    assert all(entry["in_other_language"] == (entry["language"] == "it") for entry in document["entries"])
