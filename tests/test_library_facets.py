"""A visitor browsing the library with facets: what each click gives, with counts that match."""

import pytest
from django.utils.html import escape

from tests.factories import CaseStudyFactory, GoodPracticeFactory, NetworkPageFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(site_tree):
    """Chieri (Piemonte) climate practice, Torino climate case, Milano poverty practice, Palermo education."""
    network = NetworkPageFactory(parent=site_tree.networks, title="Rete Clima", slug="rete-clima")
    theme = ThemeFactory(name_it="energia", slug="energia")
    chieri = GoodPracticeFactory(
        parent=site_tree.library, title="Comunità energetica di Chieri", sdgs=[7, 13], territories=["001078"], year=2021
    )
    chieri.networks.add(network)
    chieri.themes.add(theme)
    chieri.save()
    CaseStudyFactory(
        parent=site_tree.library, title="Tetti solari a Torino", sdgs=[13], territories=["001272"], year=2022
    )
    GoodPracticeFactory(
        parent=site_tree.library, title="Emporio solidale di Milano", sdgs=[1, 2], territories=["015146"], year=2020
    )
    GoodPracticeFactory(
        parent=site_tree.library, title="Biblioteca di strada a Palermo", sdgs=[4], territories=["082053"], year=2020
    )
    return site_tree.library


def browse(client, library, **params):
    response = client.get(library.url, params)
    assert response.status_code == 200
    return response


def titles(response):
    return sorted(entry.title for entry in response.context["page_obj"])


def counts(response, key):
    facet = next(f for f in response.context["facets"] if f.key == key)
    return {option.value: option.count for option in facet.options}


def test_library_lists_every_entry_with_counts(client, library):
    response = browse(client, library)
    assert len(titles(response)) == 4
    assert counts(response, "sdg")["13"] == 2
    assert counts(response, "type") == {"good_practice": 3, "case_study": 1, "residency": 0, "training_module": 0}
    assert counts(response, "territory") == {"01": 2, "03": 1, "19": 1}  # regions first


def test_choosing_a_region_includes_its_municipalities(client, library):
    response = browse(client, library, territory="01")
    assert titles(response) == ["Comunità energetica di Chieri", "Tetti solari a Torino"]
    # Under the region, its provinces (both comuni are in the province of Torino); the other regions stay, to
    # add with OR.
    assert counts(response, "territory") == {"01": 2, "001": 2, "03": 1, "19": 1}


def test_two_regions_side_by_side_give_either(client, library):
    response = browse(client, library, territory=["01", "03"])
    assert titles(response) == ["Comunità energetica di Chieri", "Emporio solidale di Milano", "Tetti solari a Torino"]
    options = {o.value: o for o in next(f for f in response.context["facets"] if f.key == "territory").options}
    assert options["01"].selected and options["03"].selected and not options["19"].selected
    assert options["001"].depth == 1 and options["015"].depth == 1  # each region's provinces under it


def test_counts_change_with_the_other_facets(client, library):
    response = browse(client, library, sdg="13")
    assert titles(response) == ["Comunità energetica di Chieri", "Tetti solari a Torino"]
    assert counts(response, "territory") == {"01": 2}
    assert counts(response, "sdg")["1"] == 1  # OR within the SDG facet: adding 1 would add Milano
    response = browse(client, library, sdg="13", year="2022")
    assert titles(response) == ["Tetti solari a Torino"]
    assert counts(response, "year") == {"2022": 1, "2021": 1}


def test_values_of_one_facet_combine_with_or_and_facets_with_and(client, library):
    assert len(titles(browse(client, library, sdg=["1", "4"]))) == 2
    assert titles(browse(client, library, sdg=["1", "4"], territory="19")) == ["Biblioteca di strada a Palermo"]


def test_network_and_theme_use_stable_keys(client, library):
    assert titles(browse(client, library, network="rete-clima")) == ["Comunità energetica di Chieri"]
    assert titles(browse(client, library, theme="energia")) == ["Comunità energetica di Chieri"]


def test_a_hostile_name_in_a_facet_is_shown_as_text(client, library):
    """The facet checkboxes are written in Python (library/templatetags/facet_tags.py): names escaped there."""
    entry = library.get_children().live().first().specific
    entry.themes.add(ThemeFactory(name_it='<img src=x onerror="alert(1)"> orti', slug="orti-ostili"))
    entry.save_revision().publish()
    html = browse(client, library).content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert escape('<img src=x onerror="alert(1)"> orti') in html
    assert 'name="theme" value="orti-ostili"' in html


def test_selected_values_show_as_removable_chips(client, library):
    response = browse(client, library, sdg="13", territory="01")
    html = response.content.decode()
    assert "13. Lotta contro il cambiamento climatico" in html and "Piemonte" in html
    assert 'href="?territory=01"' in html  # removing the SDG keeps the region
    assert 'href="?sdg=13"' in html


def test_unknown_and_malformed_parameters_are_ignored_with_a_message(client, library):
    response = browse(client, library, sdg=["99", "tredici"], territory="ZZ", colour="red", sort="best", page="x")
    html = response.content.decode()
    assert len(titles(response)) == 4
    # In the visitor's words: the facets' names, not the parameters'.
    assert escape("L'indirizzo chiede «colour», che non è un filtro della biblioteca") in html
    assert escape("«99» non è un valore di «Obiettivo di sviluppo sostenibile»") in html
    assert escape("«ZZ» non è un valore di «Territorio»") in html
    assert escape("L'ordinamento «best» non è disponibile: le voci sono ordinate per «più documentate»") in html
    assert escape("La pagina «x» non esiste: ecco la pagina 1 di 1.") in html
    assert "«territory»" not in html and "«sdg»" not in html


def test_an_empty_result_suggests_which_filter_to_remove(client, library):
    response = browse(client, library, sdg="4", territory="01")
    html = response.content.decode()
    assert titles(response) == []
    assert "Nessuna voce corrisponde" in html
    # Each way out leads to entries, and says how many.
    assert escape("senza «Obiettivo 4. Istruzione di qualità»") in html and 'href="?territory=01"' in html
    assert escape("senza «Piemonte»") in html and "(2 voci)" in html and "(1 voce)" in html


def test_an_empty_search_offers_the_filters_without_the_words_quoted_once(client, library):
    html = browse(client, library, q="energetica", sdg="4").content.decode()
    assert "Nessuna voce corrisponde" in html
    assert f'<a href="?sdg=4">{escape("senza «energetica»")}</a>' in html  # Palermo, goal 4
    assert escape("««") not in html


def test_free_text_narrows_and_sorts_by_relevance(client, library):
    response = browse(client, library, q="energetica")
    assert titles(response) == ["Comunità energetica di Chieri"]
    assert response.context["selection"].sort == "relevance"


@pytest.mark.parametrize("query", ['"', "\x00", "*", "-", "a" * 10_000, "🙂", "' OR 1=1 --"])
def test_odd_text_never_breaks_the_library(client, library, query):
    assert browse(client, library, q=query).status_code == 200


def test_query_count_does_not_grow_with_the_library(client, library, site_tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(50) as small:
        browse(client, library, sdg="13", territory="01")
    for n in range(20):
        GoodPracticeFactory(
            parent=site_tree.library,
            title=f"Pratica {n}",
            sdgs=[13, n % 17 + 1],
            territories=["001078" if n % 2 else "015146"],
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        browse(client, library, sdg="13", territory="01")


def test_sdg_landing_page_lists_that_goal_only(client, library):
    response = client.get(library.url + "sdg/13/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lotta contro il cambiamento climatico" in html
    assert titles(response) == ["Comunità energetica di Chieri", "Tetti solari a Torino"]
    assert all(facet.key != "sdg" for facet in response.context["facets"])
    # Other filters combine with the landing page's own.
    assert titles(client.get(library.url + "sdg/13/", {"year": "2022"})) == ["Tetti solari a Torino"]


def test_territory_landing_page_says_where_it_is_and_what_it_holds(client, library):
    response = client.get(library.url + "territorio/001/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Piemonte" in html and "Nord-ovest" in html  # where it is
    assert "abitanti" in html
    assert titles(response) == ["Comunità energetica di Chieri", "Tetti solari a Torino"]
    assert 'territorio/001078/">Chieri (TO) (1)' in html  # the comuni inside, with their entries
    assert client.get(library.url + "territorio/001078/").status_code == 200


def test_network_and_theme_landing_pages(client, library):
    assert titles(client.get(library.url + "rete/rete-clima/")) == ["Comunità energetica di Chieri"]
    assert titles(client.get(library.url + "tema/energia/")) == ["Comunità energetica di Chieri"]


@pytest.mark.parametrize("path", ["sdg/18/", "sdg/0/", "territorio/XX/", "rete/nessuna/", "tema/nessuno/"])
def test_unknown_landing_pages_are_404(client, library, path):
    assert client.get(library.url + path).status_code == 404


def test_home_page_shows_live_key_figures_and_browses_by_goal(client, library, site_tree):
    response = client.get(site_tree.home.url)
    html = response.content.decode()
    assert response.context["key_figures"] == {"entries": 4, "networks": 1, "organisations": 0, "territories": 4}
    assert f'href="{library.url}sdg/13/"' in html
    assert f'href="{library.url}?type=case_study"' in html
    # A type with no entry yet (no residency here) is not offered: its link would lead to an empty page.
    assert f'href="{library.url}?type=residency"' not in html


def test_map_follows_the_filters_with_the_same_counts_in_a_table(client, library):
    response = browse(client, library, sdg="13")
    regions = {region["code"]: region["count"] for region in response.context["map"]["regions"]}
    assert len(regions) == 20
    assert regions["01"] == 2 and regions["03"] == 0
    assert sorted(m["label"] for m in response.context["map"]["markers"]) == ["Chieri (TO)", "Torino (TO)"]
    html = response.content.decode()
    assert html.count('<path d="M') == 20
    assert '<circle cx="' in html and "," not in html.split('<circle cx="')[1].split('"')[0]  # no decimal comma
    assert '<th scope="row"><a href="?sdg=13&amp;territory=01">Piemonte</a></th><td>2</td>' in html


def test_territory_page_map_leads_to_other_territory_pages(client, library):
    response = client.get(library.url + "territorio/01/")
    piemonte = next(r for r in response.context["map"]["regions"] if r["code"] == "01")
    assert piemonte["url"] == library.url + "territorio/01/"


def test_sitemap_lists_the_landing_pages(client, library):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/it/biblioteca/sdg/13/</loc>" in xml
    assert "/it/biblioteca/territorio/01/</loc>" in xml
    assert "/it/biblioteca/rete/rete-clima/</loc>" in xml and "/it/biblioteca/tema/energia/</loc>" in xml


def test_attachments_show_their_type_and_size_and_the_contact_block_shows(client, library):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(title="Scheda del progetto")
    document.file.save("scheda.pdf", ContentFile(b"%PDF-1.4 " + b"x" * 2048))
    practice = GoodPracticeFactory(
        parent=library, title="Pratica con allegato", contact_name="Maria Rossi", contact_email="maria@example.org"
    )
    practice.resources = [("document", {"document": document, "title": ""})]
    practice.save_revision().publish()
    html = client.get(practice.url).content.decode()
    assert "Scheda del progetto" in html and "(PDF, 2,0\xa0KB)" in html
    # The referent's address is private unless the editor publishes it: the visitor writes through a form.
    assert "A chi chiedere" in html and "Maria Rossi" in html and "maria@example.org" not in html
    assert f'href="/it/contatta/{practice.pk}/"' in html
    practice.contact_email_public = True
    practice.save_revision().publish()
    assert "mailto:maria@example.org" in client.get(practice.url).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"type": "good_practice"},
        {"type": ["good_practice", "case_study"], "sdg": "13"},
        {"territory": "01", "quality": "complete"},
        {"q": "solari"},
        {"year": "2020", "type": "residency"},
    ],
)
@pytest.mark.parametrize("sort", ["documented", "newest", "title"])
def test_the_catalogue_selects_and_orders_the_entries_as_the_database_does(client, library, params, sort):
    # Counts, pages and their order come from the catalogue in memory (library/catalogue.py); exports and
    # feeds read the same selection from the database (query.results): both must give the same entries in
    # the same order, and the page the first of them.
    response = browse(client, library, **params, sort=sort)
    query, page_obj = response.context["query"], response.context["page_obj"]
    from_database = list(query.results.values_list("pk", flat=True))
    assert list(query.ordered_ids()) == from_database
    assert page_obj.paginator.count == len(from_database)
    assert [entry.pk for entry in page_obj.object_list] == from_database[: len(page_obj.object_list)]
    assert len(page_obj.object_list) == min(len(from_database), library.PER_PAGE)
