"""The interface speaks English on /en/: the catalogues under locale/ are complete, keep every placeholder,
compile without GNU gettext, and are what the pages and the admin show."""

import gettext
import os
import re
import shutil
from collections import Counter
from io import StringIO
from pathlib import Path

import django.conf
import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
ENGLISH_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
ITALIAN_PO = LOCALE / "it" / "LC_MESSAGES" / "django.po"

# %(name)s and %s style, {name} style (the suggestion counter that static/js/suggest.js fills), HTML tags.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\w*\}|</?\w+[^>]*>")


@pytest.fixture(scope="session")
def compiled_catalogues():
    """Compile the project's catalogues whatever existed before the run, then make Django read them again:
    a test that ran earlier in this process may already have cached the English catalogue without them."""
    call_command("compile_translations", verbosity=0)
    gettext._translations.clear()  # the standard library caches .mo files by path
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):  # setting_changed drops Django's cache
        pass
    return LOCALE


def english_catalogue():
    return polib.pofile(str(ENGLISH_PO))


def entry_pairs(entry):
    """(source, translation) pairs of an entry: one, or one per plural form."""
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
    return [(entry.msgid, entry.msgstr)]


def test_the_english_catalogue_has_no_empty_or_fuzzy_entry():
    catalogue = english_catalogue()
    assert len(catalogue) > 300
    assert not catalogue.metadata_is_fuzzy
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    for entry in catalogue:
        assert all(text.strip() for _, text in entry_pairs(entry)), entry.msgid
    assert catalogue.percent_translated() == 100


def test_every_translation_keeps_the_placeholders_of_its_source():
    mismatches = [
        (source, text)
        for entry in english_catalogue()
        for source, text in entry_pairs(entry)
        if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(text))
    ]
    assert mismatches == []


def test_plural_entries_have_both_forms():
    plurals = [entry for entry in english_catalogue() if entry.msgid_plural]
    assert plurals
    for entry in plurals:
        assert set(entry.msgstr_plural) == {0, 1}, entry.msgid


@pytest.mark.parametrize(("path", "language"), [(ENGLISH_PO, "en"), (ITALIAN_PO, "it")])
def test_catalogue_headers_name_the_language_and_its_plural_forms(path, language):
    catalogue = polib.pofile(str(path))
    assert catalogue.metadata["Language"] == language
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert catalogue.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_both_catalogues_hold_the_same_messages():
    english = {(entry.msgctxt, entry.msgid) for entry in english_catalogue() if not entry.obsolete}
    italian = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(ITALIAN_PO)) if not entry.obsolete}
    assert english == italian


def test_the_project_catalogue_does_not_reword_what_django_and_wagtail_already_say():
    """Catalogues under LOCALE_PATHS win over every app's: a msgid shared with Django or Wagtail (e.g. "Date")
    must keep its English meaning, or the English admin would change wherever the app uses it."""
    shared_msgids = set()
    package_dirs = [Path(config.path) for config in apps.get_app_configs()] + [Path(django.conf.__file__).parent]
    for directory in package_dirs:
        for po_path in directory.glob("locale/it/LC_MESSAGES/django.po"):
            shared_msgids.update(entry.msgid for entry in polib.pofile(str(po_path)))
    reworded = [
        (entry.msgid, entry.msgstr)
        for entry in english_catalogue()
        if entry.msgid in shared_msgids and entry.msgstr != entry.msgid
    ]
    assert reworded == []


@pytest.fixture
def locale_copy(tmp_path):
    """A copy of the project's .po files (no .mo) that the command is pointed at."""
    copy = tmp_path / "locale"
    for po_path in LOCALE.glob("*/LC_MESSAGES/*.po"):
        target = copy / po_path.relative_to(LOCALE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(po_path, target)
    with override_settings(LOCALE_PATHS=[copy]):
        yield copy


def run_compile(*args):
    out = StringIO()
    call_command("compile_translations", *args, stdout=out)
    return out.getvalue()


def test_compile_command_writes_mo_files_that_gettext_reads(locale_copy):
    assert run_compile() == "Translations: 2 compiled, 0 unchanged.\n"
    english_mo = locale_copy / "en" / "LC_MESSAGES" / "django.mo"
    assert (locale_copy / "it" / "LC_MESSAGES" / "django.mo").exists()
    with english_mo.open("rb") as mo_file:
        english = gettext.GNUTranslations(mo_file)
    assert english.gettext("Cerca nella biblioteca") == "Search the library"
    assert english.ngettext("%(counter)s voce", "%(counter)s voci", 1) == "%(counter)s entry"
    assert english.ngettext("%(counter)s voce", "%(counter)s voci", 7) == "%(counter)s entries"


def test_compile_command_skips_unchanged_catalogues(locale_copy):
    run_compile()
    english_po = locale_copy / "en" / "LC_MESSAGES" / "django.po"
    english_mo = english_po.with_suffix(".mo")
    compiled_at = english_mo.stat().st_mtime_ns
    assert run_compile() == "Translations: 0 compiled, 2 unchanged.\n"
    assert english_mo.stat().st_mtime_ns == compiled_at

    later = english_mo.stat().st_mtime + 10
    os.utime(english_po, (later, later))
    assert run_compile() == "Translations: 1 compiled, 1 unchanged.\n"
    assert run_compile("--force") == "Translations: 2 compiled, 0 unchanged.\n"


def test_compile_command_names_the_catalogue_with_a_syntax_error(locale_copy):
    broken = locale_copy / "fr" / "LC_MESSAGES" / "django.po"
    broken.parent.mkdir(parents=True)
    broken.write_text('msgid "Cerca"\nmsgstr "Rechercher"\nnot gettext at all\n', encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(str(broken))):
        run_compile()
    assert not broken.with_suffix(".mo").exists()


def test_verbose_names_and_help_texts_are_english_for_english_editors(compiled_catalogues):
    from practices.models import SDG, GoodPracticePage

    with translation.override("en"):
        assert str(SDG._meta.verbose_name_plural) == "Sustainable Development Goals"
        assert str(GoodPracticePage._meta.verbose_name) == "good practice"
        assert str(GoodPracticePage._meta.get_field("summary").help_text).startswith("Two or three sentences")
    with translation.override("it"):
        assert str(GoodPracticePage._meta.verbose_name) == "buona pratica"


@pytest.mark.django_db
def test_search_page_speaks_english_on_en_and_italian_on_it(client, site_tree, compiled_catalogues):
    english = client.get("/en/search/", {"q": "x"}).content.decode()
    assert '<html lang="en">' in english
    assert "<h1>Search the library</h1>" in english
    assert "Skip to content" in english
    assert "0 results for ‘x’" in english
    assert "Cerca nella biblioteca" not in english

    italian = client.get("/it/search/", {"q": "x"}).content.decode()
    assert "<h1>Cerca nella biblioteca</h1>" in italian
    assert "Vai al contenuto" in italian
    assert "0 risultati per «x»" in italian
    assert "Search the library" not in italian


@pytest.mark.django_db
def test_english_home_page_shows_english_interface(client, site_tree, compiled_catalogues):
    from wagtail.models import Locale

    site_tree.home.copy_for_translation(Locale.objects.get(language_code="en")).save_revision().publish()
    english = client.get("/en/")
    assert english.status_code == 200
    html = english.content.decode()
    assert "The library in numbers" in html
    assert "Search the library" in html
    assert "La biblioteca in numeri" not in html
    assert "La biblioteca in numeri" in client.get("/it/").content.decode()


@pytest.mark.django_db
def test_english_404_page(client, site_tree, compiled_catalogues):
    response = client.get("/en/does-not-exist/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_admin_form_speaks_english_to_an_english_editor(admin_client, admin_user, site_tree, compiled_catalogues):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "en"
    profile.save()
    url = reverse("wagtailadmin_pages:add", args=("practices", "goodpracticepage", site_tree.library.pk))
    html = admin_client.get(url).content.decode()
    assert "Practice profile" in html
    assert "Sustainable Development Goals" in html
    assert "Scheda della pratica" not in html
