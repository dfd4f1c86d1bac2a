"""Background work through the database task backend (django-tasks-db), in this process: what a request or a
command leaves in the queue, and what a worker run then does with it. The worker itself, as a process that
is killed, is tested in tests/test_background_worker.py."""

import io
import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from modelsearch.backends import get_search_backend
from wagtail.models import Locale
from wagtail_localize.components import TranslationComponentManager
from wagtail_localize.operations import translate_page_subtree

from background.localize import TaskJobBackend
from background.settings import tasks_settings
from config.settings.base import search_backends
from importer import background as imports
from importer.models import ImportJob
from practices.models import GoodPracticePage, LibraryEntry
from tests.factories import GoodPracticeFactory
from tests.fake_elasticsearch import FakeCluster

pytestmark = pytest.mark.django_db

ENGINE = settings.DATABASES["default"]["ENGINE"]
DATABASE_TASKS, _rq = tasks_settings("database")


@pytest.fixture
def queue():
    """The database backend, as in production."""
    cache.clear()
    with override_settings(TASKS=DATABASE_TASKS):
        yield
    cache.clear()


def run_worker():
    """What `manage.py worker --batch` does: run every task that is ready, then return. Its connection
    recycling is left out: it would close the test's transaction (a worker process is not in one)."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()


def drain(capture_on_commit):
    """Run the worker until the queue is empty. Each test runs in a transaction that never commits, where
    a task's on-commit work (search/backends.py queues the cluster's update so) would wait for ever: it is
    run after each pass, as the worker's own commits would."""
    for _ in range(5):
        with capture_on_commit(execute=True):
            run_worker()
        if not DBTaskResult.objects.ready().exists():
            return
    raise AssertionError("the queue does not empty")


def queued(path):
    return DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY)


# --- search: a save never waits for the cluster --------------------------------------------------------------


@pytest.fixture
def cluster():
    fake = FakeCluster()
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends(ENGINE, fake.url, timeout=1)):
        backend = get_search_backend()
        backend.breaker.reset()
        backend.pending.take()
        yield fake
        backend.breaker.reset()
        backend.pending.take()
    fake.close()


def test_a_save_with_a_hung_cluster_only_queues_and_the_index_catches_up_through_the_worker(
    queue, site_tree, cluster, django_capture_on_commit_callbacks
):
    call_command("update_index", backend_name="default", stdout=io.StringIO())
    cluster.hung.set()  # from now on it accepts connections and never answers
    cluster.requests.clear()

    with django_capture_on_commit_callbacks(execute=True):  # the save's transaction commits
        page = GoodPracticeFactory(parent=site_tree.library, title="Cooperative di comunità", slug="cooperative")
        page.save_revision().publish()

    assert cluster.requests == [], "the save did not contact the cluster at all"
    # modelsearch's index update is queued; run by the worker, it queues the cluster's (search/tasks.py).
    assert queued("modelsearch.tasks.insert_or_update_object_task").exists()
    # The database backend's index is updated by the worker too: not yet searchable there.
    assert list(LibraryEntry.objects.filter(pk=page.pk).search("cooperative", backend="database")) == []

    cluster.hung.clear()  # the cluster answers again
    drain(django_capture_on_commit_callbacks)

    documents = cluster.documents("libreria_wagtailcore_page")
    assert any(doc.get("title") == "Cooperative di comunità" for doc in documents.values())
    assert [e.pk for e in LibraryEntry.objects.filter(pk=page.pk).search("cooperative", backend="database")] == [
        page.pk
    ]
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()


# --- e-mail --------------------------------------------------------------------------------------------------


class DownOnce(LocmemBackend):
    """A mail server that refuses the first delivery."""

    failures = 0

    def send_messages(self, messages):
        if DownOnce.failures == 0:
            DownOnce.failures += 1
            raise ConnectionRefusedError("the mail server is down")
        return super().send_messages(messages)


@pytest.fixture
def queued_mail(queue):
    DownOnce.failures = 1  # up, unless a test says otherwise
    with override_settings(
        EMAIL_BACKEND="background.mail.QueuedEmailBackend", EMAIL_DELIVERY_BACKEND=f"{__name__}.DownOnce"
    ):
        yield


def test_the_proposal_confirmation_leaves_the_request_and_reaches_the_proposer(client, site_tree, queued_mail):
    from tests.test_proposals import proposal

    response = client.post("/it/segnala/", proposal())

    assert response.status_code == 302
    assert GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()
    assert mail.outbox == [], "not sent in the request"
    assert queued("background.mail.deliver").count() == 1

    run_worker()

    [message] = mail.outbox
    assert message.to == ["maria.rossi@example.org"]
    assert "Orti condivisi a Chieri" in message.subject


def test_a_message_survives_a_mail_server_outage_and_keeps_its_parts(queued_mail):
    DownOnce.failures = 0
    message = mail.EmailMultiAlternatives(
        "Nuova pratica in revisione", "Testo", "redazione@example.org", ["moderatore@example.org"],
        cc=["copia@example.org"], headers={"X-Libreria": "1"},
    )  # fmt: skip
    message.attach_alternative("<p>Testo</p>", "text/html")
    message.attach("note.txt", "una nota", "text/plain")
    message.send()

    run_worker()
    assert mail.outbox == []
    [failed] = DBTaskResult.objects.filter(task_path="background.mail.deliver", status=TaskResultStatus.FAILED)
    assert failed.exception_class_path == "builtins.ConnectionRefusedError"
    [retry] = queued("background.mail.deliver")
    assert retry.run_after > timezone.now() + timedelta(seconds=5), "tried again later, not at once"

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
    run_worker()

    [delivered] = mail.outbox
    assert (delivered.subject, delivered.to, delivered.cc) == (message.subject, message.to, message.cc)
    assert delivered.extra_headers["X-Libreria"] == "1"
    assert delivered.alternatives[0] == ("<p>Testo</p>", "text/html")
    assert delivered.attachments[0] == ("note.txt", "una nota", "text/plain")


def test_without_a_worker_backend_mail_is_delivered_at_once():
    with override_settings(
        EMAIL_BACKEND="background.mail.QueuedEmailBackend",
        EMAIL_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        mail.send_mail("Oggetto", "Testo", "a@example.org", ["b@example.org"])
    assert [m.subject for m in mail.outbox] == ["Oggetto"]
    assert not DBTaskResult.objects.exists()


# --- wagtail-localize ----------------------------------------------------------------------------------------


def test_translating_a_whole_subtree_runs_in_the_worker(
    queue, site_tree, admin_user, django_capture_on_commit_callbacks
):
    practice = GoodPracticeFactory(parent=site_tree.library, title="Orto condiviso", slug="orto")
    english = Locale.objects.get(language_code="en")
    site_tree.home.copy_for_translation(english).save_revision().publish()
    site_tree.library.copy_for_translation(english).save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        # As wagtail-localize's "Translate" view calls it: the form's locales (a QuerySet), its components.
        locales = Locale.objects.filter(pk=english.pk)
        components = TranslationComponentManager([])
        TaskJobBackend({}).enqueue(translate_page_subtree, [site_tree.library.id, locales, components, admin_user], {})

    assert practice.get_translation_or_none(english) is None
    [job] = queued("background.localize.run_job")
    assert json.loads(json.dumps(job.args_kwargs))["args"][0] == "wagtail_localize.operations.translate_page_subtree"

    run_worker()

    assert practice.get_translation_or_none(english) is not None


# --- imports -------------------------------------------------------------------------------------------------


def entry(slug, **fields):
    data = {
        "slug": slug,
        "type": "good_practice",
        "title": f"Pratica {slug}",
        "summary": "Una pratica.",
        "body": "Un paragrafo.",
        "sdgs": [11],
        "territories": ["001272"],
        "themes": ["orti urbani"],
        "networks": ["Rete Orti"],
        "year": 2021,
    }
    data.update(fields)
    return json.dumps(data)


def test_a_background_import_is_validated_queued_then_written_in_batches_with_its_progress(
    queue, site_tree, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH", 2)
    # The case study comes first and links a practice of a later line, written in an earlier batch.
    lines = [entry("caso", type="case_study", practices=["pratica-4"])] + [entry(f"pratica-{n}") for n in range(5)]
    path = tmp_path / "entries.jsonl"
    path.write_text("\n".join(lines) + "\n")

    out = io.StringIO()
    call_command("import_library", str(path), "--background", stdout=out)
    assert "queued" in out.getvalue() and "--status" in out.getvalue()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    assert not LibraryEntry.objects.filter(slug__startswith="pratica-").exists()

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.created) == (ImportJob.Status.DONE, 6, 6, 6)
    assert LibraryEntry.objects.filter(slug__startswith="pratica-").count() == 5
    assert GoodPracticePage.objects.get(slug="pratica-4").case_study_links.get().page.slug == "caso"
    out = io.StringIO()
    call_command("import_library", "--status", stdout=out)
    assert f"Import {job.pk} of {path}: Completata, 6/6 entries" in out.getvalue()
    assert "created 6, updated 0, unchanged 0" in out.getvalue()


def test_a_background_import_of_a_bad_file_names_the_line_and_queues_nothing(queue, site_tree, tmp_path):
    path = tmp_path / "entries.jsonl"
    path.write_text(entry("buona") + "\n" + entry("cattiva", sdgs=[18]) + "\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_library", str(path), "--background", stderr=err)
    assert "line 2, field sdgs" in err.getvalue()
    assert not ImportJob.objects.exists() and not queued("importer.background.run_import").exists()


def test_a_background_import_that_meets_a_changed_library_fails_visibly(queue, site_tree, tmp_path):
    path = tmp_path / "entries.jsonl"
    path.write_text(entry("pratica") + "\n")
    call_command("import_library", str(path), "--background", stdout=io.StringIO())
    # Before the worker runs, an editor turns the slug into another kind of entry.
    from tests.factories import CaseStudyFactory

    CaseStudyFactory(parent=site_tree.library, slug="pratica")

    run_worker()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert any(problem.startswith("line 1, field type") for problem in job.problems)
    with pytest.raises(CommandError, match="failed"):
        call_command("import_library", "--status", str(job.pk), stdout=io.StringIO(), stderr=io.StringIO())


# --- the operator's view -------------------------------------------------------------------------------------


def test_superusers_see_failed_tasks_and_imports_in_the_admin_and_editors_do_not(
    client, queued_mail, django_user_model
):
    DownOnce.failures = 0
    mail.send_mail("Oggetto", "Testo", "a@example.org", ["b@example.org"])
    run_worker()
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    operator = django_user_model.objects.create_superuser("operatore", "op@example.org", "x")
    client.force_login(operator)

    listing = client.get("/admin/background/tasks/?status=FAILED")
    assert listing.status_code == 200
    assert "background.mail.deliver" in listing.content.decode()
    detail = client.get(f"/admin/background/tasks/inspect/{failed.pk}/").content.decode()
    assert "ConnectionRefusedError" in detail and "the mail server is down" in detail
    assert client.get("/admin/background/imports/").status_code == 200
    assert client.get("/admin/background/tasks/new/").status_code in (302, 403)

    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("redattore", "ed@example.org", "x")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get("/admin/background/tasks/").status_code in (302, 403)


def queue_depth_metrics():
    """The task queues' depth as an operator's Prometheus reads it from /metrics."""
    from django.test import Client

    text = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    return {
        queue: float(value)
        for queue, value in re.findall(r'^libreria_task_queue_depth\{queue="([^"]+)"\} (\S+)$', text, re.MULTILINE)
    }


def test_the_metrics_count_the_tasks_waiting_in_the_database_queue(queued_mail):
    assert queue_depth_metrics() == {"default": 0.0, "long": 0.0}
    for number in range(3):
        mail.send_mail(f"Avviso {number}", "Testo", "libreria@example.org", ["lettrice@example.org"])
    assert queue_depth_metrics() == {"default": 3.0, "long": 0.0}
    run_worker()
    assert len(mail.outbox) == 3
    assert queue_depth_metrics() == {"default": 0.0, "long": 0.0}


def test_an_immediate_backend_reports_no_queue():
    assert queue_depth_metrics() == {}
