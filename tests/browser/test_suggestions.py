"""Suggestions under the header search box in a real browser: keyboard, screen-reader wiring, and the plain
form when JavaScript is off."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, WIDTHS


def search_box(page):
    return page.get_by_role("combobox", name="Cerca nella biblioteca")


def type_and_wait(page, text):
    box = search_box(page)
    box.click()
    box.press_sequentially(text, delay=40)
    expect(page.locator("#site-search-suggestions")).to_be_visible()
    return box


def test_visitor_picks_a_region_with_the_keyboard_and_lands_on_the_filtered_library(page, site_url):
    page.goto(site_url + "/it/")
    box = type_and_wait(page, "Lomb")
    lombardia = page.get_by_role("option", name=re.compile(r"^Lombardia\b"))
    expect(lombardia).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "site-search-suggestions")
    expect(page.locator(".search-box [role=status]")).to_contain_text("suggeriment")

    box.press("ArrowDown")
    expect(lombardia).to_have_attribute("aria-selected", "true")
    assert box.get_attribute("aria-activedescendant") == lombardia.get_attribute("id")
    assert page.evaluate("document.activeElement.id") == "site-search"  # focus stays in the box
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "suggestions-lombardia@1280.png"))

    box.press("Enter")
    page.wait_for_url(re.compile(r"/it/biblioteca/\?territory=03$"))
    assert "Lombardia" in page.locator(".chips").inner_text()


def test_arrows_wrap_escape_closes_and_enter_without_a_choice_searches(page, site_url):
    page.goto(site_url + "/it/")
    box = type_and_wait(page, "welfare")
    options = page.get_by_role("option")
    count = options.count()
    assert count > 1
    box.press("ArrowUp")  # from the box, up goes to the last suggestion
    expect(options.nth(count - 1)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")  # and down from the last wraps to the first
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")

    box.press("Escape")
    expect(page.locator("#site-search-suggestions")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "welfare"  # Escape closes the popup, it does not wipe the text

    box.press("Enter")
    page.wait_for_url(re.compile(r"/it/search/\?q=welfare$"))


def test_a_suggestion_can_be_chosen_with_the_mouse(page, site_url):
    page.goto(site_url + "/it/")
    type_and_wait(page, "clima")
    page.get_by_role("option", name=re.compile(r"^13\. Lotta contro il cambiamento climatico")).click()
    page.wait_for_url(re.compile(r"/it/biblioteca/\?sdg=13$"))


def test_open_suggestions_pass_axe_and_call_no_third_party(browser, site_url):
    """With the popup open, at phone and desktop width; the screenshots are for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT")
        page = context.new_page()
        requested = []
        page.on("request", lambda request, seen=requested: seen.append(request.url))
        page.goto(site_url + "/it/", wait_until="networkidle")
        box = type_and_wait(page, "co")
        box.press("ArrowDown")
        box.press("ArrowDown")
        violations = [v for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
        assert [f"{v['id']}: {v['help']}" for v in violations] == [], width
        assert [url for url in requested if not url.startswith(site_url)] == []
        page.screenshot(path=str(SCREENSHOTS / f"suggestions-open@{width}.png"))
        context.close()


def test_the_search_form_works_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False, locale="it-IT")
    page = context.new_page()
    page.goto(site_url + "/it/")
    box = page.locator("#site-search")
    assert box.get_attribute("role") is None
    box.fill("Lombardia")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/it/search/\?q=Lombardia$"))
    context.close()
