"""The editorial journey in a real browser (issue 6, item 6): an editor creates a practice and submits it, a
moderator approves it, and it appears in the library with the facet counts updated. The dev users
(create_dev_superuser, run by the conftest) work in Italian, so the selectors read the admin's Italian."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

PASSWORD = "libreria"  # create_dev_superuser's password for every dev user
SDG = "14"
PLACE = "Chieri"


@pytest.fixture
def new_context(browser):
    """new_context(): a fresh browser context (its own cookies: one user each), closed at the end."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"editorial-{name}.png"), full_page=True)


def sdg_count(page, site_url, number):
    """(the count beside SDG `number` in the library's facets, as an anonymous visitor reads it, and how the
    page cache answered: hit, miss or skip)."""
    response = page.goto(site_url + "/it/biblioteca/")
    label = page.locator(f'.facet-sdg label:has(input[value="{number}"])')
    count = int(re.search(r"\((\d+)\)", label.locator(".count").inner_text()).group(1))
    return count, response.headers.get("x-page-cache")


@pytest.fixture(scope="module")
def editorial_site(own_site):
    """A server of the module's own: this test publishes a practice, and the shared server's library must stay
    the demo's for the other browser tests."""
    return own_site()


def log_in(page, site_url, username):
    page.goto(site_url + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))


def test_an_editor_submits_a_practice_a_moderator_approves_it_and_the_library_counts_it(editorial_site, new_context):
    site_url = editorial_site
    title = f"Prova redazione {uuid.uuid4().hex[:8]}"
    visitor = new_context()
    before, _answer = sdg_count(visitor, site_url, SDG)

    # The editor finds the library in the explorer and adds a practice to it.
    editor = new_context()
    log_in(editor, site_url, "redattore")
    editor.goto(site_url + "/admin/pages/")
    editor.get_by_role("link", name="Esplora pagine figlio di 'Biblioteca'").click()
    editor.get_by_role("link", name="Aggiungi pagina figlio").first.click()
    editor.get_by_role("link", name="Buona pratica", exact=True).click()
    editor.locator("#id_title").fill(title)
    editor.locator("#id_summary").fill("Una pratica scritta nel browser, per provare la revisione.")
    editor.get_by_label(re.compile(rf"^\s*{SDG}\.")).check()

    # The territory comes from the snippet chooser: search the comune, tick it, confirm.
    editor.get_by_role("button", name="Aggiungi territorio").click()
    chooser = editor.get_by_role("dialog").filter(has_text="Scegli territorio")
    chooser.get_by_role("textbox", name="Cerca").fill(PLACE)
    row = chooser.get_by_role("row").filter(has=editor.get_by_text(f"{PLACE} (TO)", exact=True))
    row.get_by_role("checkbox").check()
    shoot(editor, "1-editor-chooser")
    chooser.get_by_role("button", name="Conferma selezione").click()
    chooser.wait_for(state="hidden")
    expect(editor.locator("#id_territory_links-FORMS")).to_contain_text(f"{PLACE} (TO)")
    shoot(editor, "2-editor-form")

    # Sent to the moderators from the footer's action menu.
    editor.get_by_role("button", name="Altre azioni").click()
    editor.get_by_role("button", name="Invia a Revisione della biblioteca").click()
    message = editor.locator(".messages")
    expect(message).to_contain_text(f"'{title}' creata e inviata per moderazione")
    shoot(editor, "3-editor-submitted")

    # The moderator finds it on the dashboard and approves it with a comment, which publishes it.
    moderator = new_context()
    log_in(moderator, site_url, "moderatore")
    awaiting = moderator.get_by_role("region", name="In attesa di revisione", exact=True)
    shoot(moderator, "4-moderator-dashboard")
    awaiting.get_by_role("link", name=title).click()
    moderator.get_by_role("button", name="Altre azioni").click()
    shoot(moderator, "5-moderator-actions")
    moderator.get_by_role("button", name="Approva con un commento e Pubblica").click()
    dialog = moderator.get_by_role("dialog").filter(has=moderator.locator("textarea[name=comment]"))
    dialog.locator("textarea[name=comment]").fill("Completa, pubblichiamo.")
    dialog.get_by_role("button", name="Approva con un commento").click()
    expect(moderator.locator(".messages")).to_contain_text(f"'{title}' è stata aggiornata")
    shoot(moderator, "6-moderator-approved")

    # Any visitor now finds it in the library by its title, and SDG 14 counts one more entry.
    visitor.goto(site_url + "/it/biblioteca/")
    visitor.get_by_label("Parole").fill(title)
    visitor.get_by_role("button", name="Applica i filtri").click()
    expect(visitor.get_by_role("link", name=title).first).to_be_visible()
    shoot(visitor, "7-library")
    after, answer = sdg_count(visitor, site_url, SDG)
    assert after == before + 1, f"the library still counts {after} (page cache: {answer})"
