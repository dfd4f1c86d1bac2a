"""What a visitor does in a real browser, with JavaScript on and off."""

import csv
import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

ROOT = Path(__file__).resolve().parents[2]
DEMO = json.loads((ROOT / "bootstrap/data/demo_library.json").read_text(encoding="utf-8"))


def result_count(page):
    return int(re.match(r"\d+", page.locator(".result-count").inner_text()).group())


def region_of(code):
    """The region holding an ISTAT code, read from the data file (the ORM is off limits beside playwright)."""
    rows = {row["code"]: row for row in csv.DictReader(open(ROOT / "bootstrap/data/territories.csv", encoding="utf-8"))}
    row = rows[code]
    while row and row["level"] not in ("region", "macroarea"):
        row = rows.get(row["parent"])
    return row["code"] if row and row["level"] == "region" else None


@pytest.fixture
def taught_practice():
    """A demo practice that a module teaches and that sits inside a region, with one of its SDGs."""
    entries = {entry["slug"]: entry for entry in DEMO["entries"]}
    for module in (e for e in DEMO["entries"] if e["type"] == "training_module"):
        for link in module["practices"]:
            practice = entries[link["slug"]]
            region = next((region_of(code) for code in practice["territories"] if region_of(code)), None)
            if region:
                return {"practice": practice, "module": module, "sdg": practice["sdgs"][0], "region": region}
    pytest.fail("the demo library has no taught practice placed in a region")


def test_visitor_narrows_by_goal_then_region_and_follows_the_practice_to_its_module(page, site_url, taught_practice):
    page.goto(site_url + "/it/biblioteca/")
    everything = result_count(page)
    page.check(f'.facet-sdg input[value="{taught_practice["sdg"]}"]')
    page.click("text=Applica i filtri")
    by_goal = result_count(page)
    assert 0 < by_goal < everything
    assert f"sdg={taught_practice['sdg']}" in page.url

    page.check(f'.facet-territory input[value="{taught_practice["region"]}"]')
    page.click("text=Applica i filtri")
    by_goal_and_region = result_count(page)
    assert 0 < by_goal_and_region <= by_goal
    assert page.locator(".chips a").count() >= 3  # goal, region, "azzera tutto"

    page.click(f'text="{taught_practice["practice"]["title"]}"')
    assert page.locator("h1").inner_text() == taught_practice["practice"]["title"]
    page.click(f'.linked >> text="{taught_practice["module"]["title"]}"')
    assert page.locator("h1").inner_text() == taught_practice["module"]["title"]
    assert taught_practice["practice"]["title"] in page.locator(".practice-links").inner_text()


def test_the_map_draws_every_region(page, site_url):
    page.goto(site_url + "/it/biblioteca/")
    # Results come first: the map waits behind "Mostra sulla mappa" until the visitor opens it.
    assert not page.locator(".italy-map svg").is_visible()
    page.click(".map-view summary")
    assert page.locator(".italy-map svg .regions path").count() == 20
    assert page.locator(".italy-map svg .markers circle").count() > 0
    box = page.locator(".italy-map svg").bounding_box()
    assert box["width"] > 200 and box["height"] > 200


def tab_until(page, condition, what, limit):
    """Press Tab until the focused element satisfies the JavaScript `condition`, as a keyboard user would."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(condition):
            return
    pytest.fail(f"{what} cannot be reached with Tab")


def test_filters_work_with_the_keyboard_alone(page, site_url):
    page.goto(site_url + "/it/biblioteca/")
    tab_until(
        page, "document.activeElement.name === 'sdg' && document.activeElement.value === '13'", "the SDG 13 filter", 80
    )
    page.keyboard.press("Space")
    tab_until(
        page,
        "document.activeElement.type === 'submit' && !!document.activeElement.closest('.facets')",
        "the apply button",
        400,
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sdg=13"))
    assert page.locator(".chips").inner_text().startswith("Obiettivo 13")


def test_library_works_with_javascript_off(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/it/biblioteca/?sdg=13")
    assert result_count(page) > 0
    assert page.locator(".italy-map svg .regions path").count() == 20
    context.close()


def detail_paths():
    by_type = {}
    for entry in DEMO["entries"]:
        by_type.setdefault(entry["type"], entry)
    paths = {
        "good_practice": f"/it/biblioteca/{by_type['good_practice']['slug']}/",
        "case_study": f"/it/biblioteca/{by_type['case_study']['slug']}/",
        "training_module": f"/it/{by_type['training_module']['programme']}/{by_type['training_module']['slug']}/",
        "residency": f"/it/residenze/{by_type['residency']['slug']}/",
        "network": f"/it/reti/{DEMO['networks'][0]['slug']}/",
        "programme": f"/it/{DEMO['programmes'][0]['slug']}/",
    }
    return paths


PAGES = {
    "home": "/it/",
    "library": "/it/biblioteca/",
    "library-filtered": "/it/biblioteca/?sdg=13&territory=01",
    "landing-sdg": "/it/biblioteca/sdg/13/",
    "landing-territory": "/it/biblioteca/territorio/01/",
    "search": "/it/search/?q=volontariato",
    **detail_paths(),
}


@pytest.mark.parametrize("name", PAGES)
def test_pages_have_no_serious_accessibility_violations_and_call_no_third_party(page, site_url, screenshot, name):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(site_url + PAGES[name], wait_until="networkidle")
    assert response.status == 200
    assert [url for url in requested if not url.startswith(site_url)] == []
    violations = [v for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
    assert [f"{v['id']}: {v['help']}" for v in violations] == []
    screenshot(PAGES[name], name)
