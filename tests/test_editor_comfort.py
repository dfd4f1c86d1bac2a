"""What makes editing comfortable: preview of every page type, the completeness note on practices,
scheduled publishing, copying a practice, and tagging several entries at once."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models.fields import Field
from django.urls import reverse
from django.utils import timezone
from wagtail.fields import StreamField
from wagtail.models import GroupPagePermission, Page
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from home.models import StandardPage
from practices.models import SDG, GoodPracticePage, LibraryEntry, Theme
from practices.panels import missing_parts

from .factories import (
    CaseStudyFactory,
    GoodPracticeFactory,
    NetworkPageFactory,
    ResidencyFactory,
    ThemeFactory,
    TrainingModuleFactory,
    TrainingProgrammeFactory,
)

pytestmark = pytest.mark.django_db


def edit_form_data(client, page):
    response = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    # StreamFields are rendered by JavaScript and absent from the HTML: send them empty.
    for field in type(page)._meta.get_fields():
        if isinstance(field, Field) and isinstance(field, StreamField):
            data.setdefault(f"{field.name}-count", "0")
    return data


def standard_page(tree):
    return tree.home.add_child(instance=StandardPage(title="Chi siamo", slug="chi-siamo", summary="La biblioteca."))


PAGE_TYPES = {
    "HomePage": lambda tree: tree.home,
    "StandardPage": standard_page,
    "LibraryIndexPage": lambda tree: tree.library,
    "GoodPracticePage": lambda tree: GoodPracticeFactory(parent=tree.library, title="Orti condivisi"),
    "CaseStudyPage": lambda tree: CaseStudyFactory(parent=tree.library, title="Il caso di Chieri"),
    "TrainingProgrammePage": lambda tree: TrainingProgrammeFactory(parent=tree.home),
    "TrainingModulePage": lambda tree: TrainingModuleFactory(parent=TrainingProgrammeFactory(parent=tree.home)),
    "ResidencyIndexPage": lambda tree: tree.residencies,
    "ResidencyPage": lambda tree: ResidencyFactory(parent=tree.residencies, title="Residenza a Palermo"),
    "NetworkIndexPage": lambda tree: tree.networks,
    "NetworkPage": lambda tree: NetworkPageFactory(parent=tree.networks),
}


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_every_page_type_previews_from_the_edit_form(admin_client, site_tree, page_type):
    page = PAGE_TYPES[page_type](site_tree)
    assert type(page).__name__ == page_type
    data = edit_form_data(admin_client, page)
    data["title"] = "Titolo in anteprima"
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(page.pk,))
    response = admin_client.post(url, dict(data.lists()))
    assert response.status_code == 200
    assert response.json()["is_valid"], response.json()
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Titolo in anteprima" in response.content.decode()


# --- completeness ------------------------------------------------------------------------------------------


def test_completeness_lists_empty_sections_and_missing_classification(site_tree):
    page = GoodPracticeFactory(parent=site_tree.library, context="<p>Il quartiere.</p>", results="<p></p>")
    missing = [str(label) for label in missing_parts(page)]
    assert "Contesto" not in missing
    assert "Risultati" in missing  # an empty paragraph is still empty
    assert "Lezioni apprese" in missing
    assert "Immagine principale" in missing
    assert "Obiettivi di sviluppo sostenibile" not in missing and "Territori" not in missing


def test_completeness_panel_is_at_the_top_of_the_practice_form(admin_client, site_tree):
    page = GoodPracticeFactory(parent=site_tree.library, context="<p>Il quartiere.</p>")
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    assert "Completezza della scheda" in html
    note = html[html.index("data-completeness") : html.index("data-completeness") + 2000]
    assert "Scheda compilata: 4 parti su 12." in " ".join(note.split())  # context, SDG, territory, summary
    assert "Lezioni apprese" in note and "Contesto" not in note.split("Ancora vuote")[1]
    assert html.index("Completezza della scheda") < html.index('name="title"')


def test_completeness_follows_the_draft_being_edited(admin_client, site_tree):
    page = GoodPracticeFactory(parent=site_tree.library)
    data = edit_form_data(admin_client, page)
    data["lessons"] = rich_text("<p>Partire piccoli.</p>", features=["bold", "italic", "link", "ol", "ul"])
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), dict(data.lists()))
    assert response.status_code == 302
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    note = html[html.index("data-completeness-missing") :]
    note = note[: note.index("</ul>")]
    assert "Lezioni apprese" not in note and "Contesto" in note


# --- scheduled publishing, revisions, copy -----------------------------------------------------------------


def test_publishing_with_a_future_go_live_date_schedules_the_practice(admin_client, site_tree):
    page = GoodPracticeFactory(parent=site_tree.library, live=False)
    data = edit_form_data(admin_client, page)
    assert "go_live_at" in data  # the settings tab offers it
    go_live = timezone.localtime() + datetime.timedelta(days=3)
    data["go_live_at"] = go_live.strftime("%Y-%m-%d %H:%M")
    data["action-publish"] = "action-publish"
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), dict(data.lists()))
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert not page.live
    assert page.scheduled_revision is not None
    assert page.scheduled_revision.approved_go_live_at > timezone.now()


def test_revisions_are_listed_and_comparable(admin_client, site_tree):
    page = GoodPracticeFactory(parent=site_tree.library)
    first = page.save_revision()
    page.summary = "Un sommario nuovo."
    second = page.save_revision()
    assert admin_client.get(reverse("wagtailadmin_pages:history", args=(page.pk,))).status_code == 200
    compare = reverse("wagtailadmin_pages:revisions_compare", args=(page.pk, first.pk, second.pk))
    response = admin_client.get(compare)
    assert response.status_code == 200
    assert "nuovo" in response.content.decode()


def test_copying_a_practice_gives_a_draft_with_its_goals_and_territories(admin_client, site_tree):
    original = GoodPracticeFactory(
        parent=site_tree.library, title="Orti condivisi", sdgs=[2, 13], territories=["001078", "001272"]
    )
    url = reverse("wagtailadmin_pages:copy", args=(original.pk,))
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "new_title": "Orti condivisi (copia)",
            "new_slug": "orti-condivisi-copia",
            "new_parent_page": str(site_tree.library.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    copy = GoodPracticePage.objects.get(slug="orti-condivisi-copia")
    assert not copy.live
    assert sorted(copy.sdgs.values_list("number", flat=True)) == [2, 13]
    assert sorted(t.code for t in copy.territories) == ["001078", "001272"]
    # the original keeps its own
    assert sorted(t.code for t in GoodPracticePage.objects.get(pk=original.pk).territories) == ["001078", "001272"]


def test_copying_to_an_existing_slug_is_refused(admin_client, site_tree):
    original = GoodPracticeFactory(parent=site_tree.library, title="Orti condivisi", slug="orti")
    response = admin_client.post(
        reverse("wagtailadmin_pages:copy", args=(original.pk,)),
        {"new_title": "Orti", "new_slug": "orti", "new_parent_page": str(site_tree.library.pk)},
    )
    assert response.status_code == 200  # the form again, with the error
    assert GoodPracticePage.objects.filter(slug="orti").count() == 1


# --- bulk action: add an SDG or a theme ---------------------------------------------------------------------


def bulk_url(*pages):
    ids = "&".join(f"id={page.pk}" for page in pages)
    return reverse("wagtail_bulk_action", args=("wagtailcore", "page", "add_sdg_or_theme")) + "?" + ids


def sdg_numbers(page):
    return sorted(LibraryEntry.objects.get(pk=page.pk).sdgs.values_list("number", flat=True))


def test_bulk_action_is_offered_and_confirms_the_selection(admin_client, site_tree):
    practice = GoodPracticeFactory(parent=site_tree.library, title="Orti condivisi")
    html = admin_client.get(reverse("wagtailadmin_explore", args=(site_tree.library.pk,))).content.decode()
    assert "Aggiungi obiettivo o tema" in html
    response = admin_client.get(bulk_url(practice, site_tree.library))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Orti condivisi" in html
    assert 'name="sdg"' in html and 'name="theme"' in html
    assert "non sono voci della biblioteca" in html  # the library index itself is not tagged


def test_bulk_action_tags_live_entries_and_republishes_them(admin_client, site_tree):
    practice = GoodPracticeFactory(parent=site_tree.library, sdgs=[11])
    practice.save_revision().publish()
    case = CaseStudyFactory(parent=site_tree.library, sdgs=[4])
    case.save_revision().publish()
    theme = ThemeFactory(name_it="economia circolare")
    sdg = SDG.objects.get(number=13)
    revisions_before = practice.revisions.count()
    response = admin_client.post(bulk_url(practice, case), {"sdg": str(sdg.pk), "theme": str(theme.pk)})
    assert response.status_code == 302
    assert sdg_numbers(practice) == [11, 13]
    assert sdg_numbers(case) == [4, 13]
    for page in (practice, case):
        page = LibraryEntry.objects.get(pk=page.pk)
        assert list(page.themes.all()) == [theme]
        assert page.live and not page.has_unpublished_changes
        assert page.live_revision == page.latest_revision
    assert practice.revisions.count() == revisions_before + 1


def test_bulk_action_puts_the_tag_in_a_pending_draft_without_publishing_it(admin_client, site_tree):
    practice = GoodPracticeFactory(parent=site_tree.library, title="Orti condivisi", sdgs=[11])
    practice.save_revision().publish()
    practice.title = "Orti condivisi (bozza non rivista)"
    practice.save_revision()
    sdg = SDG.objects.get(number=13)
    response = admin_client.post(bulk_url(practice), {"sdg": str(sdg.pk)})
    assert response.status_code == 302
    live = GoodPracticePage.objects.get(pk=practice.pk)
    assert live.title == "Orti condivisi" and sdg_numbers(practice) == [11]
    draft = live.get_latest_revision_as_object()
    assert draft.title == "Orti condivisi (bozza non rivista)"
    assert sorted(s.number for s in draft.sdgs.all()) == [11, 13]


def test_bulk_action_needs_a_choice(admin_client, site_tree):
    practice = GoodPracticeFactory(parent=site_tree.library)
    response = admin_client.post(bulk_url(practice), {})
    assert response.status_code == 200
    assert "Scegli un obiettivo, un tema o entrambi." in response.content.decode()


def test_bulk_action_writes_nothing_when_one_entry_is_invalid(admin_client, site_tree):
    good = GoodPracticeFactory(parent=site_tree.library, title="A buona", sdgs=[11])
    bad = GoodPracticeFactory(parent=site_tree.library, title="B rotta", sdgs=[11])
    GoodPracticePage.objects.filter(pk=bad.pk).update(year=2022, end_year=2000)  # bypasses validation
    revisions_before = good.revisions.count()
    response = admin_client.post(bulk_url(good, bad), {"sdg": str(SDG.objects.get(number=13).pk)})
    assert response.status_code == 200
    assert "Nessuna voce modificata" in response.content.decode()
    assert sdg_numbers(good) == [11] and sdg_numbers(bad) == [11]
    assert good.revisions.count() == revisions_before


def test_bulk_action_skips_entries_the_user_cannot_edit(client, site_tree, django_user_model):
    practice = GoodPracticeFactory(parent=site_tree.library, sdgs=[11])
    residency = ResidencyFactory(parent=site_tree.residencies, sdgs=[11])
    user = django_user_model.objects.create_user("formatrice", "f@example.org", "password")
    group = Group.objects.create(name="Solo residenze (test)")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group, page=Page.objects.get(pk=site_tree.residencies.pk), permission_type="change"
    )
    user.groups.add(group)
    client.force_login(user)
    html = client.get(bulk_url(practice, residency)).content.decode()
    assert "non hai il permesso" in html
    response = client.post(bulk_url(practice, residency), {"theme": str(ThemeFactory(name_it="abitare").pk)})
    assert response.status_code == 302
    assert not LibraryEntry.objects.get(pk=practice.pk).themes.exists()
    draft = LibraryEntry.objects.get(pk=residency.pk).get_latest_revision_as_object()
    assert [theme.name_it for theme in draft.themes.all()] == ["abitare"]
    assert Theme.objects.filter(name_it="abitare").exists()
