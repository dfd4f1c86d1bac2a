"""A practice behind a view restriction (a password, a login, a group) stays out of every public listing: the
home page, the library in both languages, the landing pages, the search pages, "Pratiche simili", the
modules that teach it, the network that produced it, the typo suggestions, the API and the sitemap. Its
own address still asks for the password, and a visitor who passed it reads it.

The last test keeps it so: public code that queries pages must go through practices/visibility.py."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from wagtail.models import Locale, PageViewRestriction

from practices.models import ModulePractice
from tests.factories import GoodPracticeFactory, NetworkPageFactory, TrainingModuleFactory, TrainingProgrammeFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
SECRET_TITLE = "Sportello riservato Quercivolo"  # a word nowhere else in the library
SECRET_SUMMARY = "Accompagnamento confidenziale di famiglie fragili, riservato ai soci."


def publish(page):
    page.save_revision().publish()
    return page


def translate(page, **changes):
    english = Locale.objects.get(language_code="en")
    translation = page.copy_for_translation(english, copy_parents=True)
    for name, value in changes.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


@pytest.fixture(params=["password", "login"])
def shelf(request, site_tree):
    network = publish(NetworkPageFactory(parent=site_tree.networks, title="Rete delle querce", slug="rete-querce"))
    public = GoodPracticeFactory(
        parent=site_tree.library,
        title="Emporio solidale aperto",
        summary="Spesa a punti per le famiglie fragili.",
        sdgs=[1],
        territories=["001272"],
    )
    secret = GoodPracticeFactory(
        parent=site_tree.library, title=SECRET_TITLE, summary=SECRET_SUMMARY, sdgs=[1], territories=["001272"]
    )
    for practice in (public, secret):
        practice.networks.add(network)
        publish(practice)
    programme = publish(TrainingProgrammeFactory(parent=site_tree.home, title="Percorso querce"))
    module = TrainingModuleFactory(parent=programme, title="Modulo sulle famiglie", sdgs=[1])
    ModulePractice.objects.create(page=module, practice=secret, note="Perché accompagna le famiglie.")
    ModulePractice.objects.create(page=module, practice=public, note="Perché è aperto a tutti.")
    publish(module)
    for page in (site_tree.home, site_tree.library):
        translate(page)
    PageViewRestriction.objects.create(
        page=secret,
        restriction_type=request.param,
        password="chiave-dei-soci" if request.param == "password" else "",
    )
    return {"tree": site_tree, "public": public, "secret": secret, "module": module, "network": network}


def assert_hidden(response, *, shows=None):
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    assert SECRET_TITLE not in text and "Quercivolo" not in text
    assert SECRET_SUMMARY not in text
    if shows:
        assert shows in text, f"the public practice {shows!r} is missing: the page is not what the test thinks"


def test_restricted_practice_is_in_no_public_listing(client, shelf):
    library = shelf["tree"].library
    shown = "Emporio solidale aperto"
    for url in (
        "/it/",
        library.url,
        library.url + "?q=famiglie",
        library.url + "?sdg=1",
        library.landing_url("sdg", 1),
        library.landing_url("territory", "01"),
        library.landing_url("territory", "001272"),
        library.landing_url("network", "rete-querce"),
        "/en/library/" if client.get("/en/library/").status_code == 200 else "/en/",
        "/it/search/?q=famiglie",
        "/en/search/?q=famiglie",
        shelf["public"].url,  # "Pratiche simili" lists practices sharing a goal, nearby first
        shelf["module"].url,  # the practices the module teaches from
        shelf["network"].url,  # the entries of the network
    ):
        expected = None if url.startswith("/en/") else shown
        assert_hidden(client.get(url), shows=expected)


def test_restricted_practice_feeds_no_search_help(client, shelf):
    # Its own words are not offered as "did you mean" nor as suggestions as you type.
    response = client.get("/it/search/?q=quercivol")
    assert_hidden(response)
    suggestions = client.get("/it/search/suggest/?q=querciv").json()["suggestions"]
    assert all("Quercivolo" not in item["label"] for item in suggestions)
    suggestions = client.get("/it/search/suggest/?q=sportello").json()["suggestions"]
    assert all("Quercivolo" not in item["label"] for item in suggestions)


def test_restricted_practice_is_not_in_the_api_nor_the_sitemap(client, shelf):
    for url in ("/api/v2/pages/?type=good_practice", "/api/v2/pages/?search=famiglie", "/api/v2/pages/?sdg=1"):
        response = client.get(url)
        titles = [item["title"] for item in response.json()["items"]]
        assert "Emporio solidale aperto" in titles and SECRET_TITLE not in titles, (url, titles)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert shelf["public"].slug in sitemap and shelf["secret"].slug not in sitemap


def test_restricted_practice_still_asks_for_its_password_and_shows_to_who_passed(client, shelf):
    secret = shelf["secret"]
    response = client.get(secret.url)
    assert SECRET_SUMMARY not in response.content.decode()
    restriction = PageViewRestriction.objects.get(page=secret)
    if restriction.restriction_type == "password":
        assert response.status_code == 200 and "password" in response.content.decode().lower()
        form = client.post(
            reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, secret.pk]),
            {"password": "chiave-dei-soci", "return_url": secret.url},
        )
        assert form.status_code == 302
    else:
        assert response.status_code == 302 and "login" in response["Location"]
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.create_user("socio", password="x"))
    assert SECRET_SUMMARY in client.get(secret.url).content.decode()


def test_a_page_under_a_restricted_section_and_an_alias_of_a_restricted_page_ask_for_the_password(client, shelf):
    """Wagtail checks a page's restrictions before serving it (core.pages.BasePage.get_view_restrictions): those
    of its ancestors count, and an alias is as private as the page it copies."""
    module = shelf["module"]
    programme = module.get_parent()
    PageViewRestriction.objects.create(page=programme, restriction_type="password", password="soci")
    inside = client.get(module.url)
    assert inside.status_code == 200 and module.title not in inside.content.decode()
    assert "password" in inside.content.decode().lower()
    alias = shelf["secret"].create_alias(parent=shelf["tree"].home, update_slug="copia-dello-sportello")
    # An alias of that alias points at the alias (Wagtail's create_alias): the chain is followed to its end.
    again = alias.create_alias(parent=shelf["tree"].networks, update_slug="copia-della-copia")
    assert again.alias_of_id == alias.pk
    # Wagtail copies the restriction onto an alias; without those copies an alias still follows its source.
    PageViewRestriction.objects.filter(page__in=[alias, again]).delete()
    for page in (alias, again):
        copied = client.get(page.url)
        assert SECRET_SUMMARY not in copied.content.decode(), page.url
        assert copied.status_code == 302 or "password" in copied.content.decode(), page.url
    PageViewRestriction.objects.filter(page=shelf["secret"]).delete()
    assert SECRET_SUMMARY in client.get(alias.url).content.decode()
    assert SECRET_SUMMARY in client.get(again.url).content.decode()


def test_a_section_restricted_as_a_whole_keeps_its_own_listing_for_who_passed(client, shelf):
    """Inside a restricted training programme the members who passed its password see its modules."""
    module = shelf["module"]
    programme = module.get_parent()
    restriction = PageViewRestriction.objects.create(page=programme, restriction_type="password", password="soci")
    client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, programme.pk]),
        {"password": "soci", "return_url": programme.url},
    )
    assert module.title in client.get(programme.url).content.decode()
    anonymous = client.__class__()
    assert module.title not in anonymous.get("/it/").content.decode()


def test_lifting_the_restriction_brings_the_practice_back(client, shelf):
    PageViewRestriction.objects.filter(page=shelf["secret"]).delete()
    assert SECRET_TITLE in client.get(shelf["tree"].library.url).content.decode()
    suggestions = client.get("/it/search/suggest/?q=querciv").json()["suggestions"]
    assert any("Quercivolo" in item["label"] for item in suggestions)


# Code that may query pages without the public filter: the admin, commands, the import and the demo work on
# every page whatever its visibility, for editors and operators, never for the public. Every other package,
# a new one included, is public code.
EDITORIAL_PACKAGES = {"editorial", "bootstrap", "importer", "tests"}
EDITORIAL = {
    "core/visibility.py",
    "proposals/views.py",
    "home/site_tree.py",
}


def _page_queries(source):
    """(line, what) for each `.live()`, `.public()`, `live=True` and `page__live=...` in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("live", "public"):
            found.append((node.lineno, f".{node.func.attr}()"))
        if isinstance(node, ast.keyword) and node.arg and (node.arg == "live" or node.arg.endswith("__live")):
            found.append((node.lineno, f"{node.arg}="))
    return found


def test_public_code_queries_pages_only_through_the_visibility_module():
    offenders = []
    packages = [init.parent for init in ROOT.glob("*/__init__.py") if init.parent.name not in EDITORIAL_PACKAGES]
    assert {"core", "practices", "search", "library", "home", "proposals", "config"} <= {p.name for p in packages}
    for package in packages:
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in EDITORIAL or "/migrations/" in relative or "/management/" in relative:
                continue
            offenders += [f"{relative}:{line} {what}" for line, what in _page_queries(path.read_text())]
    assert offenders == [], "use core.visibility (public_pages, visible) instead: " + ", ".join(offenders)


def test_templates_query_pages_only_through_the_visibility_module():
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if "wagtailadmin" not in path.parts and ".live." in path.read_text()
    ]
    assert offenders == [], "templates must use the tags of home/templatetags/navigation.py: " + ", ".join(offenders)


def test_a_restricted_section_is_not_announced_in_the_menu(client, shelf):
    programme = shelf["module"].get_parent()
    programme.show_in_menus = True
    programme.save_revision().publish()
    assert "Percorso querce" in client.get("/it/").content.decode()
    PageViewRestriction.objects.create(page=programme, restriction_type="login")
    assert "Percorso querce" not in client.get("/it/").content.decode()


def test_the_guard_recognises_what_it_forbids():
    source = "a = Page.objects.live()\nb = qs.public()\nc = Link.objects.filter(page__live=True)\n"
    assert [what for _, what in _page_queries(source)] == [".live()", ".public()", "page__live="]
