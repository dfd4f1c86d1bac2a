"""Italian and English in a real browser: the language switch, the marked fallback, axe on English pages."""

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

ROOT = Path(__file__).resolve().parents[2]
DEMO = json.loads((ROOT / "bootstrap/data/demo_library.json").read_text(encoding="utf-8"))
ENGLISH = json.loads((ROOT / "bootstrap/data/demo_library_en.json").read_text(encoding="utf-8"))


def translated_entry():
    """A translated demo practice: its Italian slug and title, and its English slug and title."""
    for item in ENGLISH["pages"]:
        if item["type"] == "practices.GoodPracticePage":
            italian = next(e for e in DEMO["entries"] if e["slug"] == item["slug"])
            return {
                "it_slug": italian["slug"],
                "it_title": italian["title"],
                "en_slug": item["strings"][italian["slug"]],
                "en_title": item["strings"][italian["title"]],
            }
    pytest.fail("the demo has no translated good practice")


def untranslated_residency():
    return next(e for e in DEMO["entries"] if e["type"] == "residency")


def test_the_language_switch_leads_to_the_translation_and_back(page, site_url):
    entry = translated_entry()
    page.goto(f"{site_url}/it/biblioteca/{entry['it_slug']}/")
    assert page.locator("html").get_attribute("lang") == "it"
    page.click(".language-switch a[hreflang='en']")
    assert page.url == f"{site_url}/en/library/{entry['en_slug']}/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == entry["en_title"]
    page.click(".language-switch a[hreflang='it']")
    assert page.locator("h1").inner_text() == entry["it_title"]


def test_an_untranslated_page_switches_to_its_nearest_translated_ancestor(page, site_url):
    residency = untranslated_residency()
    page.goto(f"{site_url}/it/residenze/{residency['slug']}/")
    switch = page.locator(".language-switch a[hreflang='en']")
    assert switch.get_attribute("title")  # says the page is not translated yet
    switch.click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{site_url}/en/"


def test_the_english_library_marks_italian_entries_and_they_open_in_the_english_interface(page, site_url):
    page.goto(f"{site_url}/en/library/?type=residency")
    cards = page.locator(".entry-card")
    assert cards.count() == 4
    assert cards.first.locator(".language-note").count() == 1
    assert cards.first.locator("h3").get_attribute("lang") == "it"
    title = cards.first.locator("h3").inner_text()
    cards.first.locator("h3 a").click()
    # The content is Italian and marked so; the interface around it stays English.
    assert page.url.startswith(f"{site_url}/en/library/in-italian/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == title
    assert page.locator("main [lang='it']").count() > 0


ENGLISH_PAGES = {
    "en-home": "/en/",
    "en-library": "/en/library/",
    "en-library-filtered": "/en/library/?sdg=11",
    "en-search": "/en/search/?q=volunteering",
    "en-practice": f"/en/library/{translated_entry()['en_slug']}/",
}


@pytest.mark.parametrize("name", ENGLISH_PAGES)
def test_english_pages_have_no_serious_accessibility_violations(page, site_url, screenshot, name):
    response = page.goto(site_url + ENGLISH_PAGES[name], wait_until="networkidle")
    assert response.status == 200
    violations = [v for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
    assert [f"{v['id']}: {v['help']}" for v in violations] == []
    screenshot(ENGLISH_PAGES[name], name)
