"""Exports, feeds and the API's exports leave nothing private out of place: no restricted or draft entry, no
restricted document, no proposer; they stream, carry their licence, and are limited per address."""

import csv
import io
import json

import feedparser
import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.opendata_library import DRAFT, SECRET, open_library  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
FORMATS = ("csv", "json", "geojson", "rss", "atom")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def body(response):
    assert response.status_code == 200, response.status_code
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_private_entry_or_file_is_exported(client, open_library, fmt):  # noqa: F811
    library = open_library["tree"].library
    for url in (
        library.url,
        library.url + "?sdg=13",
        library.landing_url("territory", "01"),
        open_library["library_en"].url,
        "/it/search/?q=Chieri",
        "/api/v2/pages/?sdg=13",
        "/api/v2/pages/?type=good_practice",
    ):
        text = body(client.get(url + ("&" if "?" in url else "?") + f"format={fmt}"))
        assert "Comunità energetica di Chieri" in text or "Chieri community energy" in text, (url, fmt)
        assert SECRET not in text and DRAFT not in text, (url, fmt)
        assert "proponente.segreto" not in text and "Proponente Segreto" not in text
        assert "energia@example.org" not in text, (url, fmt)  # a referent's address not meant for the public
        assert "Verbale" not in text and "/media/" not in text


def test_csv_is_utf8_with_a_bom_and_opens_in_a_spreadsheet(client, open_library):  # noqa: F811
    response = client.get(open_library["tree"].library.url, {"sdg": "7", "format": "csv"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="libreria-obiettivo-7')
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with it
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig").split("\r\n", 1)[1]), delimiter=";"))
    chieri = next(row for row in rows if row["title"] == "Comunità energetica di Chieri")
    assert chieri["sdgs"] == "7|13"
    assert chieri["territories"] == "001078" and chieri["regions"] == "01"
    assert chieri["themes"] == "energia-comunita|orti-urbani"
    assert chieri["networks"] == "rete-clima"
    assert chieri["contact_email"] == ""  # not published by its referent
    assert {row["type"] for row in rows} == {"good_practice", "training_module"}
    assert 'rel="license"' in response["Link"]


def test_a_referents_address_is_exported_only_where_they_agreed_to_publish_it(client, open_library):  # noqa: F811
    for fmt in FORMATS:
        text = body(client.get(open_library["tree"].library.url, {"format": fmt}))
        if fmt in ("csv", "json", "geojson"):  # the feeds carry no contact at all
            assert "emporio@example.org" in text, fmt  # contact_email_public: shown on its page too
        assert "energia@example.org" not in text, fmt  # visitors write to Chieri through the contact form


def test_geojson_has_a_point_per_place(client, open_library):  # noqa: F811
    data = json.loads(body(client.get("/api/v2/pages/", {"type": "good_practice", "format": "geojson"})))
    chieri = [f for f in data["features"] if f["properties"]["id"] == open_library["chieri"].pk]
    assert len(chieri) == 1 and chieri[0]["properties"]["place_code"] == "001078"
    longitude, latitude = chieri[0]["geometry"]["coordinates"]
    assert (round(latitude), round(longitude)) == (45, 8)


def test_feeds_validate_and_carry_goals_and_themes(client, open_library):  # noqa: F811
    feed = feedparser.parse(
        body(client.get(open_library["tree"].library.url, {"theme": "energia-comunita", "format": "rss"}))
    )
    assert not feed.bozo and feed.version == "rss20"
    (item,) = feed.entries
    assert item.title == "Comunità energetica di Chieri"
    assert {tag.term for tag in item.tags} >= {"SDG 13: Lotta contro il cambiamento climatico", "energia di comunità"}
    atom = feedparser.parse(body(client.get(open_library["library_en"].url, {"format": "atom"})))
    assert not atom.bozo and atom.version == "atom10"
    assert "Chieri community energy" in {entry.title for entry in atom.entries}


def test_an_unknown_format_is_a_notice_on_the_page(client, open_library):  # noqa: F811
    response = client.get(open_library["tree"].library.url, {"format": "xls"})
    assert response.status_code == 200
    assert "Il formato «xls» non è disponibile." in response.content.decode()


@override_settings(EXPORT_RATE="3/h", FEED_RATE="2/h")
def test_exports_and_feeds_are_limited_per_address(client, open_library):  # noqa: F811
    url = open_library["tree"].library.url
    assert [client.get(url, {"format": "csv"}).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get("/api/v2/pages/", {"format": "csv"}).status_code == 429
    assert [client.get(url, {"format": "rss"}).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, {"format": "rss"})["Retry-After"]
    other = client.get(url, {"format": "json"}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200  # another address is not affected
    assert client.get(url).status_code == 200  # nor the page itself
