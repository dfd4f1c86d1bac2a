"""A selection of the library taken away: CSV (UTF-8 with a byte-order mark, so that Excel and LibreOffice read
the accents), JSON and GeoJSON (a point per place of each entry), streamed in chunks so that 100,000 rows
never sit in memory, each with its licence and attribution. Functions of an iterable of entries and a
description of the selection: the library's pages, the search page and the API hand them their selection.
The columns are described in docs/data.md (CODEBOOK below is its source)."""

import csv
import gc
import json
from datetime import date, datetime

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .batches import batches
from .licence import attribution, licence
from .records import RecordBuilder

CHUNK = 500
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "geojson": "application/geo+json; charset=utf-8",
}


def joined(items, key):
    return "|".join(str(item[key]) for item in items if item.get(key) not in (None, ""))


# (column, description) of every exported field, in order: the CSV's header, the JSON's and GeoJSON's keys.
CODEBOOK = [
    ("id", _("Identificativo della voce (stabile; lo stesso nell'API: /api/v2/pages/<id>/).")),
    ("type", _("Tipo: good_practice, case_study, residency, training_module.")),
    ("type_label", _("Tipo, nella lingua del lettore.")),
    ("title", _("Titolo.")),
    ("summary", _("Sommario.")),
    ("language", _("Lingua della voce (it, en).")),
    ("in_other_language", _("Vero quando la voce non è tradotta nella lingua della pagina ed è mostrata in italiano.")),
    ("url", _("Indirizzo della scheda sul sito.")),
    ("api_url", _("Indirizzo della voce nell'API, con tutto il contenuto.")),
    ("year", _("Anno di avvio.")),
    ("end_year", _("Anno di conclusione.")),
    ("status", _("Stato: in_progettazione, in_corso, concluso.")),
    ("first_published_at", _("Prima pubblicazione (ISO 8601).")),
    ("last_published_at", _("Ultima pubblicazione (ISO 8601).")),
    ("sdgs", _("Obiettivi di sviluppo sostenibile, per numero (1-17).")),
    ("sdg_names", _("Nomi brevi degli obiettivi, nella lingua del lettore.")),
    ("territories", _("Territori, per codice ISTAT (ripartizione M1-M5, regione, provincia, comune).")),
    ("territory_names", _("Nomi dei territori.")),
    ("regions", _("Codici ISTAT delle regioni in cui si trovano i territori.")),
    ("themes", _("Temi, per slug.")),
    ("theme_names", _("Nomi dei temi, nella lingua del lettore (in italiano se non tradotti).")),
    ("networks", _("Reti, per slug della pagina originale.")),
    ("network_titles", _("Nomi delle reti.")),
    ("organisations", _("Organizzazioni promotrici.")),
    ("key_figures", _("Dati chiave, «valore descrizione».")),
    ("contact_name", _("Referente pubblico.")),
    ("contact_email", _("Email pubblica del referente.")),
    ("contact_url", _("Sito o pagina di contatto.")),
]
PLACE_CODEBOOK = [
    ("place_code", _("GeoJSON: codice ISTAT del territorio del punto.")),
    ("place_name", _("GeoJSON: nome del territorio del punto.")),
    ("place_level", _("GeoJSON: livello del territorio (macroarea, region, province, municipality).")),
]


def flat(record):
    """The record as the exports' columns: lists joined with "|" for CSV, kept as lists for JSON."""
    return {
        "id": record["id"],
        "type": record["type"],
        "type_label": record["type_label"],
        "title": record["title"],
        "summary": record["summary"],
        "language": record["language"],
        "in_other_language": record["in_other_language"],
        "url": record["url"],
        "api_url": record["api_url"],
        "year": record["year"],
        "end_year": record["end_year"],
        "status": record["status"],
        "first_published_at": record["first_published_at"],
        "last_published_at": record["last_published_at"],
        "sdgs": [sdg["number"] for sdg in record["sdgs"]],
        "sdg_names": [sdg["name"] for sdg in record["sdgs"]],
        "territories": [place["code"] for place in record["territories"]],
        "territory_names": [place["name"] for place in record["territories"]],
        "regions": sorted({place["region_code"] for place in record["territories"]} - {""}),
        "themes": [theme["slug"] for theme in record["themes"]],
        "theme_names": [theme["name"] for theme in record["themes"]],
        "networks": [network["slug"] for network in record["networks"]],
        "network_titles": [network["title"] for network in record["networks"]],
        "organisations": [organisation["name"] for organisation in record["organisations"]],
        "key_figures": [f"{figure['value']} {figure['label']}".strip() for figure in record["key_figures"]],
        "contact_name": record["contact"]["name"],
        "contact_email": record["contact"]["email"],
        "contact_url": record["contact"]["url"],
    }


def records_of(entries, request, language):
    """(entry, record) for `entries`, built a batch at a time: each batch is read by its own query (keyset
    pagination, opendata/batches.py) and dropped before the next is read, so memory stays flat whatever the
    selection."""
    builder = RecordBuilder(request=request, language=language, images=False)
    for batch in batches(entries, CHUNK):
        records = builder.build(batch)
        for entry in batch:
            yield entry, records[entry.pk]
        # Not kept while the next batch is read. The instances hold reference cycles (a prefetched link points
        # back at its entry), which only the cyclic collector frees: left to its own pace, several batches of
        # garbage pile up in the oldest generation, and the peak grows with the selection.
        del batch, records
        gc.collect()


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def dumps(value):
    return json.dumps(value, ensure_ascii=False, default=_json_default)


class Echo:
    """csv.writer's file: each row written is handed back as a string."""

    def write(self, value):
        return value


def csv_rows(entries, description, request, language, source_url):
    writer = csv.writer(Echo(), delimiter=";" if language == "it" else ",")
    # The byte-order mark tells Excel the file is UTF-8 (without it, "Comunità" reads "ComunitÃ ").
    yield "\ufeff" + writer.writerow([f"{description} — {attribution(source_url)}"])
    yield writer.writerow([name for name, _description in CODEBOOK])
    for _entry, record in records_of(entries, request, language):
        row = flat(record)
        yield writer.writerow(
            [
                "|".join(str(item) for item in value)
                if isinstance(value, list)
                else (value.isoformat() if isinstance(value, datetime) else "" if value is None else value)
                for value in row.values()
            ]
        )


def _header(description, source_url):
    return {
        "title": str(description),
        "source": source_url,
        "licence": licence(),
        "attribution": attribution(source_url),
        "generated_at": timezone.now(),
    }


def json_chunks(entries, description, request, language, source_url):
    header = dumps(_header(description, source_url))
    yield header[:-1] + ', "entries": ['
    count = 0
    for _entry, record in records_of(entries, request, language):
        yield ("," if count else "") + "\n" + dumps(flat(record))
        count += 1
    yield f'\n], "count": {count}}}\n'


def geojson_chunks(entries, description, request, language, source_url):
    """A FeatureCollection with a feature per entry and place: a point where the territory has coordinates
    (RFC 7946: longitude first), no geometry where it has none (the macro-areas) or the entry has no place."""
    header = dumps({"type": "FeatureCollection", **_header(description, source_url)})
    yield header[:-1] + ', "features": ['
    count = 0
    for _entry, record in records_of(entries, request, language):
        properties = flat(record)
        places = record["territories"] or [None]
        for place in places:
            geometry = None
            if place and place["latitude"] is not None and place["longitude"] is not None:
                geometry = {"type": "Point", "coordinates": [place["longitude"], place["latitude"]]}
            feature = {
                "type": "Feature",
                "id": f"{record['id']}-{place['code']}" if place else str(record["id"]),
                "geometry": geometry,
                "properties": properties
                | {
                    "place_code": place["code"] if place else None,
                    "place_name": place["name"] if place else None,
                    "place_level": place["level"] if place else None,
                },
            }
            yield ("," if count else "") + "\n" + dumps(feature)
            count += 1
    yield "\n]}\n"


WRITERS = {"csv": csv_rows, "json": json_chunks, "geojson": geojson_chunks}


def export_response(fmt, entries, description, request, language, filename="libreria"):
    """A streamed download of `entries` (a queryset, iterated in chunks) in `fmt`."""
    source_url = request.build_absolute_uri()
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in WRITERS[fmt](entries, description, request, language, source_url)),
        content_type=FORMATS[fmt],
    )
    name = slugify(filename)[:80] or "libreria"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Link"] = f'<{licence()["url"]}>; rel="license"'
    response["X-Robots-Tag"] = "noindex"
    return response
