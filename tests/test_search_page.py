"""The search page and the query module behind it: what a visitor types, what they get back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.models import IndexEntry

from practices.models import LibraryEntry
from search.query import inflections, matching_ids, normalise_query, parse
from tests.factories import CaseStudyFactory, GoodPracticeFactory

pytestmark = pytest.mark.django_db


def publish(page):
    page.save_revision().publish()  # as an editor does: links indexed, the search's vocabulary refreshed
    return page


@pytest.fixture
def shelf(site_tree):
    """Six entries whose words exercise inflections, abbreviations, places and goals."""
    library = site_tree.library
    return {
        "anziani": publish(
            GoodPracticeFactory(
                parent=library,
                title="Custodi sociali per gli anziani soli",
                summary="A Cremona volontari telefonano e visitano gli over 75 che vivono soli.",
                sdgs=[3],
                territories=["019036"],
            )
        ),
        "csv": publish(
            GoodPracticeFactory(
                parent=library,
                title="Studenti volontari nelle scuole superiori",
                summary="Il centro di servizio per il volontariato porta gli studenti nelle associazioni.",
                sdgs=[4],
                territories=["092009"],
            )
        ),
        "gas": publish(
            GoodPracticeFactory(
                parent=library,
                title="Un gruppo di acquisto solidale per il grano della collina",
                summary="Famiglie e contadini della collina chierese comprano insieme pane e farina.",
                sdgs=[12],
                territories=["001078"],
            )
        ),
        "caldaie": publish(
            CaseStudyFactory(
                parent=library,
                title="Addio alle caldaie a gas nelle case popolari",
                summary="Pompe di calore al posto delle caldaie a gas metano in quattordici palazzine di Reggio.",
                sdgs=[7, 13],
                territories=["035033"],
            )
        ),
        "fiume": publish(
            GoodPracticeFactory(
                parent=library,
                title="Contratto di fiume del basso Bradano",
                summary="Comuni, agricoltori e associazioni firmano un patto per la cura del fiume.",
                sdgs=[6, 15],
                territories=["077003"],
            )
        ),
        "welfare": publish(
            GoodPracticeFactory(
                parent=library,
                title="Emporio solidale della valle",
                summary="Un emporio a punti per le famiglie, porta d'accesso al welfare di comunità.",
                sdgs=[1, 2],
                territories=["016246"],
            )
        ),
    }


def search(client, **params):
    response = client.get("/it/search/", params)
    assert response.status_code == 200
    return response


def titles(response):
    return [entry.title for entry in response.context["page_obj"]]


def found(query):
    entries = LibraryEntry.objects.live()
    by_id = {entry.pk: entry.title for entry in entries}
    return [by_id[pk] for pk in matching_ids(entries, query)]


# --- the query module -------------------------------------------------------------------------------------


def test_normalise_query_removes_what_the_backends_choke_on_and_caps_the_length():
    assert normalise_query(' "a\x00b"  \t c ') == "a b c"
    assert len(normalise_query("x" * 10_000)) == 200
    assert normalise_query(None) == ""


def test_inflections_are_the_forms_that_differ_by_the_last_vowel():
    assert inflections("anziano") == ["anziana", "anziane", "anziani"]
    assert "servizi" in inflections("servizio")
    assert "parchi" in inflections("parco")
    assert inflections("gas") == [] and inflections("2030") == []


def test_an_inflected_word_finds_the_other_forms(shelf):
    assert found("anziano solo") == ["Custodi sociali per gli anziani soli"]


def test_an_abbreviation_finds_its_expansion_and_the_expansion_the_abbreviation(shelf):
    assert found("CSV") == ["Studenti volontari nelle scuole superiori"]
    assert found("GAS")[0] == "Un gruppo di acquisto solidale per il grano della collina"


def test_an_english_query_finds_italian_entries_through_the_thesaurus(shelf):
    assert found("river contract") == ["Contratto di fiume del basso Bradano"]


def test_a_typo_is_corrected_to_a_word_the_library_uses(shelf):
    parsed = parse("contrato di fiume")
    assert parsed.corrected == "contratto di fiume"
    assert found("contrato di fiume") == ["Contratto di fiume del basso Bradano"]


def test_a_goal_number_is_a_phrase_not_two_words(shelf):
    assert found("SDG 13") == ["Addio alle caldaie a gas nelle case popolari"]
    assert found("obiettivo 4") == ["Studenti volontari nelle scuole superiori"]


def test_a_long_query_finds_entries_matching_most_of_its_words(shelf):
    # No entry holds all four words; the Bradano contract holds three of them.
    assert found("patto per la cura del fiume Basento") == ["Contratto di fiume del basso Bradano"]


def test_a_query_about_nothing_in_the_library_finds_nothing(shelf):
    assert found("criptovalute e trading online") == []
    assert found("campionato di formula 1") == []


def test_a_place_is_recognised_at_any_level_with_or_without_accents(shelf):
    assert parse("welfare Lombardia").place.code == "03"
    assert parse("welfare lombardia").place.code == "03"  # regions whatever the case
    assert parse("emporio Forli").place.name == "Forlì"  # accents folded
    assert parse("housing Bologna").place.level == "province"  # the province, which holds the city
    assert parse("orti a Chieri").place.code == "001078"
    assert parse("sale e pepe").place is None  # comuni only when capitalised: Sale (AL) is not meant here


# --- the page ---------------------------------------------------------------------------------------------


def test_search_page_ranks_highlights_and_shows_goals_and_places(client, shelf):
    response = search(client, q="caldaie")
    assert titles(response) == ["Addio alle caldaie a gas nelle case popolari"]
    html = response.content.decode()
    assert "<mark>caldaie</mark>" in html
    assert "Reggio nell&#x27;Emilia" in html or "Reggio nell'Emilia" in html
    assert '<span class="sdg-number">13</span>' in html


def test_a_place_in_the_query_becomes_a_territory_filter_that_can_be_undone(client, shelf):
    response = search(client, q="welfare Lombardia")
    assert titles(response) == ["Emporio solidale della valle"]
    assert response.context["selection"].values["territory"] == ["03"]
    assert response.context["selection"].q == "welfare"
    undo = response.context["place_as_text"]
    assert "place=off" in undo and "territory" not in undo
    as_text = search(client, q="welfare Lombardia", place="off")
    assert as_text.context["selection"].values["territory"] == []
    assert titles(as_text) == ["Emporio solidale della valle"]
    assert 'name="place" value="off"' in as_text.content.decode()  # kept when a facet is then applied


def test_search_page_facets_count_the_results(client, shelf):
    response = search(client, q="gas")
    sdg = next(facet for facet in response.context["facets"] if facet.key == "sdg")
    counts = {option.value: option.count for option in sdg.options}
    assert counts["12"] == 1 and counts["13"] == 1 and counts["4"] == 0
    narrowed = search(client, q="gas", sdg="13")
    assert titles(narrowed) == ["Addio alle caldaie a gas nelle case popolari"]


def test_a_typo_is_searched_as_the_library_word_with_the_original_one_click_away(client, shelf):
    response = search(client, q="contrato di fiume")
    assert titles(response) == ["Contratto di fiume del basso Bradano"]
    html = response.content.decode()
    assert "1 risultato per «contratto di fiume»" in html
    assert "mostriamo i risultati per <strong>«contratto di fiume»</strong>" in html
    assert '<a href="?q=contrato+di+fiume&amp;spell=off">Cerca invece «contrato di fiume» com' in html
    # One click away: the words as typed, which the library never uses, and the correction offered back.
    exactly = search(client, q="contrato di fiume", spell="off")
    assert titles(exactly) == []
    html = exactly.content.decode()
    assert "0 risultati per «contrato di fiume»" in html and "mostriamo i risultati per" not in html
    assert 'Forse cercavi: <a href="?q=contratto%20di%20fiume">contratto di fiume</a>' in html


def test_words_the_library_uses_are_searched_as_typed(client, shelf):
    html = search(client, q="contratto di fiume").content.decode()
    assert "1 risultato per «contratto di fiume»" in html
    assert "spell=off" not in html and "Forse cercavi" not in html


def test_no_result_explains_what_to_try_and_which_filter_to_drop(client, shelf):
    response = search(client, q="caldaie", sdg="4")
    html = response.content.decode()
    assert titles(response) == []
    assert "Nessuna voce corrisponde a «caldaie»" in html
    # Only ways that lead to entries, each with how many: without the goal, "caldaie" finds one.
    assert "Togli un filtro:" in html
    assert '<a href="?q=caldaie">senza «Obiettivo 4. Istruzione di qualità»</a>' in html
    way = next(way for way in response.context["ways_without_a_filter"] if way.url == "?q=caldaie")
    assert way.count == 1
    assert titles(search(client, q="caldaie")) == ["Addio alle caldaie a gas nelle case popolari"]


def test_search_page_shows_only_the_active_language(client, shelf, site_tree):
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    site_tree.home.copy_for_translation(english).save_revision().publish()
    english_library = site_tree.library.copy_for_translation(english)
    english_library.save_revision().publish()
    publish(GoodPracticeFactory(parent=english_library, title="River contract in English", summary="A river."))
    assert titles(search(client, q="fiume")) == ["Contratto di fiume del basso Bradano"]
    in_english = client.get("/en/search/", {"q": "river"})
    assert [entry.title for entry in in_english.context["page_obj"]] == ["River contract in English"]


def test_the_proposer_text_is_escaped_in_results(client, site_tree):
    publish(
        GoodPracticeFactory(
            parent=site_tree.library,
            title="<script>alert(1)</script> orto",
            summary="<img src=x onerror=alert(1)> orto",
        )
    )
    html = search(client, q="orto").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_a_search_does_not_write_to_the_database(client, shelf):
    search(client, q="orti")  # the site's footer setting is created by the first page ever served
    with CaptureQueriesContext(connection) as queries:
        search(client, q="welfare Lombardia", sdg="1")
        client.get("/api/v2/pages/", {"search": "anziani soli"})
    writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


@pytest.mark.postgres
def test_postgres_stems_english_content_in_english_and_italian_content_in_italian(client, shelf, site_tree):
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    site_tree.home.copy_for_translation(english).save_revision().publish()
    english_library = site_tree.library.copy_for_translation(english)
    english_library.save_revision().publish()
    publish(GoodPracticeFactory(parent=english_library, title="Volunteers running the village shop", summary="."))
    # English stemming: "volunteering" and "volunteers" meet at "volunt"; the Italian stemmer would not.
    in_english = client.get("/en/search/", {"q": "volunteering"})
    found = [(entry.title, entry.in_other_language) for entry in in_english.context["page_obj"]]
    # The English entry first; then the untranslated Italian ones the thesaurus reaches ("volontari"), marked.
    assert found[0] == ("Volunteers running the village shop", False)
    assert all(other for _title, other in found[1:])
    assert titles(search(client, q="custode sociale")) == ["Custodi sociali per gli anziani soli"]  # Italian still


@pytest.mark.postgres
def test_postgres_matches_words_through_the_full_text_index(client, shelf):
    """A search's match is `title || body @@ query` over the index entries, and that expression has a GIN index
    (search/migrations/0003): a search need not read every entry. The table is small here, so sequential
    scans are turned off to see which path the planner has; without the index it would still read the table."""
    with CaptureQueriesContext(connection) as queries:
        assert titles(search(client, q="caldaie"))
    table = IndexEntry._meta.db_table
    matched = f'("{table}"."title" || "{table}"."body") @@'
    assert any(matched in query["sql"] for query in queries), "the search's match is no longer title || body"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM {table} WHERE (title || body) @@ plainto_tsquery('italian_unaccent', 'caldaie')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_indexentry_title_body_gin" in plan, plan
