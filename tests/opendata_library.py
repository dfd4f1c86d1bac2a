"""A small library with every entry type, links between them, an English translation, a restricted entry, a
draft, a public and a restricted document: what the open-data tests (API, exports, feeds, OAI-PMH, alerts)
read. Use the `open_library` fixture (import it into the test module)."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Locale, PageViewRestriction

from practices.models import CaseStudyPractice, ModulePractice, ResidencyPractice, Territory
from tests.factories import (
    CaseStudyFactory,
    GoodPracticeFactory,
    NetworkPageFactory,
    ResidencyFactory,
    ThemeFactory,
    TrainingModuleFactory,
    TrainingProgrammeFactory,
)

SECRET = "Sportello riservato Quercivolo"
DRAFT = "Bozza Ortensiavola"


def publish(page):
    page.save_revision().publish()
    return page.specific_class.objects.get(pk=page.pk)  # as published (slug, url_path)


def translate(page, **changes):
    english = Locale.objects.get(language_code="en")
    translation = page.copy_for_translation(english, copy_parents=True)
    for name, value in changes.items():
        setattr(translation, name, value)
    return publish(translation)


def pdf_document(title, collection=None):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(buffer, "PDF")
    document = get_document_model()(title=title, collection=collection or Collection.get_first_root_node())
    document.file.save(f"{title.lower().replace(' ', '-')}.pdf", ContentFile(buffer.getvalue()), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


@pytest.fixture(scope="module")
def open_library(django_db_setup, django_db_blocker):
    """Built once per test module, inside a transaction rolled back at its end (as conftest's `demo`)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield build_open_library()
        transaction.set_rollback(True)


def build_open_library():
    from home.site_tree import ensure_site_tree

    tree = ensure_site_tree()
    network = publish(NetworkPageFactory(parent=tree.networks, title="Rete Clima", slug="rete-clima"))
    energy = ThemeFactory(name_it="energia di comunità", name_en="community energy", slug="energia-comunita")
    untranslated = ThemeFactory(name_it="orti urbani", name_en="", slug="orti-urbani")
    restricted = Collection.get_first_root_node().add_child(name="Riservata")
    CollectionViewRestriction.objects.create(collection=restricted, restriction_type=CollectionViewRestriction.LOGIN)
    public_doc = pdf_document("Regolamento pubblico")
    secret_doc = pdf_document("Verbale riservato", collection=restricted)

    chieri = GoodPracticeFactory(
        parent=tree.library,
        title="Comunità energetica di Chieri",
        summary="Tetti solari condivisi tra le famiglie di Chieri.",
        sdgs=[7, 13],
        territories=["001078"],
        year=2021,
        context="<p>Il contesto di Chieri.</p>",
        contact_name="Anna Rossi",
        contact_email="energia@example.org",
        proposer_name="Proponente Segreto",
        proposer_email="proponente.segreto@example.org",
    )
    chieri.networks.add(network)
    chieri.themes.add(energy, untranslated)
    chieri.resources = [
        ("document", {"document": public_doc, "title": ""}),
        ("document", {"document": secret_doc, "title": "Verbale"}),
        ("link", {"url": "https://example.org/energia", "title": "Il sito del progetto"}),
    ]
    publish(chieri)
    milano = publish(
        GoodPracticeFactory(
            parent=tree.library,
            title="Emporio solidale di Milano",
            summary="Spesa a punti per le famiglie in difficoltà.",
            sdgs=[1, 2],
            territories=["015146"],
            year=2020,
            contact_email="emporio@example.org",
            contact_email_public=True,  # the referent agreed to publish it
        )
    )
    case = CaseStudyFactory(
        parent=tree.library, title="Tetti solari a Torino", sdgs=[13], territories=["001272"], year=2022
    )
    CaseStudyPractice.objects.create(page=case, practice=chieri, note="Racconta come è nata.")
    publish(case)
    programme = publish(TrainingProgrammeFactory(parent=tree.home, title="Reti solidali e competenti"))
    module = TrainingModuleFactory(
        parent=programme, title="Modulo sull'energia", sdgs=[7], territories=["01"], hub="nord", format="misto"
    )
    ModulePractice.objects.create(page=module, practice=chieri, note="Un esempio da discutere.")
    publish(module)
    residency = ResidencyFactory(
        parent=tree.residencies,
        title="Residenza di Palermo",
        sdgs=[4],
        territories=["082053"],
        city=Territory.objects.get(code="082053"),
        participants_count=12,
    )
    ResidencyPractice.objects.create(page=residency, practice=milano, note="Visitata il secondo giorno.")
    publish(residency)

    # Restricted from the start: never public, so never announced (not even as a deleted record).
    secret = GoodPracticeFactory(
        parent=tree.library, title=SECRET, summary="Riservata ai soci.", sdgs=[13], territories=["001078"], live=False
    )
    PageViewRestriction.objects.create(page=secret, restriction_type="login")
    publish(secret)
    draft = GoodPracticeFactory(parent=tree.library, title=DRAFT, sdgs=[13], territories=["001078"], live=False)

    translate(tree.home)
    library_en = translate(tree.library, title="Library", slug="library")
    chieri_en = translate(chieri, title="Chieri community energy", summary="Shared solar roofs in Chieri.")
    return {
        "tree": tree,
        "library_en": library_en,
        "network": network,
        "chieri": chieri,
        "chieri_en": chieri_en,
        "milano": milano,
        "case": case,
        "module": module,
        "programme": programme,
        "residency": residency,
        "secret": secret,
        "draft": draft,
        "public_doc": public_doc,
        "secret_doc": secret_doc,
    }
