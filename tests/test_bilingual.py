"""The English library: translations where they exist, the Italian originals clearly marked where they do
not, and links between pages in the reader's language."""

import pytest
from wagtail.models import Locale

from practices.models import ModulePractice
from tests.factories import (
    GoodPracticeFactory,
    NetworkPageFactory,
    TrainingModuleFactory,
    TrainingProgrammeFactory,
)

pytestmark = pytest.mark.django_db


def translate(page, **changes):
    """An English translation of `page` (and of its parents, if needed), published with `changes`."""
    english = Locale.objects.get(language_code="en")
    translation = page.copy_for_translation(english, copy_parents=True)
    for name, value in changes.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


@pytest.fixture
def bilingual(site_tree):
    network = NetworkPageFactory(parent=site_tree.networks, title="Rete Orti Sociali", slug="rete-orti")
    orto = GoodPracticeFactory(
        parent=site_tree.library, title="Orto sociale a Chieri", summary="Un orto curato dagli anziani.", sdgs=[2]
    )
    orto.networks.add(network)
    orto.save_revision().publish()
    emporio = GoodPracticeFactory(
        parent=site_tree.library, title="Emporio solidale", summary="Spesa a punti per le famiglie.", sdgs=[1]
    )
    programme = TrainingProgrammeFactory(parent=site_tree.home, title="Reti solidali")
    module = TrainingModuleFactory(parent=programme, title="Modulo 1: orti", summary="Si parte dagli orti.", sdgs=[2])
    ModulePractice.objects.create(page=module, practice=orto, note="Perché coinvolge gli anziani.")
    module.save_revision().publish()
    translate(site_tree.home)
    english_library = translate(site_tree.library)
    english_orto = translate(orto, title="Social garden in Chieri", summary="A garden tended by older people.")
    return {
        "library": site_tree.library,
        "english_library": english_library,
        "orto": orto,
        "english_orto": english_orto,
        "emporio": emporio,
        "module": module,
        "network": network,
    }


def cards(response):
    return {entry.title: getattr(entry, "in_other_language", False) for entry in response.context["page_obj"]}


def test_english_library_shows_translations_and_marks_untranslated_italian_entries(client, bilingual):
    response = client.get(bilingual["english_library"].url)
    assert response.status_code == 200
    assert cards(response) == {"Social garden in Chieri": False, "Emporio solidale": True, "Modulo 1: orti": True}
    html = response.content.decode()
    assert "in italiano" in html or "in Italian" in html
    assert 'lang="it"' in html  # the Italian title and summary are marked as Italian for screen readers


def test_italian_library_lists_only_italian_entries(client, bilingual):
    assert set(cards(client.get(bilingual["library"].url))) == {
        "Orto sociale a Chieri",
        "Emporio solidale",
        "Modulo 1: orti",
    }


def test_facet_counts_are_per_language(client, bilingual):
    english = client.get(bilingual["english_library"].url)
    sdg = next(facet for facet in english.context["facets"] if facet.key == "sdg")
    counts = {option.value: option.count for option in sdg.options}
    # The garden counts once (its translation, not also its original), with the untranslated module.
    assert counts["1"] == 1 and counts["2"] == 2


def test_network_facet_keeps_its_key_in_english(client, bilingual):
    response = client.get(bilingual["english_library"].url, {"network": "rete-orti"})
    assert list(cards(response)) == ["Social garden in Chieri"]
    assert response.context["selection"].ignored == []


def test_english_search_finds_english_and_untranslated_entries(client, bilingual):
    found = client.get("/en/search/", {"q": "garden"})
    assert cards(found) == {"Social garden in Chieri": False}
    fallback = client.get("/en/search/", {"q": "emporio"})
    assert cards(fallback) == {"Emporio solidale": True}


def test_a_module_links_to_the_practice_in_the_readers_language_or_marks_the_original(client, bilingual):
    italian_module = client.get(bilingual["module"].url)
    assert [practice.title for _link, practice in italian_module.context["practice_links"]] == ["Orto sociale a Chieri"]
    english_module = translate(bilingual["module"], title="Module 1: gardens")
    response = client.get(english_module.url)
    ((link, practice),) = response.context["practice_links"]
    assert practice.title == "Social garden in Chieri" and not getattr(practice, "in_other_language", False)
    assert link.locale.language_code == "en"  # the note is the English page's own, to be translated


def test_a_practice_lists_the_modules_that_teach_it_in_the_readers_language(client, bilingual):
    response = client.get(bilingual["english_orto"].url)
    (link,) = response.context["module_links"]
    assert link.page.title == "Modulo 1: orti" and link.page.in_other_language
    assert "in italiano" in response.content.decode() or "in Italian" in response.content.decode()
    translate(bilingual["module"], title="Module 1: gardens")
    (link,) = client.get(bilingual["english_orto"].url).context["module_links"]
    assert link.page.title == "Module 1: gardens" and not link.page.in_other_language


def test_networks_of_an_entry_are_shown_in_the_readers_language_when_translated(client, bilingual):
    response = client.get(bilingual["english_orto"].url)
    (network,) = response.context["networks"]
    assert network.title == "Rete Orti Sociali" and network.in_other_language
    translate(bilingual["network"], title="Social Gardens Network")
    (network,) = client.get(bilingual["english_orto"].url).context["networks"]
    assert network.title == "Social Gardens Network"


def test_sitemap_lists_both_languages(client, bilingual):
    xml = client.get("/sitemap.xml").content.decode()
    assert bilingual["english_orto"].full_url in xml and bilingual["orto"].full_url in xml


def test_translated_pages_name_each_other_as_alternates(client, bilingual):
    html = client.get(bilingual["english_orto"].url).content.decode()
    assert f'hreflang="it" href="{bilingual["orto"].full_url}"' in html
    assert f'hreflang="en" href="{bilingual["english_orto"].full_url}"' in html
    assert 'hreflang="x-default"' in html
    assert 'hreflang="x-default"' not in client.get(bilingual["emporio"].url).content.decode()  # no translation
