"""The Content-Security-Policy in Chromium: public pages at both widths and the admin (page editor, image
chooser, preview) and the userbar, with no violation reported, and the JavaScript features still working."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WIDTHS

# Runs in every frame before the page's own scripts (through the DevTools protocol, which the policy does not
# govern): it records each violation the browser reports.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
}, true);
"""


@pytest.fixture
def watched(browser):
    """watched(width) -> (page, violations()): a fresh page and everything the policy refused in it so far."""
    contexts = []

    def open_page(width=1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT")
        contexts.append(context)
        context.add_init_script(LISTEN)
        page = context.new_page()
        console = []
        page.on(
            "console",
            lambda message: (
                console.append(message.text)
                if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
                else None
            ),
        )

        def violations():
            found = list(console)
            for frame in page.frames:
                try:
                    found += frame.evaluate("window.__csp || []")
                except Exception:  # a frame that went away meanwhile
                    pass
            return found

        return page, violations

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_run_under_the_policy_with_their_javascript(watched, site_url, width):
    page, violations = watched(width)
    for path in ("/it/", "/it/biblioteca/", "/it/biblioteca/sdg/13/", "/en/", "/it/search/?q=welfare"):
        response = page.goto(site_url + path)
        policy = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in policy and "'nonce-" in policy, path
    # A practice: its JSON-LD carries the nonce, and the goals' colours (a nonced <style>) are applied.
    page.goto(site_url + "/it/biblioteca/")
    page.locator("main a[href^='/it/biblioteca/']:not([href*='?'])").filter(has_text=re.compile(r"\w")).nth(3).click()
    page.wait_for_load_state("load")
    assert page.locator("script[type='application/ld+json'][nonce]").count() == 1
    colour = page.locator(".sdg-tile").first.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert colour not in ("", "rgba(0, 0, 0, 0)", "rgb(0, 0, 0)"), colour

    # The header search box's suggestions (static/js/suggest.js, fetch to 'self').
    box = page.get_by_role("combobox", name="Cerca nella biblioteca")
    box.click()
    box.press_sequentially("Lomb", delay=40)
    expect(page.get_by_role("option", name=re.compile(r"^Lombardia\b"))).to_be_visible()

    # The proposal form's territory look-up (static/js/proposal.js).
    page.goto(site_url + "/it/segnala/")
    territory = page.locator("#id_territory")
    territory.click()
    territory.press_sequentially("chier", delay=40)
    expect(page.locator("#id_territory-options [role=option]").filter(has_text="Chieri").first).to_be_visible()
    expect(territory).to_have_attribute("aria-expanded", "true")

    assert violations() == []


def test_the_admin_editor_chooser_preview_and_userbar_run_under_the_admin_policy(watched, site_url):
    page, violations = watched()
    page.goto(site_url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "libreria")
    page.click("button[type=submit]")
    page.wait_for_url(site_url + "/admin/")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()

    # The userbar on a public page, for a logged-in editor: it opens and leads to the editor.
    page.goto(site_url + "/it/biblioteca/patto-generativo-di-comunita/")
    userbar = page.locator("wagtail-userbar")
    userbar.locator("#wagtail-userbar-trigger").click()
    edit = userbar.get_by_role("menuitem", name=re.compile("Modifica questa pagina"))
    expect(edit).to_be_visible()
    edit.click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.locator("#panel-child-contenuto-child-hero_image-wrapper")).to_be_visible()

    # The image chooser: a modal loaded with fetch, whose HTML brings its own inline scripts.
    hero = page.locator("#panel-child-contenuto-child-hero_image-wrapper")
    hero.locator(".w-dropdown__toggle").click()
    hero.locator("[data-chooser-action-choose]:visible").first.click()
    expect(page.get_by_role("heading", name="Scegli una immagine")).to_be_visible()
    choice = page.locator(".modal-content a.image-choice[data-chooser-modal-choice]").nth(1)
    chosen_title = choice.get_attribute("title")
    choice.click()
    expect(page.locator(".modal-content")).to_be_hidden()
    expect(hero.locator("[data-chooser-title]")).to_have_text(chosen_title)

    # The preview panel renders the public page (its nonced <style> and JSON-LD) in an iframe.
    page.locator("button[data-side-panel-toggle='preview']").click()
    preview = page.frame_locator("iframe.w-preview__iframe").last
    expect(preview.locator("h1")).to_contain_text("Patto Generativo")
    expect(preview.locator(".sdg-tile").first).to_be_visible()

    assert violations() == []


def test_the_admin_policy_is_the_admin_one_and_the_public_one_elsewhere(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    admin = page.goto(site_url + "/admin/login/").headers["content-security-policy"]
    public = page.goto(site_url + "/it/").headers["content-security-policy"]
    context.close()
    assert "script-src 'self' 'unsafe-inline'" in admin and "'unsafe-eval'" not in admin
    assert "'unsafe-inline'" not in public
