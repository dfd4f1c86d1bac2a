"""Public proposals: the "Segnala una buona pratica" form (practices/proposals.py)."""

import io
import os
import zipfile

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowState, WorkflowTask

from home.site_tree import publish
from practices.models import SDG, GoodPracticePage, Territory
from proposals import views as proposals

XSS = "<script>alert(1)</script>"
URL = "/it/segnala/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def library(site_tree):
    return site_tree.library


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 92, 138)).save(buffer, "PNG")
    return buffer.getvalue()


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def proposal(**overrides):
    data = {
        "title": "Orti condivisi a Chieri",
        "summary": "Un orto di quartiere curato da famiglie e scuole.",
        "description": "Nasce nel 2019.\nCoinvolge tre scuole.\n\nOggi ha 40 orti.",
        "territory": "Chieri",
        "sdgs": [str(SDG.objects.get(number=11).pk), str(SDG.objects.get(number=2).pk)],
        "organisation": "Rete dei quartieri",
        "contact_name": "Maria Rossi",
        "contact_email": "maria.rossi@example.org",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def the_practice():
    return GoodPracticePage.objects.get(proposed_at__isnull=False)


def test_the_home_page_and_the_library_link_to_the_form(client, library):
    assert f'href="{URL}"' in client.get("/it/").content.decode()
    assert f'href="{URL}"' in client.get(library.url).content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "csrfmiddlewaretoken" in html
    assert 'name="website"' in html and 'tabindex="-1"' in html and 'aria-hidden="true"' in html
    # Every goal is offered, with its name, in a fieldset with a legend.
    assert html.count('name="sdgs"') == 17
    assert "13. " in html and "<legend>Obiettivi di sviluppo sostenibile</legend>" in html


def test_a_valid_proposal_creates_a_draft_practice_in_the_library_and_confirms_it(client, library):
    response = client.post(URL, proposal())
    assert response.status_code == 302
    assert response["Location"] == reverse("practice_proposal_thanks")

    practice = the_practice()
    assert not practice.live
    assert practice.get_parent().pk == library.pk
    assert practice.locale_id == library.locale_id
    assert practice.title == "Orti condivisi a Chieri"
    assert practice.proposer_name == "Maria Rossi"
    assert practice.proposer_email == "maria.rossi@example.org"
    assert practice.proposer_organisation == "Rete dei quartieri"
    # The public contact stays empty: the proposer's is private.
    assert practice.contact_email == ""
    assert {sdg.number for sdg in practice.sdgs.all()} == {2, 11}
    assert [t.code for t in practice.territories] == [Territory.objects.get(name="Chieri").code]
    body = str(practice.body[0].value)
    assert body == "<p>Nasce nel 2019.<br/>Coinvolge tre scuole.</p><p>Oggi ha 40 orti.</p>"
    assert practice.get_latest_revision() is not None

    thanks = client.get(response["Location"])
    assert "Grazie per la segnalazione" in thanks.content.decode()
    assert "Orti condivisi a Chieri" in thanks.content.decode()

    [message] = mail.outbox
    assert message.to == ["maria.rossi@example.org"]
    assert "Orti condivisi a Chieri" in message.subject
    assert "Maria Rossi" in message.body
    assert not message.alternatives  # text only


def test_the_proposers_contact_never_appears_on_the_public_page(client, library):
    client.post(URL, proposal())
    practice = the_practice()
    assert client.get(f"/it/biblioteca/{practice.slug}/").status_code == 404
    publish(practice)
    practice.refresh_from_db()
    html = client.get(practice.url).content.decode()
    assert "Orti condivisi a Chieri" in html
    assert "maria.rossi@example.org" not in html
    assert "Maria Rossi" not in html
    api = client.get(f"/api/v2/pages/{practice.pk}/").content.decode()
    assert "maria.rossi" not in api


def test_the_admin_shows_the_proposer_read_only(admin_client, library):
    client_response = admin_client.post(URL, proposal())
    assert client_response.status_code == 302
    practice = the_practice()
    html = admin_client.get(f"/admin/pages/{practice.pk}/edit/").content.decode()
    assert "Segnalazione" in html
    assert "maria.rossi@example.org" in html
    assert 'name="proposer_email"' not in html


def test_a_workflow_on_the_library_takes_the_proposal_into_moderation(client, library):
    workflow = Workflow.objects.create(name="Revisione (test)", active=True)
    task = GroupApprovalTask.objects.create(name="Revisione redazione")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=library, defaults={"workflow": workflow})
    client.post(URL, proposal())
    practice = the_practice()
    state = WorkflowState.objects.get(object_id=str(practice.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow == workflow
    assert state.requested_by is None


def test_validation_errors_keep_what_was_typed_and_say_what_to_fix(client, library):
    response = client.post(
        URL,
        proposal(title="", contact_email="non-una-email", consent=None, image=SimpleUploadedFile("a.png", png_bytes())),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Scrivi il titolo della pratica." in html
    assert "L&#x27;email non sembra valida" in html
    assert "devi accettare l&#x27;informativa sulla privacy" in html
    # The summary at the top links to each field.
    assert 'class="error-summary"' in html and 'href="#id_title"' in html and 'href="#id_contact_email"' in html
    assert 'aria-invalid="true"' in html and "id_title_error" in html
    # What was typed is still there; files must be chosen again, and the page says so.
    assert "Un orto di quartiere curato da famiglie e scuole." in html
    assert "Coinvolge tre scuole." in html
    assert 'value="Chieri"' in html
    assert 'value="non-una-email"' in html
    assert 'value="Rete dei quartieri"' in html
    assert html.count("checked") >= 2
    assert "selezionali di nuovo" in html
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()
    assert mail.outbox == []


def test_the_honeypot_pretends_success_and_saves_nothing(client, library):
    response = client.post(URL, proposal(website="https://spam.example"))
    assert response.status_code == 302
    assert "Grazie" in client.get(response["Location"]).content.decode()
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()
    assert mail.outbox == []


def test_more_than_five_proposals_an_hour_from_one_address_get_a_429(client, library):
    for number in range(5):
        assert client.post(URL, proposal(title=f"Pratica {number}")).status_code == 302
    response = client.post(URL, proposal(title="Una di troppo"))
    assert response.status_code == 429
    assert "riprova tra un'ora" in response.content.decode()
    assert GoodPracticePage.objects.filter(proposed_at__isnull=False).count() == 5
    # Another address is not affected.
    assert client.post(URL, proposal(title="Altrove"), REMOTE_ADDR="10.1.2.3").status_code == 302


def test_an_image_and_a_document_are_stored_in_wagtail(client, library):
    response = client.post(
        URL,
        proposal(
            image=SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png"),
            document=SimpleUploadedFile("scheda.docx", docx_bytes()),
        ),
    )
    assert response.status_code == 302
    practice = the_practice()
    assert practice.hero_image.width == 40
    assert practice.hero_image.collection.name == proposals.COLLECTION_NAME
    [block] = practice.resources
    assert block.block_type == "document"
    assert block.value["document"].file.name.endswith(".docx")


def test_a_text_file_named_png_is_refused(client, library):
    fake = SimpleUploadedFile("foto.png", b"just some text, not an image", content_type="image/png")
    html = client.post(URL, proposal(image=fake)).content.decode()
    assert "non è un&#x27;immagine leggibile" in html
    assert not get_image_model().objects.exists()
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def test_an_image_in_another_format_is_refused(client, library):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    html = client.post(URL, proposal(image=SimpleUploadedFile("x.gif", buffer.getvalue()))).content.decode()
    assert "JPEG, PNG o WebP" in html
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def test_an_oversized_image_is_refused(client, library):
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    assert len(buffer.getvalue()) > proposals.MAX_IMAGE_BYTES
    html = client.post(URL, proposal(image=SimpleUploadedFile("big.png", buffer.getvalue()))).content.decode()
    assert "il massimo è 5 MB" in html
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def test_an_oversized_document_is_refused(client, library):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * proposals.MAX_DOCUMENT_BYTES)
    html = client.post(URL, proposal(document=big)).content.decode()
    assert "il massimo è 10 MB" in html
    assert not get_document_model().objects.exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("scheda.pdf", b"MZ\x90\x00 not a pdf at all"),
        ("scheda.docx", b"%PDF-1.4 a pdf under a docx name"),
        ("scheda.odt", b"PK\x03\x04 not really a zip"),
        ("scheda.exe", b"%PDF-1.4"),
    ],
)
def test_a_document_whose_bytes_do_not_match_its_type_is_refused(client, library, name, content):
    html = client.post(URL, proposal(document=SimpleUploadedFile(name, content))).content.decode()
    assert "il contenuto deve corrispondere all&#x27;estensione" in html
    assert not get_document_model().objects.exists()
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def test_a_failure_while_saving_leaves_nothing_behind(client, library, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(GoodPracticePage, "save_revision", broken)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.post(URL, proposal(image=SimpleUploadedFile("foto.png", png_bytes())))
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()
    assert not get_image_model().objects.exists()
    assert mail.outbox == []


def test_xss_payloads_are_escaped_on_the_confirmation_page_and_in_the_admin(admin_client, library):
    response = admin_client.post(
        URL,
        proposal(
            title=f"Titolo {XSS}",
            summary=f"Sommario {XSS}",
            description=f"Descrizione {XSS}\n\n<img src=x onerror=alert(2)>",
            organisation=f"Rete {XSS}",
            contact_name=f"Nome {XSS}",
        ),
    )
    assert response.status_code == 302
    thanks = admin_client.get(response["Location"]).content.decode()
    assert XSS not in thanks
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in thanks

    practice = the_practice()
    assert "&lt;script&gt;" in str(practice.body[0].value)
    assert "<img" not in str(practice.body[0].value)
    for url in (
        f"/admin/pages/{practice.pk}/edit/",
        f"/admin/pages/{library.pk}/",
        "/admin/",
        f"/admin/pages/{practice.pk}/history/",
    ):
        page = admin_client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert XSS not in html, url
        assert "onerror=alert(2)>" not in html, url
    edit = admin_client.get(f"/admin/pages/{practice.pk}/edit/").content.decode()
    assert "Rete &lt;script&gt;" in edit
    assert mail.outbox and XSS in mail.outbox[0].body  # text email: shown as typed, never as HTML


def test_an_ambiguous_territory_offers_the_candidates_and_the_choice_works_without_javascript(client, library):
    response = client.post(URL, proposal(territory="milano"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Più territori si chiamano" in html
    assert 'name="territory_code" value="015146"' in html  # the comune
    assert 'name="territory_code" value="015"' in html  # the province
    assert 'href="#territory-candidates"' in html
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()

    response = client.post(URL, proposal(territory="milano", territory_code="015146"))
    assert response.status_code == 302
    assert [t.code for t in the_practice().territories] == ["015146"]


def test_a_name_without_accents_finds_its_one_territory(client, library):
    assert client.post(URL, proposal(territory="forli")).status_code == 302
    assert [t.name for t in the_practice().territories] == ["Forlì"]


def test_labels_from_the_suggestions_resolve_to_one_territory(client, library):
    answer = client.get("/it/segnala/territori/?q=milan").json()
    labels = {item["label"]: item["code"] for item in answer["territories"]}
    assert labels["Milano (MI)"] == "015146"
    assert labels["Milano (provincia)"] == "015"
    assert client.post(URL, proposal(territory="Milano (provincia)")).status_code == 302
    assert [t.code for t in the_practice().territories] == ["015"]


def test_a_partial_name_offers_near_matches(client, library):
    html = client.post(URL, proposal(territory="Forlimp")).content.decode()
    assert "Forse intendevi" in html
    assert "Forlimpopoli (FC)" in html


def test_an_unknown_territory_is_a_clear_error(client, library):
    html = client.post(URL, proposal(territory="Xyzzyville")).content.decode()
    assert "Non troviamo «Xyzzyville»" in html
    assert 'name="territory_code"' not in html
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def test_csrf_is_enforced(library):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, proposal()).status_code == 403
    assert not GoodPracticePage.objects.filter(proposed_at__isnull=False).exists()


def test_the_thanks_page_without_a_proposal_goes_back_to_the_form(client, library):
    response = client.get("/it/segnala/grazie/")
    assert response.status_code == 302 and response["Location"] == URL
