"""The ODP public API through `bops serve`: applications submitted from the ODP examples (both formats) are taken to
validation, determination, withdrawal and closure by the officer API, and everything the ODP face publishes is checked
against the official `postSubmissionPublishedApplication` schema (jsonschema-rs), with no personal data in it.

Nothing here calls a handler: every step is an HTTP request to the embedded server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from shared import reference_data, wiring
from shared.odp.published import PublishedValidator
from tests.intake.support import prepared
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

COUNCIL = "DEMO"
INTAKE = "/api/v2/planning_applications"
OFFICER = "/api/officer/v1/planning_applications"
ODP = "/api/@next/public"
EXAMPLES = reference_data.odp_examples_dir()
VALIDATOR = PublishedValidator(reference_data.odp_schema_dir())


@dataclass
class Desk:
    """Officers of the demo council acting through the officer API, and the intake's key."""

    served: Served
    intake: dict[str, str]
    tokens: dict[str, str]

    def submit(self, example: str) -> tuple[str, dict[str, Any]]:
        payload = prepared(EXAMPLES / example, COUNCIL, None)
        status, _, created = self.served.client.request("POST", INTAKE, payload, self.intake)
        assert status == 201, created
        self.served.caught_up()
        return created["reference"], payload

    def act(self, reference: str, role: str, command: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        status, _, state = self.served.client.request("GET", f"{OFFICER}/{reference}", None, headers)
        assert status == 200, state
        status, _, state = self.served.client.request(
            "POST", f"{OFFICER}/{reference}/{command}", {"version": state["version"], **(body or {})}, headers
        )
        assert status == 200, (command, state)
        self.served.caught_up()
        return state

    def validate(self, reference: str) -> None:
        self.act(reference, "assessor", "assign", {"officerId": "me"})
        self.act(reference, "assessor", "validate")

    def determine(self, reference: str, decision: str) -> None:
        self.act(reference, "assessor", "assessment", {"summaryOfWorks": "As described"})
        self.act(reference, "assessor", "recommendation", {"decision": decision, "publicReason": "Acceptable"})
        self.act(reference, "reviewer", "review", {"action": "agree"})
        self.act(reference, "assessor", "determine")

    def get(self, path: str, **headers: str) -> tuple[int, Any, Any]:
        return self.served.client.request("GET", ODP + path, None, headers)


@pytest.fixture
def desk(served: Served) -> Iterator[Desk]:  # noqa: F811
    served.move_clock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    served.officer(COUNCIL, "ann@demo.example", "assessor", "Ann Assessor")
    served.officer(COUNCIL, "rae@demo.example", "reviewer", "Rae Reviewer")
    _, key = served.councils.create_api_key(
        COUNCIL, "PlanX", ("planning_application:read", "planning_application:write")
    )
    served.caught_up()
    tokens = {"assessor": served.token("ann@demo.example"), "reviewer": served.token("rae@demo.example")}
    yield Desk(served, {"Authorization": f"Bearer {key}"}, tokens)


def _valid(document: dict[str, Any]) -> None:
    assert VALIDATOR.validate(document) == [], document["data"]["application"]["reference"]
    for key in ("localPlanningAuthority", "submission", "caseOfficer"):
        assert key in document["data"]
    assert document["data"]["submission"]["submittedAt"] and isinstance(document["submission"]["data"], dict)


def _personal(payload: dict[str, Any]) -> list[str]:
    applicant = payload["data"]["applicant"]
    found = [applicant["email"], applicant["phone"]["primary"]]
    if "agent" in applicant:
        found += [applicant["agent"]["email"], applicant["agent"]["phone"]["primary"]]
    return [text for text in found if len(text) > 5 and text != "Not provided by agent"]


CASES = [  # (example, what happens to it, the ODP stage and status it ends in)
    ("application/planningPermission/fullHouseholder.json", "granted", ("assessment", "determined")),
    ("application/lawfulDevelopmentCertificate/proposed.json", "refused", ("assessment", "determined")),
    ("application/priorApproval/largerExtension.json", "not_required", ("assessment", "determined")),
    ("prototypeApplication/planningPermission/major.json", "validated", ("consultation", "undetermined")),
    ("prototypeApplication/listedBuildingConsent.json", "withdrawn", ("assessment", "withdrawn")),
    ("application/planningPermission/minor.json", "closed", ("assessment", "withdrawn")),
]


def test_applications_from_the_examples_are_published_as_valid_odp(desk: Desk) -> None:
    submitted: dict[str, dict[str, Any]] = {}
    for example, outcome, _ in CASES:
        reference, payload = desk.submit(example)
        submitted[reference] = payload
        status, _, answer = desk.get(f"/applications/{reference}")
        assert status == 404 and answer["data"] is None and answer["status"]["code"] == 404  # not public before
        desk.validate(reference)
        if outcome in ("granted", "refused", "not_required"):
            desk.determine(reference, outcome)
        elif outcome == "withdrawn":
            desk.act(reference, "assessor", "withdraw", {"reason": "The applicant changed their mind"})
        elif outcome == "closed":
            desk.act(reference, "assessor", "close", {"reason": "A duplicate"})

    status, headers, listed = desk.get("/applications?resultsPerPage=100", **{"x-client": "demo"})
    assert status == 200 and listed["status"] == {"code": 200, "message": "OK"}
    assert headers["Access-Control-Allow-Origin"] == "*" and "max-age" in headers["Cache-Control"]
    assert listed["pagination"] == {
        "resultsPerPage": 100,
        "currentPage": 1,
        "totalPages": 1,
        "totalResults": len(CASES),
        "totalAvailableItems": len(CASES),
    }
    by_reference = {item["data"]["application"]["reference"]: item for item in listed["data"]}
    assert set(by_reference) == set(submitted)
    for (example, outcome, stage), (reference, payload) in zip(CASES, submitted.items(), strict=True):
        status, _, shown = desk.get(f"/applications/{reference}")
        assert status == 200, shown
        document = shown["data"]
        _valid(document)
        _valid(by_reference[reference])
        application = document["data"]["application"]
        assert (application["stage"], application["status"]) == stage, example
        assert document["data"]["caseOfficer"] == {"name": "Ann Assessor"}
        assert document["submission"]["applicationType"] == document["applicationType"]
        text = json.dumps(document)
        for personal in _personal(payload):
            assert personal not in text, (example, personal)
        assessment = document["data"].get("assessment", {})
        if outcome in ("granted", "refused", "not_required"):
            assert assessment["planningOfficerDecision"] == ("refused" if outcome == "refused" else "granted")
            assert assessment["decisionNotice"]["url"].endswith(f"/file?council={COUNCIL}")
            [notice] = document["files"]
            assert notice["type"] == ["decisionNotice"]
        if outcome == "not_required":
            assert assessment["priorApprovalRequired"] is False
        if outcome == "closed":
            assert application["withdrawnReason"] == "Closed by the council without a decision"


def test_documents_comments_and_the_decision_notice(desk: Desk) -> None:
    reference, _ = desk.submit("application/planningPermission/fullHouseholder.json")
    desk.validate(reference)
    status, _, documents = desk.get(f"/applications/{reference}/documents")
    assert status == 200 and documents["data"] == [] and documents["pagination"]["totalResults"] == 0
    desk.determine(reference, "granted")

    status, _, documents = desk.get(f"/applications/{reference}/documents?resultsPerPage=5")
    assert status == 200, documents
    [notice] = documents["data"]
    assert documents["pagination"] == {
        "resultsPerPage": 5,
        "currentPage": 1,
        "totalPages": 1,
        "totalResults": 1,
        "totalAvailableItems": 1,
    }
    status, _, one = desk.get(f"/applications/{reference}/documents/{notice['id']}")
    assert status == 200 and one["data"] == notice
    url = notice["url"]
    base = wiring.dependencies().council_settings(COUNCIL).public_base_url  # the council's, as the BOPS face's links
    assert url.startswith(base + ODP)
    status, headers, content = desk.served.client.request("GET", url.removeprefix(base))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert reference in content.decode() and "sandbox" in headers["Content-Security-Policy"]
    assert desk.get(f"/applications/{reference}/documents?type=sitePlan.proposed")[2]["data"] == []
    assert desk.get(f"/applications/{reference}/documents?name=decision")[2]["data"] == [notice]
    assert desk.get(f"/applications/{reference}/documents/12345")[0] == 404

    for path in ("publicComments", "specialistComments"):
        status, _, comments = desk.get(f"/applications/{reference}/{path}?page=1&resultsPerPage=1")
        assert status == 200, comments
        assert comments["data"]["comments"] == [] and comments["data"]["summary"]["totalComments"] == 0
        assert comments["pagination"]["totalResults"] == 0
    status, _, unknown = desk.get(f"/applications/{reference}/specialistComments/any")
    assert status == 404 and unknown["data"] is None and unknown["status"]["code"] == 404


def test_search_filters_and_refusals(desk: Desk) -> None:
    householder, _ = desk.submit("application/planningPermission/fullHouseholder.json")
    certificate, _ = desk.submit("application/lawfulDevelopmentCertificate/proposed.json")
    for reference in (householder, certificate):
        desk.validate(reference)
    desk.determine(certificate, "granted")

    def references(query: str) -> list[str]:
        status, _, answer = desk.get(f"/applications?{query}")
        assert status == 200, answer
        return [item["data"]["application"]["reference"] for item in answer["data"]]

    assert references(f"query={householder}") == [householder]
    assert references(f"reference={certificate}") == [certificate]
    assert references("applicationType=ldc.proposed") == [certificate]
    assert references("applicationStatus=determined") == [certificate]
    assert references("applicationStatus=undetermined") == [householder]
    assert references("applicationStatus=in_assessment,determined&sortBy=receivedAt&orderBy=asc") == [
        householder,
        certificate,
    ]
    assert references("councilDecision=granted") == [certificate]
    assert references("decisionDateFrom=2026-03-02&decisionDateTo=2026-03-02") == [certificate]
    assert references("receivedAtFrom=2030-01-01") == []
    assert references("council=DEMO&maxresults=1&page=2") in ([householder], [certificate])
    status, _, summary = desk.get("/applications?resultsPerPage=1")
    assert status == 200 and len(summary["data"]) == 1 and summary["pagination"]["totalResults"] == 2

    status, _, refused = desk.get("/applications?page=0&resultsPerPage=x&sortBy=size&applicationStatus=pending")
    assert status == 400 and refused["data"] is None
    assert {error["field"] for error in refused["status"]["detail"]} == {
        "page",
        "resultsPerPage",
        "sortBy",
        "applicationStatus",
    }
    assert desk.get("/applications?receivedAtFrom=2026-03-05&receivedAtTo=2026-03-01")[0] == 400
    assert desk.get("/applications", **{"x-client": "nowhere"})[0] == 404
    assert desk.get("/applications/26-99999-HAPP")[0] == 404
    assert desk.served.client.request("GET", "/api/@v9/public/applications")[0] == 404
    status, _, other = desk.get("/applications", **{"x-client": "hackney"})
    assert status == 200 and other["data"] == [] and other["pagination"]["totalAvailableItems"] == 0


def test_the_api_reference_is_served(desk: Desk) -> None:
    status, _, spec = desk.get("/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.") and f"{ODP}/applications" in spec["paths"]
    status, _, page = desk.get("/docs")
    assert status == 200 and b"swagger-ui" in page
    status, headers, _ = desk.get("/docs/assets/swagger-ui-bundle.min.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    status, headers, _ = desk.served.client.request(
        "OPTIONS",
        f"{ODP}/applications",
        None,
        {
            "Origin": "https://register.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-client",
        },
    )
    assert status in (200, 204) and headers["Access-Control-Allow-Origin"] == "*"
    assert "x-client" in headers["Access-Control-Allow-Headers"].lower()
