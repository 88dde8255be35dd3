"""The red-line boundary the public sees: a GeoJSON Feature (or FeatureCollection) of bounded size.

It comes from the submission's claim-checked original (the proposal's red line before the property's title boundary,
as intake reads it) or from the newest accepted boundary-change request (`RedLineBoundaryChanged`). A submission may
carry a boundary of tens of thousands of vertices (intake accepts any within 6 MB), while the public record is read
on every search page: `public_boundary` keeps it under `BOUNDARY_BYTES` of JSON, first by rounding coordinates to
7 decimal places (about a centimetre), then by keeping every n-th vertex of each ring (rings stay closed, with at
least four positions). Features' `properties` are dropped (null): only the shape is public.
"""

from __future__ import annotations

from typing import Any

import orjson

BOUNDARY_BYTES = 16_384
DECIMALS = 7
_GEOMETRIES = ("Polygon", "MultiPolygon")


def _size(value: Any) -> int:
    return len(orjson.dumps(value))


def _rounded(coordinates: Any) -> Any:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        return [round(float(c), DECIMALS) for c in coordinates]
    return [_rounded(c) for c in coordinates] if isinstance(coordinates, list) else coordinates


def _thinned_ring(ring: list[Any], step: int) -> list[Any]:
    if step <= 1 or len(ring) <= 4:
        return ring
    kept = ring[:-1][::step]
    if len(kept) < 3:
        kept = ring[:3]
    return [*kept, kept[0]]


def _thinned(geometry: dict[str, Any], step: int) -> dict[str, Any]:
    coordinates = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        return {**geometry, "coordinates": [_thinned_ring(ring, step) for ring in coordinates]}
    return {**geometry, "coordinates": [[_thinned_ring(ring, step) for ring in polygon] for polygon in coordinates]}


def _geometry(value: Any) -> dict[str, Any] | None:
    """A Polygon or MultiPolygon with list coordinates, else None."""
    if not isinstance(value, dict) or value.get("type") not in _GEOMETRIES:
        return None
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list):
        return None
    return {"type": value["type"], "coordinates": orjson.loads(orjson.dumps(coordinates))}


def _features(value: dict[str, Any]) -> list[dict[str, Any]] | None:
    kind = value.get("type")
    if kind == "Feature":
        geometry = _geometry(value.get("geometry"))
        return [{"type": "Feature", "geometry": geometry, "properties": None}] if geometry else None
    if kind == "FeatureCollection" and isinstance(value.get("features"), list):
        found = [feature for item in value["features"] if isinstance(item, dict) for feature in _features(item) or ()]
        return found or None
    geometry = _geometry(value)
    return [{"type": "Feature", "geometry": geometry, "properties": None}] if geometry else None


def public_boundary(value: Any, limit: int = BOUNDARY_BYTES) -> dict[str, Any] | None:
    """`value` (a GeoJSON Feature, FeatureCollection, Polygon or MultiPolygon) as a Feature (a FeatureCollection
    when it was one) of at most `limit` bytes of JSON; None when it holds no polygon."""
    if not isinstance(value, dict):
        return None
    features = _features(value)
    if not features:
        return None

    def shaped(items: list[dict[str, Any]]) -> dict[str, Any]:
        return (
            {"type": "FeatureCollection", "features": items} if value.get("type") == "FeatureCollection" else items[0]
        )

    boundary = shaped(features)
    if _size(boundary) <= limit:
        return boundary
    features = [
        {**f, "geometry": {**f["geometry"], "coordinates": _rounded(f["geometry"]["coordinates"])}} for f in features
    ]
    step = 1
    while True:
        thinned = shaped([{**f, "geometry": _thinned(f["geometry"], step)} for f in features])
        if _size(thinned) <= limit:
            return thinned
        if step > _positions(features):  # every ring is down to four positions: too many polygons to show
            return None
        step *= 2


def _positions(features: list[dict[str, Any]]) -> int:
    return len(orjson.dumps([f["geometry"]["coordinates"] for f in features]))
