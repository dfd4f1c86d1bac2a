import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from bootstrap.reference_data import load_reference_data
from home.site_tree import ensure_site_tree
from tests.demo_database import demo_database as demo_database_for
from tests.editorial import build_world, reload_world

# CI runs the same examples every time (a failure there is one anyone can replay) and never fails a slow
# example on its duration: the machine is shared. Locally each run tries new examples.
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, database=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "default")
)


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


@pytest.fixture(autouse=True)
def _fresh_page_parts():
    """The parts pages share through the cache (pagecache.parts) belong to one generation of the site; each
    test's database is new (rolled back, or the demo's switched in without signals): so is the generation."""
    from pagecache.generation import bump

    bump()


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo library, built once per session (tests/demo_database.py): modules switch to it."""
    base = tmp_path_factory.getbasetemp()
    # pytest-xdist gives each worker a folder under one shared by the run's workers.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with django_db_blocker.unblock():
        database = demo_database_for(shared / "demo-database", base / "demo-database")
    yield database
    with django_db_blocker.unblock():
        database.close()


@pytest.fixture(scope="module")
def demo(demo_database, django_db_blocker):
    """The demo library for every test of a module; each test still runs in a transaction rolled back at its
    end. The demo's report, as load_demo_library returned it."""
    with django_db_blocker.unblock():
        demo_database.enter()
    yield demo_database.report
    with django_db_blocker.unblock():
        demo_database.leave()


@pytest.fixture(scope="module")
def editorial_world(django_db_setup, django_db_blocker):
    """The roles and moderation tests' site (tests/editorial.py), built once per module inside a transaction
    rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(ensure_site_tree(), get_user_model())
        transaction.set_rollback(True)


@pytest.fixture
def world(editorial_world, db):
    """The editorial world as each test finds it: its objects read again, not the ones a previous test of the
    module changed in memory (a page that got a child, a user's cached permissions)."""
    return reload_world(editorial_world)


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
