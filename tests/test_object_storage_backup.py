"""site/backup.sh and site/restore.sh with the media on object storage (moto's S3 server, tests/s3.py): every
object of both buckets is backed up with its checksum, and a restore brings back the same objects with the same
rules (private originals and documents, public renditions with their cache lifetime), keeping aside what it
replaces; also into new, empty buckets (a restore drill)."""

import hashlib
import json

import requests

from tests.s3 import s3_server  # noqa: F401
from tests.test_backup import ADD_DOCUMENT, backup, manage, script, script_env, shell, site_state

IMAGE_AND_RENDITION = """
import io
from django.core.files.images import ImageFile
from PIL import Image as Picture
from wagtail.images.models import Image
buffer = io.BytesIO()
Picture.new("RGB", (40, 30), (11, 92, 138)).save(buffer, "PNG")
image = Image.objects.create(title="Orto", file=ImageFile(buffer, name="orto.png"))
print(image.get_rendition("fill-20x20").url)
"""

# What editors do after the backup: a new image, the document deleted, another one added.
CHANGE = """
import io
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as Picture
from wagtail.documents.models import Document
from wagtail.images.models import Image
buffer = io.BytesIO()
Picture.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
Image.objects.create(title="Nuova foto", file=ImageFile(buffer, name="nuova-foto.png"))
Document.objects.all().delete()
Document.objects.create(title="Altro", file=ContentFile(b"altro", name="altro.txt"))
"""


def digests(objects):
    return {key: hashlib.sha256(body).hexdigest() for key, body in objects.items()}


def test_a_backup_of_object_storage_restores_every_object_with_its_rules(tmp_path, s3_server):  # noqa: F811
    server = s3_server
    private, public = server.new_buckets()
    env = {
        **script_env(f"sqlite:///{tmp_path / 'site.sqlite3'}", tmp_path / "unused-media"),
        **server.environment(private, public),
    }
    manage(env, "migrate", "--no-input", "-v0")
    shell(env, ADD_DOCUMENT)
    rendition_url = shell(env, IMAGE_AND_RENDITION).strip().splitlines()[-1]
    before = site_state(env)
    objects = {"private": digests(server.objects(private)), "public": digests(server.objects(public))}
    assert len(objects["private"]) == 2 and len(objects["public"]) == 1
    assert not (tmp_path / "unused-media").exists()  # nothing went to the local disk

    folder = backup(env, tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["media"]["kind"] == "s3"
    assert manifest["media"]["count"] == 3
    assert set(manifest["media"]["files"]) == {f"default/{key}" for key in objects["private"]} | {
        f"renditions/{key}" for key in objects["public"]
    }
    rendition_key = next(iter(objects["public"]))
    assert manifest["media"]["objects"][f"renditions/{rendition_key}"]["cache_control"].startswith("public, max-age=")

    # Afterwards an editor changes pages and files; the restore is refused while the site holds anything.
    shell(env, CHANGE)
    assert digests(server.objects(private)) != objects["private"]
    refused = script("restore.sh", folder, env=env)
    assert refused.returncode == 1 and "object storage" in refused.stderr and "objects" in refused.stderr

    restored = script("restore.sh", folder, "--force", env=env)
    assert restored.returncode == 0, restored.stderr
    assert site_state(env) == before
    now = {key: body for key, body in server.objects(private).items() if not key.startswith("replaced-")}
    assert digests(now) == objects["private"]
    assert digests(server.objects(public)) == objects["public"]
    kept = [key for key in server.objects(private) if key.startswith("replaced-")]
    assert kept, "what the restore replaced is kept aside"
    # The rules came back with the objects: the rendition is public and cached, the originals are not public.
    response = requests.get(rendition_url, timeout=10)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    for key in objects["private"]:
        assert requests.get(f"{server.endpoint}/{private}/{key}", timeout=10).status_code == 403


def test_a_restore_drill_into_new_buckets_and_a_new_database(tmp_path, s3_server):  # noqa: F811
    server = s3_server
    private, public = server.new_buckets()
    env = {
        **script_env(f"sqlite:///{tmp_path / 'site.sqlite3'}", tmp_path / "media"),
        **server.environment(private, public),
    }
    manage(env, "migrate", "--no-input", "-v0")
    shell(env, IMAGE_AND_RENDITION)
    shell(env, ADD_DOCUMENT)
    before = site_state(env)
    folder = backup(env, tmp_path / "backups")

    drill_private, drill_public = server.new_buckets()
    drill = {
        **script_env(f"sqlite:///{tmp_path / 'drill.sqlite3'}", tmp_path / "drill-media"),
        **server.environment(drill_private, drill_public),
    }
    restored = script("restore.sh", folder, env=drill)
    assert restored.returncode == 0, restored.stderr
    assert site_state(drill) == before
    assert digests(server.objects(drill_private)) == digests(server.objects(private))
    assert digests(server.objects(drill_public)) == digests(server.objects(public))
    # A local-disk installation does not take an object-storage backup for its own.
    local = script_env(f"sqlite:///{tmp_path / 'local.sqlite3'}", tmp_path / "local-media")
    refused = script("restore.sh", folder, env=local)
    assert refused.returncode == 1 and "same kind of storage" in refused.stderr
