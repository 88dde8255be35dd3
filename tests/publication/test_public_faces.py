"""What both public faces (ODP `@next` and BOPS-compatible v2) must do alike, through `bops serve`: cache published
files no longer than their answers, refuse the same bad parameters (each in its own error shape), and find an
application by its reference typed in full or in part; and the ODP face's 404 for an unknown specialist.

The records are put in the public register directly (the projection that writes them has its own tests)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from services.publication.read_model.wiring import public_register
from shared import wiring
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)
from tests.publication.register_contract import application
from tests.publication.register_contract import determined as determined_application

pytestmark = pytest.mark.slow

ODP = "/api/@next/public/applications"
BOPS = "/api/v2/public/planning_applications"
DEMO = {"x-client": "demo"}


@pytest.fixture
def register(served: Served):  # noqa: F811
    deps = wiring.dependencies()
    store = public_register(deps)
    determined = determined_application()
    records = [
        determined,
        application(2, site=replace(determined.site, address="2 Orchard Road", postcode="EX9 9ZZ")),
        application(3, application_type="ldc.proposed", reference="26-00003-LDCP"),
        application(12, reference="26-00012-HAPP"),
        application(1, council="LBH", description="A shed"),
    ]
    for record in records:
        assert store.put(record, [])
    deps.documents.put("DEMO/26-00001-HAPP/plan-redacted.pdf", b"%PDF-1.4 redacted", "application/pdf")
    deps.documents.put("DEMO/26-00001-HAPP/notice.html", b"<html><body>Granted</body></html>", "text/html")
    return served


def get(served: Served, path: str, **headers: str) -> tuple[int, Any, Any]:  # noqa: F811
    return served.client.request("GET", path, headers=headers)


def test_published_files_are_cached_on_both_faces_no_longer_than_their_answers(register):
    """An officer may withdraw a published file at any moment: neither face lets a shared cache keep it (or the
    decision notice) longer than a search answer."""
    paths = (
        f"{BOPS}/26-00001-HAPP/documents/doc-1",
        f"{BOPS}/26-00001-HAPP/decision_notice",
        f"{ODP}/26-00001-HAPP/documents/doc-1/file",
    )
    for path in paths:
        status, headers, _ = get(register, path, **DEMO)
        assert status == 200, path
        assert headers["Cache-Control"] == "public, max-age=60", path
    assert get(register, f"{BOPS}/search", **DEMO)[1]["Cache-Control"] == "public, max-age=60"


def test_an_unknown_specialist_is_not_found_on_the_odp_face(register):
    """No specialist comments are recorded yet, so no specialist id exists: 404 in ODP's refusal shape, not an empty
    page that says the specialist is there (the application itself must exist too)."""
    status, headers, body = get(register, f"{ODP}/26-00001-HAPP/specialistComments/any-id", **DEMO)
    assert status == 404, body
    assert body["data"] is None and body["pagination"] is None and body["status"]["code"] == 404
    assert "any-id" in body["status"]["message"] and headers["Cache-Control"] == "no-store"
    assert get(register, f"{ODP}/26-99999-HAPP/specialistComments/any-id", **DEMO)[0] == 404
    assert get(register, f"{ODP}/26-00001-HAPP/specialistComments", **DEMO)[0] == 200


def reasons(face: str, body: Any) -> list[str]:
    """The reasons of a refusal, in the face's own shape."""
    if face == "odp":
        assert body["data"] is None and body["status"]["code"] == 400, body
        return [error["message"] for error in body["status"]["detail"]]
    assert body["error"]["code"] == 400, body
    return list(body["error"]["reasons"])


@pytest.mark.parametrize("face", ["odp", "bops"])
@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("receivedAtFrom=2026-03-05&receivedAtTo=2026-03-01", "receivedAtFrom (2026-03-05) is after receivedAtTo"),
        ("decisionDateFrom=2026-04-02&decisionDateTo=2026-04-01", "decisionDateFrom (2026-04-02) is after"),
        ("resultsPerPage=0", "resultsPerPage"),
        ("maxresults=0", "maxresults"),
        ("receivedAtTo=2026-03-05T10:00:00Z", "receivedAtTo must be a date (YYYY-MM-DD)"),
        ("publishedAtFrom=2026-03-05T00:00", "publishedAtFrom must be a date (YYYY-MM-DD)"),
        ("validatedAtFrom=20260305", "validatedAtFrom must be a date (YYYY-MM-DD)"),
        ("page=%2B2", "page must be a whole number"),
    ],
)
def test_both_faces_refuse_the_same_bad_search_parameters_with_the_reason(register, face, query, reason):
    path = f"{ODP}?{query}" if face == "odp" else f"{BOPS}/search?{query}"
    status, headers, body = get(register, path, **DEMO)
    assert status == 400, (face, query, body)
    assert headers["Cache-Control"] == "no-store"
    found = reasons(face, body)
    assert len(found) == 1 and reason in found[0], (face, found)


@pytest.mark.parametrize("face", ["odp", "bops"])
def test_both_faces_take_the_same_good_search_parameters(register, face):
    query = "receivedAtFrom=2026-03-03&receivedAtTo=2026-03-03&resultsPerPage=1&decisionDateTo=2026-12-31"
    path = f"{ODP}?{query}" if face == "odp" else f"{BOPS}/search?{query}"
    status, _, body = get(register, path, **DEMO)
    assert status == 200, body
    references = [
        item["data"]["application"]["reference"] if face == "odp" else item["application"]["reference"]
        for item in body["data"]
    ]
    assert references == ["26-00001-HAPP"]


def found(served: Served, face: str, text: str, **headers: str) -> list[str]:  # noqa: F811
    """The full references (`<council>-<reference>`) a free-text search finds on a face."""
    path = f"{ODP}?query={text}" if face == "odp" else f"{BOPS}/search?q={text}"
    status, _, body = get(served, path, **headers)
    assert status == 200, body
    if face == "odp":
        return sorted(f"{i['metadata']['organisation']}-{i['data']['application']['reference']}" for i in body["data"])
    return sorted(item["application"]["fullReference"] for item in body["data"])


@pytest.mark.parametrize("face", ["odp", "bops"])
def test_both_faces_find_a_reference_typed_whole_or_in_part_with_or_without_the_council(register, face):
    """BOPS shows references with the council's code in front; a person types one in lower case, or only its year and
    number, or part of its suffix."""
    assert found(register, face, "DEMO-26-00001-HAPP") == ["DEMO-26-00001-HAPP"]
    assert found(register, face, "demo-26-00001-happ") == ["DEMO-26-00001-HAPP"]
    assert found(register, face, "26-00001-happ") == ["DEMO-26-00001-HAPP", "LBH-26-00001-HAPP"]
    assert found(register, face, "26-00001") == ["DEMO-26-00001-HAPP", "LBH-26-00001-HAPP"]
    assert found(register, face, "26-00001", **DEMO) == ["DEMO-26-00001-HAPP"]
    assert found(register, face, "LBH-26-00001", **DEMO) == []  # another council than the one asked for
    assert found(register, face, "26-00003-ld") == ["DEMO-26-00003-LDCP"]
    assert found(register, face, "26-0001") == []  # not the leading part of 26-00012-HAPP: the number is whole


@pytest.mark.parametrize("face", ["odp", "bops"])
def test_a_percent_encoded_reference_in_the_path_is_the_reference(register, face):
    """A client may encode any character of a path segment (`%2D` is `-`): the faces take the reference as API
    Gateway's REST proxy decodes it (`pathParameters`), the embedded runtime as well, not as the raw path spells it."""
    base = ODP if face == "odp" else BOPS
    status, _, body = get(register, f"{base}/26-00001%2DHAPP", **DEMO)
    assert status == 200, body
    shown = body["data"]["data"]["application"] if face == "odp" else body["application"]
    assert shown["reference"] == "26-00001-HAPP"
    file = (
        f"{ODP}/26-00001%2DHAPP/documents/doc%2D1/file"
        if face == "odp"
        else f"{BOPS}/26-00001%2DHAPP/documents/doc%2D1"
    )
    assert get(register, file, **DEMO)[0] == 200
