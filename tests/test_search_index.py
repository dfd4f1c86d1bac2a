"""What the search index holds for an entry: places with their ancestors, goals, themes, networks."""

import pytest

from practices.models import LibraryEntry
from tests.factories import GoodPracticeFactory, NetworkPageFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(site_tree):
    network = NetworkPageFactory(parent=site_tree.networks, title="Rete Territori Generativi")
    page = GoodPracticeFactory(
        parent=site_tree.library,
        title="Sportello Talenti",
        summary="Giovani e imprese.",
        sdgs=[8],
        territories=["001078"],
    )
    page.themes.add(ThemeFactory(name_it="giovani", slug="giovani"))
    page.networks.add(network)
    page.save_revision().publish()  # as an editor's publish does: the links are indexed once saved
    return page


def found(query):
    return [entry.title for entry in LibraryEntry.objects.live().search(query)]


@pytest.mark.parametrize("query", ["Chieri", "Torino", "Piemonte", "Nord-ovest", "Piedmont"])
def test_a_place_finds_the_entries_inside_it(practice, query):
    assert found(query) == ["Sportello Talenti"]


@pytest.mark.parametrize("query", ["SDG 8", "obiettivo 8", "goal 8", "lavoro dignitoso", "Decent Work"])
def test_a_goal_is_found_by_number_and_name(practice, query):
    assert "Sportello Talenti" in found(query)


def test_themes_and_networks_are_searchable(practice):
    assert found("Generativi") == ["Sportello Talenti"]
    assert found("giovani") == ["Sportello Talenti"]


def test_place_names_include_ancestors(practice):
    names = practice.place_names()
    assert all(name in names for name in ("Nord-ovest", "Piemonte", "Torino", "Chieri", "North-West", "Piedmont"))


@pytest.mark.postgres
def test_postgres_search_stems_italian_and_ignores_accents(site_tree):
    GoodPracticeFactory(
        parent=site_tree.library,
        title="Le cooperative di comunità della montagna",
        summary="Servizi gestiti dagli abitanti in città e nei borghi.",
    )
    assert found("cooperativa") == ["Le cooperative di comunità della montagna"]
    assert found("citta") == ["Le cooperative di comunità della montagna"]
    assert found("comunita montagna") == ["Le cooperative di comunità della montagna"]
