"""The permission matrix: every editorial role against every admin action, with real admin requests.
Preview, revision compare, history, copy and the choosers are where Wagtail's recent advisories were."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import escape
from wagtail.models import GroupPagePermission, Page, WorkflowPage, WorkflowState

from editorial.roles import EDITORS, MODERATORS, ROLES, TRAINERS, TRANSLATORS, WORKFLOW_NAME, ensure_editorial_roles
from practices.models import SDG, GoodPracticePage, Theme
from tests.editorial import edit_data, login
from tests.factories import GoodPracticeFactory

pytestmark = pytest.mark.django_db


def denied(response):
    """Wagtail answers a forbidden page action with 403 or a redirect to the dashboard or the login."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"].split("?")[0] in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_login"),
    )


def get(url):
    def action(client, world):
        response = client.get(url(world))
        assert response.status_code in (200, 302, 403), (url(world), response.status_code)
        return response.status_code == 200

    return action


def draft_practice(world):
    """An unpublished practice ready to be published (it has an SDG and a territory)."""
    page = GoodPracticeFactory(parent=world["tree"].library, title="Bozza", slug="bozza", live=False, sdgs=[4])
    page.save_revision()
    return page


def submit(client, world):
    page = draft_practice(world)
    superuser = login(type(client)(), world["superuser"])
    client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)), {**edit_data(superuser, page), "action-submit": "1"}
    )
    return WorkflowState.objects.active().filter(object_id=str(page.pk)).exists()


def publish(client, world):
    page = draft_practice(world)
    superuser = login(type(client)(), world["superuser"])
    client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)), {**edit_data(superuser, page), "action-publish": "1"}
    )
    return GoodPracticePage.objects.get(pk=page.pk).live


def unpublish(client, world):
    page = world["practice"]
    client.post(reverse("wagtailadmin_pages:unpublish", args=(page.pk,)))
    return not GoodPracticePage.objects.get(pk=page.pk).live


def edit_practice(client, world):
    page = world["practice"]
    superuser = login(type(client)(), world["superuser"])
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)), edit_data(superuser, page, title="Orto modificato")
    )
    changed = Page.objects.get(pk=page.pk).get_latest_revision().as_object().title == "Orto modificato"
    assert changed == (response.status_code == 302 and not denied(response))
    return changed


def copy(client, world):
    """The copy form opens for whoever can edit; the copy itself needs the right to add in the library."""
    page, library = world["practice"], world["tree"].library
    client.post(
        reverse("wagtailadmin_pages:copy", args=(page.pk,)),
        {"new_title": "Copia", "new_slug": "copia-orto", "new_parent_page": str(library.pk)},
    )
    return GoodPracticePage.objects.filter(slug="copia-orto").exists()


def translate(client, world):
    page = world["practice"]
    url = reverse("wagtail_localize:submit_page_translation", args=(page.pk,))
    response = client.get(url)
    if response.status_code != 200:
        return False
    client.post(url, {"locales": [world["english_home"].locale_id]})
    return Page.objects.filter(translation_key=page.translation_key, locale=world["english_home"].locale).exists()


def post_snippet(client, instance, **changes):
    """Post the snippet's edit form with every field, as a tampered browser could, whatever the form shows."""
    fields = [field.name for field in instance._meta.concrete_fields if field.editable and not field.primary_key]
    data = {name: getattr(instance, name) for name in fields}
    data.update(changes)
    model = instance._meta.model_name
    client.post(reverse(f"wagtailsnippets_practices_{model}:edit", args=(instance.pk,)), data)
    return type(instance).objects.get(pk=instance.pk)


def translate_sdg(client, world):
    return post_snippet(client, SDG.objects.get(number=4), short_en="Good schooling").short_en == "Good schooling"


def change_sdg_source(client, world):
    """Italian name and colour in the same post as the English label: neither may stick for a translator."""
    before = SDG.objects.get(number=4)
    after = post_snippet(client, before, short_it="Cambiato", colour="#000000", short_en="Good schooling")
    assert (after.short_it == "Cambiato") == (after.colour == "#000000")
    return after.short_it == "Cambiato"


def translate_theme(client, world):
    theme = Theme.objects.create(slug="orti", name_it="Orti", name_en="")
    return post_snippet(client, theme, name_en="Gardens").name_en == "Gardens"


def change_theme_source(client, world):
    theme = Theme.objects.create(slug="orti", name_it="Orti", name_en="")
    after = post_snippet(client, theme, name_it="Giardini", slug="giardini", name_en="Gardens")
    assert (after.name_it == "Giardini") == (after.slug == "giardini")
    return after.name_it == "Giardini"


def add_url(model, parent):
    return lambda world: reverse("wagtailadmin_pages:add", args=("practices", model, parent(world).pk))


library = lambda world: world["tree"].library  # noqa: E731
practice_id = lambda world: world["practice"].pk  # noqa: E731

ACTIONS = {
    "add practice": get(add_url("goodpracticepage", library)),
    "edit practice": edit_practice,
    "submit for moderation": submit,
    "publish": publish,
    "unpublish": unpublish,
    "preview on add": get(
        lambda w: reverse("wagtailadmin_pages:preview_on_add", args=("practices", "goodpracticepage", library(w).pk))
    ),
    "preview on edit": get(lambda w: reverse("wagtailadmin_pages:preview_on_edit", args=(practice_id(w),))),
    "revision compare": get(
        lambda w: reverse("wagtailadmin_pages:revisions_compare", args=(practice_id(w), "earliest", "latest"))
    ),
    "history": get(lambda w: reverse("wagtailadmin_pages:history", args=(practice_id(w),))),
    "copy form": get(lambda w: reverse("wagtailadmin_pages:copy", args=(practice_id(w),))),
    "copy": copy,
    "page chooser": get(lambda w: reverse("wagtailadmin_choose_page")),
    "territory chooser": get(lambda w: reverse("wagtailsnippetchoosers_practices_territory:choose")),
    "theme chooser": get(lambda w: reverse("wagtailsnippetchoosers_practices_theme:choose")),
    "organisation chooser": get(lambda w: reverse("wagtailsnippetchoosers_practices_organisation:choose")),
    "add module": get(add_url("trainingmodulepage", lambda w: w["programme"])),
    "edit module": get(lambda w: reverse("wagtailadmin_pages:edit", args=(w["module"].pk,))),
    "add residency": get(add_url("residencypage", lambda w: w["tree"].residencies)),
    "add network": get(add_url("networkpage", lambda w: w["tree"].networks)),
    "translate": translate,
    "edit English page": get(lambda w: reverse("wagtailadmin_pages:edit", args=(w["english_library"].pk,))),
    "edit Italian home": get(lambda w: reverse("wagtailadmin_pages:edit", args=(w["tree"].home.pk,))),
    "translate SDG label": translate_sdg,
    "change SDG Italian name and colour": change_sdg_source,
    "translate theme label": translate_theme,
    "change theme Italian name and slug": change_theme_source,
}

# Which roles may do each action: the table in the README.
E, M, F, T = EDITORS, MODERATORS, TRAINERS, TRANSLATORS
EVERYONE = {E, M, F, T}
ALLOWED = {
    "add practice": {E},
    "edit practice": {E, M},
    "submit for moderation": {E, M},
    "publish": {M},
    "unpublish": {M},
    "preview on add": {E},
    "preview on edit": {E, M},
    "revision compare": {E, M},
    "history": {E, M},
    "copy form": {E, M},
    "copy": {E},
    "page chooser": EVERYONE,
    "territory chooser": EVERYONE,
    "theme chooser": EVERYONE,
    "organisation chooser": EVERYONE,
    "add module": {F},
    "edit module": {F, M},
    "add residency": {F},
    "add network": {E},
    "translate": {T},
    "edit English page": {T, M},
    "edit Italian home": {M},
    # Goals are reference data: only an administrator changes their names and colours.
    "translate SDG label": {T},
    "change SDG Italian name and colour": set(),
    "translate theme label": {T, M},
    "change theme Italian name and slug": {M},
}


def test_every_action_has_an_expectation():
    assert set(ACTIONS) == set(ALLOWED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(client, world, role, action):
    login(client, world["users"][role])
    assert ACTIONS[action](client, world) == (role in ALLOWED[action]), f"{role} × {action}"


@pytest.mark.parametrize("action", ["add practice", "history", "revision compare", "page chooser", "territory chooser"])
def test_anonymous_visitors_are_sent_to_the_login(client, world, action):
    url = {
        "add practice": add_url("goodpracticepage", library),
        "history": lambda w: reverse("wagtailadmin_pages:history", args=(practice_id(w),)),
        "revision compare": lambda w: reverse(
            "wagtailadmin_pages:revisions_compare", args=(practice_id(w), "earliest", "latest")
        ),
        "page chooser": lambda w: reverse("wagtailadmin_choose_page"),
        "territory chooser": lambda w: reverse("wagtailsnippetchoosers_practices_territory:choose"),
    }[action](world)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))


def test_page_chooser_does_not_offer_pages_a_trainer_cannot_link(client, world):
    """The chooser lists pages to link to; a trainer choosing practices sees the library's practices."""
    login(client, world["users"][TRAINERS])
    response = client.get(reverse("wagtailadmin_choose_page_child", args=(world["tree"].library.pk,)))
    assert response.status_code == 200
    assert "Orto sociale a Chieri" in response.content.decode()


def test_ensure_editorial_roles_is_idempotent(world):
    permissions = GroupPagePermission.objects.count()
    workflow_pages = WorkflowPage.objects.count()
    ensure_editorial_roles()
    assert GroupPagePermission.objects.count() == permissions
    assert WorkflowPage.objects.count() == workflow_pages
    assert WorkflowPage.objects.get(page=world["tree"].library).workflow.name == WORKFLOW_NAME
    assert WorkflowPage.objects.get(page=world["english_library"]).workflow.name == WORKFLOW_NAME


def test_roles_come_from_the_migration_with_admin_access(db):
    for role in ROLES:
        assert Group.objects.get(name=role).permissions.filter(codename="access_admin").exists()
    assert Group.objects.get(name=TRANSLATORS).permissions.filter(codename="submit_translation").exists()
    assert not Group.objects.get(name=EDITORS).permissions.filter(codename="submit_translation").exists()


def test_translator_sees_the_italian_labels_read_only(client, world):
    login(client, world["users"][TRANSLATORS])
    sdg = SDG.objects.get(number=4)
    response = client.get(reverse("wagtailsnippets_practices_sdg:edit", args=(sdg.pk,)))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {"short_en", "title_en"}
    assert escape(sdg.title_it) in response.content.decode()  # shown as the text to translate


def test_translator_posting_the_italian_name_leaves_it_and_the_colour_alone(client, world):
    login(client, world["users"][TRANSLATORS])
    before = SDG.objects.get(number=4)
    after = post_snippet(client, before, short_it="Cambiato", colour="#000000", short_en="Good schooling")
    assert (after.short_it, after.colour, after.title_it) == (before.short_it, before.colour, before.title_it)
    assert after.short_en == "Good schooling"


def test_administrators_still_change_everything(client, world):
    login(client, world["superuser"])
    after = post_snippet(client, SDG.objects.get(number=4), short_it="Istruzione", colour="#C5192E")
    assert (after.short_it, after.colour) == ("Istruzione", "#C5192E")
