"""site/backup.sh and site/restore.sh, run as an operator runs them: the real scripts in a subprocess, with the
venv's python on PATH and the settings taken from the environment (DATABASE_URL, MEDIA_ROOT).

Each test works on throwaway databases of its own (SQLite files under tmp_path, PostgreSQL databases created
and dropped here), never on the test database of the suite nor on db.sqlite3.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)

STATE = """
import json
from django.conf import settings
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page, Revision
from wagtail_localize.models import Translation

print(json.dumps({
    "pages": Page.objects.count(),
    "revisions": Revision.objects.count(),
    "images": Image.objects.count(),
    "documents": Document.objects.count(),
    "translations": Page.objects.exclude(locale__language_code=settings.LANGUAGE_CODE).count(),
    "localize_translations": Translation.objects.count(),
    "titles": sorted(Page.objects.values_list("title", flat=True)),
}))
"""

# What an editor might do after the backup: add a document, then, later, add and delete pages (with their
# translations), publish new revisions, upload and delete images and documents.
ADD_DOCUMENT = """
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
Document.objects.create(title="Bilancio sociale", file=ContentFile(b"bilancio 2024", name="bilancio.txt"))
"""

CHANGE = """
import io
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from PIL import Image as Picture
from wagtail.documents.models import Document
from wagtail.images.models import Image
from home.models import HomePage, StandardPage
from practices.models import GoodPracticePage

with transaction.atomic():
    english = GoodPracticePage.objects.filter(locale__language_code="en").values("translation_key")
    victim = GoodPracticePage.objects.filter(locale__language_code="it", translation_key__in=english).first()
    for page in victim.get_translations(inclusive=True):
        page.delete()
    edited = GoodPracticePage.objects.filter(locale__language_code="it").last()
    edited.title += " (rivisto)"
    edited.save_revision().publish()
    home = HomePage.objects.get(locale__language_code="it")
    added = StandardPage(title="Pagina aggiunta dopo il backup", slug="aggiunta-dopo-il-backup")
    home.add_child(instance=added)
    added.save_revision().publish()
    buffer = io.BytesIO()
    Picture.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    Image.objects.create(title="Nuova foto", file=ImageFile(buffer, name="nuova-foto.png"))
    Image.objects.order_by("pk").first().delete()
    Document.objects.all().delete()
    Document.objects.create(title="Altro", file=ContentFile(b"altro", name="altro.txt"))
"""


def script_env(database_url, media_root):
    """The environment of an operator's shell: settings from variables, the venv's python first on PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        # No shared Redis cache nor Elasticsearch cluster for these throwaway sites.
        if key not in {"ELASTICSEARCH_URL", "CACHE_URL", "REDIS_URL", "PYTHON"} and not key.startswith("PYTEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        PATH=f"{PYTHON.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def manage(env, *args):
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def shell(env, code):
    return manage(env, "shell", "--no-imports", "-c", code)


def site_state(env):
    return json.loads(shell(env, STATE).strip().splitlines()[-1])


def media_checksums(root):
    root = Path(root)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def script(name, *args, env):
    return subprocess.run(
        ["bash", str(ROOT / "site" / name), *map(str, args)], env=env, capture_output=True, text=True, check=False
    )


def backup(env, directory):
    result = script("backup.sh", directory, env=env)
    assert result.returncode == 0, result.stderr
    (folder,) = [path for path in Path(directory).iterdir() if path.name.startswith("libreria-")]
    return folder


def seed(env):
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_reference_data")
    manage(env, "load_demo_library")
    shell(env, ADD_DOCUMENT)


def change_data_and_media(env, media_root):
    shell(env, CHANGE)
    # And files change under MEDIA_ROOT outside the database: one rewritten, one stray.
    some_image = sorted((Path(media_root) / "original_images").iterdir())[-1]
    some_image.write_bytes(b"not the original any more")
    (Path(media_root) / "stray.txt").write_text("left over")


def copy_sqlite(source, target):
    source, copy = sqlite3.connect(source), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory, demo_database):
    """A migrated SQLite site with the demo library (its images and translations) and a document, built
    once; each test copies it. On SQLite runs the session's demo database is copied (tests/demo_database.py),
    otherwise the site is built as an operator would."""
    folder = tmp_path_factory.mktemp("seed")
    env = script_env(f"sqlite:///{folder / 'db.sqlite3'}", folder / "media")
    if demo_database.sqlite_file():
        copy_sqlite(demo_database.sqlite_file(), folder / "db.sqlite3")
        shutil.copytree(demo_database.media, folder / "media")
        shell(env, ADD_DOCUMENT)
    else:
        seed(env)
    return folder


@pytest.fixture
def sqlite_site(seeded_sqlite, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    copy_sqlite(seeded_sqlite / "db.sqlite3", site / "db.sqlite3")
    shutil.copytree(seeded_sqlite / "media", site / "media")
    return site


def assert_backup_change_restore(env, media_root, backups, fresh_env, fresh_media):
    before, before_media = site_state(env), media_checksums(media_root)
    # The demo's documents and the one added after it.
    assert before["documents"] > 1 and before["images"] > 0 and before["translations"] > 0
    folder = backup(env, backups)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["summary"] == {key: before[key] for key in manifest["database"]["summary"]}
    assert manifest["media"]["files"] == before_media

    change_data_and_media(env, media_root)
    changed, changed_media = site_state(env), media_checksums(media_root)
    for key in ("pages", "revisions", "translations", "titles"):
        assert changed[key] != before[key], key
    assert changed_media != before_media

    # A live, non-empty site is not replaced by accident.
    refused = script("restore.sh", folder, env=env)
    assert refused.returncode != 0
    assert "--force" in refused.stderr and "nothing was restored" in refused.stderr
    assert site_state(env) == changed and media_checksums(media_root) == changed_media

    restored = script("restore.sh", folder, "--force", env=env)
    assert restored.returncode == 0, restored.stderr
    assert "search index" in restored.stdout
    assert site_state(env) == before
    assert media_checksums(media_root) == before_media  # the stray file is gone, the rewritten one is back

    # Into an empty database and MEDIA_ROOT no --force is needed.
    restored = script("restore.sh", folder, env=fresh_env)
    assert restored.returncode == 0, restored.stderr
    assert site_state(fresh_env) == before
    assert media_checksums(fresh_media) == before_media
    return folder


def test_sqlite_backup_change_restore_gives_back_the_same_site(sqlite_site, tmp_path):
    env = script_env(f"sqlite:///{sqlite_site / 'db.sqlite3'}", sqlite_site / "media")
    fresh = tmp_path / "fresh"
    fresh_env = script_env(f"sqlite:///{fresh / 'db.sqlite3'}", fresh / "media")
    folder = assert_backup_change_restore(env, sqlite_site / "media", tmp_path / "backups", fresh_env, fresh / "media")
    # The backup is one SQLite file (no -wal to forget), written without the sqlite3 command-line tool.
    assert sorted(path.name for path in folder.iterdir()) == ["database.sqlite3", "manifest.json", "media.tar.gz"]


def test_backup_of_a_missing_sqlite_database_fails_and_writes_nothing(tmp_path):
    missing = tmp_path / "nowhere" / "db.sqlite3"
    media = tmp_path / "media"
    media.mkdir()
    backups = tmp_path / "backups"
    result = script("backup.sh", backups, env=script_env(f"sqlite:///{missing}", media))
    assert result.returncode != 0
    assert f"{missing} does not exist" in result.stderr
    assert not missing.exists()  # not created empty, as the sqlite3 CLI did
    assert not backups.exists() or not any(backups.iterdir())


def test_backup_of_a_missing_media_root_fails_and_writes_nothing(sqlite_site, tmp_path):
    backups = tmp_path / "backups"
    env = script_env(f"sqlite:///{sqlite_site / 'db.sqlite3'}", tmp_path / "no-media")
    result = script("backup.sh", backups, env=env)
    assert result.returncode != 0 and "MEDIA_ROOT" in result.stderr
    assert not backups.exists() or not any(backups.iterdir())


def test_a_damaged_backup_is_refused_before_anything_changes(sqlite_site, tmp_path):
    env = script_env(f"sqlite:///{sqlite_site / 'db.sqlite3'}", sqlite_site / "media")
    folder = backup(env, tmp_path / "backups")
    archive = folder / "media.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    fresh = tmp_path / "fresh"
    result = script("restore.sh", folder, env=script_env(f"sqlite:///{fresh / 'db.sqlite3'}", fresh / "media"))
    assert result.returncode != 0 and "damaged" in result.stderr
    assert not fresh.exists()


# --- PostgreSQL -------------------------------------------------------------------------------------------------

PG_SERVER = "postgres://postgres@127.0.0.1:5432"


@pytest.fixture
def pg_databases():
    """Names of throwaway PostgreSQL databases: the test asks for them, they are dropped afterwards."""
    import psycopg

    created = []

    def create(label):
        name = f"libreria_backups_{uuid.uuid4().hex[:8]}_{label}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"{PG_SERVER}/{name}"

    yield create
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        for name in created:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_postgres_backup_change_restore_gives_back_the_same_site(pg_databases, tmp_path):
    assert shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")
    env = script_env(pg_databases("site"), tmp_path / "media")
    seed(env)
    fresh_env = script_env(pg_databases("fresh"), tmp_path / "fresh-media")
    folder = assert_backup_change_restore(
        env, tmp_path / "media", tmp_path / "backups", fresh_env, tmp_path / "fresh-media"
    )
    assert sorted(path.name for path in folder.iterdir()) == ["database.dump", "manifest.json", "media.tar.gz"]

    # A database that does not exist is neither backed up nor created by a restore.
    missing_env = script_env(f"{PG_SERVER}/libreria_backups_{uuid.uuid4().hex[:8]}_missing", tmp_path / "media")
    result = script("backup.sh", tmp_path / "more-backups", env=missing_env)
    assert result.returncode != 0 and "does not exist" in result.stderr
    assert not (tmp_path / "more-backups").exists() or not any((tmp_path / "more-backups").iterdir())
    result = script("restore.sh", folder, "--force", env=missing_env)
    assert result.returncode != 0 and "does not exist" in result.stderr
