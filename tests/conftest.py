import os
import shutil

import pytest
from django.conf import settings
from django.db import transaction

from practices.demo import load_demo_library
from practices.reference_data import load_reference_data
from practices.site_tree import ensure_site_tree


@pytest.fixture(autouse=True)
def _needs_postgres(request):
    """Tests marked `postgres` skip on SQLite, except where the run demands PostgreSQL (the PostgreSQL leg of
    .ci/run sets REQUIRE_POSTGRES=true): there a missing PostgreSQL fails loudly instead of skipping."""
    if request.node.get_closest_marker("postgres") is None:
        return
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    if os.environ.get("REQUIRE_POSTGRES") == "true":
        pytest.fail("this run requires PostgreSQL but DATABASE_URL does not point to it")
    pytest.skip("runs on PostgreSQL only: set DATABASE_URL=postgres://…")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data is loaded once into the test database; each test then runs in a rolled-back
    transaction on top of it."""
    with django_db_blocker.unblock():
        load_reference_data()
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _italian_first():
    """Each test starts in the default language, whatever a previous test (or its pages) activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_search_knowledge():
    """The words and thesaurus the search knows are kept per process; each test's database is new."""
    from search.query import forget_knowledge

    forget_knowledge()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo library, loaded once per test module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = load_demo_library()
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def site_tree(db):
    return ensure_site_tree()


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("redazione", "redazione@example.org", "password")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
