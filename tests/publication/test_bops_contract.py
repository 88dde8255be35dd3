"""The BOPS-compatible face answers in the shapes of real BOPS responses (`../shared/contracts/bops-v2-public`): every
key at every level the fixtures show, the same JSON types, moments and days written as BOPS writes them, and each
endpoint in its own envelope. Null is accepted where a fixture has null, and for things not modelled yet."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from services.publication.bops_v2 import render
from services.publication.record import (
    OriginalSubmission,
    PublicApplication,
    PublicDecisionNotice,
    PublicDocument,
    PublicSite,
)
from shared import reference_data
from tests.publication.bops_shapes import Shape, differences, shape_of

CONTRACTS = reference_data.reference_dir() / "contracts" / "bops-v2-public"
BASE = "https://planning.demo.example"
# Not modelled yet (appeals, fees), or absent from a submission (the red-line boundary; the cases below have one, so
# its shape is compared): present, null.
NOT_MODELLED = frozenset({".data.appeal", ".applicationFee", ".property.boundary.site"})
SQUARE = [[[-0.155, 51.549], [-0.154, 51.549], [-0.154, 51.550], [-0.155, 51.549]]]


def fixture(name: str) -> Any:
    return json.loads((CONTRACTS / f"{name}.json").read_text(encoding="utf-8"))


def published(**changes: Any) -> PublicApplication:
    values: dict[str, Any] = dict(
        council="DEMO",
        reference="26-00042-HAPP",
        version=12,
        application_type="pp.full.householder",
        application_type_name="Planning Permission - Full householder",
        status="determined",
        received_at=datetime(2026, 6, 1, 9, 30, 12, 345000, tzinfo=UTC),
        validated_at=date(2026, 6, 3),
        published_at=datetime(2026, 6, 3, 10, 0, tzinfo=UTC),
        description="A rear extension of 4 m depth",
        site=PublicSite(
            address="27, HERBERT STREET, LONDON",
            town="LONDON",
            postcode="NW5 4HA",
            uprn="5039466",
            latitude=51.54909,
            longitude=-0.1549788,
        ),
        decision="granted",
        decision_date=date(2026, 7, 20),
        determined_at=datetime(2026, 7, 20, 15, 0, tzinfo=UTC),
        expiry_date=date(2026, 7, 29),
        target_date=date(2026, 7, 8),
        consultation_start_date=date(2026, 6, 4),
        consultation_end_date=date(2026, 6, 25),
        case_officer_name="Ann Assessor",
        original=OriginalSubmission("originals/DEMO/x.json", "application", datetime(2026, 6, 1, tzinfo=UTC)),
        documents=(
            PublicDocument(
                id="doc-1",
                name="Design and Access Statement.pdf",
                key="documents/DEMO/26-00042-HAPP/doc-1",
                content_type="application/pdf",
                size=1688899,
                tags=("designAndAccessStatement",),
                created_at=datetime(2026, 6, 1, 9, 31, tzinfo=UTC),
                published_at=datetime(2026, 6, 5, 11, 0, tzinfo=UTC),
            ),
            PublicDocument(
                id="doc-2",
                name="Elevations.png",
                key="documents/DEMO/26-00042-HAPP/doc-2-redacted",
                redacted_key="documents/DEMO/26-00042-HAPP/doc-2-redacted",
                content_type="image/png",
                size=6695,
                tags=("elevations.proposed", "elevations.existing"),
                created_at=datetime(2026, 6, 1, 9, 31, tzinfo=UTC),
                published_at=datetime(2026, 6, 5, 11, 0, tzinfo=UTC),
            ),
        ),
        decision_notice=PublicDecisionNotice("notice-1", "notices/DEMO/26-00042-HAPP.html", issued_at=None),
    )
    values.update(changes)
    return PublicApplication(**values)


UNDETERMINED = dict(
    status="in_assessment",
    decision=None,
    decision_date=None,
    determined_at=None,
    decision_notice=None,
    case_officer_name=None,
    documents=(),
    consultation_start_date=None,
    consultation_end_date=None,
)
FEATURE = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": SQUARE}, "properties": None}
COLLECTION = {"type": "FeatureCollection", "features": [FEATURE, FEATURE]}
CASES = [published(boundary=FEATURE), published(**UNDETERMINED, boundary=COLLECTION)]


def every_application_block() -> list[Any]:
    """The `application` objects of every fixture: one block, learnt from all (null in one, a value in another)."""
    return [
        *(item["application"] for item in fixture("bopsSearchEndpoint")["data"]),
        fixture("bopsShowEndpoint")["application"],
        fixture("bopsDocumentsEndpoint")["application"],
    ]


def widened(name: str) -> Shape:
    """An endpoint's shape, with the parts it shares with the search items learnt from every fixture that has them."""
    shape = shape_of([fixture(name)])
    shape.keys["application"] = shape_of(every_application_block())
    if name == "bopsShowEndpoint":
        items = fixture("bopsSearchEndpoint")["data"]
        for part in ("property", "proposal", "applicant", "officer"):
            shape.keys[part] = shape_of([*(item[part] for item in items), fixture(name)[part]])
    return shape


def assert_matches(ours: Any, shape: Shape, may_be_null: frozenset[str] = NOT_MODELLED) -> None:
    found = differences(ours, shape, "", may_be_null)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("case", CASES, ids=["determined", "in_assessment"])
def test_search_has_the_shape_of_bops_search(case):
    real = fixture("bopsSearchEndpoint")
    ours = render.search([case, case], {"DEMO": BASE}, page=1, results_per_page=10, total=2, available=5)
    null_in_items = frozenset(".data[]" + path for path in NOT_MODELLED)
    assert_matches(ours, shape_of([real]), null_in_items)
    assert ours["pagination"] == {
        "resultsPerPage": 10,
        "currentPage": 1,
        "totalPages": 1,
        "totalResults": 2,
        "totalAvailableItems": 5,
    }


@pytest.mark.parametrize("case", CASES, ids=["determined", "in_assessment"])
def test_show_has_the_shape_of_bops_show(case):
    assert_matches(render.show(case, BASE), widened("bopsShowEndpoint"))


@pytest.mark.parametrize("case", CASES, ids=["determined", "in_assessment"])
def test_documents_have_the_shape_of_bops_documents(case):
    # Before the decision there is no notice yet: null (the fixture is of a determined application).
    assert_matches(render.documents(case, BASE), widened("bopsDocumentsEndpoint"), NOT_MODELLED | {".decisionNotice"})


def test_the_documents_answer_lists_public_files_and_the_decision_notice():
    ours = render.documents(published(), BASE)
    assert [file["name"] for file in ours["files"]] == ["Design and Access Statement.pdf", "Elevations.png"]
    assert ours["files"][0]["url"] == f"{BASE}/api/v2/public/planning_applications/26-00042-HAPP/documents/doc-1"
    assert ours["files"][0]["type"] == [
        {"value": "designAndAccessStatement", "description": "Design and access statement"}
    ]
    assert ours["files"][1]["metadata"] == {"byteSize": 6695, "contentType": "image/png"}
    assert ours["metadata"] == {"results": 2, "totalResults": 2}
    assert ours["decisionNotice"] == {
        "name": "decision-notice-DEMO-26-00042-HAPP.html",
        "url": f"{BASE}/api/v2/public/planning_applications/26-00042-HAPP/decision_notice",
    }
    assert render.documents(published(**UNDETERMINED), BASE)["decisionNotice"] is None


def test_comments_have_the_shapes_of_bops_comments():
    assert_matches(render.public_comments(1, 10), shape_of([fixture("bopsPublicCommentsEndpoint")]))
    assert_matches(render.specialist_comments(1, 10), shape_of([fixture("bopsSpecialistCommentsEndpoint")]))


def test_moments_and_days_are_written_as_bops_writes_them():
    application = render.show(published(), BASE)["application"]
    # 09:30:12.345 UTC on 1 June is 10:30:12.345 in London (BST).
    assert application["receivedAt"] == "2026-06-01T10:30:12.345+01:00"
    assert application["validAt"] == "2026-06-03T00:00:00.000+01:00"
    assert application["expiryDate"] == "2026-07-29"
    assert application["determinedAt"] == "2026-07-20T16:00:00.000+01:00"
    winter = render.show(published(received_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)), BASE)["application"]
    assert winter["receivedAt"] == "2026-12-01T09:00:00.000+00:00"
    assert application["fullReference"] == "DEMO-26-00042-HAPP"
    assert application["type"] == {"value": "pp.full.householder", "description": "planning_permission"}


def test_the_address_is_split_as_bops_splits_it():
    address = render.show(published(), BASE)["property"]["address"]
    assert address == {
        "latitude": "51.54909",
        "longitude": "-0.1549788",
        "title": "27, HERBERT STREET",
        "singleLine": "27, HERBERT STREET, LONDON, NW5 4HA",
        "uprn": "5039466",
        "town": "LONDON",
        "postcode": "NW5 4HA",
    }


def test_a_shape_difference_is_found():
    """The comparison can fail: a missing key, an unknown key, a wrong type and a badly written moment are named."""
    shape = widened("bopsShowEndpoint")
    ours = render.show(published(), BASE)
    del ours["officer"]
    ours["proposal"]["extra"] = 1
    ours["application"]["status"] = 3
    ours["application"]["receivedAt"] = "2026-06-01 10:30"
    found = differences(ours, shape, "", NOT_MODELLED)
    assert sorted(found) == [
        ".application.receivedAt: '2026-06-01 10:30' is not a moment as in the fixtures",
        ".application.status: integer, where the fixtures show ['string']",
        ".officer: missing",
        ".proposal.extra: not in the fixtures",
    ]


def test_the_fixtures_are_there():
    assert sorted(path.name for path in Path(CONTRACTS).glob("*.json")) == [
        "bopsDocumentsEndpoint.json",
        "bopsPublicCommentsEndpoint.json",
        "bopsSearchEndpoint.json",
        "bopsShowEndpoint.json",
        "bopsSpecialistCommentsEndpoint.json",
    ]
