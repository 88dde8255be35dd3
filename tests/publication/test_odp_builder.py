"""The ODP face's pure parts: status mapping, the published-application builder (every document it builds validates
against the official schema), the public submission cache and the query parameters."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from services.publication.odp.builder import (
    Links,
    file_records,
    odp_file_id,
    published_application,
    submission_files,
)
from services.publication.odp.parameters import BadParameters, application_search, document_query, reader
from services.publication.odp.stages import CLOSED_REASON, odp_stage, statuses_for
from services.publication.odp.submissions import PublicSubmissions
from services.publication.record import (
    OriginalSubmission,
    PublicApplication,
    PublicDecisionNotice,
    PublicDocument,
    PublicSite,
)
from shared.documents.local import LocalDocumentStore
from shared.odp.published import PublishedValidator, file_type_codes
from tests.odp.support import EXAMPLES_DIR, SCHEMA_DIR, load

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LINKS = Links({"DEMO": "https://planning.example.org"})
FILE_TYPES = file_type_codes(SCHEMA_DIR)
VALIDATOR = PublishedValidator(SCHEMA_DIR)
SUBMISSIONS = sorted((EXAMPLES_DIR / "application").glob("**/*.json")) + sorted(
    (EXAMPLES_DIR / "prototypeApplication").glob("**/*.json")
)


def _type_of(payload: dict[str, Any]) -> str:
    return payload.get("applicationType") or payload["data"]["application"]["type"]["value"]


def record(application_type: str = "pp.full.householder", **changes: Any) -> PublicApplication:
    base = PublicApplication(
        council="DEMO",
        reference="26-00001-HAPP",
        version=5,
        application_type=application_type,
        status="in_assessment",
        received_at=START,
        validated_at=date(2026, 3, 3),
        published_at=START + timedelta(days=1),
        description="A rear extension",
        site=PublicSite(address="1 Mill Lane, Exampleton", town="Exampleton", postcode="EX1 2AB", uprn="1"),
        expiry_date=date(2026, 4, 28),
        target_date=date(2026, 4, 7),
        consultation_start_date=date(2026, 3, 4),
        consultation_end_date=date(2026, 3, 25),
        case_officer_name="Ann Assessor",
        original=OriginalSubmission(payload_key="DEMO/submissions/x/y.json", format="application", submitted_at=START),
        documents=(
            PublicDocument(
                id="doc-1",
                name="plans.pdf",
                key="DEMO/doc-1-redacted.pdf",
                redacted_key="DEMO/doc-1-redacted.pdf",
                content_type="application/pdf",
                size=1234,
                tags=("sitePlan.proposed", "notAnOdpTag"),
                created_at=START,
                published_at=START + timedelta(days=2),
            ),
            PublicDocument(
                id="doc-2",
                name="photo.jpg",
                key="DEMO/doc-2.jpg",
                content_type="image/jpeg",
                size=99,
                tags=("something", "else"),
                created_at=START,
            ),
        ),
    )
    return replace(base, **changes)


DETERMINED = {
    "status": "determined",
    "decision": "granted",
    "decision_date": date(2026, 4, 20),
    "determined_at": START + timedelta(days=49),
    "decision_notice": PublicDecisionNotice(
        "notice-1", "DEMO/notice.html", "text/html", 2048, START + timedelta(days=49)
    ),
}
OUTCOMES: dict[str, dict[str, Any]] = {
    "in_assessment": {},
    "awaiting_determination": {"status": "awaiting_determination"},
    "to_be_reviewed": {"status": "to_be_reviewed"},
    "in_committee": {"status": "in_committee"},
    "determined": DETERMINED,
    "refused": {**DETERMINED, "decision": "refused"},
    "not_required": {**DETERMINED, "decision": "not_required"},
    "withdrawn": {"status": "withdrawn", "withdrawn_at": date(2026, 3, 20)},
    "closed": {"status": "closed", "closed_at": date(2026, 3, 21)},
    "no officer, no dates": {"case_officer_name": None, "expiry_date": None, "consultation_end_date": None},
}


def _build(application: PublicApplication, prototype: dict[str, Any] | None, today: date) -> dict[str, Any]:
    from shared.odp.conversion import to_prototype
    from shared.odp.redaction import public_submission

    files = submission_files(application, LINKS, FILE_TYPES)
    submission = public_submission(
        to_prototype(prototype, SCHEMA_DIR) if prototype else {},
        files=files,
        applicant_name=application.applicant_name is not None,
        agent_company=application.agent_company is not None,
    )
    return published_application(
        application, submission, links=LINKS, file_types=FILE_TYPES, generated_at=START, today=today
    )


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: str(p.relative_to(EXAMPLES_DIR)))
@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_every_example_at_every_stage_builds_a_valid_published_application(path: Path, outcome: str) -> None:
    payload = load(path)
    application = record(_type_of(payload), **OUTCOMES[outcome])
    document = _build(application, payload, date(2026, 3, 10))
    assert VALIDATOR.validate(document) == []
    data = document["data"]
    assert data["localPlanningAuthority"] == {"publicCommentsAcceptedUntilDecision": False}
    assert data["submission"] == {"submittedAt": "2026-03-02T10:00:00.000Z"}
    assert data["caseOfficer"]["name"] == (application.case_officer_name or "Not assigned")
    assert data["validation"]["validatedAt"] == "2026-03-03T00:00:00.000Z"
    assert document["metadata"]["id"] == payload["metadata"]["id"]


def test_the_decision_and_its_notice() -> None:
    document = _build(record(**DETERMINED), None, date(2026, 4, 21))
    assessment = document["data"]["assessment"]
    url = "https://planning.example.org/api/@next/public/applications/26-00001-HAPP/documents/"
    assert assessment == {
        "expiryDate": "2026-04-28",
        "planningOfficerDecision": "granted",
        "planningOfficerDecisionDate": "2026-04-20",
        "decisionNotice": {"url": f"{url}{odp_file_id('notice-1')}/file?council=DEMO"},
    }
    assert document["files"][-1]["type"] == ["decisionNotice"]
    assert (document["data"]["application"]["stage"], document["data"]["application"]["status"]) == (
        "assessment",
        "determined",
    )


@pytest.mark.parametrize(
    ("decision", "required", "shown"),
    [("granted", True, "granted"), ("refused", True, "refused"), ("not_required", False, "granted")],
)
def test_prior_approval_says_whether_approval_was_required(decision: str, required: bool, shown: str) -> None:
    application = record("pa.part1.classA", **{**DETERMINED, "decision": decision})
    assessment = _build(application, None, date(2026, 4, 21))["data"]["assessment"]
    assert (assessment["planningOfficerDecision"], assessment["priorApprovalRequired"]) == (shown, required)


def test_the_notice_is_not_public_before_the_determination() -> None:
    application = record(decision_notice=DETERMINED["decision_notice"])  # issued, but not yet determined
    assert all(file["type"] != ["decisionNotice"] for file in file_records(application, LINKS, FILE_TYPES))


def test_files_show_the_public_copy_with_odp_types() -> None:
    first, second = file_records(record(), LINKS, FILE_TYPES, with_url=True)
    assert first["type"] == ["sitePlan.proposed"] and second["type"] == ["otherDocument"]
    assert first["url"] == first["redactedUrl"] and first["redactedUrl"].endswith(
        f"/{odp_file_id('doc-1')}/file?council=DEMO"
    )
    assert first["metadata"] == {
        "size": {"bytes": 1234},
        "mimeType": "application/pdf",
        "createdAt": "2026-03-02T10:00:00.000Z",
        "submittedAt": "2026-03-02T10:00:00.000Z",
        "publishedAt": "2026-03-04T10:00:00.000Z",
    }
    assert "url" not in file_records(record(), LINKS, FILE_TYPES)[0]  # ODP's redacted record has no `url`


@pytest.mark.parametrize(
    ("changes", "today", "expected"),
    [
        ({}, date(2026, 3, 3), ("consultation", "undetermined")),  # validated: straight into consultation
        ({}, date(2026, 3, 25), ("consultation", "undetermined")),
        ({}, date(2026, 3, 26), ("assessment", "undetermined")),
        ({"consultation_end_date": None}, date(2026, 3, 3), ("assessment", "undetermined")),  # not consulted on
        ({"status": "awaiting_determination"}, date(2026, 3, 3), ("assessment", "undetermined")),
        ({"status": "in_committee"}, date(2026, 3, 3), ("assessment", "undetermined")),
        ({"status": "determined"}, date(2026, 3, 3), ("assessment", "determined")),
        ({"status": "withdrawn"}, date(2026, 3, 3), ("assessment", "withdrawn")),
        ({"status": "closed"}, date(2026, 3, 3), ("assessment", "withdrawn")),
        ({"status": "returned"}, date(2026, 3, 3), ("validation", "returned")),
    ],
)
def test_statuses_map_to_odp_stages(changes: dict[str, Any], today: date, expected: tuple[str, str]) -> None:
    assert odp_stage(record(**changes), today) == expected


def test_a_closed_application_says_so() -> None:
    application = _build(record(**OUTCOMES["closed"]), None, date(2026, 4, 1))["data"]["application"]
    assert application["withdrawnReason"] == CLOSED_REASON and application["withdrawnAt"] == "2026-03-21T00:00:00.000Z"


def test_status_filters_take_ours_and_odps() -> None:
    assert statuses_for("closed") == {"closed"}
    assert statuses_for("withdrawn") == {"withdrawn"}
    assert statuses_for("undetermined") == {"in_assessment", "awaiting_determination", "to_be_reviewed", "in_committee"}
    assert statuses_for("pending") is None


def test_the_public_submission_is_cached_and_keyed_by_what_it_depends_on(tmp_path: Path) -> None:
    store = LocalDocumentStore(tmp_path)
    payload = load(EXAMPLES_DIR / "application" / "planningPermission" / "fullHouseholder.json")
    store.put("DEMO/submissions/x/y.json", orjson.dumps(payload), "application/json")
    public = PublicSubmissions(store, SCHEMA_DIR, size=2)
    application = record()
    files = submission_files(application, LINKS, FILE_TYPES)
    first = public.public(application, files)
    assert public.public(application, files) is first
    assert first["applicationType"] == "pp.full.householder" and first["files"] == files
    assert payload["data"]["applicant"]["email"] not in json.dumps(first)
    named = public.public(replace(application, applicant_name="Jo Bloggs"), files)
    assert named is not first and named["data"]["applicant"]["name"] == payload["data"]["applicant"]["name"]
    missing = public.public(replace(application, original=OriginalSubmission("DEMO/none.json", "application")), [])
    assert missing == {
        "applicationType": "pp.full.householder",
        "data": {},
        "responses": [],
        "files": [],
        "metadata": {},
    }


def _read(**query: str) -> Any:
    return reader(query, {key: value.split("|") for key, value in query.items()})


def test_search_parameters() -> None:
    search, page = application_search(
        _read(
            page="3",
            resultsPerPage="500",
            query=" mill lane ",
            applicationType="pp.full.householder|ldc.proposed",
            applicationStatus="undetermined",
            councilDecision="granted,refused",
            receivedAtFrom="2026-01-01",
            decisionDateTo="2026-12-31",
            sortBy="receivedAt",
            orderBy="asc",
        ),
        frozenset({"DEMO"}),
    )
    assert (page.number, page.per_page, search.offset, search.limit) == (3, 100, 200, 100)
    assert search.text == "mill lane" and search.sort_by == "received_at" and search.order == "asc"
    assert search.application_types == {"pp.full.householder", "ldc.proposed"}
    assert search.decisions == {"granted", "refused"} and "in_committee" in search.statuses
    assert [(r.field, r.start, r.end) for r in search.date_ranges] == [
        ("received_at", date(2026, 1, 1), None),
        ("decision_date", None, date(2026, 12, 31)),
    ]
    assert application_search(_read(maxresults="7"), frozenset())[1].per_page == 7


@pytest.mark.parametrize("number", ["²", "9" * 5000, "1.5", "+1"])
def test_a_page_that_is_not_plain_ascii_digits_is_named_never_an_error(number: str) -> None:
    """`"²".isdigit()` is true but `int("²")` fails, as `int()` of 5,000 digits does: both were a 500."""
    with pytest.raises(BadParameters) as refused:
        application_search(_read(page=number, resultsPerPage=number), frozenset())
    assert {e["field"] for e in refused.value.errors} == {"page", "resultsPerPage"}


def test_every_bad_parameter_is_named() -> None:
    with pytest.raises(BadParameters) as refused:
        application_search(
            _read(
                page="-1",
                resultsPerPage="ten",
                applicationType="pp.nope",
                councilDecision="maybe",
                publishedAtFrom="yesterday",
                validatedAtFrom="2026-02-01",
                validatedAtTo="2026-01-01",
                orderBy="up",
            ),
            frozenset(),
        )
    assert {e["field"] for e in refused.value.errors} == {
        "page",
        "resultsPerPage",
        "applicationType",
        "councilDecision",
        "publishedAtFrom",
        "validatedAtFrom",
        "orderBy",
    }
    with pytest.raises(BadParameters):
        document_query(_read(type="notAType", sortBy="size"), FILE_TYPES)
