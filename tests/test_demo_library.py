"""The demo library built from the seeds: what it holds, that it loads twice without change, and that
every page of it renders."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import models
from django.utils.html import escape
from wagtail.models import Page, Revision

from bootstrap.demo import load_demo_library
from practices.models import (
    CaseStudyPage,
    GoodPracticePage,
    LibraryEntry,
    NetworkPage,
    ResidencyPage,
    TrainingModulePage,
    TrainingProgrammePage,
)

pytestmark = pytest.mark.django_db


def test_demo_holds_at_least_thirty_entries_of_every_type(demo):
    assert demo.import_problems == []
    assert LibraryEntry.objects.live().count() >= 30
    for model in (GoodPracticePage, CaseStudyPage, ResidencyPage, TrainingModulePage):
        assert model.objects.live().exists(), model.__name__


def test_programme_has_twelve_modules_in_three_macro_actions_across_three_hubs(demo):
    programme = TrainingProgrammePage.objects.get(slug="reti-solidali-e-competenti")
    modules = TrainingModulePage.objects.child_of(programme).live()
    assert sorted(modules.values_list("number", flat=True)) == list(range(1, 13))
    assert set(modules.values_list("hub", flat=True)) == {"nord", "centro", "sud"}
    assert set(modules.values_list("macro_action", flat=True)) == set(programme.macro_action_titles())
    assert len(programme.macro_action_titles()) == 3
    assert all(module.practice_links.exists() for module in modules)


def test_four_residencies_in_their_cities(demo):
    cities = set(ResidencyPage.objects.live().values_list("city__name", flat=True))
    assert cities == {"Torino", "Firenze", "Perugia", "Lecce"}
    for residency in ResidencyPage.objects.live():
        assert residency.start_date <= residency.end_date
        assert len(residency.programme) >= 1


def test_generative_territory_cases_are_placed_on_the_map(demo):
    codes = set(CaseStudyPage.objects.values_list("territory_links__territory__code", flat=True))
    assert {"035033", "001078", "039014", "011012", "011014"} <= codes  # Reggio Emilia, Chieri, Ravenna, Deiva, Framura


def test_every_published_practice_has_an_sdg_a_territory_and_an_image(demo):
    for entry in LibraryEntry.objects.live().specific():
        assert entry.hero_image_id, entry.slug
        if entry.requires_sdg_and_territory:
            assert entry.sdgs.exists() and entry.territory_links.exists(), entry.slug


def test_networks_have_members_and_key_figures(demo):
    network = NetworkPage.objects.get(slug="rete-next-mobilitarsi")
    assert network.members.count() >= 1
    assert any(block.value["value"] == "100+" for block in network.key_figures)


def test_loading_again_changes_nothing(demo):
    """Through the command, as `make setup` runs it (the suite's demo is built once, in process)."""
    pages, revisions = Page.objects.count(), Revision.objects.count()
    output = io.StringIO()
    call_command("load_demo_library", stdout=output)  # a problem in the seeds raises CommandError
    assert "Demo library: nothing new." in output.getvalue()
    assert re.search(
        r"it: [1-9]\d* good_practice, [1-9]\d* case_study, .*; en: [1-9]\d* good_practice", output.getvalue()
    )
    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)


def test_every_demo_page_renders(demo, client):
    for page in Page.objects.live().filter(depth__gt=1).specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert escape(page.title) in response.content.decode(), page.url


def test_practice_shows_the_modules_that_teach_it_with_the_trainers_note(demo, client):
    link = TrainingModulePage.objects.live().first().practice_links.first()
    html = client.get(link.practice.url).content.decode()
    assert escape(link.page.title) in html
    assert escape(link.note) in html
    module_html = client.get(link.page.url).content.decode()
    assert escape(link.practice.title) in module_html


def json_ld(html):
    import json
    import re

    # The block carries the response's CSP nonce: <script type="application/ld+json" nonce="…">.
    match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


@pytest.mark.parametrize(
    ("model", "schema_type"),
    [
        (GoodPracticePage, "Article"),
        (CaseStudyPage, "Article"),
        (TrainingModulePage, "Course"),
        (ResidencyPage, "Event"),
        (NetworkPage, "Organization"),
    ],
)
def test_detail_pages_describe_themselves_for_search_engines_and_sharing(demo, client, model, schema_type):
    page = model.objects.live().first()
    html = client.get(page.url).content.decode()
    data = json_ld(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == schema_type
    assert data.get("headline", data.get("name")) == page.title
    assert f'<link rel="canonical" href="http://testserver{page.url}">' in html
    assert '<meta property="og:title"' in html and '<meta name="description"' in html
    assert 'media="print"' in html


def test_structured_data_cannot_break_out_of_its_script(demo, client):
    page = GoodPracticePage.objects.live().first()
    page.title = "</script><script>alert(1)</script>"
    page.save()
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert json_ld(html)["headline"] == "</script><script>alert(1)</script>"


def test_network_members_are_grouped_by_type(demo, client):
    network = NetworkPage.objects.annotate(n=models.Count("members")).order_by("-n").first()
    response = client.get(network.url)
    groups = response.context["member_groups"]
    assert sum(len(members) for _label, members in groups) == network.members.count()
    assert len({label for label, _members in groups}) == len(groups)


def test_demo_images_are_only_for_the_demo_entries(demo, site_tree):
    from tests.factories import GoodPracticeFactory

    other = GoodPracticeFactory(parent=site_tree.library, title="Pratica importata")
    load_demo_library()
    other.refresh_from_db()
    assert other.hero_image_id is None
