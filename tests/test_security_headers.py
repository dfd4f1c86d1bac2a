"""Security headers: a Content-Security-Policy without 'unsafe-inline' for scripts and styles on every public
page type (and pages that keep to it: no style attribute, every inline element carrying the nonce), a
Permissions-Policy, a separate policy for the admin, no Gravatar, and production settings that redirect to
HTTPS, send HSTS and pass `check --deploy`."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from home.models import StandardPage
from library.pages import LibraryIndexPage
from practices.models import (
    SDG,
    CaseStudyPage,
    GoodPracticePage,
    NetworkIndexPage,
    NetworkPage,
    ResidencyIndexPage,
    ResidencyPage,
    Theme,
    TrainingModulePage,
    TrainingProgrammePage,
)

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db


def directives(header):
    """{"script-src": ["'self'", ...], ...} from a Content-Security-Policy header."""
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def public_paths():
    library = LibraryIndexPage.objects.get(locale__language_code="it")
    english = LibraryIndexPage.objects.get(locale__language_code="en")
    network = NetworkPage.objects.live().filter(locale__language_code="it").first()
    theme = Theme.objects.filter(entries__isnull=False).first()
    return {
        "home": library.get_parent().url,
        "home-en": english.get_parent().url,
        "standard": StandardPage.objects.live().first().url,
        "library": library.url,
        "library-en": english.url,
        "library-filtered": library.url + "?sdg=11&territory=M1&q=comunità",
        "landing-sdg": library.url + "sdg/11/",
        "landing-territory": library.url + "territorio/01/",
        "landing-network": library.url + f"rete/{network.slug}/",
        "landing-theme": library.url + f"tema/{theme.slug}/",
        "good-practice": GoodPracticePage.objects.live().first().url,
        "case-study": CaseStudyPage.objects.live().first().url,
        "residency-index": ResidencyIndexPage.objects.live().first().url,
        "residency": ResidencyPage.objects.live().first().url,
        "programme": TrainingProgrammePage.objects.live().first().url,
        "module": TrainingModulePage.objects.live().first().url,
        "network-index": NetworkIndexPage.objects.live().first().url,
        "network": network.url,
        "search": "/it/search/?q=comunità",
        "search-empty": "/it/search/?q=zzzzqqq",
        "search-en": "/en/search/?q=community",
        "proposal": "/it/segnala/",
        "not-found": "/it/non-esiste/",
    }


def assert_strict_policy(response, path):
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{path} has no Content-Security-Policy"
    policy = directives(header)
    for directive in ("script-src", "style-src"):
        assert directive in policy, (path, header)
        assert "'unsafe-inline'" not in policy[directive], (path, header)
        assert "'unsafe-eval'" not in policy[directive], (path, header)
        assert "*" not in policy[directive] and "data:" not in policy[directive], (path, header)
    assert policy["object-src"] == ["'none'"], header
    assert policy["base-uri"] == ["'self'"], header
    assert "Permissions-Policy" in response.headers, path
    return policy


def test_every_public_page_type_has_a_strict_policy_and_keeps_to_it(client, demo):
    seen_json_ld = seen_palette = False
    for name, path in public_paths().items():
        response = client.get(path)
        assert response.status_code in (200, 404), (name, path, response.status_code)
        assert (response.status_code == 404) == (name == "not-found"), (name, path)
        policy = assert_strict_policy(response, path)
        html = response.content.decode()
        # Nothing the policy refuses: no style attribute, no on* handler, no inline element without the nonce.
        assert not re.search(r"<[^>]+\sstyle=", html), (name, re.search(r"<[^>]+\sstyle=[^>]*>", html).group(0))
        assert not re.search(r"<[^>]+\son[a-z]+=", html), name
        assert "javascript:" not in html, name
        nonces = {value[len("'nonce-") : -1] for value in policy["script-src"] if value.startswith("'nonce-")}
        assert len(nonces) == 1, (name, policy["script-src"])
        nonce = nonces.pop()
        assert f"'nonce-{nonce}'" in policy["style-src"], name
        for tag, attributes, body in re.findall(r"<(script|style)([^>]*)>(.*?)</\1>", html, re.S):
            if "src=" in attributes:
                continue  # an external file from 'self'
            assert f'nonce="{nonce}"' in attributes, (name, tag, attributes, body[:80])
            seen_json_ld |= "application/ld+json" in attributes
            seen_palette |= tag == "style" and ".sdg-11{--sdg:" in body
    assert seen_json_ld, "no page carried JSON-LD: the check above tested nothing for it"
    assert seen_palette


def test_each_response_gets_a_fresh_nonce(client, demo):
    path = public_paths()["good-practice"]
    first = directives(client.get(path).headers["Content-Security-Policy"])["script-src"]
    second = directives(client.get(path).headers["Content-Security-Policy"])["script-src"]
    assert first != second


def test_json_answers_and_the_api_carry_the_policy_too(client, demo):
    for path in ("/it/search/suggest/?q=clima", "/it/segnala/territori/?q=Tor", "/api/v2/pages/", "/sitemap.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], path
        assert response.headers["Permissions-Policy"].startswith("accelerometer=()"), path


def test_permissions_policy_refuses_camera_microphone_geolocation(client, site_tree):
    header = client.get("/it/").headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in header


def test_goal_colours_come_from_the_database_and_only_as_colours(client, site_tree):
    goal = SDG.objects.get(number=13)
    goal.colour = "#123456"
    goal.save()
    assert ".sdg-13{--sdg:#123456}" in client.get("/it/").content.decode()
    # A colour is editor input: something that is not a hex colour never reaches the <style> element.
    # Seven characters, what the column holds on PostgreSQL: enough to close the rule and open markup.
    SDG.objects.filter(number=13).update(colour="red}<b>")
    SDG.objects.get(number=13).save(update_fields=["colour"])  # the signal forgets the cached palette
    html = client.get("/it/").content.decode()
    assert "red}<b>" not in html and ".sdg-13{" not in html and ".sdg-12{--sdg:" in html


def test_the_admin_has_its_own_policy_and_no_gravatar(admin_client, demo, settings):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    # No update check from editors' browsers (core.js would fetch releases.wagtail.org for this panel).
    assert "w-upgrade" not in response.content.decode()
    policy = directives(response.headers["Content-Security-Policy"])
    # Wagtail's admin writes inline scripts and styles without nonces: a nonce would switch 'unsafe-inline' off.
    assert not any(value.startswith("'nonce-") for value in policy["script-src"] + policy["style-src"])
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert "gravatar" not in response.content.decode()
    page = GoodPracticePage.objects.live().first()
    edit = admin_client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200 and "gravatar" not in edit.content.decode()


@override_settings(CONTENT_SECURITY_POLICY_ADMIN=None)
def test_without_an_admin_policy_the_admin_falls_back_to_the_public_one(admin_client, site_tree):
    policy = directives(admin_client.get("/admin/").headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy["script-src"]


PRODUCTION_ENV = {
    # The production start documented in the README, nothing more.
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "libreria.example.org",
}


def run_production(code="", args=(), **extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "DJANGO_"))}
    env.pop("SECRET_KEY", None)
    env.pop("ALLOWED_HOSTS", None)
    env.update(PRODUCTION_ENV, **extra)
    command = [sys.executable, *(["-c", code] if code else [str(ROOT / "manage.py"), *args])]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


# Django's own SecurityMiddleware under the production settings, on a plain-HTTP and an HTTPS request as the
# proxy forwards them; no database needed.
PROBE = """
import django
django.setup()
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
factory = RequestFactory(HTTP_HOST="libreria.example.org")
plain = middleware(factory.get("/it/biblioteca/", HTTP_X_FORWARDED_PROTO="http"))
print("plain", plain.status_code, plain.get("Location"))
secure = middleware(factory.get("/it/biblioteca/", HTTP_X_FORWARDED_PROTO="https"))
print("secure", secure.status_code, secure.get("Strict-Transport-Security"))
"""


def test_production_redirects_to_https_and_sends_hsts():
    result = run_production(PROBE)
    assert result.returncode == 0, result.stderr
    assert "plain 301 https://libreria.example.org/it/biblioteca/" in result.stdout
    assert "secure 200 max-age=31536000; includeSubDomains; preload" in result.stdout


def test_production_hsts_and_redirect_follow_the_environment():
    result = run_production(PROBE, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="600", SECURE_HSTS_PRELOAD="false")
    assert result.returncode == 0, result.stderr
    assert "plain 200 None" in result.stdout
    assert "secure 200 max-age=600; includeSubDomains" in result.stdout
    assert "preload" not in result.stdout


def test_check_deploy_passes_with_the_documented_production_environment():
    result = run_production(args=("check", "--deploy", "--fail-level", "WARNING"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
