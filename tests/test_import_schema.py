"""The import format has a JSON Schema (importer/import.schema.json): every file the project ships or makes
follows it, the importer takes its field names from it and refuses what it refuses, and docs/data.md
describes it."""

import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from importer import pipeline

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "importer" / "import.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_demo_library_and_generated_files_follow_the_schema(db):
    demo = json.loads((ROOT / "bootstrap" / "data" / "demo_library.json").read_text())
    for entry in demo["entries"]:
        assert not list(VALIDATOR.iter_errors(entry)), entry["slug"]
    out = io.StringIO()
    call_command("generate_library", "40", "--prefix", "schema", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 40
    for line in lines:
        assert not list(VALIDATOR.iter_errors(line)), line["slug"]


def test_the_importer_reads_its_fields_from_the_schema():
    assert set(SCHEMA["properties"]) == pipeline.COMMON_FIELDS
    assert pipeline.TYPE_FIELDS["good_practice"] == {"sections"}
    assert pipeline.TYPE_FIELDS["residency"] >= {"city", "start_date", "participants_count"}


GOOD = {
    "slug": "orto",
    "type": "good_practice",
    "title": "Orto",
    "summary": "Un orto.",
    "sdgs": [2],
    "territories": ["001272"],
}


@pytest.mark.parametrize(
    "changes",
    [
        {"sdgs": [18]},
        {"sdgs": "13"},
        {"type": "blog_post"},
        {"slug": "Non Valido"},
        {"year": "2021"},
        {"colour": "red"},
        {"locale": "fr"},
        {"title": ""},
        {"sections": {"preface": "x"}},
        {"key_figures": [{"value": "95"}]},
        {"type": "residency", "practices": [{"slug": "orto", "extra": 1}], "city": "001272"},
        {"type": "training_module"},  # no programme
    ],
)
def test_what_the_schema_refuses_the_importer_refuses(db, changes):
    line = {**GOOD, **changes}
    assert list(VALIDATOR.iter_errors(line)), "the schema accepts it"
    report = pipeline.LibraryImport([json.dumps(line)]).plan()
    assert report.problems, "the importer accepts it"


def test_schema_problems_name_the_field(db):
    line = {**GOOD, "sections": {"context": "Il contesto.", "lessons": None}}
    assert not list(VALIDATOR.iter_errors(line))
    assert not pipeline.LibraryImport([json.dumps(line)]).plan().problems
    problems = list(pipeline.schema_problems({**GOOD, "key_figures": [{"value": 3.5, "label": "ettari"}]}))
    assert problems and problems[0][0] == "key_figures"


def test_the_codebook_describes_every_field_of_the_import_and_the_exports():
    from opendata.exports import CODEBOOK, PLACE_CODEBOOK

    text = (ROOT / "docs" / "data.md").read_text()
    assert "importer/import.schema.json" in text
    fields = set(SCHEMA["properties"]) | {name for branch in SCHEMA["allOf"] for name in branch["then"]["properties"]}
    for name in sorted(fields) + [name for name, _meaning in CODEBOOK + PLACE_CODEBOOK]:
        assert f"`{name}`" in text, name
