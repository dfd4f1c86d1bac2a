"""Media on S3-compatible object storage (issue 13, part 2), against moto's S3 server on 127.0.0.1 (tests/s3.py):
images uploaded in the admin, renditions public with a long cache lifetime, documents and proposal uploads
private and served only through Wagtail's view (config/storage.py, config/settings/services.py)."""

import re

import pytest
import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from config.settings.services import object_storage_from_environment, public_media_url
from practices.models import GoodPracticePage
from tests.factories import GoodPracticeFactory
from tests.s3 import s3_server  # noqa: F401
from tests.test_private_files import TOKEN, pdf_bytes, png_bytes, restricted_collection
from tests.test_proposals import proposal

pytestmark = pytest.mark.django_db
PNG, PDF = png_bytes(), pdf_bytes()


@pytest.fixture
def buckets(s3_server):  # noqa: F811
    """The site's storages on fresh private and public buckets of the S3 server: (server, private, public)."""
    private, public = s3_server.new_buckets()
    configured, connection = object_storage_from_environment(s3_server.environment(private, public))
    media_url = public_media_url(configured, connection)
    with override_settings(STORAGES={**settings.STORAGES, **configured}, MEDIA_URL=media_url, **connection):
        yield s3_server, private, public


def anonymous(url):
    """What anyone on the internet gets at a URL of the object store: no cookie, no signature."""
    return requests.get(url, timeout=10)


def upload_image(admin_client, name="foto.png"):
    response = admin_client.post(
        "/admin/images/add/",
        {
            "title": "Orto",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile(name, PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return get_image_model().objects.latest("pk")


def upload_document(admin_client, collection, name="verbale.pdf", content=PDF):
    response = admin_client.post(
        "/admin/documents/add/",
        {"title": "Verbale", "collection": collection.pk, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return get_document_model().objects.latest("pk")


def test_an_image_uploaded_in_the_admin_is_private_and_its_renditions_public(buckets, admin_client, site_tree):
    server, private, public = buckets
    image = upload_image(admin_client)
    assert list(server.objects(private)) == [image.file.name]
    assert server.objects(private)[image.file.name] == PNG
    # The original is not public: its address at the store is refused.
    assert image.file.url.startswith(server.endpoint)
    assert anonymous(image.file.url).status_code == 403

    rendition = image.get_rendition("fill-80x60")
    assert rendition.file.name.startswith("images/") and rendition.file.name in server.objects(public)
    assert rendition.file.name not in server.objects(private)
    response = anonymous(rendition.url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.content.startswith(b"\x89PNG")


def test_a_page_shows_its_image_from_the_public_bucket(buckets, admin_client, site_tree):
    server, private, public = buckets
    image = upload_image(admin_client)
    practice = GoodPracticeFactory(parent=site_tree.library, title="Orto sociale", slug="orto-sociale")
    practice.hero_image = image
    practice.save_revision().publish()
    html = Client().get(practice.url).content.decode()
    sources = re.findall(rf'src="({re.escape(server.endpoint)}/{public}/images/[^"]+)"', html)
    assert sources, html[:3000]
    assert all(anonymous(source).status_code == 200 for source in sources)
    assert f"/{private}/" not in html


def test_a_private_document_is_served_only_through_wagtails_view(buckets, admin_client, site_tree):
    server, private, public = buckets
    document = upload_document(admin_client, restricted_collection())
    assert list(server.objects(private)) == [document.file.name]
    assert server.objects(public) == {}
    # Its object has no public address, signed or not.
    assert "Signature" not in document.file.url
    assert anonymous(document.file.url).status_code == 403

    response = Client().get(document.url)
    assert response.status_code == 302 and response["Location"].startswith("/it/_util/login/")
    response = admin_client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_public_document_is_streamed_by_the_view_and_has_no_public_object(buckets, admin_client, site_tree):
    server, private, public = buckets
    document = upload_document(admin_client, Collection.get_first_root_node(), name="bilancio.pdf")
    response = Client().get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert anonymous(document.file.url).status_code == 403


def test_a_proposals_uploads_are_private_objects(buckets, client, site_tree):
    server, private, public = buckets
    response = client.post(
        "/it/segnala/",
        proposal(
            image=SimpleUploadedFile("foto.png", PNG, content_type="image/png"),
            document=SimpleUploadedFile("relazione.pdf", PDF, content_type="application/pdf"),
        ),
    )
    assert response.status_code == 302
    practice = GoodPracticePage.objects.get(proposed_at__isnull=False)
    image, document = practice.hero_image, practice.resources[0].value["document"]
    assert re.fullmatch(rf"original_images/{TOKEN}-foto\.png", image.file.name)
    assert re.fullmatch(rf"documents/{TOKEN}-relazione\.pdf", document.file.name)
    assert set(server.objects(private)) == {image.file.name, document.file.name}
    assert server.objects(public) == {}
    assert anonymous(image.file.url).status_code == 403
    assert anonymous(document.file.url).status_code == 403
    assert Client().get(document.url).status_code == 302


def test_an_object_is_never_overwritten_by_a_file_of_the_same_name(buckets, admin_client, site_tree):
    server, private, public = buckets
    first, second = upload_image(admin_client), upload_image(admin_client)
    assert first.file.name != second.file.name
    assert set(server.objects(private)) == {first.file.name, second.file.name}
