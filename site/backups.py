"""Back up and restore what the settings point to: the database of DATABASE_URL and the media, in MEDIA_ROOT or,
when S3_BUCKET is set, in the buckets of the object storage (class ObjectStorage).

Run by site/backup.sh and site/restore.sh. It reads the same settings as manage.py (DJANGO_SETTINGS_MODULE,
config.settings.dev by default) but never sets Django up, so it works on a site whose code no longer starts.

A backup is one folder: the database (a self-contained SQLite file written with SQLite's online backup API,
or a pg_dump archive taken in one snapshot), the media as a tar.gz, and manifest.json with the row count of
every table and the SHA-256 of every file. A restore checks the manifest before it touches anything, refuses
to replace a database or a media folder that holds something unless given --force, and then swaps the new
copy in whole: SQLite and the media are restored beside the target and renamed into place (the previous copy
is kept next to it), PostgreSQL in one transaction that rolls back unless every table has its counted rows.
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from tempfile import TemporaryFile
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024
# The storages whose files a backup holds when they are on object storage: originals, documents and proposal
# uploads ("default", private) and renditions ("renditions", public). Static files are rebuilt by collectstatic.
OBJECT_STORAGES = ("default", "renditions")
RENDITIONS_PREFIX = "images/"


class Refused(Exception):
    """A clear reason to stop, shown to the operator without a traceback."""


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def stamp():
    return datetime.datetime.now().strftime("%Y%m%d-%H%M%S")


def say(message):
    print(message, flush=True)


# --- configuration -------------------------------------------------------------------------------------------


def configured():
    """The database settings, MEDIA_ROOT, default language and search backends of the configured settings."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")  # as manage.py does
    from django.conf import settings

    return {
        "database": settings.DATABASES["default"],
        "media_root": Path(settings.MEDIA_ROOT),
        "language_code": settings.LANGUAGE_CODE,
        "search_backends": settings.WAGTAILSEARCH_BACKENDS,
        # Media on S3-compatible object storage (config/settings/services.py): backed up instead of MEDIA_ROOT.
        "object_storage": {
            name: storage.get("OPTIONS", {})
            for name, storage in settings.STORAGES.items()
            if name in OBJECT_STORAGES and storage["BACKEND"] == "storages.backends.s3.S3Storage"
        },
        "object_storage_connection": {
            "endpoint_url": getattr(settings, "AWS_S3_ENDPOINT_URL", None),
            "region_name": getattr(settings, "AWS_S3_REGION_NAME", None),
            "aws_access_key_id": getattr(settings, "AWS_S3_ACCESS_KEY_ID", None),
            "aws_secret_access_key": getattr(settings, "AWS_S3_SECRET_ACCESS_KEY", None),
            "config": getattr(settings, "AWS_S3_CLIENT_CONFIG", None),
        },
        # Uploads kept outside MEDIA_ROOT (another storage with its own location) are not in a backup.
        "other_locations": sorted(
            {
                str(Path(storage["OPTIONS"]["location"]).absolute())
                for name, storage in settings.STORAGES.items()
                if name != "staticfiles" and storage.get("OPTIONS", {}).get("location")
            }
            - {str(Path(settings.MEDIA_ROOT).absolute())}
        ),
    }


def database_for(config):
    engine = config["database"]["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return SQLiteDatabase(config)
    if engine == "django.db.backends.postgresql":
        return PostgresDatabase(config)
    raise Refused(f"the database engine {engine} is not supported: only SQLite and PostgreSQL")


def summary_counts(cursor, language_code):
    """What an operator checks after a restore, from the tables Wagtail and wagtail-localize own."""
    queries = {
        "pages": "SELECT count(*) FROM wagtailcore_page",
        "revisions": "SELECT count(*) FROM wagtailcore_revision",
        "images": "SELECT count(*) FROM wagtailimages_image",
        "documents": "SELECT count(*) FROM wagtaildocs_document",
        # A page in another language than the default one is a translation of it.
        "translations": "SELECT count(*) FROM wagtailcore_page p JOIN wagtailcore_locale l ON l.id = p.locale_id "
        f"WHERE l.language_code <> '{language_code.replace(chr(39), '')}'",
    }
    counts = {}
    for name, query in queries.items():
        cursor.execute(query)
        counts[name] = cursor.fetchone()[0]
    return counts


def table_counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def quote_name(table):
    return ".".join('"' + part.replace('"', '""') + '"' for part in table.split("."))


class SQLiteDatabase:
    engine = "sqlite"
    file_name = "database.sqlite3"

    def __init__(self, config):
        self.path = Path(config["database"]["NAME"]).expanduser().absolute()
        self.language_code = config["language_code"]

    def describe(self):
        return f"SQLite database {self.path}"

    def _open_read_only(self, path):
        # mode=ro: connecting to a missing file must not create an empty database (the old script did).
        return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)

    @staticmethod
    def _tables(connection):
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        return [name for (name,) in rows]

    def _counts(self, connection):
        cursor = connection.cursor()
        return summary_counts(cursor, self.language_code), table_counts(cursor, self._tables(connection))

    def check_backup_source(self):
        if not self.path.is_file():
            raise Refused(f"the {self.describe()} does not exist: check DATABASE_URL")
        connection = self._open_read_only(self.path)
        try:
            tables = self._tables(connection)
        except sqlite3.DatabaseError as error:
            raise Refused(f"{self.path} is not a readable SQLite database: {error}") from None
        finally:
            connection.close()
        if "wagtailcore_page" not in tables:
            raise Refused(f"the {self.describe()} holds no site (no migrated tables): check DATABASE_URL")

    def dump(self, folder):
        """Copy the live database with SQLite's online backup API (consistent even while the site writes,
        WAL included) into one self-contained file; return (summary, tables) counted on the copy."""
        target = folder / self.file_name
        source = self._open_read_only(self.path)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise Refused(f"the copy of {self.path} fails SQLite's integrity check: {check}")
            counts = self._counts(copy)
        finally:
            copy.close()
            source.close()
        return counts

    def holds_data(self):
        """A description of what the target holds, or None when it is missing or has no tables."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None
        connection = self._open_read_only(self.path)
        try:
            tables = self._tables(connection)
            has_pages = "wagtailcore_page" in tables
            pages = connection.execute("SELECT count(*) FROM wagtailcore_page").fetchone()[0] if has_pages else 0
        except sqlite3.DatabaseError:
            return "a file that is not an SQLite database"
        finally:
            connection.close()
        if not tables:
            return None
        return f"{len(tables)} tables, {pages} pages"

    def prepare_restore(self, backup_folder, manifest, when):
        """Copy the backup beside the target and check its counts; return a function that swaps it in."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{self.path.name}.restore-{when}")
        source = self._open_read_only(backup_folder / self.file_name)
        copy = sqlite3.connect(staged)
        try:
            source.backup(copy)
            summary, tables = self._counts(copy)
        finally:
            copy.close()
            source.close()
        if tables != manifest["database"]["tables"]:
            staged.unlink()
            raise Refused("the restored copy does not have the rows the manifest counted: the backup is damaged")

        def swap():
            kept = None
            if self.path.exists():
                # Fold the old write-ahead log into the old file, keep that file, and drop its -wal and -shm:
                # left beside the new database, SQLite would replay the old log onto it.
                old = sqlite3.connect(self.path)
                try:
                    old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    old.close()
                kept = self.path.with_name(f"{self.path.name}.replaced-{when}")
                try:
                    os.link(self.path, kept)
                except OSError:  # no hard links on this file system
                    shutil.copy2(self.path, kept)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            os.replace(staged, self.path)  # atomic: the path is the old database or the new, never neither
            return kept

        def abandon():
            staged.unlink(missing_ok=True)

        return summary, swap, abandon


class PostgresDatabase:
    engine = "postgresql"
    file_name = "database.dump"

    def __init__(self, config):
        database = config["database"]
        self.name = database["NAME"]
        self.params = {
            key: value
            for key, value in {
                "dbname": database["NAME"],
                "user": database.get("USER"),
                "password": database.get("PASSWORD"),
                "host": database.get("HOST"),
                "port": str(database.get("PORT") or ""),
            }.items()
            if value
        }
        self.language_code = config["language_code"]

    def describe(self):
        where = self.params.get("host", "local socket")
        return f"PostgreSQL database {self.name} on {where}"

    @property
    def environment(self):
        """libpq variables for pg_dump, pg_restore and psql: the password never appears on a command line."""
        names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
        return {**os.environ, **{names[key]: value for key, value in self.params.items()}}

    def _connect(self, **options):
        import psycopg

        try:
            return psycopg.connect(**self.params, **options)
        except psycopg.OperationalError as error:
            message = str(error).strip().splitlines()[-1] if str(error).strip() else repr(error)
            raise Refused(f"cannot connect to the {self.describe()}: {message}") from None

    @staticmethod
    def _tables(cursor):
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        )
        return [name if schema == "public" else f"{schema}.{name}" for schema, name in cursor.fetchall()]

    def check_backup_source(self):
        with self._connect() as connection, connection.cursor() as cursor:
            if "wagtailcore_page" not in self._tables(cursor):
                raise Refused(f"the {self.describe()} holds no site (no migrated tables): check DATABASE_URL")

    def dump(self, folder):
        """pg_dump in the snapshot the rows are counted in, so the manifest describes exactly the dump."""
        target = folder / self.file_name
        with self._connect() as connection, connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = summary_counts(cursor, self.language_code), table_counts(cursor, self._tables(cursor))
            run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                env=self.environment,
            )
        return counts

    def holds_data(self):
        with self._connect() as connection, connection.cursor() as cursor:
            tables = self._tables(cursor)
            if not tables:
                return None
            pages = 0
            if "wagtailcore_page" in tables:
                cursor.execute("SELECT count(*) FROM wagtailcore_page")
                pages = cursor.fetchone()[0]
        return f"{len(tables)} tables, {pages} pages"

    def prepare_restore(self, backup_folder, manifest, when):
        """The restore is one psql transaction: drop what is there, load the dump, check every table's rows.
        Any error, or one count that differs, rolls all of it back and leaves the database as it was."""
        self._connect().close()  # a missing database is refused before anything else happens
        checks = "\n".join(
            # The dump's script empties search_path: every name is qualified.
            f"  IF (SELECT count(*) FROM {quote_name(table if '.' in table else 'public.' + table)}) <> {count} THEN\n"
            f"    RAISE EXCEPTION 'table {table.replace(chr(39), '')} does not have its {count} rows';\n"
            "  END IF;"
            for table, count in manifest["database"]["tables"].items()
        )
        with self._connect() as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
            )
            schemas = [name for (name,) in cursor.fetchall()]
        prelude = "SET client_min_messages = warning;\n"
        prelude += "".join(f"DROP SCHEMA {quote_name(name)} CASCADE;\n" for name in schemas)
        prelude += "CREATE SCHEMA public;\n"
        epilogue = f"\nDO $restore_check$\nBEGIN\n{checks}\nEND\n$restore_check$;\n"

        def swap():
            # pg_restore's SQL streams into psql (a dump need not fit in memory). psql commits only at the end
            # of its input: if pg_restore fails midway, psql is killed and the server rolls everything back.
            with TemporaryFile() as restore_errors, TemporaryFile() as psql_errors:
                psql = subprocess.Popen(
                    ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1"],
                    env=self.environment,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=psql_errors,
                )
                restore = subprocess.Popen(
                    ["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(backup_folder / self.file_name)],
                    env=self.environment,
                    stdout=subprocess.PIPE,
                    stderr=restore_errors,
                )
                try:
                    psql.stdin.write(prelude.encode())
                    shutil.copyfileobj(restore.stdout, psql.stdin, CHUNK)
                    if restore.wait() != 0:
                        psql.kill()
                        psql.wait()
                        raise Refused(f"pg_restore failed (exit {restore.returncode}): {tail(restore_errors)}")
                    psql.stdin.write(epilogue.encode())
                    psql.stdin.close()
                except BrokenPipeError:
                    restore.kill()
                finally:
                    restore.wait()
                if psql.wait() != 0:
                    raise Refused(
                        f"psql failed (exit {psql.returncode}), the database is unchanged: {tail(psql_errors)}"
                    )
            return None

        return manifest["database"]["summary"], swap, lambda: None


def tail(handle, lines=5):
    handle.seek(0)
    return "\n".join(handle.read().decode(errors="replace").strip().splitlines()[-lines:])


def run(command, env=None, capture=False, stdin=None):
    result = subprocess.run(
        command,
        env=env,
        input=stdin,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    if result.returncode != 0:
        error = "\n".join(result.stderr.decode(errors="replace").strip().splitlines()[-5:])
        raise Refused(f"{command[0]} failed (exit {result.returncode}): {error}")
    return result.stdout


# --- media ----------------------------------------------------------------------------------------------------


class HashingReader:
    """Hands a file to tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        block = self.handle.read(size)
        self.digest.update(block)
        return block


def media_files(root):
    """Every regular file under `root`, as sorted relative POSIX paths."""
    found = []
    for folder, directories, files in os.walk(root):
        directories.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return found


def checksums(root):
    return {relative: sha256_file(root / relative) for relative in media_files(root)}


def dump_media(root, folder):
    files = {}
    total = 0
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        for relative in media_files(root):
            path = root / relative
            info = archive.gettarinfo(str(path), arcname=relative)
            with open(path, "rb") as handle:
                reader = HashingReader(handle)
                archive.addfile(info, reader)
            files[relative] = reader.digest.hexdigest()
            total += info.size
    return {"file": "media.tar.gz", "count": len(files), "bytes": total, "files": files}


def prepare_media(root, backup_folder, manifest, when):
    """Unpack the media beside MEDIA_ROOT and check every file; return a function that swaps them in."""
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = root.with_name(f".{root.name}.restore-{when}")
    staged.mkdir()
    try:
        with tarfile.open(backup_folder / manifest["media"]["file"], "r:gz") as archive:
            archive.extractall(staged, filter="data")  # no absolute paths, no "..", no devices
        if checksums(staged) != manifest["media"]["files"]:
            raise Refused("the unpacked media differ from the manifest: the backup is damaged")
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise

    def swap():
        kept = None
        if root.exists():
            kept = root.with_name(f"{root.name}.replaced-{when}")
            try:
                root.rename(kept)
            except OSError:
                # MEDIA_ROOT is a mount point: empty it in place instead; nothing stale stays either way.
                kept.mkdir()
                for item in list(root.iterdir()):
                    shutil.move(str(item), kept / item.name)
                for item in list(staged.iterdir()):
                    shutil.move(str(item), root / item.name)
                staged.rmdir()
                return kept
        staged.rename(root)
        return kept

    def abandon():
        shutil.rmtree(staged, ignore_errors=True)

    return swap, abandon


def media_holds_files(root):
    if not root.exists():
        return None
    count = sum(1 for _ in root.rglob("*") if _.is_file())
    return f"{count} files" if count else None


# --- media on object storage ----------------------------------------------------------------------------------


class ObjectStorage:
    """The media of S3-compatible object storage: every object of the configured buckets, written into the same
    media.tar.gz (as `<storage>/<key>`) with its checksum, content type and cache lifetime in the manifest.

    A restore uploads each object back with the rules of the storage it belongs to (private ACL for originals
    and documents, public-read and the long Cache-Control for renditions) into the buckets configured now, which
    may be new ones (a restore drill). With --force, an object that is there now and differs from the backup,
    or is not in it, is first copied under `replaced-<time>/` in its bucket (privately): nothing is lost."""

    kind = "s3"

    def __init__(self, options, connection):
        self.options = options  # {"default": OPTIONS, "renditions": OPTIONS}
        self.connection = connection  # boto3.client keyword arguments

    def describe(self):
        buckets = sorted({options["bucket_name"] for options in self.options.values()})
        return f"object storage {', '.join(buckets)} at {self.connection.get('endpoint_url') or 'AWS S3'}"

    def client(self, name):
        import boto3

        return boto3.client("s3", **self.connection)

    def _owner(self, name, key):
        """Which storage a key of a bucket belongs to, when both storages share one bucket."""
        shared = len({options["bucket_name"] for options in self.options.values()}) == 1 and len(self.options) > 1
        if not shared:
            return name
        return "renditions" if key.startswith(RENDITIONS_PREFIX) else "default"

    def keys(self, name):
        """{key: size} of the objects of one storage."""
        from botocore.exceptions import BotoCoreError, ClientError

        bucket = self.options[name]["bucket_name"]
        found = {}
        try:
            for page in self.client(name).get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for item in page.get("Contents", []):
                    if self._owner(name, item["Key"]) == name:
                        found[item["Key"]] = item["Size"]
        except (BotoCoreError, ClientError) as error:
            raise Refused(f"cannot list the bucket {bucket} ({self.describe()}): {error}") from None
        return found

    def check_backup_source(self):
        for name in self.options:
            self.keys(name)

    def holds_data(self):
        count = sum(len(self.keys(name)) for name in self.options)
        return f"{count} objects" if count else None

    def dump(self, folder):
        files, objects, total = {}, {}, 0
        with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
            for name in self.options:
                client, bucket = self.client(name), self.options[name]["bucket_name"]
                for key in sorted(self.keys(name)):
                    answer = client.get_object(Bucket=bucket, Key=key)
                    arcname = f"{name}/{key}"
                    info = tarfile.TarInfo(arcname)
                    info.size = answer["ContentLength"]
                    info.mtime = int(answer["LastModified"].timestamp())
                    reader = HashingReader(answer["Body"])
                    archive.addfile(info, reader)
                    files[arcname] = reader.digest.hexdigest()
                    objects[arcname] = {
                        "content_type": answer.get("ContentType") or "application/octet-stream",
                        "cache_control": answer.get("CacheControl"),
                    }
                    total += info.size
        storages = {
            name: {"bucket": options["bucket_name"], "endpoint": self.connection.get("endpoint_url")}
            for name, options in self.options.items()
        }
        return {
            "kind": self.kind,
            "file": "media.tar.gz",
            "count": len(files),
            "bytes": total,
            "files": files,
            "objects": objects,
            "storages": storages,
        }

    def prepare_restore(self, backup_folder, manifest, when):
        """Unpack and check every object first; return the function that uploads them, and one that cleans up."""
        staged = Path(tempfile.mkdtemp(prefix=f"libreria-restore-{when}-"))
        try:
            with tarfile.open(backup_folder / manifest["media"]["file"], "r:gz") as archive:
                archive.extractall(staged, filter="data")
            if checksums(staged) != manifest["media"]["files"]:
                raise Refused("the unpacked media differ from the manifest: the backup is damaged")
            unknown = {arcname.split("/", 1)[0] for arcname in manifest["media"]["files"]} - set(self.options)
            if unknown:
                raise Refused(f"the backup holds objects of storages not configured here: {', '.join(sorted(unknown))}")
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise

        def swap():
            kept = []
            for name, options in self.options.items():
                client, bucket = self.client(name), options["bucket_name"]
                wanted = {
                    arcname.split("/", 1)[1]: digest
                    for arcname, digest in manifest["media"]["files"].items()
                    if arcname.split("/", 1)[0] == name
                }
                for key in self.keys(name):
                    if key in wanted and self._digest(client, bucket, key) == wanted[key]:
                        continue
                    aside = f"replaced-{when}/{key}"
                    client.copy_object(
                        Bucket=bucket, Key=aside, CopySource={"Bucket": bucket, "Key": key}, ACL="private"
                    )
                    kept.append(f"{bucket}/{aside}")
                    if key not in wanted:
                        client.delete_object(Bucket=bucket, Key=key)
                parameters = dict(options.get("object_parameters") or {})
                acl = options.get("default_acl")
                for key in sorted(wanted):
                    arcname = f"{name}/{key}"
                    body = (staged / arcname).read_bytes()
                    extra = {**parameters, "ContentType": manifest["media"]["objects"][arcname]["content_type"]}
                    if acl:
                        extra["ACL"] = acl
                    answer = client.put_object(Bucket=bucket, Key=key, Body=body, **extra)
                    if answer["ETag"].strip('"') != hashlib.md5(body, usedforsecurity=False).hexdigest():
                        raise Refused(f"the object {bucket}/{key} was not stored intact; run the restore again")
            shutil.rmtree(staged, ignore_errors=True)
            return f"{len(kept)} objects under replaced-{when}/ in their buckets" if kept else None

        def abandon():
            shutil.rmtree(staged, ignore_errors=True)

        return swap, abandon

    @staticmethod
    def _digest(client, bucket, key):
        digest = hashlib.sha256()
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        while block := body.read(CHUNK):
            digest.update(block)
        return digest.hexdigest()


class LocalMedia:
    """MEDIA_ROOT on the local disk."""

    kind = "local"

    def __init__(self, root):
        self.root = root

    def describe(self):
        return f"MEDIA_ROOT {self.root}"

    def check_backup_source(self):
        if not self.root.is_dir():
            raise Refused(
                f"MEDIA_ROOT {self.root} does not exist: check MEDIA_ROOT (create it if no file was ever uploaded)"
            )

    def holds_data(self):
        return media_holds_files(self.root)

    def dump(self, folder):
        return dump_media(self.root, folder)

    def prepare_restore(self, backup_folder, manifest, when):
        return prepare_media(self.root, backup_folder, manifest, when)


def media_for(config):
    if config["object_storage"]:
        return ObjectStorage(config["object_storage"], config["object_storage_connection"])
    return LocalMedia(config["media_root"])


# --- the two commands ------------------------------------------------------------------------------------------


def backup(directory):
    config = configured()
    database = database_for(config)
    media_root = config["media_root"]
    media_store = media_for(config)
    database.check_backup_source()
    media_store.check_backup_source()

    directory = Path(directory).absolute()
    directory.mkdir(parents=True, exist_ok=True)
    when = stamp()
    final = directory / f"libreria-{when}"
    suffix = 1
    while final.exists():
        suffix += 1
        final = directory / f"libreria-{when}-{suffix}"
    partial = directory / f".{final.name}.partial"  # renamed when complete: a failed run leaves no backup
    partial.mkdir()
    try:
        summary, tables = database.dump(partial)
        media = media_store.dump(partial)
        media["sha256"] = sha256_file(partial / media["file"])
        manifest = {
            "format": FORMAT,
            "created": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "source": {"database": database.describe(), "media": media_store.describe()},
            "versions": versions(),
            "database": {
                "engine": database.engine,
                "file": database.file_name,
                "sha256": sha256_file(partial / database.file_name),
                "summary": summary,
                "tables": tables,
            },
            "media": media,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    say(f"backup written to {final}")
    say(f"  {database.describe()}: " + ", ".join(f"{count} {name}" for name, count in summary.items()))
    say(f"  media in {media_store.describe()}: {media['count']} files, {media['bytes']} bytes")
    for location in config["other_locations"]:
        if media_store.kind == "local" and not Path(location).is_relative_to(media_root.absolute()):
            say(f"  warning: the files in {location} (a storage outside MEDIA_ROOT) are not in this backup")
    return final


def versions():
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("Django", "wagtail", "wagtail-localize"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


def read_manifest(folder):
    path = folder / MANIFEST
    if not path.is_file():
        raise Refused(f"{folder} has no {MANIFEST}: it is not a folder written by site/backup.sh")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise Refused(f"{path} has format {manifest.get('format')}, this script reads format {FORMAT}")
    for part in ("database", "media"):
        file_path = folder / manifest[part]["file"]
        if not file_path.is_file():
            raise Refused(f"{file_path} is missing: the backup is incomplete")
        if sha256_file(file_path) != manifest[part]["sha256"]:
            raise Refused(f"{file_path} does not match the checksum in {MANIFEST}: the backup is damaged")
    return manifest


def restore(folder, force=False, update_index=True):
    folder = Path(folder).absolute()
    manifest = read_manifest(folder)
    config = configured()
    database = database_for(config)
    media_store = media_for(config)
    if manifest["media"].get("kind", "local") != media_store.kind:
        raise Refused(
            f"the backup holds media of kind {manifest['media'].get('kind', 'local')} but the settings keep them "
            f"in {media_store.describe()}: restore into the same kind of storage"
        )
    if manifest["database"]["engine"] != database.engine:
        raise Refused(
            f"the backup holds a {manifest['database']['engine']} database but DATABASE_URL points to "
            f"{database.engine}: restore into the same kind of database"
        )
    if not force:
        occupied = [f"the {database.describe()} holds {held}" for held in [database.holds_data()] if held] + [
            f"{media_store.describe()} holds {held}" for held in [media_store.holds_data()] if held
        ]
        if occupied:
            raise Refused(
                "; ".join(occupied) + ". Restoring would replace them. Stop the site, back them up with "
                "site/backup.sh, then run again with --force; or point DATABASE_URL and MEDIA_ROOT (or S3_BUCKET "
                "and S3_PUBLIC_BUCKET) to an empty database and folder (or buckets)."
            )

    when = stamp()
    swap_media, abandon_media = media_store.prepare_restore(folder, manifest, when)
    try:
        summary, swap_database, abandon_database = database.prepare_restore(folder, manifest, when)
    except BaseException:
        abandon_media()
        raise
    try:
        kept_database = swap_database()
    except BaseException:
        abandon_database()
        abandon_media()
        raise
    kept_media = swap_media()

    say(f"restored {folder.name} into the {database.describe()} and {media_store.describe()}")
    say(
        "  " + ", ".join(f"{count} {name}" for name, count in summary.items()) + f", {manifest['media']['count']} files"
    )
    for kept in (kept_database, kept_media):
        if kept:
            say(f"  the previous copy is kept in {kept}: delete it when the restored site is checked")
    if versions() != manifest.get("versions"):
        say(
            f"  the backup was written with {manifest.get('versions')}, this code runs {versions()}: "
            "run 'manage.py migrate'"
        )
    elasticsearch = [name for name, backend in config["search_backends"].items() if backend.get("URLS")]
    if elasticsearch and update_index:
        say("  rebuilding the Elasticsearch index (manage.py update_index)...")
        for name in elasticsearch:
            subprocess.run([sys.executable, str(ROOT / "manage.py"), "update_index", "--backend", name], check=True)
    elif elasticsearch:
        say("  rebuild the search index now: manage.py update_index")
    else:
        say("  the search index lives in the database and was restored with it")
    say("  restart the site (and clear its cache if it uses Redis) so that nothing from before is served")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="backups.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    backup_parser = commands.add_parser("backup", help="write a dated backup folder into DIRECTORY")
    backup_parser.add_argument("directory")
    restore_parser = commands.add_parser("restore", help="restore a folder written by backup")
    restore_parser.add_argument("folder")
    restore_parser.add_argument(
        "--force", action="store_true", help="replace a database and media that hold something (kept aside)"
    )
    restore_parser.add_argument(
        "--no-update-index", action="store_true", help="do not rebuild the Elasticsearch index after the restore"
    )
    args = parser.parse_args(argv)
    name = f"{args.command}.sh"
    try:
        if args.command == "backup":
            backup(args.directory)
        else:
            restore(args.folder, force=args.force, update_index=not args.no_update_index)
    except Refused as refusal:
        nothing = "nothing was backed up" if args.command == "backup" else "nothing was restored"
        print(f"{name}: {str(refusal).rstrip('.')}; {nothing}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
