"""Italy as an SVG drawn on the server: regions shaded by how many entries they hold, and a marker where
entries are placed. No tile server, no third-party request, and it works with JavaScript off."""

import heapq
import json
import math
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.html import format_html_join

BOUNDS = {"west": 6.5, "east": 18.6, "south": 35.4, "north": 47.2}
WIDTH = 600
# Longitudes shrink with latitude; at Italy's middle a degree east is about 0.74 of a degree north.
X_SCALE = math.cos(math.radians(42))
SCALE = WIDTH / ((BOUNDS["east"] - BOUNDS["west"]) * X_SCALE)
HEIGHT = round((BOUNDS["north"] - BOUNDS["south"]) * SCALE)
SHADES = 5
MAX_MARKERS = 300


def project(latitude, longitude):
    x = (longitude - BOUNDS["west"]) * X_SCALE * SCALE
    y = (BOUNDS["north"] - latitude) * SCALE
    return round(x, 1), round(y, 1)


def _ring_path(ring):
    points, last = [], None
    for longitude, latitude in ring:
        point = tuple(round(v) for v in project(latitude, longitude))
        if point != last:
            points.append(point)
            last = point
    if len(points) < 3:
        return ""
    return "M" + "L".join(f"{x} {y}" for x, y in points) + "Z"


@lru_cache(maxsize=1)
def region_shapes():
    """{region code: (name, SVG path)}, computed once per process from the vendored boundaries."""
    path = settings.BASE_DIR / "static" / "data" / "regions.geojson"
    shapes = {}
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        d = "".join(_ring_path(ring) for polygon in polygons for ring in polygon)
        shapes[feature["properties"]["code"]] = (feature["properties"]["name"], d)
    return shapes


def catalogue_map(catalogue, bits, link=None):
    """What templates/components/italy_map.html draws for the entries `bits` of the library's catalogue
    (library/catalogue.py), without a query: the regions shaded by their entries, a marker for each of the
    MAX_MARKERS places holding the most. `link(region code)` is where a region leads."""
    by_region = catalogue.counts(bits, "region")
    largest = max(by_region.values(), default=0)
    regions = []
    for code, (name, d) in sorted(region_shapes().items()):
        count = by_region.get(code, 0)
        shade = 0 if not count else 1 + min(SHADES - 1, int((SHADES - 1) * count / largest))
        regions.append(
            {"code": code, "name": name, "d": d, "count": count, "shade": shade, "url": link(code) if link else ""}
        )
    # The markers' labels are in the active language (a province's "(provincia)", English names).
    key = ("map markers", translation.get_language(), bits)
    markers, drawn_markers = catalogue.kept(key, lambda: _markers(catalogue, bits))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "regions": regions,
        "markers": markers,
        "drawn_markers": drawn_markers,
        "shades": range(SHADES + 1),
        "total": sum(by_region.values()),
    }


def _markers(catalogue, bits):
    """([marker], their SVG) of the places of `bits` holding the most entries: 5 ms at 10,000 entries, kept by
    the catalogue for the selections asked again."""
    counts = catalogue.linked_counts(bits, catalogue.located)
    # Tuples compared in C: a key function called for each of thousands of places costs milliseconds.
    markers = []
    for negative, code in heapq.nsmallest(MAX_MARKERS, ((-n, code) for code, n in counts.items())):
        territory, count = catalogue.territories[code], -negative
        x, y = project(territory.latitude, territory.longitude)
        markers.append(
            {"x": x, "y": y, "r": round(min(9, 2.5 + math.sqrt(count)), 1), "label": str(territory), "count": count}
        )
    # The markers as SVG here rather than in the template: up to 300 of them, five template lookups each,
    # were a quarter of a listing's rendering.
    drawn = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}"><title>{}: {}</title></circle>',
        ((m["x"], m["y"], m["r"], m["label"], m["count"]) for m in markers),
    )
    return markers, drawn
