"""Suggestions while typing in the header search box: titles, territories, themes and goals, each with where
it leads, accent- and case-insensitive, in the active language, and never an error whatever is typed."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Locale

from library.suggestions import MAX_SUGGESTIONS
from tests.factories import CaseStudyFactory, GoodPracticeFactory, ThemeFactory

pytestmark = pytest.mark.django_db

SUGGEST_IT = "/it/search/suggest/"
SUGGEST_EN = "/en/search/suggest/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Answers are cached for a minute; each test starts from what its own data gives."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def library(site_tree):
    """Public entries in Forlì, Torino, Somma Lombardo (VA) and both Reggio; one theme in use and one not; a
    draft alone in Stagno Lombardo (CR), with a goal and a theme of its own. Only places, themes and goals
    that hold public entries are suggested, so that a suggestion never leads to an empty list."""
    welfare = ThemeFactory(name_it="welfare di comunità", name_en="community welfare", slug="welfare-di-comunita")
    ThemeFactory(name_it="comunità energetiche", name_en="energy communities", slug="comunita-energetiche")
    orti = ThemeFactory(name_it="orti urbani", name_en="urban gardens", slug="orti-urbani")
    GoodPracticeFactory(
        parent=site_tree.library, title="Comunità energetica di Forlì", sdgs=[7, 13], territories=["040012"]
    )
    torino = CaseStudyFactory(
        parent=site_tree.library, title="Città solidale a Torino", sdgs=[11], territories=["001272"]
    )
    torino.themes.add(welfare)
    torino.save()
    GoodPracticeFactory(parent=site_tree.library, title="Custodi sociali volontari", sdgs=[3], territories=["012123"])
    GoodPracticeFactory(parent=site_tree.library, title="Pompe di calore in via Roma", sdgs=[7], territories=["035033"])
    GoodPracticeFactory(parent=site_tree.library, title="Doposcuola al porto", sdgs=[4], territories=["080063"])
    draft = GoodPracticeFactory(
        parent=site_tree.library,
        title="Orti condivisi lombardi in bozza",
        sdgs=[16],
        territories=["019103"],
        live=False,
    )
    draft.themes.add(orti)
    draft.save()
    return site_tree.library


@pytest.fixture
def english_library(library):
    """The library translated and published in English, with one English entry."""
    english = Locale.objects.get(language_code="en")
    library.get_parent().copy_for_translation(english).save_revision().publish()
    library_en = library.copy_for_translation(english)
    library_en.save_revision().publish()
    GoodPracticeFactory(parent=library_en, title="Energy community in Forlì", slug="energy-community", sdgs=[7])
    return library_en


def suggest(client, q, url=SUGGEST_IT):
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["suggestions"]


def of_kind(suggestions, kind):
    return [s for s in suggestions if s["kind"] == kind]


def test_territories_are_found_without_accents(client, library):
    first = of_kind(suggest(client, "forli"), "territory")[0]
    assert first["label"] == "Forlì (FC)"
    assert first["url"] == "/it/biblioteca/?territory=040012"
    assert first["kind_label"] == "Territorio" and first["detail"] == "Comune"


def test_territories_ignore_case_and_accents_typed_by_the_visitor(client, library):
    assert of_kind(suggest(client, "FORLÌ"), "territory")[0]["label"] == "Forlì (FC)"


def test_a_region_comes_before_the_comuni_that_share_its_prefix(client, library):
    territories = of_kind(suggest(client, "lombard"), "territory")
    assert territories[0]["label"] == "Lombardia"  # it holds the entry of Somma Lombardo
    assert territories[0]["url"] == "/it/biblioteca/?territory=03"
    assert territories[0]["detail"] == "Regione"
    # A later word of the name matches too; comuni sharing the prefix without a public entry (Alzano
    # Lombardo, Stagno Lombardo with only a draft, ...) would lead to an empty list and are left out.
    assert [t["label"] for t in territories] == ["Lombardia", "Somma Lombardo (VA)"]


def test_every_typed_word_must_start_a_word_of_the_territory(client, library):
    labels = [(t["label"], t["detail"]) for t in of_kind(suggest(client, "reggio emilia"), "territory")]
    assert labels[:2] == [("Reggio nell'Emilia", "Provincia"), ("Reggio nell'Emilia (RE)", "Comune")]
    # Reggio di Calabria holds an entry too, but "emilia" starts none of its words.
    assert not any("Calabria" in label for label, _level in labels)
    reggio = [t["label"] for t in of_kind(suggest(client, "reggio"), "territory")]
    assert "Reggio Calabria" in reggio and "Reggio di Calabria (RC)" in reggio


def test_themes_match_in_the_active_language_without_accents(client, library):
    themes = {t["label"]: t["url"] for t in of_kind(suggest(client, "comunita"), "theme")}
    # "comunità energetiche" matches too, but no entry has that theme: it would lead to an empty list.
    assert themes == {"welfare di comunità": "/it/biblioteca/?theme=welfare-di-comunita"}
    # English labels in English, leading to the Italian library while it has no translation.
    english = {t["label"]: t["url"] for t in of_kind(suggest(client, "community welf", SUGGEST_EN), "theme")}
    assert english == {"community welfare": "/it/biblioteca/?theme=welfare-di-comunita"}


def test_goals_are_found_by_number(client, library):
    for typed in ("13", "sdg 13", "Obiettivo 13"):
        goals = of_kind(suggest(client, typed), "sdg")
        assert [g["label"] for g in goals] == ["13. Lotta contro il cambiamento climatico"], typed
        assert goals[0]["url"] == "/it/biblioteca/?sdg=13"


def test_goals_are_found_by_the_start_of_a_word_of_their_name(client, library):
    labels = [g["label"] for g in of_kind(suggest(client, "clima"), "sdg")]
    assert labels == ["13. Lotta contro il cambiamento climatico"]


def test_titles_are_found_without_accents_and_lead_to_the_entry(client, library):
    titles = of_kind(suggest(client, "citta sol"), "title")
    assert [t["label"] for t in titles] == ["Città solidale a Torino"]
    assert titles[0]["url"] == "/it/biblioteca/citta-solidale-a-torino/"
    assert titles[0]["detail"] == "Caso studio"


def test_titles_are_matched_from_the_start_of_a_word(client, library):
    assert of_kind(suggest(client, "nergetica"), "title") == []
    assert [t["label"] for t in of_kind(suggest(client, "energ"), "title")] == ["Comunità energetica di Forlì"]


def test_drafts_are_never_suggested(client, library):
    assert of_kind(suggest(client, "orti condivisi"), "title") == []


def test_places_themes_and_goals_held_only_by_a_draft_are_never_suggested(client, library):
    assert of_kind(suggest(client, "stagno"), "territory") == []
    assert of_kind(suggest(client, "orti urbani"), "theme") == []
    assert of_kind(suggest(client, "sdg 16"), "sdg") == []
    # The same look-ups find what public entries hold.
    assert [t["label"] for t in of_kind(suggest(client, "somma"), "territory")] == ["Somma Lombardo (VA)"]
    assert [g["label"] for g in of_kind(suggest(client, "sdg 4"), "sdg")] == ["4. Istruzione di qualità"]


def test_titles_and_labels_follow_the_active_language(client, english_library):
    assert [t["label"] for t in of_kind(suggest(client, "energ"), "title")] == ["Comunità energetica di Forlì"]
    english = suggest(client, "energ", SUGGEST_EN)
    assert [t["label"] for t in of_kind(english, "title")] == ["Energy community in Forlì"]
    assert of_kind(english, "title")[0]["url"].startswith("/en/")
    goals = of_kind(suggest(client, "climate", SUGGEST_EN), "sdg")
    assert goals[0]["label"] == "13. Climate Action"
    assert goals[0]["url"] == english_library.url + "?sdg=13"


def test_the_cache_keeps_languages_apart(client, english_library):
    italian = suggest(client, "clima")
    english = suggest(client, "clima", SUGGEST_EN)
    assert of_kind(italian, "sdg")[0]["url"].startswith("/it/")
    assert of_kind(english, "sdg")[0]["url"].startswith("/en/")


def test_a_repeated_query_is_answered_from_the_cache(client, library, django_assert_num_queries):
    first = suggest(client, "forli")
    with django_assert_num_queries(0):
        assert suggest(client, "forli") == first


def test_suggestions_are_few_and_grouped_by_kind(client, library):
    suggestions = suggest(client, "co")
    assert 0 < len(suggestions) <= MAX_SUGGESTIONS
    kinds = [s["kind"] for s in suggestions]
    assert kinds == sorted(kinds, key=["title", "territory", "theme", "sdg"].index)
    # Every kind that matched keeps a place: the Forlì title, the theme in use, goals 11 and 13.
    assert {"title", "theme", "sdg"} <= set(kinds)
    assert all(s["label"] and s["kind_label"] and s["url"].startswith("/it/") for s in suggestions)


@pytest.mark.parametrize("typed", ["", "a", " a ", "\x00a", "🙂"])
def test_fewer_than_two_characters_suggest_nothing(client, library, typed):
    assert suggest(client, typed) == []


def test_a_missing_q_suggests_nothing(client, library):
    response = client.get(SUGGEST_IT)
    assert response.status_code == 200 and response.json() == {"query": "", "suggestions": []}


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"forli',
        "for\x00li",
        "'",
        "\\",
        "(",
        "[a-",
        ".*",
        "^$",
        "a|b",
        "%_",
        "-*",
        "🙂🙂",
        "città 🙂",
        "' OR 1=1 --",
        "a" * 10_000,
        "forli " * 2_000,
        "\u202e\u200b\ufeff",
    ],
)
def test_odd_input_never_breaks_the_suggestions(client, library, typed):
    response = client.get(SUGGEST_IT, {"q": typed})
    assert response.status_code == 200
    body = response.json()
    assert len(body["query"]) <= 100 and "\x00" not in body["query"] and '"' not in body["query"]
    assert isinstance(body["suggestions"], list)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(min_size=2, max_size=40))
def test_any_text_gives_json(client, library, typed):
    assert client.get(SUGGEST_IT, {"q": typed}).status_code == 200


def test_nul_and_quotes_are_normalised_away(client, library):
    response = client.get(SUGGEST_IT, {"q": 'for\x00"li'})
    assert response.json()["query"] == "for li"


def test_only_get_is_allowed(client, library):
    assert client.post(SUGGEST_IT, {"q": "forli"}).status_code == 405


def test_query_count_is_bounded_and_does_not_grow_with_the_library(
    client, library, site_tree, django_assert_max_num_queries
):
    # Cold caches: locale, library, Wagtail's site and site-root look-ups (cached across requests in
    # production), the titles, the default locale (whose untranslated entries every reader gets), then one
    # query per kind of place, theme and goal, each kept to those holding the same public entries.
    with django_assert_max_num_queries(10):
        suggest(client, "co")
    for n in range(30):
        GoodPracticeFactory(parent=site_tree.library, title=f"Comunità numero {n}", territories=["015146"])
    cache.clear()
    with django_assert_max_num_queries(10):
        suggestions = suggest(client, "comunita")
    assert of_kind(suggestions, "title")
