"""Private files stay private: documents only through Wagtail's view, original images never at a public URL,
proposal uploads under names nobody can guess, documents that are what they claim to be, and images that a
worker can afford to thumbnail (config/urls.py, config/settings, site/nginx.conf.example, practices/uploads.py).
"""

import importlib.util
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction
from wagtail.utils.sendfile import _get_sendfile

from practices.models import SDG, GoodPracticePage
from proposals import views as proposals

BASE_DIR = Path(__file__).resolve().parent.parent
PROPOSAL_URL = "/it/segnala/"
TOKEN = r"[0-9a-f]{24}"


@pytest.fixture(autouse=True)
def _empty_cache():
    # The proposal form counts submissions per address in the cache.
    cache.clear()
    yield
    cache.clear()


def png_bytes(size=(40, 30), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, (11, 92, 138)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes():
    """A real PDF (Pillow writes header, objects, cross-reference table and trailer)."""
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(buffer, "PDF")
    return buffer.getvalue()


def bomb_png():
    """6,240 × 6,240 pixels in about 150 KB: decoding it for a thumbnail costs hundreds of megabytes."""
    return png_bytes((6240, 6240), "RGBA")


def restricted_collection(name="Riservata"):
    collection = Collection.get_first_root_node().add_child(name=name)
    CollectionViewRestriction.objects.create(collection=collection, restriction_type=CollectionViewRestriction.LOGIN)
    return collection


def a_document(collection=None, name="verbale-riservato.pdf", content=None):
    document = get_document_model()(title="Verbale", collection=collection or Collection.get_first_root_node())
    document.file.save(name, ContentFile(content or pdf_bytes()), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


def an_image(name="foto-riservata.png"):
    image = get_image_model()(title="Foto", file=ImageFile(io.BytesIO(png_bytes()), name=name))
    image._set_image_file_metadata()
    image.save()
    return image


def dev_urlconf():
    """config/urls.py as `manage.py runserver` builds it (DEBUG on), loaded apart from the test's own."""
    spec = importlib.util.find_spec("config.urls")
    module = importlib.util.module_from_spec(spec)
    with override_settings(DEBUG=True):
        spec.loader.exec_module(module)
    return module


def media_path(file):
    return settings.MEDIA_URL + file.name


def proposal(**overrides):
    data = {
        "title": "Orti condivisi a Chieri",
        "summary": "Un orto di quartiere curato da famiglie e scuole.",
        "description": "Nasce nel 2019.",
        "territory": "Chieri",
        "sdgs": [str(SDG.objects.get(number=11).pk)],
        "organisation": "",
        "contact_name": "Maria Rossi",
        "contact_email": "maria.rossi@example.org",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


# Documents and original images are not public media -------------------------------------------------------


def test_the_development_server_serves_renditions_but_not_documents_or_original_images(client, db):
    document = a_document(restricted_collection())
    image = an_image()
    rendition = image.get_rendition("max-20x20")
    with override_settings(ROOT_URLCONF=dev_urlconf()):
        for file in (document.file, image.file):
            assert os.path.exists(file.path)
            response = client.get(media_path(file))
            assert response.status_code in (403, 404), file.name
            assert not getattr(response, "streaming", False)
        # The public site's images are renditions, and those stay served.
        response = client.get(rendition.url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        # Documents are read through Wagtail's view, which asks for a login.
        response = client.get(document.url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_a_document_of_a_restricted_collection_asks_for_a_login_and_then_downloads_as_an_attachment(
    client, admin_client, django_user_model
):
    document = a_document(restricted_collection())
    assert document.url == f"/documents/{document.pk}/{document.filename}"

    anonymous = Client()
    response = anonymous.get(document.url)
    assert response.status_code == 302
    assert "login" in response["Location"]

    response = admin_client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert b"".join(response.streaming_content) == document.file.open("rb").read()


def test_even_a_public_pdf_downloads_as_an_attachment(client, db):
    document = a_document()
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_behind_nginx_the_view_hands_the_file_over_with_x_accel_redirect(client, admin_client):
    document = a_document(restricted_collection())
    documents_root = Path(settings.MEDIA_ROOT) / "documents"
    with override_settings(
        SENDFILE_BACKEND="config.sendfile_nginx", SENDFILE_ROOT=documents_root, SENDFILE_URL="/media/documents/"
    ):
        _get_sendfile.clear()
        try:
            response = Client().get(document.url)
            assert response.status_code == 302
            assert "X-Accel-Redirect" not in response

            response = admin_client.get(document.url)
            assert response.status_code == 200
            assert response["X-Accel-Redirect"] == "/media/documents/" + Path(document.file.name).name
            assert response.content == b""
            assert response["Content-Disposition"].startswith("attachment")
        finally:
            _get_sendfile.clear()


# The shipped nginx example -------------------------------------------------------------------------------


def nginx_locations(text):
    """{prefix: [directive, …]} of the `location` blocks of an nginx configuration (comments dropped). A prefix
    that several servers share keeps its first block: the public server comes first, the internal ones (the
    purge endpoint) after it."""
    text = re.sub(r"#[^\n]*", "", text)
    locations = {}
    for match in re.finditer(r"location\s+(?P<prefix>\S+)\s*\{(?P<body>[^{}]*)\}", text):
        directives = [" ".join(line.split()) for line in match["body"].split(";") if line.strip()]
        locations.setdefault(match["prefix"], directives)
    return locations


def test_the_nginx_example_serves_only_renditions_of_the_media():
    locations = nginx_locations((BASE_DIR / "site" / "nginx.conf.example").read_text())
    assert "internal" in locations["/media/documents/"]
    assert any(rule in locations["/media/original_images/"] for rule in ("deny all", "return 404", "internal"))
    assert locations["/media/"] == ["return 404"]
    assert [d for d in locations["/media/images/"] if d.startswith("alias")] == [
        "alias /srv/libreria/var/media/images/"
    ]
    # No location publishes the whole media root, or its documents and originals, under another prefix.
    for prefix, directives in locations.items():
        for directive in directives:
            if directive.startswith(("alias", "root")) and prefix != "/media/documents/":
                assert not re.search(r"media/?$|documents|original_images", directive), (prefix, directive)
    # The headers the view sets and nginx drops on an X-Accel-Redirect are set again.
    assert "add_header X-Content-Type-Options nosniff always" in locations["/media/documents/"]


def test_production_points_x_accel_redirect_at_the_internal_location_of_the_nginx_example(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "libreria.example.org",
        "MEDIA_ROOT": "/srv/libreria/var/media",
        "DOCUMENTS_X_ACCEL_REDIRECT": "true",
    }
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.WAGTAILDOCS_SERVE_METHOD, s.SENDFILE_BACKEND, s.SENDFILE_URL, s.SENDFILE_ROOT)"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["serve_view", "config.sendfile_nginx", "/media/documents/", "/srv/libreria/var/media/documents"]
    locations = nginx_locations((BASE_DIR / "site" / "nginx.conf.example").read_text())
    assert f"alias {output[3]}/" in locations[output[2]]


# Proposal uploads ----------------------------------------------------------------------------------------


def test_a_proposals_files_are_stored_under_names_nobody_can_guess(client, site_tree):
    for _ in range(2):
        response = client.post(
            PROPOSAL_URL,
            proposal(
                image=SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png"),
                document=SimpleUploadedFile("relazione.pdf", pdf_bytes(), content_type="application/pdf"),
            ),
        )
        assert response.status_code == 302
    practices = GoodPracticePage.objects.filter(proposed_at__isnull=False)
    images = [practice.hero_image for practice in practices]
    documents = [practice.resources[0].value["document"] for practice in practices]
    for image in images:
        assert re.fullmatch(rf"original_images/{TOKEN}-foto\.png", image.file.name), image.file.name
        assert image.collection.name == proposals.COLLECTION_NAME
        # The renditions Wagtail makes (the admin's thumbnails) keep the random part of the name.
        assert re.fullmatch(rf"images/{TOKEN}-foto\.max-165x165\.png", image.get_rendition("max-165x165").file.name)
    for document in documents:
        assert re.fullmatch(rf"documents/{TOKEN}-relazione\.pdf", document.file.name), document.file.name
        assert document.collection.get_view_restrictions().exists()
        assert Client().get(document.url).status_code == 302
    assert len({image.file.name for image in images}) == len({document.file.name for document in documents}) == 2


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n", id="html"),
        pytest.param(
            b"%PDF-1.7\n<!DOCTYPE html><script>alert(1)</script>\nstartxref\n9\n%%EOF\n", id="html-and-a-trailer"
        ),
        pytest.param(b"%PDF-1.4\n" + b"0" * 4096, id="no-trailer"),
        pytest.param(b"%PDF-1.4\n" + b"0" * 4096 + b"\nstartxref\n99999\n%%EOF\n", id="trailer-points-outside"),
        pytest.param(b"%PDF-1.4\n" + b"0" * 4096 + b"\nstartxref\n20\n%%EOF\n", id="trailer-points-at-nothing"),
        pytest.param(pdf_bytes().replace(b"\n", b"\n<script>alert(1)</script>\n", 1), id="script-in-a-real-pdf"),
    ],
)
def test_a_pdf_header_in_front_of_something_else_is_refused(client, site_tree, content):
    response = client.post(PROPOSAL_URL, proposal(document=SimpleUploadedFile("scheda.pdf", content)))
    assert response.status_code == 200
    assert "il contenuto deve corrispondere all&#x27;estensione" in response.content.decode()
    assert not get_document_model().objects.exists()
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def incrementally_updated(pdf):
    """A PDF with an update appended, as editors save them: a new cross-reference section at the end."""
    offset = len(pdf) + 1
    return pdf + b"\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n%d\n%%%%EOF\n" % offset


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdf_bytes(), id="plain"),
        pytest.param(pdf_bytes() + b"\x00" * 8, id="padded"),
        pytest.param(incrementally_updated(pdf_bytes()), id="updated"),
    ],
)
def test_a_real_pdf_is_accepted(client, site_tree, content):
    response = client.post(PROPOSAL_URL, proposal(document=SimpleUploadedFile("scheda.pdf", content)))
    assert response.status_code == 302
    assert get_document_model().objects.get().file.open("rb").read() == content


# Decompression bombs -------------------------------------------------------------------------------------


def test_an_image_too_many_pixels_to_thumbnail_is_refused_by_the_proposal_form(client, site_tree):
    bomb = bomb_png()
    assert len(bomb) < 300 * 1024
    response = client.post(PROPOSAL_URL, proposal(image=SimpleUploadedFile("foto.png", bomb, content_type="image/png")))
    assert response.status_code == 200
    html = response.content.decode()
    assert "L&#x27;immagine è troppo grande: 6240 × 6240 pixel. Il massimo è 25 milioni di pixel" in html
    assert not get_image_model().objects.exists()
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def test_an_image_too_many_pixels_to_thumbnail_is_refused_by_the_admin(admin_client):
    root = Collection.get_first_root_node()
    response = admin_client.post(
        "/admin/images/add/",
        {"title": "Bomba", "collection": root.pk, "file": SimpleUploadedFile("foto.png", bomb_png())},
    )
    assert response.status_code == 200
    assert "La risoluzione di questo file è di troppi pixel (38937600)" in response.content.decode()
    assert "Il numero massimo di pixel è 25000000" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_the_pixel_cap_is_read_before_any_pixel_is_decoded(site_tree, monkeypatch):
    # Counting the pixels must not decode them: Pillow's load() would allocate the whole bitmap.
    def no_decoding(self, *args, **kwargs):
        raise AssertionError("the image was decoded")

    bomb = bomb_png()
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", no_decoding)
    form = proposals.ProposalForm(proposal(), {"image": SimpleUploadedFile("foto.png", bomb)})
    assert not form.is_valid()
    assert "troppo grande" in form.errors["image"][0]


def test_the_english_form_says_so_in_english(client, site_tree):
    bomb = SimpleUploadedFile("photo.png", bomb_png(), content_type="image/png")
    html = client.post("/en/propose/", proposal(image=bomb)).content.decode()
    assert "The image is too large: 6240 × 6240 pixels. The maximum is 25 million pixels" in html


def test_the_api_does_not_list_a_proposals_files(client, site_tree):
    response = client.post(
        PROPOSAL_URL,
        proposal(
            image=SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png"),
            document=SimpleUploadedFile("relazione.pdf", pdf_bytes(), content_type="application/pdf"),
        ),
    )
    assert response.status_code == 302
    assert get_image_model().objects.count() == get_document_model().objects.count() == 1
    anonymous = Client()
    for endpoint in ("images", "documents"):
        listing = anonymous.get(f"/api/v2/{endpoint}/?fields=*").json()
        assert listing["meta"]["total_count"] == 0, listing
