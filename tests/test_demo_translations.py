"""The English part of the demo library: translated through wagtail-localize (a Translation per page, a
StringTranslation per segment), served under /en/, loaded twice without change, and kept in sync when the
Italian source changes."""

import pytest
from django.utils import translation as django_translation
from django.utils.html import escape
from wagtail.models import Locale, Page, Revision, Site
from wagtail.rich_text import RichText
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationLog,
    TranslationSource,
)

from bootstrap.demo import load_demo_library
from bootstrap.demo_translations import load_demo_translations
from home.models import HomePage
from library.pages import LibraryIndexPage
from practices.models import (
    CaseStudyPage,
    GoodPracticePage,
    LibraryEntry,
    NetworkIndexPage,
    NetworkPage,
    ResidencyPage,
    TrainingModulePage,
    TrainingProgrammePage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(demo):
    return Locale.objects.get(language_code="en")


@pytest.fixture
def italian(demo):
    return Locale.objects.get(language_code="it")


def english_page(italian_page, english):
    return Page.objects.get(translation_key=italian_page.translation_key, locale=english).specific


def test_the_demo_translates_home_library_programme_modules_two_networks_and_ten_entries(demo, english):
    assert demo.created["translations"] == 28
    assert HomePage.objects.filter(locale=english).live().count() == 1
    assert LibraryIndexPage.objects.filter(locale=english).live().count() == 1
    assert NetworkIndexPage.objects.filter(locale=english).live().count() == 1
    programme = TrainingProgrammePage.objects.live().get(locale=english)
    assert programme.title == "Supportive and Competent Networks"
    modules = TrainingModulePage.objects.child_of(programme).live()
    assert sorted(modules.values_list("number", flat=True)) == list(range(1, 13))
    assert set(modules.values_list("macro_action", flat=True)) == set(programme.macro_action_titles())
    assert NetworkPage.objects.filter(locale=english).live().count() == 2
    entries = GoodPracticePage.objects.filter(locale=english).live().count()
    entries += CaseStudyPage.objects.filter(locale=english).live().count()
    assert entries >= 10


def test_untranslated_pages_have_no_english_copy(demo, english, italian):
    assert not ResidencyPage.objects.filter(locale=english).exists()
    assert LibraryEntry.objects.filter(locale=italian).count() > LibraryEntry.objects.filter(locale=english).count()


def test_every_english_page_is_a_wagtail_localize_translation_of_its_italian_source(demo, english, italian):
    english_pages = Page.objects.filter(locale=english)
    assert english_pages.count() == 28
    for page in english_pages:
        source_page = Page.objects.get(translation_key=page.translation_key, locale=italian)
        translation = Translation.objects.get(
            source__object_id=page.translation_key, source__locale=italian, target_locale=english
        )
        assert translation.enabled, page.url
        assert translation.source.specific_content_type_id == source_page.content_type_id
        total, translated = translation.get_progress()
        assert total == translated > 0, page.url  # every segment has an English StringTranslation
        assert TranslationLog.objects.filter(source=translation.source, locale=english).exists()


def test_english_home_is_the_translation_of_the_site_root_and_serves_en(demo, english, client):
    site = Site.objects.get()
    english_home = english_page(site.root_page, english)
    assert isinstance(english_home, HomePage)
    assert english_home.get_parent().is_root()
    with django_translation.override("en"):
        assert site.root_page.localized.specific == english_home
    response = client.get("/en/")
    assert response.status_code == 200
    assert escape(english_home.title) in response.content.decode()


def test_english_pages_are_live_at_en_addresses_with_translated_slugs(demo, english, client):
    for page in Page.objects.filter(locale=english).live().specific():
        assert page.url.startswith("/en/"), page.url
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert escape(page.title) in response.content.decode(), page.url
    assert LibraryIndexPage.objects.get(locale=english).url == "/en/library/"
    assert GoodPracticePage.objects.get(locale=english, slug="capacity-gyms").url == "/en/library/capacity-gyms/"


def test_english_entries_keep_the_italian_taxonomies(demo, english):
    for entry in GoodPracticePage.objects.filter(locale=english):
        source = entry.get_translation(Locale.objects.get(language_code="it"))
        assert set(entry.sdgs.values_list("pk", flat=True)) == set(source.sdgs.values_list("pk", flat=True))
        assert entry.hero_image_id == source.hero_image_id


def test_english_module_shows_the_english_practice_it_teaches_with_the_translated_note(demo, english, client):
    module = TrainingModulePage.objects.get(locale=english, number=1)
    link = module.practice_links.order_by("sort_order").first()
    assert link.locale == english
    assert link.note.startswith("NeXt's Participatory Self-Assessment Questionnaire")
    practice_en = english_page(link.practice, english)
    assert practice_en.title == "Knowing the territory: participatory mapping of local good practices"
    html = client.get(module.url).content.decode()
    assert escape(practice_en.title) in html
    assert escape(link.note) in html


def test_loading_again_writes_nothing(demo):
    counts = (
        Page.objects.count(),
        Revision.objects.count(),
        Translation.objects.count(),
        StringTranslation.objects.count(),
        TranslationLog.objects.count(),
    )
    sources = dict(TranslationSource.objects.values_list("pk", "last_updated_at"))
    report = load_demo_library()
    assert {kind: count for kind, count in report.created.items() if count} == {}
    assert load_demo_translations() == {"created": 0, "updated": 0, "missing": {}}
    assert (
        Page.objects.count(),
        Revision.objects.count(),
        Translation.objects.count(),
        StringTranslation.objects.count(),
        TranslationLog.objects.count(),
    ) == counts
    assert dict(TranslationSource.objects.values_list("pk", "last_updated_at")) == sources


def paragraphs_of(page):
    return [block.value.source for block in page.body if block.block_type == "paragraph"]


def test_a_translation_follows_its_italian_source_and_unchanged_segments_keep_their_english(
    demo, english, italian, django_capture_on_commit_callbacks
):
    practice = GoodPracticePage.objects.get(locale=italian, slug="next-mappatura-contesto-locale")
    translated = english_page(practice, english)
    english_before = paragraphs_of(translated)
    new_italian = "La mappatura si aggiorna ogni anno con i nuovi soggetti della rete."

    # The editor changes the second paragraph of the Italian page and publishes it.
    body = practice.body
    body[1] = ("paragraph", RichText(f"<p>{new_italian}</p>"), body[1].id)
    practice.body = body
    practice.save_revision().publish()

    # "Sync translated pages" in the admin: refresh the source, then publish each enabled translation.
    source = TranslationSource.objects.get(object_id=practice.translation_key, locale=italian)
    source.update_from_db()
    translation = source.translations.get(target_locale=english)
    segments, translated_segments = translation.get_progress()
    assert translated_segments == segments - 1  # the changed paragraph is now a new, untranslated segment
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)

    translated.refresh_from_db()
    assert translated.live and not translated.has_unpublished_changes
    assert translated.title == "Knowing the territory: participatory mapping of local good practices"
    assert translated.summary.startswith("The first stage of the MOBilitarsi journey")
    after = paragraphs_of(translated)
    assert after[0] == english_before[0] and after[2] == english_before[2]
    assert after[1] == f"<p>{new_italian}</p>"  # wagtail-localize falls back to the new Italian text

    # The translator translates the new segment and publishes: the page is English again.
    segment = StringSegment.objects.get(source=source, string__data=new_italian)
    StringTranslation.objects.create(
        translation_of=segment.string,
        locale=english,
        context=segment.context,
        data="The map is updated every year with the network's new members.",
        translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
    )
    assert translation.get_progress() == (segments, segments)
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    translated.refresh_from_db()
    assert paragraphs_of(translated)[1] == "<p>The map is updated every year with the network's new members.</p>"
