"""Fixtures shared by the roles and moderation tests: an Italian and English site with a practice, a
programme and its module, one user per editorial role, and the admin forms they post."""

from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Locale
from wagtail.test.utils.form_data import querydict_from_html

from editorial.roles import EDITORS, MODERATORS, ROLES, TRAINERS, TRANSLATORS, ensure_editorial_roles
from tests.factories import GoodPracticeFactory, TrainingModuleFactory, TrainingProgrammeFactory

USERNAMES = {EDITORS: "redattrice", MODERATORS: "moderatore", TRAINERS: "formatrice", TRANSLATORS: "traduttore"}


def translate(page):
    translation = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    translation.save_revision().publish()
    return translation


def build_world(site_tree, django_user_model):
    practice = GoodPracticeFactory(parent=site_tree.library, title="Orto sociale", slug="orto-sociale", sdgs=[2])
    practice.save_revision().publish()
    practice.title = "Orto sociale a Chieri"
    practice.save_revision().publish()  # two revisions, to compare
    programme = TrainingProgrammeFactory(parent=site_tree.home, title="Reti solidali", slug="reti-solidali")
    module = TrainingModuleFactory(parent=programme, title="Modulo 1", slug="modulo-1", sdgs=[2])
    module.save_revision().publish()
    english_home = translate(site_tree.home)
    english_library = translate(site_tree.library)
    ensure_editorial_roles()
    users = {}
    for role in ROLES:
        user = django_user_model.objects.create_user(USERNAMES[role], f"{USERNAMES[role]}@example.org", "password")
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    superuser = django_user_model.objects.create_superuser("capo", "capo@example.org", "password")
    return {
        "tree": site_tree,
        "practice": practice,
        "programme": programme,
        "module": module,
        "english_home": english_home,
        "english_library": english_library,
        "users": users,
        "superuser": superuser,
    }


def reload_world(world):
    """The same world with every object read again from the database."""

    def fresh(instance):
        return type(instance).objects.get(pk=instance.pk)

    tree = world["tree"]
    return {
        **{key: fresh(value) for key, value in world.items() if key not in ("tree", "users")},
        "tree": type(tree)(**{name: fresh(page) for name, page in vars(tree).items()}),
        "users": {role: fresh(user) for role, user in world["users"].items()},
    }


def login(client, user):
    client.force_login(user)
    return client


def form_data(client, url):
    """The fields of the admin's page form at `url`, as the browser would post them."""
    response = client.get(url)
    assert response.status_code == 200, url
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    for stream_field in ("body", "key_figures", "resources", "sessions", "participants"):
        data.setdefault(f"{stream_field}-count", "0")  # rendered by JavaScript, absent from the HTML
    return dict(data.lists())


def edit_data(superuser_client, page, **changes):
    data = form_data(superuser_client, reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    data.update({key: [value] for key, value in changes.items()})
    return data


def add_practice_data(client, library, title="Biblioteca di strada", slug="biblioteca-di-strada"):
    url = reverse("wagtailadmin_pages:add", args=("practices", "goodpracticepage", library.pk))
    data = form_data(client, url)
    data.update({"title": [title], "slug": [slug], "summary": ["Libri portati nei cortili."]})
    return url, data
