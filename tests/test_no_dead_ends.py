"""Every link the site itself proposes leads to at least one result on the demo library: the search page's
examples, the ways out of a search that found nothing, the corrected typo and "Forse cercavi", the
alternatives of empty landing pages, the header's suggestions, and the home page's goals and entry types.

The links are read from the rendered pages, as a visitor would follow them, and walked with the test client."""

import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import pytest
from django.utils.html import escape

from practices.models import LibraryEntry, NetworkPage, Territory
from tests.factories import NetworkPageFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("it", "en")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class LinksInside(HTMLParser):
    """The (href, text) of every link inside the elements carrying one of `classes`."""

    def __init__(self, classes):
        super().__init__()
        self.classes, self.depth, self.links, self._link = set(classes), 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        if self.depth or self.classes & set((attrs.get("class") or "").split()):
            self.depth += 1
        if self.depth and tag == "a" and attrs.get("href"):
            self._link = [attrs["href"], ""]

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        if self.depth:
            self.depth -= 1


def links_in(response, *classes):
    parser = LinksInside(classes)
    parser.feed(response.content.decode())
    # As a browser resolves them: "?" alone is the page's own address without its query (urljoin keeps it).
    path = response.wsgi_request.path
    return [(path + href if href.startswith("?") else urljoin(path, href), text) for href, text in parser.links]


def get(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    return response


def results(client, url):
    """How many entries the page at `url` lists (a listing), or 1 for an entry's own page."""
    response = get(client, url)
    page_obj = response.context.get("page_obj")
    if page_obj is not None:
        return page_obj.paginator.count
    page = response.context.get("page")
    assert isinstance(page, LibraryEntry), f"{url} is neither a listing nor an entry"
    return 1


def assert_all_lead_to_results(client, links, where):
    assert links, f"{where} proposes no link at all"
    empty = [(url, text) for url, text in links if results(client, url) == 0]
    assert empty == [], f"{where} proposes links to nothing"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_search_pages_examples_find_entries(demo, client, language):
    response = get(client, f"/{language}/search/")
    # The examples are the only links to a search in the page's main part (the header's search is a form).
    examples = [(url, text) for url, text in links_in(response, "wrap") if "/search/?q=" in url]
    assert [text for _url, text in examples] == response.context["examples"]
    assert_all_lead_to_results(client, examples, "the search page's examples")


NONSENSE = "zqxwvk plumbago"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_search_that_finds_nothing_offers_examples_and_the_library_that_find_something(demo, client, language):
    response = get(client, f"/{language}/search/?{urlencode({'q': NONSENSE})}")
    assert response.context["page_obj"].paginator.count == 0
    tips = [(url, text) for url, text in links_in(response, "empty-state") if NONSENSE not in text]
    assert any("/search/?q=" in url for url, _text in tips), "no example offered"
    assert any(url.rstrip("/").endswith(("biblioteca", "library")) for url, _text in tips), "no way to the library"
    assert_all_lead_to_results(client, tips, "the no-result tips")


@pytest.mark.parametrize("language", LANGUAGES)
def test_dropping_the_words_of_a_search_that_finds_nothing_lists_what_it_announces(demo, client, language):
    response = get(client, f"/{language}/search/?{urlencode({'q': NONSENSE})}")
    ways = [(url, text) for url, text in links_in(response, "ways") if NONSENSE in text]
    assert len(ways) == 1
    assert_all_lead_to_results(client, ways, "«senza «words»»")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_filtered_search_that_finds_nothing_offers_filters_to_drop_that_find_something(demo, client, language):
    # Volunteering entries exist, but none about goal 2 (no entry has it): dropping the goal finds them.
    words = "volontariato" if language == "it" else "volunteering"
    assert results(client, f"/{language}/search/?q={words}") > 0
    response = get(client, f"/{language}/search/?q={words}&sdg=2")
    assert response.context["page_obj"].paginator.count == 0
    ways = links_in(response, "ways")
    assert len(ways) >= 1
    assert_all_lead_to_results(client, ways, "the filters to drop")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_typo_is_searched_corrected_and_the_spelling_as_typed_offers_the_correction_back(demo, client, language):
    response = get(client, f"/{language}/search/?q=cooperatva")
    assert response.context["corrected"] == "cooperativa"
    assert response.context["page_obj"].paginator.count > 0
    notice = links_in(response, "search-notice")
    as_typed = [url for url, _text in notice if "spell=off" in url]
    assert len(as_typed) == 1
    # The visitor's own spelling finds nothing by nature: that page offers the correction back ("Forse cercavi").
    response = get(client, as_typed[0])
    assert response.context["page_obj"].paginator.count == 0
    assert response.context["suggested"] == "cooperativa"
    assert_all_lead_to_results(client, links_in(response, "search-notice"), "«Forse cercavi»")


def empty_landings(language):
    library = "biblioteca" if language == "it" else "library"
    territory = "territorio" if language == "it" else "territory"
    theme = "tema" if language == "it" else "theme"
    used = set(LibraryEntry.objects.values_list("territory_links__territory__code", flat=True))
    municipality = (
        Territory.objects.filter(level="municipality", region_code="01").exclude(code__in=used).order_by("code").first()
    )
    return [
        f"/{language}/{library}/sdg/2/",
        f"/{language}/{library}/sdg/14/",
        f"/{language}/{library}/{territory}/02/",  # Valle d'Aosta
        f"/{language}/{library}/{territory}/{municipality.code}/",  # a comune of Piemonte without entries
        f"/{language}/{library}/{theme}/abitare/",
    ]


@pytest.fixture
def empty_network(demo):
    """A network of the demo's that no entry names yet (the demo's own networks all have entries)."""
    networks = NetworkPage.objects.filter(locale__language_code="it").first().get_parent()
    network = NetworkPageFactory(parent=networks, title="Rete appena nata", slug="rete-appena-nata")
    network.save_revision().publish()
    return network


def empty_network_landing(language, network):
    # The key of a network's landing page is its Italian page's slug, in both languages.
    return (
        f"/{language}/biblioteca/rete/{network.slug}/" if language == "it" else f"/en/library/network/{network.slug}/"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_landing_pages_offer_the_nearest_pages_that_have_entries(demo, client, language, empty_network):
    for url in empty_landings(language) + [empty_network_landing(language, empty_network)]:
        response = get(client, url)
        assert response.context["page_obj"].paginator.count == 0, url
        ways = links_in(response, "empty-state")
        assert len(ways) >= 2, f"{url} offers {ways}"  # something near, and the whole library
        assert_all_lead_to_results(client, ways, url)


def test_an_empty_municipality_leads_up_to_its_province_or_region(demo, client):
    url = empty_landings("it")[3]
    response = get(client, url)
    territory = response.context["landing"]["territory"]
    ways = links_in(response, "empty-state")
    upwards = {territory.province_code, territory.region_code}
    assert any(re.search(rf"/territorio/({'|'.join(upwards)})/", url) for url, _text in ways), ways


PREFIXES = {
    "it": ["co", "welf", "lomb", "pie", "ener", "giov", "citt", "clim", "form", "reti", "sdg 1", "torin"],
    "en": ["co", "welf", "lomb", "pie", "ener", "clim", "form", "netw", "young", "commun", "sdg 1", "turi"],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_suggestion_while_typing_leads_to_entries(demo, client, language):
    suggestions = []
    for prefix in PREFIXES[language]:
        response = client.get(f"/{language}/search/suggest/?{urlencode({'q': prefix})}")
        assert response.status_code == 200
        suggestions += [(item["url"], item["label"]) for item in response.json()["suggestions"]]
    kinds = {
        item["kind"]
        for p in ("co", "clim", "welf")
        for item in client.get(f"/{language}/search/suggest/?q={p}").json()["suggestions"]
    }
    assert {"title", "territory", "theme", "sdg"} <= kinds
    assert len(suggestions) >= 20
    assert_all_lead_to_results(client, sorted(set(suggestions)), "the suggestions")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_pages_goals_and_types_lead_to_as_many_entries_as_they_announce(demo, client, language):
    response = get(client, f"/{language}/")
    goals = links_in(response, "sdg-grid")
    types = links_in(response, "sections")
    assert len(goals) >= 10 and len(types) == 4
    for url, text in goals + types:
        counted = re.search(r"\((\d+)\)|(\d+) (?:voc|entr)", text)
        announced = int(counted.group(1) or counted.group(2))
        assert results(client, url) == announced, (url, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_network_landing_page_says_so_and_offers_other_networks(demo, client, language, empty_network):
    response = get(client, empty_network_landing(language, empty_network))
    assert response.context["landing"]["kind"] == "network"
    assert response.context["page_obj"].paginator.count == 0
    ways = links_in(response, "empty-state")
    network_word = "/rete/" if language == "it" else "/network/"
    assert any(network_word in url for url, _text in ways), f"no other network offered: {ways}"
    assert_all_lead_to_results(client, ways, "the empty network's ways on")


def numbered(client, url):
    """The page of results `url` shows, its notices and its rendered html."""
    response = get(client, url)
    return response.context["page_obj"], list(response.context["selection"].ignored), response.content.decode()


LISTINGS = {
    "it": ["/it/biblioteca/", "/it/search/?q=rete"],
    "en": ["/en/library/", "/en/search/?q=network"],
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("asked", ["0", "-1", "9999", "abc", "2.5"])
def test_a_page_number_out_of_range_shows_the_nearest_page_and_says_so(demo, client, language, asked):
    for url in LISTINGS[language]:
        first, _notices, _html = numbered(client, url)
        last = first.paginator.num_pages
        assert first.paginator.count > 0, url
        page_obj, notices, html = numbered(client, url + ("&" if "?" in url else "?") + f"page={asked}")
        wanted = last if asked == "9999" else 1
        assert page_obj.number == wanted, (url, asked)
        assert page_obj.paginator.count == first.paginator.count
        assert len(notices) == 1, (url, asked, notices)
        notice = str(notices[0])
        quoted = f"«{asked}»" if language == "it" else f"\u2018{asked}\u2019"
        assert quoted in notice and f" {wanted} " in notice and f" {last}." in notice, notice
        # Shown to the visitor, in a live region, in the page's language: never silently.
        assert 'class="notice" role="status"' in html
        assert escape(notice) in html
        assert ("non esiste" in notice) == (language == "it"), notice


def test_the_library_has_more_than_one_page_so_that_the_last_differs_from_the_first(demo, client):
    page_obj, notices, _html = numbered(client, "/it/biblioteca/?page=9999")
    assert page_obj.paginator.num_pages > 1 and page_obj.number == page_obj.paginator.num_pages
    assert notices and "pagina 2 di 2" in str(notices[0])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_number_in_range_shows_that_page_without_a_notice(demo, client, language):
    url = LISTINGS[language][0]
    page_obj, notices, _html = numbered(client, url + "?page=2")
    assert page_obj.number == 2 and notices == []
