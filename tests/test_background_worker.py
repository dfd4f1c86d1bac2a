"""`manage.py worker` as real processes: a worker is killed (SIGKILL, its whole process group, as when a machine
or container dies) in the middle of a task, and a new worker then completes that task. Once with the database
backend, on a database of its own (SQLite file, or a PostgreSQL database next to the test database when the
suite runs on PostgreSQL), once with RQ on the local Redis."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.services import redis_url

BASE_DIR = Path(settings.BASE_DIR)
ENGINE = settings.DATABASES["default"]["ENGINE"]
WAIT = 90  # seconds for a worker to start (Django's start-up on a busy machine) and pick the task


def environment(**values):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONUNBUFFERED": "1"}
    env.pop("ELASTICSEARCH_URL", None)
    env.update(values)
    return env


def manage(env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def shell(env, code):
    return manage(env, "shell", "-v0", "-c", code)


def start_worker(env, log):
    # A session of its own: SIGKILL to the group takes the worker and anything it forked (RQ's work horse).
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def descendants(pid):
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill(worker):
    """SIGKILL to the worker and everything it started, as when its machine dies. RQ's work horse (the
    forked process running the job) puts itself in a process group of its own: it is found by parentage."""
    for pid in [worker.pid, *descendants(worker.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    worker.wait(timeout=30)


def stop(worker):
    if worker.poll() is None:  # SIGTERM: RQ and django-tasks-db finish the running task, then exit
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(worker)


def wait_for(condition, what, log, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout} s; worker log:\n{log.read_text() if log.exists() else '(none)'}")


def enqueue(env, target):
    return shell(env, f"from tests.worker_tasks import slow_write; print(slow_write.enqueue({str(target)!r}).id)")


def status(env, result_id):
    return shell(
        env,
        "from django_tasks import default_task_backend as b; "
        f"r = b.get_result({result_id!r}); print(r.status, len(r.worker_ids))",
    )


def kill_mid_task_then_finish(env, tmp_path, between=None):
    """Enqueue the slow task, let a worker start it, kill that worker, then let a new one finish it."""
    target = tmp_path / "result.txt"
    slow, started = target.with_suffix(".slow"), target.with_suffix(".started")
    slow.touch()
    log = tmp_path / "worker.log"
    result_id = enqueue(env, target)

    first = start_worker(env, log)
    try:
        wait_for(started.exists, "the first worker did not start the task", log)
        kill(first)
    finally:
        stop(first)
    assert not target.exists(), "killed mid-task: it never finished"
    assert status(env, result_id).split()[0] == "RUNNING", "the queue still thinks it runs"

    slow.unlink()  # the second run goes straight through
    if between:
        between()
    second = start_worker(env, log)
    try:
        wait_for(target.exists, "the second worker did not complete the task", log)
    finally:
        stop(second)
    assert target.read_text() == "done\n", "completed exactly once"
    assert len(started.read_text().split()) == 2, "started twice: by the killed worker, then by the new one"
    return result_id


@pytest.fixture
def queue_database(tmp_path):
    """A database holding only the queue's tables, that the test's subprocesses share."""
    if ENGINE.endswith("postgresql"):
        import psycopg

        params = connection.settings_dict
        name = f"{params['NAME']}_queue"[:63]
        credentials = quote(params["USER"] or "") + (f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else "")
        server = f"postgres://{credentials}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{server}/{name}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'queue.sqlite3'}"


def test_a_task_whose_database_worker_is_killed_is_completed_by_the_next_worker(queue_database, tmp_path):
    env = environment(
        DATABASE_URL=queue_database,
        TASKS_BACKEND="database",
        TASKS_POLL_INTERVAL="0.2",
        # A worker not seen for 2 s is dead (60 s by default): the next one starts after that anyway.
        TASKS_WORKER_STALE_AFTER="2",
    )
    manage(env, "migrate", "background", "-v0")
    manage(env, "migrate", "django_tasks_database", "-v0")

    result_id = kill_mid_task_then_finish(env, tmp_path)

    assert status(env, result_id) == "SUCCESSFUL 2"


def test_a_task_whose_rq_worker_is_killed_is_completed_by_the_next_worker(tmp_path):
    parts = urlsplit(redis_url("RQ workers"))
    url = urlunsplit(parts._replace(path="/6"))  # a database of its own: this test empties it
    import redis

    connection_ = redis.Redis.from_url(url)
    connection_.flushdb()
    env = environment(DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}", TASKS_BACKEND="rq", TASKS_REDIS_URL=url)

    def registry_expires():
        # RQ declares a job abandoned once its worker's heartbeat on it expires (about 90 s after the kill);
        # its registry cleanup then re-queues it. The cleanup is run here as if that time had passed.
        shell(
            env,
            "import time, django_rq; from rq.registry import StartedJobRegistry; "
            "q = django_rq.get_queue('default', job_class='django_tasks_rq.Job'); "
            "StartedJobRegistry(queue=q).cleanup(timestamp=time.time() + 600)",
        )

    try:
        result_id = kill_mid_task_then_finish(env, tmp_path, between=registry_expires)
        assert status(env, result_id).split()[0] == "SUCCESSFUL"
    finally:
        connection_.flushdb()
