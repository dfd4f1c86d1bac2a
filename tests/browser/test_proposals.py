"""A visitor proposes a practice in a real browser, with the keyboard alone; the form passes axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, WIDTHS

FORM = "/it/segnala/"


def serious_violations(page):
    violations = [v for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
    return [f"{v['id']}: {v['help']}" for v in violations]


def tab_to(page, selector, limit=60):
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with Tab")


def test_a_visitor_proposes_a_practice_with_the_keyboard_from_the_home_page(page, site_url):
    page.goto(site_url + "/it/")
    page.click("text=Segnala una buona pratica")
    assert page.url == site_url + FORM
    assert page.locator("h1").inner_text() == "Segnala una buona pratica"

    tab_to(page, "#id_title")
    page.keyboard.type("Biblioteca degli attrezzi di quartiere")
    page.keyboard.press("Tab")
    page.keyboard.type("Attrezzi in prestito tra vicini, gestiti da volontari.")
    page.keyboard.press("Tab")
    page.keyboard.type("Nasce nel 2021 in un cortile.")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Oggi presta 300 attrezzi l'anno.")
    page.keyboard.press("Tab")
    # The territory suggests places as the visitor types; arrows and Enter pick one.
    page.keyboard.type("chier")
    page.wait_for_selector('#id_territory-options [role="option"]')
    assert page.get_attribute("#id_territory", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_territory") == "Chieri (TO)"
    tab_to(page, "#id_organisation")
    page.keyboard.type("Rete dei cortili")
    tab_to(page, "#id_sdgs_10")  # goal 11
    page.keyboard.press("Space")
    tab_to(page, "#id_contact_name")
    page.keyboard.type("Luca Bianchi")
    page.keyboard.press("Tab")
    page.keyboard.type("luca.bianchi@example.org")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, ".proposal-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/segnala/grazie/")
    assert page.locator("h1").inner_text() == "Grazie per la segnalazione"
    assert "Biblioteca degli attrezzi di quartiere" in page.locator("main").inner_text()


def test_without_javascript_an_ambiguous_place_is_picked_from_a_list(browser, site_url):
    context = browser.new_context(java_script_enabled=False, locale="it-IT")
    page = context.new_page()
    page.goto(site_url + FORM)
    page.fill("#id_title", "Mercato solidale")
    page.fill("#id_summary", "Un mercato a chilometro zero.")
    page.fill("#id_description", "Ogni sabato.")
    page.fill("#id_territory", "Milano")
    page.fill("#id_contact_name", "Anna Verdi")
    page.fill("#id_contact_email", "anna@example.org")
    page.check("#id_consent")
    page.click(".proposal-form button[type=submit]")
    assert "Più territori si chiamano" in page.locator(".error-summary").inner_text()
    assert page.input_value("#id_title") == "Mercato solidale"
    page.check("text=Milano (MI)")
    assert page.is_checked("#id_consent")
    page.click(".proposal-form button[type=submit]")
    assert page.locator("h1").inner_text() == "Grazie per la segnalazione"
    context.close()


def test_the_form_has_no_serious_accessibility_violations_also_with_errors(page, site_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(site_url + FORM, wait_until="networkidle")
    assert serious_violations(page) == []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"proposal-form@{width}.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#id_territory", "Milano")
    page.fill("#id_contact_email", "non-una-email")
    page.click(".proposal-form button[type=submit]")
    # The click only starts the form's submission: wait for the answer before reading it.
    expect(page.locator(".error-summary")).to_be_visible()
    # The summary takes the focus, so the visitor hears what to fix first; its links lead to the fields.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.click(".error-summary a[href='#id_title']")
    assert page.evaluate("document.activeElement.id") == "id_title"
    assert serious_violations(page) == []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"proposal-form-errors@{width}.png"), full_page=True)
