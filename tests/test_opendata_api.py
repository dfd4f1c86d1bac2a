"""The complete API: /api/v2/pages/ gives every entry type's content and taxonomy by stable keys, in the
reader's language with the fallback marked, related entries as ids with URLs, images as renditions and
documents only through Wagtail's view; the query count does not grow with the page size."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.opendata_library import DRAFT, SECRET, open_library  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def detail(client, page):
    response = client.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_good_practice_gives_its_content_and_taxonomy_by_stable_keys(client, open_library):  # noqa: F811
    data = detail(client, open_library["chieri"])
    assert data["entry_type"] == "good_practice"
    assert data["summary"] == "Tetti solari condivisi tra le famiglie di Chieri."
    assert [(sdg["number"], sdg["name"]) for sdg in data["sdgs"]] == [
        (7, "Energia pulita e accessibile"),
        (13, "Lotta contro il cambiamento climatico"),
    ]
    (chieri,) = data["territories"]
    assert (chieri["code"], chieri["level"], chieri["name"]) == ("001078", "municipality", "Chieri")
    assert (chieri["province_code"], chieri["region_code"], chieri["macroarea_code"]) == ("001", "01", "M1")
    assert chieri["latitude"] and chieri["longitude"]
    assert [theme["slug"] for theme in data["themes"]] == ["energia-comunita", "orti-urbani"]
    assert [network["slug"] for network in data["networks"]] == ["rete-clima"]
    assert data["networks"][0]["url"].endswith(open_library["network"].url)
    assert data["year"] == 2021
    assert data["sections"]["context"] == "<p>Il contesto di Chieri.</p>"
    # The referent did not agree to publish the address: visitors write through the contact form.
    assert data["contact"] == {"name": "Anna Rossi", "email": "", "url": ""}
    assert "energia@example.org" not in json.dumps(data)
    related = data["related"]
    assert [item["id"] for item in related["case_studies"]] == [open_library["case"].pk]
    assert [item["id"] for item in related["modules"]] == [open_library["module"].pk]
    assert related["case_studies"][0]["api_url"].endswith(f"/api/v2/pages/{open_library['case'].pk}/")
    # The proposer's contact is the editors' only.
    assert "Proponente" not in json.dumps(data) and "proponente.segreto" not in json.dumps(data)


def test_the_english_translation_speaks_english_and_marks_the_fallbacks(client, open_library):  # noqa: F811
    data = detail(client, open_library["chieri_en"])
    assert data["meta"]["locale"] == "en"
    assert data["sdgs"][0]["name"] == "Affordable and Clean Energy" and data["sdgs"][0]["fallback"] is False
    themes = {theme["slug"]: theme for theme in data["themes"]}
    assert themes["energia-comunita"] | {} == {
        "slug": "energia-comunita",
        "name": "community energy",
        "language": "en",
        "fallback": False,
    }
    assert themes["orti-urbani"]["name"] == "orti urbani"
    assert themes["orti-urbani"]["language"] == "it" and themes["orti-urbani"]["fallback"] is True
    # The network has no English page: the Italian one, marked.
    assert data["networks"][0]["language"] == "it" and data["networks"][0]["fallback"] is True
    # The case study and the module are Italian only: linked, marked as in Italian.
    assert data["related"]["case_studies"][0]["fallback"] is True


def test_every_entry_type_returns_its_own_fields(client, open_library):  # noqa: F811
    case = detail(client, open_library["case"])
    assert case["entry_type"] == "case_study"
    assert [(item["id"], item["note"]) for item in case["related"]["practices"]] == [
        (open_library["chieri"].pk, "Racconta come è nata.")
    ]
    module = detail(client, open_library["module"])
    assert module["entry_type"] == "training_module"
    assert (module["hub"], module["format"]) == ("nord", "misto")
    assert module["programme"]["title"] == "Reti solidali e competenti"
    assert [item["id"] for item in module["related"]["practices"]] == [open_library["chieri"].pk]
    assert module["territories"][0]["level"] == "region"
    residency = detail(client, open_library["residency"])
    assert residency["entry_type"] == "residency"
    assert residency["city"]["code"] == "082053" and residency["city"]["name"] == "Palermo"
    assert residency["participants_count"] == 12
    assert [item["id"] for item in residency["related"]["practices"]] == [open_library["milano"].pk]


def test_documents_are_served_through_wagtail_and_restricted_ones_are_not_listed(client, open_library):  # noqa: F811
    data = detail(client, open_library["chieri"])
    public = open_library["public_doc"]
    assert data["resources"] == [
        {
            "type": "document",
            "title": "Regolamento pubblico",
            "url": f"http://testserver/documents/{public.pk}/{public.filename}",
            "file_extension": "pdf",
        },
        {"type": "link", "title": "Il sito del progetto", "url": "https://example.org/energia"},
    ]
    text = json.dumps(client.get("/api/v2/pages/?type=good_practice&fields=*").json())
    assert "Verbale" not in text
    assert "/media/documents/" not in text and "/media/original_images/" not in text


def test_images_are_renditions(client, open_library):  # noqa: F811
    from tests.test_private_files import an_image

    chieri = open_library["chieri"]
    chieri.hero_image = an_image("eroe.png")
    chieri.save_revision().publish()
    hero = detail(client, chieri)["hero_image"]
    assert set(hero["renditions"]) == {"large", "small"}
    assert all("/media/images/" in rendition["url"] for rendition in hero["renditions"].values())
    assert hero["renditions"]["large"]["width"] <= 1200


def test_restricted_and_draft_entries_are_not_served(client, open_library):  # noqa: F811
    listing = client.get("/api/v2/pages/?type=good_practice&fields=*&limit=20").json()
    titles = {item["title"] for item in listing["items"]}
    assert "Comunità energetica di Chieri" in titles
    assert SECRET not in titles and DRAFT not in titles
    assert client.get(f"/api/v2/pages/{open_library['secret'].pk}/").status_code == 404
    assert client.get(f"/api/v2/pages/{open_library['draft'].pk}/").status_code == 404


def test_the_query_count_is_flat_in_the_page_size(client, open_library):  # noqa: F811
    from tests.factories import GoodPracticeFactory

    for number in range(8):
        page = GoodPracticeFactory(
            parent=open_library["tree"].library, title=f"Pratica in più {number}", sdgs=[3, 4], territories=["001272"]
        )
        page.networks.add(open_library["network"])
        page.themes.add(*open_library["chieri"].themes.all())
        page.save_revision().publish()

    def queries(limit):
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"/api/v2/pages/?type=good_practice&fields=*&limit={limit}")
        assert response.status_code == 200 and len(response.json()["items"]) == limit
        return len(context.captured_queries)

    queries(10)  # renditions and caches warmed
    assert queries(2) == queries(10)
    assert queries(10) <= 32
    with CaptureQueriesContext(connection) as context:
        client.get("/api/v2/pages/?sdg=3&sdg=13&fields=*&limit=10")
    assert len(context.captured_queries) <= 32
