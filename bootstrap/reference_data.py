"""Loads the SDGs, the ISTAT territories and the base themes from bootstrap/data/ into the database.

Idempotent and fast: rows are compared with what is stored and only new or changed rows are written, in
bulk, level by level (a territory's parent must exist before it).
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from core.text import fold
from pagecache.generation import changed as page_cache_changed
from practices.models import SDG, Territory, Theme

DATA_DIR = Path(__file__).resolve().parent / "data"
LEVELS = ["macroarea", "region", "province", "municipality"]


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def add(self, name, created, updated):
        self.created[name] = self.created.get(name, 0) + created
        self.updated[name] = self.updated.get(name, 0) + updated

    @property
    def changed(self):
        return any(self.created.values()) or any(self.updated.values())


def read_csv(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sync_rows(model, key, wanted, report, name):
    """Create the rows of `wanted` (key -> field values) that are missing and update those that differ."""
    existing = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": list(wanted)})}
    to_create, to_update, changed_fields = [], [], set()
    for value, fields in wanted.items():
        obj = existing.get(value)
        if obj is None:
            to_create.append(model(**{key: value}, **fields))
            continue
        differing = {name for name, new in fields.items() if getattr(obj, name) != new}
        if differing:
            for name_ in differing:
                setattr(obj, name_, fields[name_])
            changed_fields |= differing
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=1000)
    report.add(name, len(to_create), len(to_update))


def load_sdgs(report):
    wanted = {
        int(row["number"]): {
            "colour": row["colour"],
            "short_it": row["short_it"],
            "short_en": row["short_en"],
            "title_it": row["title_it"],
            "title_en": row["title_en"],
        }
        for row in read_csv("sdgs.csv")
    }
    sync_rows(SDG, "number", wanted, report, "sdgs")


def _number(text, kind):
    return kind(text) if text not in ("", None) else None


def load_territories(report):
    rows = read_csv("territories.csv")
    english = {row["code"]: row["name_en"] for row in read_csv("territory_names_en.csv")}
    by_code = {row["code"]: row for row in rows}

    def ancestors(row):
        codes = {"macroarea": "", "region": "", "province": ""}
        current = row
        while current:
            if current["level"] in codes:
                codes[current["level"]] = current["code"]
            current = by_code.get(current["parent"])
        return codes

    ids = {}
    for level in LEVELS:
        wanted = {}
        for row in (r for r in rows if r["level"] == level):
            codes = ancestors(row)
            name_en = english.get(row["code"], "")
            wanted[row["code"]] = {
                "level": level,
                "name": row["name"],
                "name_en": name_en,
                "name_other": row["name_other"],
                "name_folded": fold(" ".join(filter(None, [row["name"], row["name_other"], name_en]))),
                "parent_id": ids.get(row["parent"]),
                "macroarea_code": codes["macroarea"],
                "region_code": codes["region"],
                "province_code": codes["province"],
                "sigla": row["sigla"],
                "cadastral": row["cadastral"],
                "nuts3": row["nuts3"],
                "population": _number(row["population"], int),
                "latitude": _number(row["lat"], float),
                "longitude": _number(row["lon"], float),
                "is_capital": row["capital"] == "1",
            }
        sync_rows(Territory, "code", wanted, report, "territories")
        ids.update(Territory.objects.filter(level=level).values_list("code", "id"))


def load_themes(report):
    wanted = {row["slug"]: {"name_it": row["name_it"], "name_en": row["name_en"]} for row in read_csv("themes.csv")}
    # Themes belong to editors once created: add the missing ones, never overwrite their edits.
    existing = set(Theme.objects.filter(slug__in=list(wanted)).values_list("slug", flat=True))
    missing = [Theme(slug=slug, **fields) for slug, fields in wanted.items() if slug not in existing]
    Theme.objects.bulk_create(missing)
    report.add("themes", len(missing), 0)


@transaction.atomic
def load_reference_data():
    report = LoadReport()
    load_sdgs(report)
    load_territories(report)
    load_themes(report)
    # Bulk writes send no save signals: the page cache is told here (goals, places and themes are on every page).
    page_cache_changed()
    return report
