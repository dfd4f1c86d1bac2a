"""The pages endpoint of API v2 with the library's facet keys and search."""

import pytest

from tests.test_library_facets import library  # noqa: F401  (the four-entry library fixture)

pytestmark = pytest.mark.django_db


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["items"])


def test_library_type_keys_and_facets_filter_the_pages(client, library):  # noqa: F811
    assert titles(client.get("/api/v2/pages/", {"type": "case_study"})) == ["Tetti solari a Torino"]
    assert titles(client.get("/api/v2/pages/?sdg=13&territory=01")) == [
        "Comunità energetica di Chieri",
        "Tetti solari a Torino",
    ]
    assert titles(client.get("/api/v2/pages/?sdg=1&sdg=4")) == [
        "Biblioteca di strada a Palermo",
        "Emporio solidale di Milano",
    ]
    assert titles(client.get("/api/v2/pages/?type=good_practice&territory=M1")) == [  # Nord-ovest: Piemonte, Lombardia
        "Comunità energetica di Chieri",
        "Emporio solidale di Milano",
    ]


def test_app_model_types_still_work(client, library):  # noqa: F811
    assert "Tetti solari a Torino" in titles(client.get("/api/v2/pages/", {"type": "practices.CaseStudyPage"}))


@pytest.mark.parametrize(
    "query",
    ["sdg=99", "territory=XX", "type=blog", "network=nessuna", "year=abc", "type=practices.CaseStudyPage&sdg=13"],
)
def test_unknown_values_are_a_400_with_a_message(client, library, query):  # noqa: F811
    response = client.get("/api/v2/pages/?" + query)
    assert response.status_code == 400
    assert response.json()["message"]


def test_search_ranks_library_entries_and_returns_slugs(client, library):  # noqa: F811
    response = client.get("/api/v2/pages/", {"search": "energetica", "limit": 10})
    assert titles(response) == ["Comunità energetica di Chieri"]
    assert response.json()["items"][0]["meta"]["slug"]


@pytest.mark.parametrize("query", ['"', "\x00", "-", "*", "&", "🙂", "a" * 10_000, "title:x AND y", "' OR 1=1"])
def test_odd_search_input_never_gives_a_500(client, library, query):  # noqa: F811
    assert client.get("/api/v2/pages/", {"search": query}).status_code == 200
