"""The demo library, built once per test session instead of once per module that needs it.

The first time a test asks for the demo, it is loaded into the run's test database (reference data only, as
every test starts) and that state is kept aside; the database then goes back to what it was. A module that
uses the `demo` fixture switches to the kept state for its tests and back afterwards: its tests still run
each in a transaction rolled back at the end, on top of the demo.

- SQLite (the test database lives in memory): the states are copied with SQLite's backup API, which takes
  milliseconds. The demo state is also a plain SQLite file, which the browser tests' server and the backup
  tests copy instead of building the demo again in a subprocess. pytest-xdist workers share that file: the
  first worker builds it under a lock, the others check that their own database matches the one it was
  built from (the same migrations and reference data give the same rows) and copy it.
- PostgreSQL: the demo state is a second database made with CREATE DATABASE … TEMPLATE from the test
  database; a demo module's tests connect to it. Each worker makes its own.

The demo's images are written to a folder beside the state and copied into the worker's MEDIA_ROOT whenever
a module switches to the demo.
"""

import fcntl
import gc
import hashlib
import pickle
import shutil
import sqlite3
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings

from bootstrap.demo import load_demo_library


@contextmanager
def locked(path):
    """An exclusive lock between the processes of one run (pytest-xdist workers)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def forget_cached_state():
    """Whatever a process keeps about the database it read last: the tables changed under it."""
    ContentType.objects.clear_cache()
    for cache in caches.all():
        cache.clear()


def build_demo(media):
    """Load the demo library into the current database, committed, its images under `media`."""
    with override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        report = load_demo_library()
    assert report.import_problems == [], report.import_problems
    return report


class SQLiteDemo:
    def __init__(self, shared_folder, own_folder):
        connection.ensure_connection()
        self.base = sqlite3.connect(":memory:")
        connection.connection.backup(self.base)  # the run's database before the demo
        mine = fingerprint(self.base)
        shared_folder.mkdir(parents=True, exist_ok=True)
        with locked(shared_folder / "lock"):
            built_from = shared_folder / "base-fingerprint"  # written last: a build that failed is redone
            if built_from.exists() and built_from.read_text() == mine:
                self.use(shared_folder)
            elif not built_from.exists():
                self.use(shared_folder)
                self.build(mine)
            else:  # another worker's database differs from this one's: never expected, but then build our own
                own_folder.mkdir(parents=True, exist_ok=True)
                self.use(own_folder)
                self.build(mine)
            self.report = pickle.loads((self.folder / "report.pickle").read_bytes())

    def use(self, folder):
        self.folder = folder
        self.file = folder / "demo.sqlite3"
        self.media = folder / "media"

    def build(self, base_fingerprint):
        shutil.rmtree(self.media, ignore_errors=True)
        self.file.unlink(missing_ok=True)
        try:
            report = build_demo(self.media)
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()
        finally:
            self.restore(self.base)
        (self.folder / "report.pickle").write_bytes(pickle.dumps(report))
        (self.folder / "base-fingerprint").write_text(base_fingerprint)

    def restore(self, source):
        connection.ensure_connection()
        source.backup(connection.connection)
        forget_cached_state()

    def enter(self):
        source = sqlite3.connect(f"file:{self.file}?mode=ro", uri=True)
        try:
            self.restore(source)
        finally:
            source.close()
        shutil.copytree(self.media, settings.MEDIA_ROOT, dirs_exist_ok=True)

    def leave(self):
        self.restore(self.base)

    def sqlite_file(self):
        return self.file

    def close(self):
        self.base.close()


def fingerprint(database):
    """The schema, the content types and permissions (their ids are in other tables' rows), and each table's
    size: what must match for a state built by another worker to fit this worker's database."""
    digest = hashlib.sha256()
    tables = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for (sql,) in database.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"):
        digest.update(sql.encode())
    for table in tables:
        digest.update(repr(database.execute(f'SELECT count(*) FROM "{table}"').fetchone()).encode())
    for table in ("django_content_type", "auth_permission"):
        digest.update(repr(database.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()).encode())
    return digest.hexdigest()


class PostgresDemo:
    def __init__(self, folder):
        self.media = folder / "media"  # this worker's own: each worker builds its demo
        self.test_name = connection.settings_dict["NAME"]
        self.name = f"{self.test_name[:50]}_demo"
        connection.close()
        gc.collect()  # connections that threads of earlier tests opened: a template must have no other session
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            cursor.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.test_name}"')
        self.switch(self.name)
        try:
            self.report = build_demo(self.media)
        finally:
            self.switch(self.test_name)

    def switch(self, name):
        connection.close()
        connection.settings_dict["NAME"] = name
        forget_cached_state()

    def enter(self):
        self.switch(self.name)
        shutil.copytree(self.media, settings.MEDIA_ROOT, dirs_exist_ok=True)

    def leave(self):
        self.switch(self.test_name)

    def sqlite_file(self):
        return None

    def close(self):
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')


def demo_database(shared_folder, own_folder):
    """The demo state for this worker: `shared_folder` is the same for every worker of the run."""
    if connection.vendor == "sqlite":
        return SQLiteDemo(shared_folder, own_folder)
    if connection.vendor == "postgresql":
        return PostgresDemo(own_folder)
    raise NotImplementedError(connection.vendor)
