"""The site at a phone's, a small phone's and a desktop's width, as a visitor sees it: no page is wider than
the screen (WCAG 1.4.10), the library's first result is above the fold, every goal with entries shows in the
filter without a scroll box, and two regions can be chosen side by side with clicks alone."""

import re
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_visitor import DEMO, region_of
from tests.visitor_pages import PAGES, contact_path, every_page

WIDTHS = (320, 390, 1280)
FOLDS = {390: 844, 1280: 800}


@pytest.fixture
def at(browser):
    """at(width, height=900, language="it"): a fresh page of that size, closed at the end of the test."""
    contexts = []

    def open_page(width, height=900, language="it"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=f"{language}-IT")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


OVERFLOW = """() => {
  const name = (el) => el.tagName.toLowerCase() + '.' + el.getAttribute('class');
  const wide = [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((el) => getComputedStyle(el).position !== 'fixed' && !el.closest('.visually-hidden'))
    .slice(0, 5)
    .map((el) => name(el) + ' ' + Math.round(el.getBoundingClientRect().right));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide};
}"""


def visited(site_url, page, path):
    response = page.goto(site_url + path)
    assert response.status == 200, (path, response.status)
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ("it", "en"))
def test_no_page_is_wider_than_the_screen(at, site_url, language, width):
    page = at(width, language=language)
    too_wide = {}
    paths = dict(PAGES[language])
    visited(site_url, page, paths["good-practice"])
    paths["contact-form"] = contact_path(page.content())
    for name, path in paths.items():
        visited(site_url, page, path)
        measured = page.evaluate(OVERFLOW)
        if measured["scrollWidth"] > measured["innerWidth"]:
            too_wide[name] = measured
    assert too_wide == {}


def test_every_page_type_is_covered_in_both_languages():
    names = {name for _language, name, _path in every_page()}
    assert {
        "home", "library", "library-filtered", "landing-sdg", "landing-territory", "landing-network", "landing-theme",
        "landing-empty", "search", "search-typo", "good-practice", "case-study", "training-module", "residency",
        "network", "programme", "proposal-form", "standard-page",
    } <= names  # fmt: skip
    assert set(PAGES["en"]) >= set(PAGES["it"]) - {"standard-page"}  # the demo has no English standard page


@pytest.mark.parametrize("language", ("it", "en"))
@pytest.mark.parametrize("width", FOLDS)
def test_the_first_result_of_the_library_is_above_the_fold(at, site_url, width, language):
    page = visited(site_url, at(width, FOLDS[width], language), PAGES[language]["library"])
    card = page.locator(".results .entry-card").first
    box = card.bounding_box()
    assert box is not None and box["height"] > 50
    assert box["y"] >= 0 and box["y"] + box["height"] <= FOLDS[width], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box


SCROLL_BOXES = """(label) => {
  const boxes = [];
  for (let el = label.parentElement; el && el !== document.body; el = el.parentElement) {
    const style = getComputedStyle(el);
    const clips = /(auto|scroll|hidden)/.test(style.overflowY + style.overflowX);
    if (clips && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)) {
      boxes.push(el.tagName.toLowerCase() + '.' + el.className);
    }
  }
  return boxes;
}"""


def open_filters(page):
    """On phones the filters wait behind one "Filtra" control."""
    if not page.locator("#filters").evaluate("(el) => el.open"):
        page.click("#filters > summary")
    assert page.locator("#filters").evaluate("(el) => el.open")


@pytest.mark.parametrize("width", (320, 390, 1280))
def test_every_goal_with_entries_shows_in_the_filter_without_a_scroll_box(at, site_url, width):
    page = visited(site_url, at(width), "/it/biblioteca/")
    open_filters(page)
    goals_with_entries = {sdg for entry in DEMO["entries"] for sdg in entry["sdgs"]}
    labels = page.locator(".facet-sdg label")
    shown = {}
    for index in range(labels.count()):
        label = labels.nth(index)
        number = int(label.locator("input").get_attribute("value"))
        count = int(re.search(r"\((\d+)\)", label.inner_text()).group(1))
        if count:
            assert label.is_visible(), f"goal {number} is hidden"
            assert label.evaluate(SCROLL_BOXES) == [], f"goal {number} sits in a scroll box"
            box = label.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (number, box)
            shown[number] = count
    # Goals without entries may show too, at (0): what must not happen is a goal with entries missing.
    assert goals_with_entries <= set(shown)


def demo_titles_in(region):
    return {
        entry["title"] for entry in DEMO["entries"] if any(region_of(code) == region for code in entry["territories"])
    }


@pytest.mark.parametrize("width", (390, 1280))
def test_piemonte_or_lombardia_can_be_chosen_with_clicks_alone(at, site_url, width):
    piemonte, lombardia = demo_titles_in("01"), demo_titles_in("03")
    assert piemonte and lombardia
    page = visited(site_url, at(width), "/it/biblioteca/")
    open_filters(page)
    for region in ("Piemonte", "Lombardia"):
        option = page.locator(".facet-territory label", has_text=re.compile(rf"^\s*{region}\b"))
        if not option.first.is_visible():
            page.click(".facet-territory .facet-more > summary")
        option.first.locator("input").click()
    page.click(".facets button[type=submit]")
    page.wait_for_url(re.compile(r"territory=01.*territory=03|territory=03.*territory=01"))
    chips = page.locator(".chips").inner_text()
    assert "Piemonte" in chips and "Lombardia" in chips
    titles = listed_titles(page)
    assert piemonte | lombardia <= titles, titles
    # Nothing from elsewhere: the two regions side by side list what each lists alone.
    alone = set()
    for code in ("01", "03"):
        page.goto(site_url + f"/it/biblioteca/?territory={code}")
        alone |= listed_titles(page)
    assert titles == alone


def listed_titles(page):
    """The titles of every card of the listing, through all its pages."""
    titles = set(page.locator(".results .card-title").all_inner_texts())
    while page.locator(".pagination a[rel=next]").count():
        page.click(".pagination a[rel=next]")
        titles |= set(page.locator(".results .card-title").all_inner_texts())
    return titles


SHOTS = {
    "library": "/it/biblioteca/",
    "practice": PAGES["it"]["good-practice"],
    "search-typo": PAGES["it"]["search-typo"],
    "landing-empty": PAGES["it"]["landing-empty"],
}


@pytest.mark.parametrize("name", SHOTS)
def test_screenshots_for_people_to_look_at(screenshot, name):
    screenshot(SHOTS[name], f"widths-{name}")
    for width in (390, 1280):
        shot = Path(SCREENSHOTS / f"widths-{name}@{width}.png")
        assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("language", ("it", "en"))
def test_an_empty_landing_page_uses_the_whole_width_for_its_ways_on(at, site_url, language):
    page = visited(site_url, at(1280, 800, language), PAGES[language]["landing-empty"])
    box = page.locator(".empty-state").bounding_box()
    assert box["width"] > 800, box  # not squeezed into the filters' column, which holds no filter here


FOCUSED = """() => {
  const el = document.activeElement;
  return {
    closedSummary: el.tagName === "SUMMARY" && !el.parentElement.open,
    checkbox: el.type === "checkbox" ? `${el.name}=${el.value}` : "",
    submit: el.type === "submit" && el.closest("form.facets") !== null,
  };
}"""


@pytest.mark.parametrize("width", (390, 1280))
def test_every_filter_value_is_reached_with_the_keyboard_alone(at, site_url, width):
    """A keyboard user tabs through the filters, opening each closed group ("Filtra" on phones, a facet,
    "Mostra tutti") with Enter, and reaches every value of every facet before the form's button."""
    page = visited(site_url, at(width), "/it/biblioteca/")
    every_value = set(
        page.locator("form.facets input[type=checkbox]").evaluate_all("els => els.map(e => `${e.name}=${e.value}`)")
    )
    assert len(every_value) > 40  # types, goals, regions, networks, themes, years, quality
    reached = set()
    for _step in range(1000):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["closedSummary"]:
            page.keyboard.press("Enter")
        if focused["checkbox"]:
            reached.add(focused["checkbox"])
        if focused["submit"]:
            break
    assert every_value - reached == set()
