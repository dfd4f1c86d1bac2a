import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, PageLogEntry, ReferenceIndex
from wagtail.rich_text import RichText
from wagtail.search.backends import get_search_backend

from home.site_tree import publish
from importer.codecs import CODECS
from importer.pipeline import LibraryImport
from practices.models import (
    ENTRY_TYPES,
    CaseStudyPage,
    GoodPracticePage,
    LibraryEntry,
    NetworkPage,
    Organisation,
    ResidencyPage,
    Territory,
    Theme,
    TrainingModulePage,
)

pytestmark = pytest.mark.django_db

DEV_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "search-dev-practices.jsonl"


def line(**fields):
    base = {
        "slug": "orto-condiviso",
        "type": "good_practice",
        "title": "Orto condiviso di quartiere",
        "summary": "Un orto curato dai vicini.",
        "body": "Primo paragrafo.\n\nSecondo paragrafo.",
        "sdgs": [11, 2],
        "territories": ["001272"],
        "themes": ["orti urbani"],
        "networks": ["Rete Orti"],
        "year": 2021,
    }
    base.update(fields)
    return json.dumps({key: value for key, value in base.items() if value is not ...})


def run_import(*lines, dry_run=False):
    """Run the command on `lines` through standard input; return (stdout, stderr, error or None)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO("\n".join(lines).encode()), encoding="utf-8")
    import sys

    real_stdin = sys.stdin
    sys.stdin = stdin
    try:
        call_command("import_library", "-", *(["--dry-run"] if dry_run else []), stdout=stdout, stderr=stderr)
        error = None
    except CommandError as exc:
        error = exc
    finally:
        sys.stdin = real_stdin
    return stdout.getvalue(), stderr.getvalue(), error


def test_dev_corpus_imports_and_reimports_unchanged(site_tree):
    out = io.StringIO()
    call_command("import_library", str(DEV_CORPUS), stdout=out)
    assert "created 60, updated 0, unchanged 0" in out.getvalue()
    assert LibraryEntry.objects.live().count() == 60
    assert GoodPracticePage.objects.count() == 41 and CaseStudyPage.objects.count() == 19
    assert NetworkPage.objects.filter(title="Alleanza Aree Interne").exists()
    practice = GoodPracticePage.objects.get(slug="emporio-solidale-valle-brembana")
    assert sorted(practice.sdgs.values_list("number", flat=True)) == [1, 2]
    assert practice.get_parent().specific == site_tree.library
    assert practice.has_unpublished_changes is False and practice.revisions.count() == 1

    out = io.StringIO()
    call_command("import_library", str(DEV_CORPUS), stdout=out)
    assert "created 0, updated 0, unchanged 60" in out.getvalue()
    assert practice.revisions.count() == 1


def test_import_creates_pages_with_all_their_links(site_tree):
    stdout, stderr, error = run_import(line())
    assert error is None, stderr
    page = GoodPracticePage.objects.get(slug="orto-condiviso")
    assert page.live and page.title == "Orto condiviso di quartiere"
    assert [block.value.source for block in page.body] == ["<p>Primo paragrafo.</p>", "<p>Secondo paragrafo.</p>"]
    assert [link.territory.code for link in page.territory_links.all()] == ["001272"]
    assert list(page.themes.values_list("name_it", flat=True)) == ["orti urbani"]
    assert page.networks.get().title == "Rete Orti"
    assert "New networks (1): Rete Orti" in stdout
    assert "created 1, updated 0, unchanged 0" in stdout


def test_existing_themes_are_matched_by_name_or_slug_without_accents(site_tree):
    stdout, _stderr, error = run_import(line(themes=["Poverta educativa", "welfare-di-comunita"]))
    assert error is None
    page = GoodPracticePage.objects.get(slug="orto-condiviso")
    assert sorted(page.themes.values_list("slug", flat=True)) == ["poverta-educativa", "welfare-di-comunita"]
    assert "New themes" not in stdout


def test_changed_line_updates_the_page_with_a_new_revision(site_tree):
    run_import(line())
    stdout, _stderr, error = run_import(line(title="Orto condiviso del quartiere Aurora", sdgs=[11]))
    assert error is None
    assert "created 0, updated 1, unchanged 0" in stdout
    page = GoodPracticePage.objects.get(slug="orto-condiviso")
    assert page.title == "Orto condiviso del quartiere Aurora"
    assert list(page.sdgs.values_list("number", flat=True)) == [11]
    assert page.revisions.count() == 2


def test_dry_run_reports_and_writes_nothing(site_tree):
    pages_before = LibraryEntry.objects.count()
    themes_before = Theme.objects.count()
    stdout, _stderr, error = run_import(line(), line(slug="altro-orto"), dry_run=True)
    assert error is None
    assert "Dry run, nothing written. Would create 2, updated 0, unchanged 0." in stdout
    assert "New themes (1): orti urbani" in stdout
    assert LibraryEntry.objects.count() == pages_before
    assert Theme.objects.count() == themes_before
    assert not NetworkPage.objects.filter(title="Rete Orti").exists()


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("{not json", "line 2, field (line): is not valid JSON"),
        ("[1, 2]", "line 2, field (line): must be a JSON object"),
        (line(slug="b", sdgs=[18]), "line 2, field sdgs: 18 is not an SDG (1-17)"),
        (line(slug="b", sdgs="13"), "line 2, field sdgs: must be a list"),
        (line(slug="b", territories=["999999"]), 'line 2, field territories: "999999" is not an ISTAT territory code'),
        (line(slug="b", territories=[]), "line 2, field territories: at least one territory is required"),
        (line(slug="b", sdgs=[]), "line 2, field sdgs: at least one SDG is required"),
        (line(slug="b", title=""), "line 2, field title: is required"),
        (line(slug="b", type="blog_post"), "line 2, field type: must be one of"),
        (line(slug="Non Valido"), 'line 2, field slug: "Non Valido" must be lower-case'),
        (line(slug="b", year="2021"), "line 2, field year: must be a whole number"),
        (line(slug="b", year=2021, end_year=2019), "line 2, field end_year: 2019 is before the start year 2021"),
        (line(slug="b", colour="red"), "line 2, field colour: is not a field of good_practice"),
        (line(slug="b", locale="fr"), "line 2, field locale: must be one of en, it"),
        (line(slug="b", locale="en"), 'line 2, field locale: there is no "en" translation of the library index page'),
        (line(), 'line 2, field slug: "orto-condiviso" already appears on line 1'),
        (
            line(slug="b", type="case_study", practices=["non-esiste"]),
            'line 2, field practices: "non-esiste" is not a good practice',
        ),
        (line(slug="b", type="residency", city="001", sdgs=[4]), 'line 2, field city: "001" is a province'),
        (
            line(slug="b", type="training_module", programme="nessuno"),
            'line 2, field programme: no training programme with slug "nessuno"',
        ),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_written(site_tree, bad_line, expected):
    before = LibraryEntry.objects.count()
    _stdout, stderr, error = run_import(line(), bad_line)
    assert error is not None and "nothing was imported" in str(error)
    assert expected in stderr
    assert LibraryEntry.objects.count() == before


def test_every_bad_line_is_reported_not_just_the_first(site_tree):
    _stdout, stderr, error = run_import(line(sdgs=[0]), line(slug="b", territories=["X"]), line(slug="c"))
    assert error is not None
    assert stderr.splitlines() == [
        "line 1, field sdgs: 0 is not an SDG (1-17)",
        'line 2, field territories: "X" is not an ISTAT territory code',
    ]


def test_invalid_utf8_and_blank_lines(site_tree):
    importer = LibraryImport([line().encode(), b"", b"\xff\xfe broken"])
    report = importer.plan()
    assert [str(problem) for problem in report.problems] == ["line 3, field (line): is not valid UTF-8"]


def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="cannot read /nonexistent.jsonl"):
        call_command("import_library", "/nonexistent.jsonl")


def test_a_type_change_is_refused(site_tree):
    run_import(line())
    _stdout, stderr, error = run_import(line(type="case_study"))
    assert error is not None
    assert 'line 1, field type: "orto-condiviso" is already a good_practice, not a case_study' in stderr


def test_modules_residencies_and_case_studies_link_practices_of_later_lines(site_tree):
    from tests.factories import TrainingProgrammeFactory

    TrainingProgrammeFactory(
        parent=site_tree.home,
        slug="reti-solidali",
        macro_actions=[("macro_action", {"title": "Sostenibilità sociale", "description": ""})],
    )
    module_with_number_title = line(
        slug="m", type="training_module", programme="reti-solidali", sessions=[{"date": "2022-10-05", "title": 5}]
    )
    _stdout, stderr, error = run_import(module_with_number_title)
    assert 'line 1, field sessions: item 1: "title" must be text, not 5' in stderr
    module = line(
        slug="modulo-1",
        type="training_module",
        programme="reti-solidali",
        number=1,
        macro_action="Sostenibilità sociale",
        hub="nord",
        format="misto",
        duration="6 ore",
        objectives=["Leggere il territorio"],
        sessions=[{"date": "2022-10-05", "title": "Primo incontro"}],
        practices=[{"slug": "orto-condiviso", "note": "Un esempio di cura condivisa."}],
    )
    residency = line(
        slug="residenza-torino",
        type="residency",
        city="001272",
        start_date="2023-05-18",
        end_date="2023-05-20",
        host_network="Rete Orti",
        programme=[{"date": "2023-05-18", "title": "Arrivo", "description": "Visita all'orto"}],
        practices=[{"slug": "orto-condiviso", "note": "La prima tappa."}],
        participants_count=25,
    )
    case = line(slug="caso-orto", type="case_study", practices=["orto-condiviso"])
    _stdout, stderr, error = run_import(module, residency, case, line())
    assert error is None, stderr

    practice = GoodPracticePage.objects.get(slug="orto-condiviso")
    module_page = TrainingModulePage.objects.get(slug="modulo-1")
    assert [(link.practice, link.note) for link in module_page.practice_links.all()] == [
        (practice, "Un esempio di cura condivisa.")
    ]
    assert module_page.objective_list() == ["Leggere il territorio"]
    assert module_page.sessions[0].value["date"].isoformat() == "2022-10-05"
    residency_page = ResidencyPage.objects.get(slug="residenza-torino")
    assert residency_page.city == Territory.objects.get(code="001272")
    assert residency_page.host_network.title == "Rete Orti"
    assert practice.module_links.get().page.specific == module_page
    assert practice.residency_links.get().page.specific == residency_page
    assert practice.case_study_links.get().page.slug == "caso-orto"

    # The same file again is recognised as unchanged, type-specific fields included.
    stdout, _stderr, error = run_import(module, residency, case, line())
    assert "created 0, updated 0, unchanged 4" in stdout


def test_reimport_reads_existing_entries_in_batches(site_tree, monkeypatch):
    monkeypatch.setattr("importer.pipeline.EXISTING_BATCH", 2)
    lines = [line(slug=f"orto-{n}", title=f"Orto {n}") for n in range(5)]
    run_import(*lines)
    stdout, _stderr, error = run_import(*lines)
    assert error is None
    assert "created 0, updated 0, unchanged 5" in stdout


def test_key_figures_accept_numbers_as_values(site_tree):
    _stdout, stderr, error = run_import(line(key_figures=[{"value": 212, "label": "famiglie"}]))
    assert error is None, stderr
    page = GoodPracticePage.objects.get(slug="orto-condiviso")
    assert [dict(block.value) for block in page.key_figures] == [{"value": "212", "label": "famiglie"}]


def test_admin_edits_to_roles_and_notes_survive_an_update(site_tree):
    practice = line(slug="pratica")
    case = line(slug="caso", type="case_study", practices=["pratica"], organisations=["Comune di Chieri"])
    run_import(practice, case)
    page = CaseStudyPage.objects.get(slug="caso")
    page.organisation_links.update(role="capofila")
    page.documented_practices.update(note="La pratica nasce qui.")
    stdout, stderr, error = run_import(
        practice,
        line(
            slug="caso",
            type="case_study",
            practices=["pratica"],
            organisations=["Comune di Chieri"],
            title="Nuovo titolo",
        ),
    )
    assert error is None, stderr
    page = CaseStudyPage.objects.get(slug="caso")
    assert page.title == "Nuovo titolo"
    assert [link.role for link in page.organisation_links.all()] == ["capofila"]
    assert [link.note for link in page.documented_practices.all()] == ["La pratica nasce qui."]


def test_a_pending_draft_is_never_overwritten(site_tree):
    run_import(line())
    page = GoodPracticePage.objects.get(slug="orto-condiviso")
    page.contact_name = "Maria Rossi"
    page.save_revision()
    _stdout, stderr, error = run_import(line(title="Titolo nuovo"))
    assert error is not None
    assert 'line 1, field slug: "orto-condiviso" has a draft not yet published in the admin' in stderr
    assert GoodPracticePage.objects.get(slug="orto-condiviso").get_latest_revision_as_object().contact_name == (
        "Maria Rossi"
    )


def test_an_unpublished_entry_is_updated_but_stays_offline(site_tree):
    run_import(line())
    GoodPracticePage.objects.get(slug="orto-condiviso").unpublish()
    stdout, _stderr, error = run_import(line(title="Titolo nuovo"))
    assert error is None and "updated 1" in stdout
    page = GoodPracticePage.objects.get(slug="orto-condiviso")
    assert page.live is False and page.title == "Titolo nuovo"
    stdout, _stderr, _error = run_import(line(title="Titolo nuovo"))
    assert "unchanged 1" in stdout


def test_rich_text_rewritten_by_the_admin_still_counts_as_unchanged(site_tree):
    text = 'L\'orto "condiviso" & aperto.'
    run_import(line(body=text, sections={"context": text}))
    page = GoodPracticePage.objects.get(slug="orto-condiviso")
    page.body = [("paragraph", RichText('<p data-block-key="a1b2c">L\'orto "condiviso" &amp; <b>aperto</b>.</p>'))]
    page.context = '<p data-block-key="x9">L\'orto "condiviso" &amp; aperto.</p>'
    publish(page)
    stdout, _stderr, error = run_import(line(body=text, sections={"context": text}))
    assert "unchanged 1" in stdout


def test_new_organisations_are_searchable_in_the_admin(site_tree):
    run_import(line(organisations=["Cooperativa Arcobaleno"]))
    organisation = Organisation.objects.get(name="Cooperativa Arcobaleno")
    assert organisation in get_search_backend().autocomplete("Arcobal", Organisation)


def test_an_english_line_uses_the_translation_of_an_italian_network(site_tree):
    from wagtail.models import Locale

    run_import(line(networks=["Rete Orti"]))
    english = Locale.objects.get(language_code="en")
    home_en = site_tree.home.copy_for_translation(english)
    site_tree.library.copy_for_translation(english)
    site_tree.networks.copy_for_translation(english)
    _stdout, stderr, error = run_import(line(slug="orto-en", locale="en", networks=["Rete Orti"]))
    assert 'line 1, field networks: "Rete Orti" has no translation in this language yet' in stderr
    NetworkPage.objects.get(title="Rete Orti").copy_for_translation(english)
    _stdout, stderr, error = run_import(line(slug="orto-en", locale="en", networks=["Rete Orti"]))
    assert error is None, stderr
    page = GoodPracticePage.objects.get(slug="orto-en")
    assert page.locale == english and page.get_parent().locale == english and home_en.locale == english
    assert page.networks.get().locale == english
    assert NetworkPage.objects.filter(title="Rete Orti").count() == 2


def test_every_problem_of_every_line_is_reported(site_tree):
    """An editor fixing a file needs every bad field at once, not one per run."""
    before = LibraryEntry.objects.count()
    _stdout, stderr, error = run_import(
        line(sdgs=[0, 13, 99], territories=["X", "001272"], year="2021", colour="red", themes=["ok", 7]),
        line(slug="caso", type="case_study", title="", status="bogus", practices=[5, {"slug": "Non Valido"}]),
        line(slug="buona"),
        line(slug="Non Valido", locale="fr", key_figures=[{"value": "", "label": "famiglie"}, {"value": "3"}]),
        line(slug="buona", summary=""),
    )
    assert stderr.splitlines() == [
        "line 1, field colour: is not a field of good_practice",
        "line 1, field sdgs: 0 is not an SDG (1-17)",
        "line 1, field sdgs: 99 is not an SDG (1-17)",
        'line 1, field territories: "X" is not an ISTAT territory code',
        'line 1, field year: must be a whole number, not "2021"',
        "line 1, field themes: every item must be a str, not 7",
        "line 2, field title: is required",
        'line 2, field status: must be one of in_progettazione, in_corso, concluso, not "bogus"',
        'line 2, field practices: item 1 must be a slug or an object with "slug" and "note"',
        'line 2, field practices: item 2 needs the "slug" of a good practice',
        'line 4, field slug: "Non Valido" must be lower-case letters, digits and single hyphens',
        'line 4, field locale: must be one of en, it, not "fr"',
        'line 4, field key_figures: item 1 needs a non-empty "value"',
        'line 4, field key_figures: item 2 needs a non-empty "label"',
        "line 5, field summary: is required",
        'line 5, field slug: "buona" already appears on line 3',
    ]
    assert str(error) == "16 problem(s) found: nothing was imported."
    assert LibraryEntry.objects.count() == before


def test_every_entry_type_has_a_codec():
    assert {key: codec.model for key, codec in CODECS.items()} == ENTRY_TYPES


def test_link_problems_come_before_those_of_the_stored_entry(site_tree):
    run_import(line(slug="caso"))
    _stdout, stderr, error = run_import(line(slug="caso", type="case_study", practices=["nessuna"]))
    assert error is not None
    assert stderr.splitlines() == [
        'line 1, field practices: "nessuna" is not a good practice in this file or the library',
        'line 1, field type: "caso" is already a good_practice, not a case_study',
    ]


def without_ids(content):
    """A revision's content without what differs between two pages of the same content: ids (of the page,
    its rows and its blocks), slug, place in the tree."""
    if isinstance(content, str) and content.startswith("[{"):
        content = json.loads(content)  # a StreamField
    if isinstance(content, list):
        return [without_ids(item) for item in content]
    if isinstance(content, dict):
        volatile = {"pk", "id", "page", "path", "slug", "url_path", "translation_key"}
        return {key: without_ids(value) for key, value in content.items() if key not in volatile}
    return content


def test_new_entries_are_stored_as_add_child_and_publish_store_them(site_tree):
    """New entries are written in bulk: what Wagtail keeps for a page created and published one at a time
    (tree, revision, history, links in their language, reference index) is all there, the same."""
    case = line(slug="caso", type="case_study", practices=["orto-condiviso"], organisations=["Comune di Chieri"])
    _stdout, stderr, error = run_import(line(), case)
    assert error is None, stderr
    imported = CaseStudyPage.objects.get(slug="caso")

    # The same entry the slow way: add_child, then publish with a revision.
    by_hand = CaseStudyPage(slug="caso-a-mano", locale=imported.locale)
    state = CODECS["case_study"].existing_state(imported)
    refs = {
        "sdgs": {sdg.number: sdg for sdg in imported.sdgs.all()},
        "themes": {theme.slug: theme for theme in imported.themes.all()},
        "networks": {(network.locale_id, network.slug): network for network in imported.networks.all()},
        "organisations": {link.organisation.name: link.organisation for link in imported.organisation_links.all()},
        "territories": {link.territory.code: link.territory for link in imported.territory_links.all()},
        "practices": {(imported.locale_id, "orto-condiviso"): GoodPracticePage.objects.get().pk},
    }
    CODECS["case_study"].write(by_hand, state, refs)
    site_tree.library.add_child(instance=by_hand)
    publish(by_hand, clean=False)

    site_tree.library.refresh_from_db()
    assert site_tree.library.numchild == site_tree.library.get_children().count() == 3
    assert Page.find_problems() == ([], [], [], [], [])
    assert imported.url_path == site_tree.library.url_path + "caso/"
    for page in (imported, CaseStudyPage.objects.get(slug="caso-a-mano")):
        revision = page.revisions.get()
        assert page.live and not page.has_unpublished_changes
        assert page.latest_revision == page.live_revision == revision
        assert page.first_published_at and page.last_published_at and page.latest_revision_created_at
        actions = PageLogEntry.objects.filter(page=page).order_by("pk").values_list("action", "revision_id")
        assert list(actions) == [
            ("wagtail.create", None),
            ("wagtail.edit", revision.pk),
            ("wagtail.publish", revision.pk),
        ]
        assert page.documented_practices.get().locale_id == page.locale_id
    by_hand = CaseStudyPage.objects.get(slug="caso-a-mano")
    assert without_ids(imported.revisions.get().content) == without_ids(by_hand.revisions.get().content)
    assert imported.revisions.get().as_object().documented_practices.get().practice.slug == "orto-condiviso"

    references = ReferenceIndex.get_references_for_object(imported)
    paths = set(references.values_list("model_path", flat=True))
    assert {"documented_practices.item.practice", "organisation_links.item.organisation"} <= paths
    assert paths == set(ReferenceIndex.get_references_for_object(by_hand).values_list("model_path", flat=True))
    assert imported in get_search_backend().search("Orto condiviso", CaseStudyPage)


def test_entries_written_in_several_batches_take_the_next_places_under_their_parent(site_tree, monkeypatch):
    monkeypatch.setattr("importer.pipeline.WRITE_BATCH", 2)
    monkeypatch.setattr("importer.pipeline.EXISTING_BATCH", 2)
    run_import(line(slug="prima"))
    practices = [line(slug=f"pratica-{n}", title=f"Pratica {n}") for n in range(5)]
    cases = [line(slug=f"caso-{n}", type="case_study", practices=[f"pratica-{n}", "prima"]) for n in (0, 4)]
    stdout, stderr, error = run_import(*cases, *practices)
    assert error is None, stderr
    assert "created 7, updated 0, unchanged 0" in stdout
    site_tree.library.refresh_from_db()
    assert site_tree.library.numchild == 8
    assert Page.find_problems() == ([], [], [], [], [])
    for n in (0, 4):
        links = CaseStudyPage.objects.get(slug=f"caso-{n}").documented_practices.all()
        assert [link.practice.slug for link in links] == [f"pratica-{n}", "prima"]
    stdout, _stderr, _error = run_import(*cases, *practices)
    assert "created 0, updated 0, unchanged 7" in stdout
