"""Hostile input through every public parameter of every public endpoint: never a 5xx, always a sensible status
(200, 400 for a bad API parameter, 404 for what does not exist) with the right content type.

A test any later change must keep green. It runs on the database of the run, so both legs of CI (SQLite and
PostgreSQL) exercise it, on the demo library. tests/test_search_robustness.py fuzzes the text of the search
page's `q` and the API's `search=` against a small library and checks that searching writes nothing; this
module covers the other parameters and endpoints: the library's facet keys, sort and page, the landing pages'
path values, place, suggestions, the proposal form's territory look-up and the pages, images and documents API
(pagination, fields, order, type, locale, tree filters, find and detail views)."""

from urllib.parse import quote, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from library.facets import FACET_KEYS
from practices.models import NetworkPage
from practices.models.taxonomy import Territory, Theme

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    " ",
    '"',
    "'",
    "\\",
    "\\x00",
    "\x00",
    "a\x00b",
    "\x01\x08\x1b[31m\x7f",
    "\t\r\n",
    "😀👩‍👩‍👧\u202e\ufeff",
    "città\u0301",
    "x" * 10_000,
    " ".join(["parola"] * 500),
    "' OR 1=1 --",
    "'; DROP TABLE wagtailcore_page; --",
    "%' UNION SELECT password FROM auth_user --",
    'title:x AND (y OR "z',
    "{!lucene}[* TO *] a~2 b^3 -c +d *",
    "NEAR(a b) a* NOT",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "-1",
    "-9223372036854775809",
    "1e309",
    "0",
    "NaN",
    "١٢",  # Arabic-Indic digits: int() reads them, a database does not
    "../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "%2e%2e%2f",
    "<script>alert(1)</script>",
    "((((((((((",
    "(" * 2_000,
    "*",
    ",",
    "-",
    "a.b.c",
    "wagtailcore.Page," * 200,
]

LIBRARY_KEYS = (*FACET_KEYS, "q", "sort", "page", "place")
HTML = "text/html"
JSON = "application/json"


def get(client, path, params=None):
    """One request in a savepoint: on PostgreSQL a failed statement would otherwise poison every request after
    it, and the test would report those instead of the one that failed."""
    with transaction.atomic():
        response = client.get(path, params or {})
        transaction.set_rollback(True)
    return response


def problem(response, allowed, content_type):
    """What is wrong with an answer, or "" when it is one of `allowed` with the content type expected."""
    if response.status_code == 302 and 302 in allowed:
        # The API's find view redirects to the detail view of what it found.
        return "" if urlsplit(response["Location"]).path.startswith("/api/v2/") else "redirect elsewhere"
    if response.status_code not in allowed:
        return f"status {response.status_code}"
    if not response.get("Content-Type", "").startswith(content_type):
        return f"content type {response.get('Content-Type')!r}"
    if content_type == JSON:
        try:
            data = response.json()
        except ValueError:
            return "not JSON"
        if response.status_code >= 400 and not data.get("message"):
            return "an error without a message"
    return ""


def check(client, cases, allowed, content_type):
    """Send every (path, params) of `cases`; fail once, listing every one answered badly."""
    bad = []
    for path, params in cases:
        reason = problem(get(client, path, params), allowed, content_type)
        if reason:
            shown = {key: (value if isinstance(value, list) else [value]) for key, value in (params or {}).items()}
            shown = {key: [repr(v[:40]) for v in values[:3]] for key, values in shown.items()}
            bad.append(f"{path[:80]} {shown}: {reason}")
    assert not bad, f"{len(bad)} of {len(cases)} answered badly:\n" + "\n".join(bad[:40])


@pytest.fixture
def visitor():
    """An anonymous visitor whose errors come back as answers (a 500 is a status here, not an exception)."""
    client = Client()
    client.raise_request_exception = False
    return client


@pytest.fixture
def keys(demo):
    """Values the demo really has, so that hostile values also reach pages that exist."""
    return {
        "territory": Territory.objects.filter(level="region").values_list("code", flat=True).first(),
        "network": NetworkPage.objects.live().values_list("slug", flat=True).first(),
        "theme": Theme.objects.values_list("slug", flat=True).first(),
        "sdg": "13",
    }


# Each library's own words for its landing pages (the other language's word redirects to them).
LANDING_WORDS = {
    "/it/biblioteca/": {"sdg": "sdg", "territory": "territorio", "network": "rete", "theme": "tema"},
    "/en/library/": {"sdg": "sdg", "territory": "territory", "network": "network", "theme": "theme"},
}
LANDINGS = list(LANDING_WORDS["/it/biblioteca/"])
LIBRARIES = tuple(LANDING_WORDS)


# --- the public site: library, landing pages, search, suggestions, territory look-up ----------------------------


@pytest.mark.parametrize("library", LIBRARIES)
def test_the_library_takes_any_value_of_every_key_at_once(visitor, demo, library):
    cases = [(library, dict.fromkeys(LIBRARY_KEYS, value)) for value in HOSTILE]
    check(visitor, cases, {200}, HTML)


@pytest.mark.parametrize("library", LIBRARIES)
def test_the_library_takes_repeated_and_unknown_keys(visitor, demo, library):
    cases = [
        (library, {"sdg": [str(n) for n in range(-50, 500)]}),
        (library, {"territory": ["01", "03"] * 300, "theme": HOSTILE, "type": ["good_practice"] * 500}),
        (library, {"year": ["2020", "1899", "2101", "9223372036854775808"] * 50, "page": ["1", "2", "-1"] * 30}),
        (library, {"q": HOSTILE, "sort": ["title", "relevance", "' OR 1=1"] * 20}),
        (library, {"quality": ["verified", "complete", "VERIFIED", "verified\x00", *HOSTILE] * 5}),
        (library, {f"unknown{n}": "x" for n in range(200)} | {"\x00": "x", "q[]": "a", "sdg[0]": "13"}),
    ]
    check(visitor, cases, {200}, HTML)


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("kind", LANDINGS)
def test_landing_pages_answer_404_for_any_hostile_key(visitor, demo, library, kind):
    word = LANDING_WORDS[library][kind]
    cases = [(f"{library}{word}/{quote(value[:300], safe='')}/", {}) for value in HOSTILE if value]
    cases += [(f"{library}{word}/{value}/", {}) for value in ("../..", "..", "%2e%2e", "13/../../admin")]
    # Unknown values reached by the other language's word are 404 at once too, not redirected first.
    other = next(words for name, words in LANDING_WORDS.items() if name != library)[kind]
    cases += [(f"{library}{other}/{quote(value[:300], safe='')}/", {}) for value in HOSTILE[:5] if value]
    check(visitor, cases, {404}, HTML)


def test_landing_pages_that_exist_take_any_value_of_every_key(visitor, keys):
    cases = []
    for index, value in enumerate(HOSTILE):
        kind = LANDINGS[index % len(LANDINGS)]
        library = LIBRARIES[index % len(LIBRARIES)]
        cases.append((f"{library}{LANDING_WORDS[library][kind]}/{keys[kind]}/", dict.fromkeys(LIBRARY_KEYS, value)))
    check(visitor, cases, {200}, HTML)


@pytest.mark.parametrize("search", ["/it/search/", "/en/search/"])
def test_the_search_page_takes_any_value_of_every_key(visitor, demo, search):
    cases = [(search, dict.fromkeys(LIBRARY_KEYS, value)) for value in HOSTILE]
    cases += [(search, {"q": "welfare Lombardia", "place": value, "page": value}) for value in HOSTILE[:12]]
    cases += [(search, {"q": HOSTILE, "territory": ["03"] * 200, "place": ["off", "on"] * 50})]
    check(visitor, cases, {200}, HTML)


@pytest.mark.parametrize("path", ["/it/search/suggest/", "/en/search/suggest/", "/it/segnala/territori/"])
def test_suggestions_and_the_territory_look_up_answer_json(visitor, demo, path):
    cases = [(path, {"q": value}) for value in HOSTILE]
    cases += [(path, {"q": HOSTILE}), (path, {"q[]": "mila", "unknown": "x"}), (path, {})]
    check(visitor, cases, {200}, JSON)


# --- the API: /api/v2/pages/, images/, documents/ --------------------------------------------------------------

API_COMMON = ("search", "search_operator", "offset", "limit", "fields", "order", "id", "title", "format", "_")
API_PAGES = (
    *API_COMMON,
    *FACET_KEYS,
    "locale",
    "child_of",
    "descendant_of",
    "ancestor_of",
    "translation_of",
    "site",
    "slug",
    "show_in_menus",
    "rich_text_format",
)
ENDPOINTS = {"pages": API_PAGES, "images": API_COMMON, "documents": API_COMMON}


def api_statuses(key):
    # REST framework answers a `format` it has no renderer for with a 404, Wagtail an unknown `site` too.
    return {200, 400, 404} if key in ("format", "site") else {200, 400}


@pytest.mark.parametrize(
    ("endpoint", "key"), [(endpoint, key) for endpoint, names in ENDPOINTS.items() for key in names]
)
def test_every_api_parameter_takes_any_value(visitor, demo, endpoint, key):
    cases = [(f"/api/v2/{endpoint}/", {key: value}) for value in HOSTILE]
    cases.append((f"/api/v2/{endpoint}/", {key: HOSTILE}))  # repeated
    check(visitor, cases, api_statuses(key), JSON)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_api_find_and_detail_views_answer_json(visitor, demo, endpoint):
    cases = [(f"/api/v2/{endpoint}/find/", {"id": value}) for value in HOSTILE]
    cases += [(f"/api/v2/{endpoint}/find/", {"html_path": value}) for value in HOSTILE]
    cases += [(f"/api/v2/{endpoint}/{quote(value[:300], safe='')}/", {}) for value in HOSTILE if value]
    cases += [(f"/api/v2/{endpoint}/{n}/", {}) for n in ("0", "999999", "9223372036854775807", "9" * 40)]
    check(visitor, cases, {200, 302, 400, 404}, JSON)


def test_unknown_things_under_the_api_are_json_404s_not_redirects_to_html(visitor, demo):
    """Django's LocaleMiddleware used to redirect these to /it/api/…, Wagtail's HTML "page not found"."""
    for path, params in [
        ("/api/v2/pages/999999/", {}),
        ("/api/v2/images/999999/", {}),
        ("/api/v2/documents/999999/", {}),
        ("/api/v2/pages/find/", {"html_path": "/nope/"}),
        ("/api/v2/pages/find/", {"id": "999999"}),
        ("/api/v2/nope/", {}),
        ("/api/v2/", {}),
        ("/api/v2/pages/1/2/3/", {}),
    ]:
        response = get(visitor, path, params)
        assert response.status_code == 404, (path, response.status_code, response.get("Location"))
        assert response["Content-Type"] == JSON, path
        assert response.json()["message"], path


@pytest.mark.parametrize(
    "params",
    [
        {"locale": "xx"},
        {"locale": "it\x00"},
        {"offset": "9223372036854775808"},
        {"offset": "-1"},
        {"offset": "abc"},
        {"limit": "9223372036854775808"},
        {"limit": "-1"},
        {"limit": "1e3"},
        {"title": "\x00"},
        {"site": "\x00"},
    ],
)
def test_bad_api_parameters_are_a_400_with_a_message(visitor, demo, params):
    for endpoint in ("pages", "images", "documents") if "locale" not in params and "site" not in params else ["pages"]:
        response = get(visitor, f"/api/v2/{endpoint}/", params)
        assert response.status_code == 400, (endpoint, params, response.content[:300])
        assert response["Content-Type"] == JSON
        assert response.json()["message"]


@pytest.mark.parametrize("endpoint", ["images", "documents"])
@pytest.mark.parametrize("search", ['"', " ", "\x00", 'title:x AND (y OR "z', " ".join(["parola"] * 500), "-", "*"])
def test_images_and_documents_search_is_cleaned_as_the_sites_search(visitor, demo, endpoint, search):
    response = get(visitor, f"/api/v2/{endpoint}/", {"search": search})
    assert response.status_code == 200, response.content[:300]
    assert "items" in response.json()


def test_images_search_still_finds_by_words(visitor, demo):
    from wagtail.images import get_image_model

    image = get_image_model().objects.exclude(title="").first()
    assert image is not None, "the demo has images"
    word = max(image.title.split(), key=len)
    found = get(visitor, "/api/v2/images/", {"search": f'"{word}\x00'}).json()["items"]
    assert image.pk in [item["id"] for item in found]


# --- fuzzing: any text, in any parameter of any endpoint ------------------------------------------------------

SURFACES = [
    *[(library, key, {200}, HTML) for library in LIBRARIES for key in LIBRARY_KEYS],
    *[("/it/search/", key, {200}, HTML) for key in LIBRARY_KEYS],
    ("/it/search/suggest/", "q", {200}, JSON),
    ("/it/segnala/territori/", "q", {200}, JSON),
    *[(f"/api/v2/{endpoint}/", key, api_statuses(key), JSON) for endpoint, names in ENDPOINTS.items() for key in names],
    *[(f"/api/v2/{endpoint}/find/", "id", {302, 400, 404}, JSON) for endpoint in ENDPOINTS],
]
values = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(HOSTILE[:28]), min_size=1, max_size=6).map(" ".join),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.lists(st.text(st.characters(codec="utf-8"), max_size=20), min_size=2, max_size=6),  # repeated key
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(surface=st.sampled_from(SURFACES), value=values)
def test_fuzzed_values_in_any_public_parameter(visitor, demo, surface, value):
    path, key, allowed, content_type = surface
    check(visitor, [(path, {key: value})], allowed, content_type)
