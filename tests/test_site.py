"""Site-wide behaviour: language prefixes, errors, settings per environment."""

import functools
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("accept", "target"), [("it-IT,it;q=0.9", "/it/"), ("en-GB,en;q=0.8", "/en/"), ("", "/it/")])
def test_root_redirects_by_browser_language(client, site_tree, accept, target):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == target


def test_home_page_renders_in_italian(client, site_tree):
    response = client.get("/it/")
    assert response.status_code == 200
    assert '<html lang="it">' in response.content.decode()


def test_unknown_page_is_a_friendly_404(client, site_tree):
    response = client.get("/it/non-esiste/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.content.decode()


@pytest.mark.parametrize("query", ['"', "\x00", "-", "*", "a" * 10_000, "'; DROP TABLE wagtailcore_page; --"])
def test_search_survives_odd_input(client, site_tree, query):
    assert client.get("/it/search/", {"q": query}).status_code == 200


def test_api_and_sitemap_live_outside_the_language_prefix(client, site_tree):
    assert client.get("/api/v2/pages/").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200


def run_settings(env):
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")
    }
    clean_env.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {"SECRET_KEY": "a-real-secret", "ALLOWED_HOSTS": "libreria.example.org"}
    del env[missing]
    result = run_settings(env)
    assert result.returncode != 0
    assert f"{missing} must be set in the environment for production." in result.stderr


def test_production_starts_with_its_secrets():
    result = run_settings({"SECRET_KEY": "a-real-secret", "ALLOWED_HOSTS": "libreria.example.org"})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_dev_superuser_is_refused_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing"):
        call_command("create_dev_superuser")


@pytest.mark.postgres
def test_postgres_leg_really_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_dev_superuser_is_created_once_and_speaks_italian(settings, django_user_model):
    from wagtail.users.models import UserProfile

    settings.DEBUG = True
    call_command("create_dev_superuser", stdout=io.StringIO())
    call_command("create_dev_superuser", stdout=io.StringIO())
    user = django_user_model.objects.get(username="admin")
    assert user.is_superuser and user.check_password("libreria")
    assert UserProfile.get_for_user(user).get_preferred_language() == "it"


def test_language_switch_leads_to_the_nearest_page_in_the_other_language(client, site_tree):
    html = client.get(site_tree.library.url).content.decode()
    assert '<a href="/en/" hreflang="en" lang="en" title="Questa pagina non è ancora tradotta' in html
    assert ">English</a>" in html


def routed(route, request, components):
    """What a routing gives for `components`: the page and, for a RoutablePage's own address, its view and
    arguments; "404" when there is no such page."""
    from django.http import Http404

    try:
        result = route(request, components)
    except Http404:
        return "404"
    page, args, kwargs = result
    if args and callable(args[0]):  # RoutablePageMixin: (view, view args, view kwargs)
        view, view_args, view_kwargs = args
        args = (view.__name__, tuple(view_args), dict(view_kwargs))
    return (page.pk, type(page).__name__, tuple(args), dict(kwargs))


def test_the_homes_routing_finds_what_wagtails_own_finds_for_every_address(demo, rf):
    """HomePage.route reads the whole path in two queries; Wagtail's Page.route walks it level by level. On
    every page of the demo in both languages, landing pages, unpublished pages and made-up addresses, the
    two find the same page (and view)."""
    from wagtail.models import Page

    from home.models import HomePage

    homes = list(HomePage.objects.all())
    assert {home.locale.language_code for home in homes} == {"it", "en"}
    libraries = Page.objects.filter(depth=3, slug__in=["biblioteca", "library"])
    libraries.first().get_children().live().first().unpublish()  # a draft: 404 both ways

    def compare():
        checked = 0
        for home in homes:
            addresses = [page.url_path[len(home.url_path) :] for page in Page.objects.descendant_of(home)]
            base = libraries.filter(locale=home.locale).get().url_path[len(home.url_path) :]
            addresses += [base + "sdg/13/", base + "territorio/01/", base + "sdg/99/", base + "non-esiste/"]
            addresses += ["non-esiste/", "non-esiste/affatto/", base + "sdg/13/oltre/"]
            for address in addresses:
                components = [part for part in address.split("/") if part]
                request = rf.get("/" + address)
                fast = routed(home.route, request, components)
                wagtails = routed(functools.partial(Page.route, home), request, components)
                assert fast == wagtails, address
                checked += fast != "404"
        return checked

    assert compare() > 60
    # A library not live while its entries are (only code can leave the tree so): its own addresses stop,
    # its children are still found, both ways.
    libraries.update(live=False)
    homes = [HomePage.objects.get(pk=home.pk) for home in homes]
    assert compare() > 60
