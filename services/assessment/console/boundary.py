"""The red-line boundary on the application page: an accessible static drawing of the submitted GeoJSON.

The boundary's geometry is not in `PlanningApplicationSubmitted` (only its area is): it is read from the claim-checked
original the event names (`payload_key`), once per process for each original (they never change). `boundary_drawing`
is a pure function: the polygons' coordinates (longitude, latitude) projected onto a local plane (equirectangular
about the boundary's middle latitude: exact enough for a site), scaled into a fixed box with north up, and drawn as
one SVG path; a boundary of more than `MAX_POINTS` vertices is drawn with an evenly spaced `MAX_POINTS` of them at
most, so a 20,000-vertex boundary costs the page no more than a small one. The page gives the drawing `role="img"`, a
title and a description (the number of polygons and vertices, and the area), and the same words as text beside it.
Only SVG presentation attributes style it: the page's Content-Security-Policy allows no inline style.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_POINTS = 500  # vertices drawn at most, whatever the boundary's size
WIDTH, HEIGHT, MARGIN = 480, 320, 16  # the drawing's box, in SVG user units
EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
CACHE_SIZE = 256  # originals whose drawing a process keeps

Point = tuple[float, float]
Ring = list[Point]


@dataclass(frozen=True)
class BoundaryDrawing:
    path: str  # SVG path data (every ring, drawn with fill-rule evenodd so holes are holes)
    width: int
    height: int
    polygons: int
    vertices: int  # in the submitted boundary
    drawn: int  # vertices drawn (fewer than `vertices` when it was simplified)
    area_m2: float
    area_given: bool  # the submission states the area; otherwise it is calculated from the polygons

    @property
    def description(self) -> str:
        polygons = "1 polygon" if self.polygons == 1 else f"{self.polygons:,} polygons"
        vertices = "1 vertex" if self.vertices == 1 else f"{self.vertices:,} vertices"
        area = f"{self.area_m2:,.1f} square metres ({self.area_m2 / 10_000:,.4f} hectares)"
        stated = "as submitted" if self.area_given else "calculated from the boundary"
        drawn = f" Drawn with {self.drawn:,} of its vertices." if self.drawn < self.vertices else ""
        return (
            f"The site's red-line boundary: {polygons} with {vertices}, enclosing {area}, {stated}. North is up.{drawn}"
        )


def _position(value: Any) -> Point | None:
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        return None
    longitude, latitude = value[0], value[1]
    if isinstance(longitude, bool) or isinstance(latitude, bool):
        return None
    if not isinstance(longitude, (int, float)) or not isinstance(latitude, (int, float)):
        return None
    if not (math.isfinite(longitude) and math.isfinite(latitude)) or abs(longitude) > 180 or abs(latitude) > 90:
        return None
    return float(longitude), float(latitude)


def _ring(value: Any) -> Ring:
    points = [point for point in map(_position, value if isinstance(value, list) else []) if point is not None]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()  # GeoJSON closes each ring by repeating its first position
    return points if len(points) >= 3 else []


def _polygon(coordinates: Any) -> list[Ring]:
    rings = [_ring(ring) for ring in (coordinates if isinstance(coordinates, list) else [])]
    return [ring for ring in rings if ring] if rings and rings[0] else []


def polygons_of(geojson: Any) -> list[list[Ring]]:
    """The polygons (each an outer ring and its holes) of a GeoJSON Feature, FeatureCollection, Polygon or
    MultiPolygon; positions that are not a valid longitude and latitude are left out."""
    if not isinstance(geojson, dict):
        return []
    kind = geojson.get("type")
    if kind == "Feature":
        return polygons_of(geojson.get("geometry"))
    if kind == "FeatureCollection":
        features = geojson.get("features")
        return [
            polygon for feature in (features if isinstance(features, list) else []) for polygon in polygons_of(feature)
        ]
    if kind == "Polygon":
        polygon = _polygon(geojson.get("coordinates"))
        return [polygon] if polygon else []
    if kind == "MultiPolygon":
        coordinates = geojson.get("coordinates")
        found = [_polygon(item) for item in (coordinates if isinstance(coordinates, list) else [])]
        return [polygon for polygon in found if polygon]
    return []


def _shoelace(ring: Iterable[Point]) -> float:
    points = list(ring)
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))


def boundary_drawing(
    geojson: Any, area_m2: float | None = None, max_points: int = MAX_POINTS
) -> BoundaryDrawing | None:
    """The drawing of a boundary, or None when it has no polygon to draw. `area_m2`: the area the submission states
    (else it is calculated)."""
    polygons = polygons_of(geojson)
    if not polygons:
        return None
    latitudes = [latitude for polygon in polygons for ring in polygon for _, latitude in ring]
    middle = math.radians((min(latitudes) + max(latitudes)) / 2)
    scale_x, scale_y = EARTH_RADIUS_M * math.cos(middle) * math.pi / 180, EARTH_RADIUS_M * math.pi / 180
    projected = [[[(lon * scale_x, lat * scale_y) for lon, lat in ring] for ring in polygon] for polygon in polygons]
    calculated = sum(
        abs(_shoelace(polygon[0])) - sum(abs(_shoelace(hole)) for hole in polygon[1:]) for polygon in projected
    )
    vertices = sum(len(ring) for polygon in projected for ring in polygon)
    stride = max(1, math.ceil(vertices / max_points))
    kept: list[Ring] = []
    budget = max_points
    for polygon in projected:
        for ring in polygon:
            sample = ring[::stride]
            if len(sample) >= 3 and len(sample) <= budget:
                kept.append(sample)
                budget -= len(sample)
    if not kept:  # more rings than the budget allows at this stride: the largest outer ring alone
        largest = max((polygon[0] for polygon in projected), key=lambda ring: abs(_shoelace(ring)))
        kept = [largest[:: max(1, math.ceil(len(largest) / max_points))][:max_points]]
    xs = [x for ring in kept for x, _ in ring]
    ys = [y for ring in kept for _, y in ring]
    across, up = max(xs) - min(xs), max(ys) - min(ys)
    factors = [room / size for room, size in ((WIDTH - 2 * MARGIN, across), (HEIGHT - 2 * MARGIN, up)) if size > 0]
    factor = min(factors, default=1.0)
    left, top = (WIDTH - across * factor) / 2, (HEIGHT - up * factor) / 2

    def drawn(point: Point) -> str:
        x, y = point
        return f"{left + (x - min(xs)) * factor:.1f} {top + (max(ys) - y) * factor:.1f}"

    path = " ".join("M" + " L".join(drawn(point) for point in ring) + " Z" for ring in kept)
    given = area_m2 is not None and math.isfinite(area_m2) and area_m2 >= 0
    return BoundaryDrawing(
        path=path,
        width=WIDTH,
        height=HEIGHT,
        polygons=len(polygons),
        vertices=vertices,
        drawn=sum(len(ring) for ring in kept),
        area_m2=float(area_m2) if given and area_m2 is not None else calculated,
        area_given=given,
    )


def submitted_boundary(payload: Any) -> tuple[Any, float | None]:
    """The red line of an ODP submission (any format): the proposal's boundary, else the property's; and the area in
    square metres it states."""
    data = payload.get("data") if isinstance(payload, dict) else None
    data = data if isinstance(data, dict) else {}
    for part in ("proposal", "property"):
        section = data.get(part)
        boundary = section.get("boundary") if isinstance(section, dict) else None
        if isinstance(boundary, dict) and isinstance(boundary.get("site"), dict):
            area = boundary.get("area")
            square_metres = area.get("squareMetres") if isinstance(area, dict) else None
            number = (
                square_metres
                if isinstance(square_metres, (int, float)) and not isinstance(square_metres, bool)
                else None
            )
            return boundary["site"], float(number) if number is not None else None
    return None, None


_drawings: OrderedDict[str, BoundaryDrawing | None] = OrderedDict()
_lock = threading.Lock()


def original_boundary(read_original: Any, payload_key: str) -> BoundaryDrawing | None:
    """The drawing of the boundary in the original stored under `payload_key` (`read_original(key) -> bytes`); None
    when it has none or cannot be read. Kept for the process's next pages (the original never changes)."""
    with _lock:
        if payload_key in _drawings:
            _drawings.move_to_end(payload_key)
            return _drawings[payload_key]
    import orjson

    from shared.documents import DocumentNotFound

    try:
        drawing = boundary_drawing(*submitted_boundary(orjson.loads(read_original(payload_key))))
    except (DocumentNotFound, ValueError):  # a missing or unreadable original: the page says there is no drawing
        from shared.observability import logger

        logger.warning("the submission's boundary could not be read", extra={"payload_key": payload_key})
        drawing = None
    with _lock:
        _drawings[payload_key] = drawing
        while len(_drawings) > CACHE_SIZE:
            _drawings.popitem(last=False)
    return drawing
