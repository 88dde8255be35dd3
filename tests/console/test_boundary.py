"""The red-line boundary's drawing (`console.boundary`): projected, scaled into its box with north up, described (the
polygons, vertices and area), bounded for huge boundaries, and nothing drawn from what is not a polygon."""

from __future__ import annotations

import json
import math
import re

import pytest

from services.assessment.console.boundary import (
    HEIGHT,
    MAX_POINTS,
    WIDTH,
    boundary_drawing,
    original_boundary,
    polygons_of,
    submitted_boundary,
)
from shared import reference_data

PATH = re.compile(r"^(M[0-9.]+ [0-9.]+( L[0-9.]+ [0-9.]+)* Z ?)+$")


def square(west: float, south: float, side: float) -> list[list[float]]:
    return [[west, south], [west + side, south], [west + side, south + side], [west, south + side], [west, south]]


def drawn_points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"([0-9.]+) ([0-9.]+)", path)]


def test_the_example_s_boundary_is_drawn_in_its_box_with_north_up_and_described():
    example = json.loads(
        (reference_data.odp_examples_dir() / "application/planningPermission/fullHouseholder.json").read_text()
    )
    drawing = boundary_drawing(*submitted_boundary(example))
    assert drawing is not None and drawing.polygons == 1 and drawing.vertices == 4 and drawing.drawn == 4
    assert drawing.area_given and drawing.area_m2 == pytest.approx(125.92)
    assert "1 polygon with 4 vertices" in drawing.description and "125.9 square metres" in drawing.description
    assert PATH.match(drawing.path), drawing.path
    points = drawn_points(drawing.path)
    assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in points)
    # The example's second vertex is its northernmost: the smallest y (north is up).
    assert min(points, key=lambda point: point[1]) == points[1]


def test_the_area_is_calculated_when_not_given_and_holes_are_taken_out():
    side = 0.001  # degrees: about 69 m east-west and 111 m north-south at 51.5°N
    expected = (6_371_008.8 * math.pi / 180 * side) ** 2 * math.cos(math.radians(51.5 + side / 2))
    drawing = boundary_drawing({"type": "Polygon", "coordinates": [square(-0.1, 51.5, side)]})
    assert drawing is not None and not drawing.area_given
    assert drawing.area_m2 == pytest.approx(expected, rel=1e-3)
    assert "calculated from the boundary" in drawing.description
    hole = square(-0.1 + side / 4, 51.5 + side / 4, side / 2)
    with_hole = boundary_drawing({"type": "Polygon", "coordinates": [square(-0.1, 51.5, side), hole]})
    assert with_hole is not None and with_hole.area_m2 == pytest.approx(expected * 0.75, rel=1e-3)
    assert with_hole.path.count("M") == 2 and with_hole.vertices == 8


def test_features_collections_and_multipolygons_are_read_and_the_rest_is_not_drawn():
    polygon = {"type": "Polygon", "coordinates": [square(0, 0, 0.001)]}
    multi = {"type": "MultiPolygon", "coordinates": [[square(0, 0, 0.001)], [square(0.002, 0, 0.001)]]}
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": polygon}, {"type": "Feature", "geometry": multi}],
    }
    assert len(polygons_of({"type": "Feature", "geometry": polygon})) == 1
    assert len(polygons_of(collection)) == 3
    drawing = boundary_drawing(multi)
    assert drawing is not None and "2 polygons with 8 vertices" in drawing.description
    for nothing in (
        None,
        {},
        "x",
        {"type": "Point", "coordinates": [0, 0]},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, "a"], [float("nan"), 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [0, 95], [0, 0]]]},
    ):
        assert boundary_drawing(nothing) is None, nothing
    # Bad positions are left out; what remains is drawn.
    mixed = {"type": "Polygon", "coordinates": [[[0, 0], [0.001, 0], [True, 1], [0.001, 0.001], [0, 0.001], [0, 0]]]}
    drawn = boundary_drawing(mixed)
    assert drawn is not None and drawn.vertices == 4


def test_a_huge_boundary_is_drawn_with_at_most_max_points_vertices():
    n = 20_000
    circle = [[0.01 * math.cos(2 * math.pi * i / n), 51 + 0.01 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    drawing = boundary_drawing({"type": "Polygon", "coordinates": [[*circle, circle[0]]]})
    assert drawing is not None and drawing.vertices == n and 3 <= drawing.drawn <= MAX_POINTS
    assert f"Drawn with {drawing.drawn:,} of its vertices" in drawing.description
    assert len(drawn_points(drawing.path)) == drawing.drawn
    many = {"type": "MultiPolygon", "coordinates": [[square(i * 0.01, 0, 0.001)] for i in range(2_000)]}
    drawing = boundary_drawing(many)
    assert drawing is not None and drawing.polygons == 2_000 and drawing.drawn <= MAX_POINTS


def test_the_property_s_boundary_when_the_proposal_has_none_and_an_unreadable_original_draws_nothing():
    site = {"type": "Polygon", "coordinates": [square(0, 0, 0.001)]}
    payload = {"data": {"property": {"boundary": {"site": site, "area": {"squareMetres": 12}}}, "proposal": {}}}
    assert submitted_boundary(payload) == (site, 12.0)
    assert submitted_boundary({"data": {}}) == (None, None)

    def missing(key: str) -> bytes:
        from shared.documents import DocumentNotFound

        raise DocumentNotFound(key)

    assert original_boundary(missing, "DEMO/none/original.json") is None
    assert original_boundary(lambda key: b"not json", "DEMO/bad/original.json") is None
    read = []
    original = json.dumps(payload).encode()
    assert original_boundary(lambda key: read.append(key) or original, "DEMO/ok/original.json") is not None
    assert original_boundary(lambda key: read.append(key) or original, "DEMO/ok/original.json") is not None
    assert read == ["DEMO/ok/original.json"]  # read once: the original never changes
