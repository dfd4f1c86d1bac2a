"""Compile the project's translation catalogues (.po) to .mo with polib, so that a machine without GNU
gettext (no msgfmt) can still build the site. Only the catalogues under settings.LOCALE_PATHS are compiled:
installed packages ship their own .mo files."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogues():
    """Every locale/<language>/LC_MESSAGES/<domain>.po under the project's LOCALE_PATHS, sorted."""
    found = []
    for locale_path in settings.LOCALE_PATHS:
        found.extend(Path(locale_path).glob("*/LC_MESSAGES/*.po"))
    return sorted(found)


def is_up_to_date(po_path, mo_path):
    return mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime


def compile_catalogue(po_path, mo_path):
    """Parse `po_path` and write `mo_path`; a syntax error names the file (polib's message gives the line).
    The .mo is written next to it under a temporary name first, so a failure never leaves half a file."""
    try:
        catalogue = polib.pofile(str(po_path))
    except (OSError, ValueError) as error:  # polib raises OSError for syntax errors, ValueError for encodings
        raise CommandError(f"cannot compile {po_path}: {error}") from error
    partial = mo_path.with_name(mo_path.name + ".tmp")
    try:
        catalogue.save_as_mofile(str(partial))
        partial.replace(mo_path)
    finally:
        partial.unlink(missing_ok=True)
    return catalogue


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po under LOCALE_PATHS to .mo with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="recompile even the catalogues that are unchanged")

    def handle(self, *args, force=False, **options):
        compiled = skipped = 0
        for po_path in catalogues():
            mo_path = po_path.with_suffix(".mo")
            if not force and is_up_to_date(po_path, mo_path):
                skipped += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"unchanged: {po_path}")
                continue
            catalogue = compile_catalogue(po_path, mo_path)
            compiled += 1
            if options["verbosity"] > 1:
                self.stdout.write(
                    f"compiled: {po_path} ({len(catalogue.translated_entries())} translated, "
                    f"{len(catalogue.untranslated_entries())} untranslated, {len(catalogue.fuzzy_entries())} fuzzy)"
                )
        if options["verbosity"] > 0:
            self.stdout.write(f"Translations: {compiled} compiled, {skipped} unchanged.")
