"""The page types the other browser tests do not run axe-core on, in both languages where they exist (landing
pages of a network, a theme and an empty goal or region, a search with a typo, the networks, a standard page,
an entry's contact form, the open-data page, the English landing pages); and a 150-character word, in a
search and in an entry's title, that must not make a page wider than a 320 px screen (WCAG 1.4.10)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_widths import OVERFLOW
from tests.visitor_pages import PAGES, contact_path

AXED_ELSEWHERE = {
    # tests/browser/test_visitor.py (Italian) and test_languages.py (English), test_proposals.py (the form).
    "it": {"home", "library", "library-filtered", "landing-sdg", "landing-territory", "search", "good-practice",
           "case-study", "training-module", "residency", "network", "programme", "proposal-form"},
    "en": {"home", "library", "library-filtered", "search", "good-practice"},
}  # fmt: skip
NOT_YET_AXED = [
    (language, name) for language, pages in PAGES.items() for name in pages if name not in AXED_ELSEWHERE[language]
]
NOT_YET_AXED += [("it", "contact-form"), ("en", "contact-form")]


def serious_violations(page):
    violations = [v for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
    return [f"{v['id']}: {v['help']} {[node['target'] for node in v['nodes']][:3]}" for v in violations]


@pytest.fixture
def visitor(browser):
    """visitor(width=1280, language="it"): a fresh page, closed at the end of the test."""
    contexts = []

    def open_page(width=1280, language="it"):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=f"{language}-IT")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_the_pages_checked_here_include_every_type_the_audit_named():
    named = {"landing-network", "landing-theme", "landing-empty", "search-typo", "networks", "standard-page",
             "contact-form", "open-data", "landing-sdg", "landing-territory"}  # fmt: skip
    assert named <= {name for _language, name in NOT_YET_AXED}
    assert ("en", "landing-territory") in NOT_YET_AXED and ("en", "open-data") in NOT_YET_AXED


@pytest.mark.parametrize("language, name", NOT_YET_AXED, ids=[f"{lang}-{name}" for lang, name in NOT_YET_AXED])
def test_more_page_types_have_no_serious_accessibility_violations(visitor, site_url, language, name):
    page = visitor(language=language)
    if name == "contact-form":
        page.goto(site_url + PAGES[language]["good-practice"])
        path = contact_path(page.content())
    else:
        path = PAGES[language][name]
    response = page.goto(site_url + path, wait_until="networkidle")
    assert response.status == 200, (path, response.status)
    assert page.locator("html").get_attribute("lang") == language
    assert serious_violations(page) == [], path


LONG_WORD = "Cooperativa" + "x" * 130 + "sociale"  # 148 letters, no break opportunity anywhere
assert len(LONG_WORD) >= 148


def too_wide(page):
    measured = page.evaluate(OVERFLOW)
    return measured if measured["scrollWidth"] > measured["innerWidth"] else None


@pytest.mark.parametrize("language", ("it", "en"))
def test_a_150_character_word_in_a_search_keeps_the_page_within_320_px(visitor, site_url, language):
    page = visitor(320, language)
    library = "/it/biblioteca/" if language == "it" else "/en/library/"
    for path in (
        f"/{language}/search/?q={LONG_WORD}",
        f"{library}?q={LONG_WORD}",
        f"/{language}/search/?q=a+{LONG_WORD}+b",
    ):
        response = page.goto(site_url + path)
        assert response.status == 200, path
        assert LONG_WORD in page.locator("main").inner_text(), f"{path} does not show the word searched"
        assert too_wide(page) is None, (path, too_wide(page))


PUBLISH_AN_ENTRY = """
import json
from library.pages import LibraryIndexPage
from tests.factories import GoodPracticeFactory
library = LibraryIndexPage.objects.get(locale__language_code="it")
entry = GoodPracticeFactory(parent=library, title=%(title)r, slug=%(slug)r, summary=%(summary)r, sdgs=[11])
entry.save_revision().publish()
print(json.dumps({"url": entry.url}))
"""


@pytest.fixture(scope="module")
def site_with_a_long_word(own_site):
    """(address, entry path) of a server of its own whose library has a good practice with the long word in
    its title and summary: the shared server's library stays the demo's."""
    code = PUBLISH_AN_ENTRY % {
        "title": f"Pratica {LONG_WORD}",
        "slug": "parola-lunga",
        "summary": f"Un sommario con la parola {LONG_WORD} dentro.",
    }
    url = own_site(code)
    return url, "/it/biblioteca/parola-lunga/"


def test_a_150_character_word_in_an_entry_title_keeps_its_page_and_card_within_320_px(visitor, site_with_a_long_word):
    site_url, entry_path = site_with_a_long_word
    page = visitor(320)
    response = page.goto(site_url + entry_path)
    assert response.status == 200
    assert LONG_WORD in page.locator("h1").inner_text()
    assert too_wide(page) is None, too_wide(page)
    # Its card, where the search lists it.
    page.goto(site_url + f"/it/search/?q={LONG_WORD}")
    card = page.locator(".results .entry-card", has_text=LONG_WORD)
    assert card.count() == 1, "the search does not list the entry by its title's word"
    assert too_wide(page) is None, too_wide(page)
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
