"""English translations of part of the demo library, made with wagtail-localize's own machinery so that the
admin sees them as translations and "Sync translated pages" keeps working when the Italian changes.

For each page listed in bootstrap/data/demo_library_en.json (parents first) this does what a translator does
in the admin: submit the Italian page for translation (a `TranslationSource` and a `Translation` into "en"),
type the English of each segment (a `StringTranslation` per segment and context) and publish
(`Translation.save_target`). English strings are keyed by the Italian text they translate, not by segment
path: StreamField block ids differ from one database to another, and a segment whose Italian text has changed
must not silently keep an outdated translation (it falls back to the Italian source, as in wagtail-localize).

Idempotent: a page is saved again only when its source, one of its translated strings or its target page is
new or changed, so a second run writes nothing. A translation a translator has already written in the admin is
kept, and a page whose translation was disabled (converted to a manual page) is left alone."""

import json
from pathlib import Path

from django.apps import apps
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

DEMO_EN_FILE = Path(__file__).resolve().parent / "data" / "demo_library_en.json"


def english_for(segment, strings, common):
    text = segment.string.data
    return strings.get(text, common.get(text))


def translate_strings(source, locale, strings, common):
    """The translator's work in the editor: one StringTranslation per segment that has none yet. Returns how
    many were written and the Italian texts with no English in the file."""
    written, missing = 0, []
    segments = StringSegment.objects.filter(source=source).select_related("string", "context").order_by("order")
    existing = {
        (translation.translation_of_id, translation.context_id): translation
        for translation in StringTranslation.objects.filter(
            locale=locale, translation_of__in=[segment.string_id for segment in segments]
        )
    }
    for segment in segments:
        english = english_for(segment, strings, common)
        if english is None:
            missing.append(segment.string.data)
            continue
        if (segment.string_id, segment.context_id) in existing:
            continue  # a translator's own wording, typed in the admin, is never replaced
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            data=english,
            translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
        )
        written += 1
    return written, missing


def publish_translation(translation):
    """`save_target(publish=True)` defers publishing to the end of the outermost transaction
    (`transaction.on_commit`), and the demo is loaded inside one that a caller (a test) may roll back: save the
    revision through wagtail-localize and publish that very revision now, which is what the admin's publish
    button ends up doing."""
    translation.save_target(publish=False)
    page = translation.get_target_instance()
    page.get_latest_revision().publish()
    return page


def translate_page(page, locale, strings, common):
    """Returns "created", "updated" or None (nothing written), and the Italian texts left untranslated."""
    # Submitting again re-extracts the Italian only if its content changed (what "Sync" does in the admin).
    before = (
        TranslationSource.objects.filter(object_id=page.translation_key, locale_id=page.locale_id)
        .values_list("last_updated_at", flat=True)
        .first()
    )
    source, _created = TranslationSource.update_or_create_from_instance(page)
    source_changed = before != source.last_updated_at
    translation, translation_created = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    if not translation.enabled:  # the translator chose to edit this page by hand, outside wagtail-localize
        return None, []
    written, missing = translate_strings(source, locale, strings, common)
    target = Page.objects.filter(translation_key=page.translation_key, locale=locale).first()
    if target is None:
        publish_translation(translation)
        return "created", missing
    target_outdated = not target.live or target.has_unpublished_changes
    if translation_created or source_changed or written or target_outdated:
        publish_translation(translation)
        return "updated", missing
    return None, missing


def load_demo_translations(report=None):
    """Translates the pages of the demo listed in the English data file; `report` (a DemoReport) counts them."""
    data = json.loads(DEMO_EN_FILE.read_text(encoding="utf-8"))
    italian, english = Locale.objects.get(language_code="it"), Locale.objects.get(language_code="en")
    from practices.models import Organisation

    from .demo_details import english_strings

    common = {**data["common"], **english_strings(Organisation.objects.values_list("name", flat=True))}
    outcome = {"created": 0, "updated": 0, "missing": {}}
    for item in data["pages"]:
        model = apps.get_model(item["type"])
        page = model.objects.filter(slug=item["slug"], locale=italian).first()
        if page is None:  # an editor removed or renamed it: nothing to translate
            continue
        result, missing = translate_page(page, english, item["strings"], common)
        if result:
            outcome[result] += 1
        if missing:
            outcome["missing"][f"{item['type']}:{item['slug']}"] = missing
    if report is not None:
        report.created["translations"] = outcome["created"]
        report.created["translations updated"] = outcome["updated"]
    return outcome
