"""The parts that pages share through the cache (pagecache/parts.py: the main menu, the footer, a page's
ancestors and their translations) follow every change at once, also with the page cache off, where a page is
rendered for each visit but its menu, footer, breadcrumbs and language switch are read once per generation."""

import pytest
from django.test import override_settings
from wagtail.models import Locale, PageViewRestriction

from home.models import SiteFooter, StandardPage
from tests.factories import GoodPracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_off():
    with override_settings(PAGE_CACHE_SECONDS=0):
        yield


def visit(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert "X-Page-Cache" not in response  # rendered: the page cache is off
    return response.content.decode()


def menu(html):
    return html.split('class="main-nav"', 1)[1].split("</ul>", 1)[0]


def breadcrumbs(html):
    return html.split('breadcrumbs" aria-label', 1)[1].split("</nav>", 1)[0]


def language_switch(html):
    return html.split('class="language-switch"', 1)[1].split("</nav>", 1)[0]


def test_a_section_added_to_the_menu_or_restricted_shows_at_once(client, site_tree):
    assert "Chi siamo" not in menu(visit(client, site_tree.library.url))
    section = site_tree.home.add_child(instance=StandardPage(title="Chi siamo", slug="chi-siamo", show_in_menus=True))
    section.save_revision().publish()
    assert "Chi siamo" in menu(visit(client, site_tree.library.url))
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    assert "Chi siamo" not in menu(visit(client, site_tree.library.url))  # a restricted section is not announced


def test_a_saved_footer_shows_on_the_next_page(client, site_tree):
    practice = GoodPracticeFactory(parent=site_tree.library, title="Orto sociale", sdgs=[2], contact_name="")
    visit(client, practice.url)
    footer = SiteFooter.for_site(site_tree.home.get_site())
    footer.contact_email = "nuova.redazione@example.org"
    footer.save()
    html = visit(client, practice.url)
    assert "mailto:nuova.redazione@example.org" in html.split('class="site-footer"', 1)[1]


def test_a_moved_page_has_its_new_breadcrumbs(client, site_tree):
    section = site_tree.home.add_child(instance=StandardPage(title="Approfondimenti", slug="approfondimenti"))
    section.save_revision().publish()
    page = site_tree.home.add_child(instance=StandardPage(title="Metodo", slug="metodo"))
    page.save_revision().publish()
    assert "Approfondimenti" not in breadcrumbs(visit(client, page.url))
    page.move(section, pos="last-child")
    page.refresh_from_db()
    assert "Approfondimenti" in breadcrumbs(visit(client, page.url))


def test_a_new_translation_is_offered_by_the_language_switch_at_once(client, site_tree):
    practice = GoodPracticeFactory(parent=site_tree.library, title="Orto sociale", sdgs=[2])
    assert "non è ancora tradotta" in language_switch(visit(client, practice.url))  # to the nearest page
    english = practice.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.title, english.slug = "Social garden", "orto-sociale"
    english.save_revision().publish()
    switch = language_switch(visit(client, practice.url))
    assert english.url in switch and "non è ancora tradotta" not in switch
