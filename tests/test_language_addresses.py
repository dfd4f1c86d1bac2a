"""Each language has its own words in the addresses of the library's routes (/it/biblioteca/territorio/01/,
/en/library/territory/01/; /it/segnala/, /en/propose/): the English words answer under /en/, and the other
language's word, typed or linked, leads to this language's address (keeping the query) instead of a 404.
Walked on the demo library with the test client, as a visitor following a mixed link would."""

import pytest

from tests.visitor_pages import contact_path

pytestmark = pytest.mark.django_db

NETWORK_IT = "rete-next-mobilitarsi"  # the key of a network landing page is its Italian page's slug

# (Italian address, English address) of each landing route of the library and of the site's own forms.
ROUTES = [
    ("/it/biblioteca/territorio/01/", "/en/library/territory/01/"),
    ("/it/biblioteca/tema/formazione/", "/en/library/theme/formazione/"),
    (f"/it/biblioteca/rete/{NETWORK_IT}/", f"/en/library/network/{NETWORK_IT}/"),
    ("/it/segnala/", "/en/propose/"),
]


def mixed(address, language):
    """`address` with the other language's prefix: the Italian words under /en/, or the English under /it/."""
    other = {"it": "/en/", "en": "/it/"}[language]
    return other + address.split("/", 2)[2]


@pytest.mark.parametrize("italian, english", ROUTES)
def test_each_language_answers_with_its_own_words(demo, client, italian, english):
    for address in (italian, english):
        response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)
    assert client.get(english).wsgi_request.LANGUAGE_CODE == "en"


@pytest.mark.parametrize("italian, english", ROUTES)
@pytest.mark.parametrize("words", ("it", "en"))
def test_the_other_languages_words_lead_to_this_languages_address(demo, client, italian, english, words):
    # /en/library/territorio/01/ → /en/library/territory/01/, /it/biblioteca/territory/01/ → …/territorio/01/
    typed, wanted = (mixed(italian, "it"), english) if words == "it" else (mixed(english, "en"), italian)
    if typed.startswith("/it/library/") or typed.startswith("/en/biblioteca/"):
        # The library's own slug is per language too: the mixed word sits under this language's library.
        typed = typed.replace("/it/library/", "/it/biblioteca/").replace("/en/biblioteca/", "/en/library/")
    response = client.get(typed + "?sdg=4")
    assert response.status_code in (301, 302), (typed, response.status_code)
    assert response["Location"] == wanted + "?sdg=4", typed
    assert client.get(response["Location"]).status_code == 200


def test_the_english_network_page_key_and_the_translated_slug_both_answer(demo, client):
    # The English library links a network by its original slug; the English page's own slug is another.
    response = client.get(f"/en/library/network/{NETWORK_IT}/")
    assert response.status_code == 200
    assert response.context["landing"]["page"].locale.language_code == "en"


PRACTICES = {
    "it": "/it/biblioteca/next-mappatura-contesto-locale/",
    "en": "/en/library/next-mapping-the-local-context/",
}


@pytest.mark.parametrize("language", PRACTICES)
def test_the_contact_form_answers_in_each_language_and_the_other_word_redirects(demo, client, language):
    practice = PRACTICES[language]
    address = contact_path(client.get(practice).content.decode())
    assert address.startswith({"it": f"/{language}/contatta/", "en": f"/{language}/contact/"}[language])
    assert client.get(address).status_code == 200
    page_id = address.rstrip("/").rsplit("/", 1)[1]
    other_word = {"it": "contact", "en": "contatta"}[language]
    response = client.get(f"/{language}/{other_word}/{page_id}/")
    assert response.status_code in (301, 302)
    assert response["Location"] == address


def test_english_pages_link_the_library_and_the_forms_with_english_words(demo, client):
    html = "".join(
        client.get(address).content.decode()
        for address in ("/en/library/", "/en/library/next-mapping-the-local-context/", "/en/library/territory/01/")
    )
    assert 'href="/en/library/territory/' in html and 'href="/en/propose/"' in html
    for italian in ("/en/library/territorio/", "/en/library/tema/", "/en/library/rete/", "/en/segnala/"):
        assert italian not in html, italian
