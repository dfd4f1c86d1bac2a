"""The library's catalogue (library/catalogue.py) counts, selects and orders in memory what the database would:
on the demo library, for combinations of filters a visitor could click, every count a facet shows is the
number of entries the database gives for that value with the other filters, and the listing is the
database's listing. A change that the catalogue does not see (a publish, a view restriction) is checked in
tests/test_page_cache.py and below."""

from copy import deepcopy

import pytest
from django.db.models import Count, Exists, OuterRef
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Locale, PageViewRestriction

from core.visibility import public_pages
from library.facets import FACET_KEYS, filter_entries
from library.pages import LibraryIndexPage
from library.query import library_entries
from library.related import similar_practices
from practices.models import SDG, EntryTerritory, GoodPracticePage, LibraryEntry, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def values(demo, django_db_blocker):
    """What the demo's entries hold, per facet: the values a visitor finds in the filters."""
    with django_db_blocker.unblock():
        entries = LibraryEntry.objects.live().filter(locale__language_code="it")
        places = Territory.objects.filter(pk__in=EntryTerritory.objects.filter(page__in=entries).values("territory"))
        codes = {place.code for place in places}
        codes |= {code for place in places for code in (place.region_code, place.province_code) if code}
        return {
            "type": ["good_practice", "case_study", "training_module", "residency"],
            "sdg": [str(n) for n in range(1, 18)],
            "territory": sorted(codes)[:40] + ["1", "4"],  # and two macro-areas
            "network": sorted(set(entries.values_list("networks__slug", flat=True)) - {None}),
            "theme": sorted(set(entries.values_list("themes__slug", flat=True)) - {None}),
            "year": sorted({str(y) for y in entries.values_list("year", flat=True) if y}),
            "quality": ["verified", "complete"],
        }


def library(language="it"):
    return LibraryIndexPage.objects.get(locale__language_code=language)


def selections(values):
    """A visitor's clicks: up to three facets, one or two values each, in one of the orders."""
    facet = st.sampled_from(list(FACET_KEYS))
    return st.tuples(
        st.dictionaries(facet, st.just(None), max_size=3).flatmap(
            lambda chosen: st.fixed_dictionaries(
                {key: st.lists(st.sampled_from(values[key]), min_size=1, max_size=2, unique=True) for key in chosen}
            )
        ),
        st.sampled_from(["documented", "newest", "title"]),
        st.sampled_from(["it", "en"]),
    )


def expected_count(query, key, value):
    """The entries the database gives with `value` as the only value of `key`, the other filters kept."""
    alone = deepcopy(query.selection)
    alone.values[key] = [int(value) if key in ("sdg", "year") else value]
    if key == "territory":
        alone.territories = [Territory.objects.get(code=value)]
    return filter_entries(query.entries, alone, search_ids=query.search_ids).count()


def check(client, params, sort, language):
    response = client.get(library(language).url, {**params, "sort": sort})
    assert response.status_code == 200
    query = response.context["query"]
    for facet in query.facets:
        for option in facet.options:
            assert option.count == expected_count(query, facet.key, option.value), (facet.key, option.value, params)
    from_database = list(query.results.values_list("pk", flat=True))
    assert list(query.ordered_ids()) == from_database, params
    page = response.context["page_obj"]
    assert [entry.pk for entry in page.object_list] == from_database[: len(page.object_list)]
    return query


def test_every_count_and_the_listing_are_the_databases_for_the_whole_library(demo, client):
    for language in ("it", "en"):
        query = check(client, {}, "documented", language)
        assert query.total == query.entries.count() > 30


def test_a_chosen_comune_and_province_list_their_places_with_the_databases_counts(demo, client, values):
    province = next(code for code in values["territory"] if len(code) == 3)
    comune = next(code for code in values["territory"] if len(code) == 6)
    query = check(client, {"territory": [province, comune]}, "title", "it")
    listed = {option.value for facet in query.facets if facet.key == "territory" for option in facet.options}
    assert {province, comune} <= listed


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_any_combination_of_filters_counts_and_lists_what_the_database_does(demo, client, values, data):
    params, sort, language = data.draw(selections(values))
    check(client, params, sort, language)


def test_an_entry_made_private_leaves_the_counts_and_the_listing_at_once(demo, client):
    before = check(client, {}, "newest", "it")
    entry = LibraryEntry.objects.get(pk=before.ordered_ids()[0])
    PageViewRestriction.objects.create(page=entry, restriction_type=PageViewRestriction.PASSWORD, password="x")
    after = check(client, {}, "newest", "it")
    assert after.total == before.total - 1
    assert entry.pk not in list(after.ordered_ids())
    assert entry.title not in response_titles(client)


def response_titles(client):
    response = client.get(library().url, {"sort": "newest"})
    return [entry.title for entry in response.context["page_obj"].object_list]


def test_each_language_has_its_own_catalogue(demo, client):
    italian, english = (check(client, {}, "title", language) for language in ("it", "en"))
    assert italian.catalogue is not english.catalogue
    assert english.locale == Locale.objects.get(language_code="en")


def test_the_homes_figures_goals_and_map_are_the_databases(demo, client):
    for language in ("it", "en"):
        home = library(language).get_parent()
        response = client.get(home.url)
        assert response.status_code == 200
        entries = library_entries(Locale.objects.get(language_code=language))
        named = LibraryEntry.objects.filter(pk__in=entries.values("pk")).aggregate(
            organisations=Count("organisation_links__organisation", distinct=True),
            territories=Count("territory_links__territory", distinct=True),
        )
        figures = response.context["key_figures"]
        assert figures["entries"] == entries.count()
        assert (figures["organisations"], figures["territories"]) == (named["organisations"], named["territories"])
        assert named["organisations"] > 0 and named["territories"] > 0
        by_goal = {sdg.number: entries.filter(sdgs=sdg).count() for sdg in SDG.objects.all()}
        assert {sdg.number: count for sdg, count in response.context["sdgs"]} == by_goal
        by_region = {
            code: entries.filter(territory_links__territory__region_code=code).distinct().count()
            for code in Territory.objects.filter(level="region").values_list("code", flat=True)
        }
        assert {region["code"]: region["count"] for region in response.context["map"]["regions"]} == by_region


def ranked_in_the_database(practice, limit=4):
    """The similar practices as SQL ranks them: sharing a goal, in one of the practice's regions first, then
    sharing more goals, then by title (library.related.similar_practices's rule)."""
    regions = {territory.region_code for territory in practice.territories} - {""}
    same_region = EntryTerritory.objects.filter(page=OuterRef("pk"), territory__region_code__in=regions)
    goals = practice.sdgs.values_list("pk", flat=True)
    candidates = (
        public_pages(GoodPracticePage, practice.locale)
        .filter(sdgs__in=goals)
        .exclude(pk=practice.pk)
        .annotate(shared=Count("sdgs", distinct=True))
    )
    if regions:  # without a region nothing is nearby (and PostgreSQL refuses to order by a constant)
        candidates = candidates.annotate(nearby=Exists(same_region)).order_by("-nearby", "-shared", "title", "pk")
    else:
        candidates = candidates.order_by("-shared", "title", "pk")
    return list(candidates.values_list("pk", flat=True)[:limit])


def test_a_practice_suggests_the_practices_the_database_ranks_similar(demo, client):
    practices = GoodPracticePage.objects.live()
    assert {practice.locale.language_code for practice in practices} == {"it", "en"}
    suggested = 0
    for practice in practices:
        response = client.get(practice.url)
        assert response.status_code == 200
        similar = [entry.pk for entry in similar_practices(practice)]
        assert similar == ranked_in_the_database(practice), practice.title
        suggested += bool(similar)
        for pk in similar:
            assert GoodPracticePage.objects.get(pk=pk).url in response.content.decode()
    assert suggested > len(practices) / 2


def test_a_private_practice_is_never_suggested(demo):
    practice = GoodPracticePage.objects.live().filter(locale__language_code="it").first()
    suggested = GoodPracticePage.objects.get(pk=similar_practices(practice)[0].pk)
    PageViewRestriction.objects.create(page=suggested, restriction_type=PageViewRestriction.PASSWORD, password="x")
    assert suggested.pk not in [entry.pk for entry in similar_practices(practice)]


def test_without_a_generation_the_catalogue_is_never_kept(demo, monkeypatch):
    """A cache that does not answer gives no generation (pagecache.generation.current): then nothing tells a
    kept catalogue from a stale one, so each reading builds its own and a practice made private meanwhile is
    out at once."""
    import library.catalogue

    monkeypatch.setattr(library.catalogue, "current", lambda: None)
    italian = Locale.objects.get(language_code="it")
    before = library.catalogue.catalogue_for(italian)
    entry = LibraryEntry.objects.get(pk=before.pks[0])
    PageViewRestriction.objects.create(page=entry, restriction_type=PageViewRestriction.PASSWORD, password="x")
    after = library.catalogue.catalogue_for(italian)
    assert after is not before
    assert entry.pk in before.index and entry.pk not in after.index
