"""End to end through `bops serve`'s HTTP API, the clock moved with `BOPS_NOW` between steps: three ODP examples (a
householder application, a proposed lawful development certificate and a larger-extension prior approval) from
intake to decision. Officers sign in; the application is assigned, invalidated with a validation request, answered
by the applicant through the secure link (HTML page and JSON twin), validated, assessed, recommended, challenged,
recommended again, agreed and determined. Every date the API shows is checked against dates worked out by hand for
the chosen moments (around Christmas 2026 and Easter 2027), and so are the decision notice and the audit trail.

Nothing here calls a handler: every step is an HTTP request to the embedded server."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from events.council import CouncilSettingsChanges
from shared import reference_data
from shared.applicant_links import applicant_link, link_secret
from tests.applicant.support import multipart
from tests.intake.support import prepared, serve_files
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

COUNCIL = "DEMO"
INTAKE = "/api/v2/planning_applications"
OFFICER = "/api/officer/v1/planning_applications"
BASE_URL = "https://planning.demo.example"  # the applicant link's host: only its path is requested here


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """One example and, worked out by hand (England and Wales bank holidays, London time), what the API must show."""

    example: str
    application_type: str
    submitted: datetime
    received_date: str
    invalidated: datetime  # assigned, the request drafted and the application invalidated (request sent that day)
    request: dict[str, Any]
    response_due: str
    answered: datetime  # the applicant's answer (the request closes that day)
    answer: dict[str, Any]  # the JSON twin's body; None: the HTML form with `form`
    validated: datetime
    valid_from: str  # the next business day after the request closed
    expiry: str
    target: str
    consultation: tuple[str | None, str | None]
    site_notice: tuple[datetime, str, str] | None  # (when recorded, displayed on, consultation end after it)
    assessed: datetime
    recommendation: dict[str, Any]
    challenged: datetime
    agreed: datetime
    decision_date: str
    wording: str
    conditions: list[dict[str, str]] = field(default_factory=list)
    form: dict[str, str] | None = None
    description_after: str | None = None  # the description once the applicant agreed to the officer's change


CASES = [
    Case(
        # Submitted on Christmas Eve 2026 after 17:00: received on the next business moment, Tuesday 29 December (25
        # Christmas Day, 26-27 the weekend, 28 the Boxing Day substitute).
        example="planningPermission/fullHouseholder.json",
        application_type="pp.full.householder",
        submitted=at("2026-12-24T18:00"),
        received_date="2026-12-29",
        invalidated=at("2026-12-30T10:00"),
        request={
            "type": "description_change",
            "reason": "Say what is built",
            "proposedDescription": "A rear extension of 4 m depth",
        },
        # 5 business days after Wed 30 Dec: 31 Dec, (1 Jan holiday, weekend) 4, 5, 6, 7 January.
        response_due="2027-01-07",
        answered=at("2027-01-04T11:00"),
        answer={},
        form={"agreed": "yes"},
        description_after="A rear extension of 4 m depth",
        validated=at("2027-01-05T10:00"),
        valid_from="2027-01-05",  # the business day after 4 January
        expiry="2027-03-02",  # + 56 days
        target="2027-02-09",  # + 35 days
        consultation=("2027-01-06", "2027-01-27"),  # the business day after validation, + 21 days
        site_notice=(at("2027-01-12T10:00"), "2027-01-11", "2027-02-01"),  # displayed 11 January: ends 21 days after
        assessed=at("2027-02-02T10:00"),
        recommendation={"decision": "granted", "publicReason": "The extension respects the house and its neighbours"},
        conditions=[
            {"text": "The work must begin within three years", "reason": "Section 91 of the Act"},
            {"text": "Materials must match the house", "reason": "Visual amenity"},
        ],
        challenged=at("2027-02-03T10:00"),
        agreed=at("2027-02-08T15:00"),
        decision_date="2027-02-08",
        wording="Planning permission granted",
    ),
    Case(
        # Submitted on Saturday 19 December 2026: received on Monday 21 December.
        example="lawfulDevelopmentCertificate/proposed.json",
        application_type="ldc.proposed",
        submitted=at("2026-12-19T12:00"),
        received_date="2026-12-21",
        invalidated=at("2026-12-22T10:00"),
        request={"type": "other_change", "reason": "The site plan is missing", "suggestion": "Describe the site"},
        # 15 business days after Tue 22 Dec: 23, 24, (25, 26, 27, 28) 29, 30, 31, (1-3 Jan) 4-8, 11-15 January.
        response_due="2027-01-15",
        answered=at("2026-12-24T15:00"),
        answer={"response": "The site is the house and its rear garden"},
        validated=at("2026-12-29T10:00"),
        valid_from="2026-12-29",  # the business day after Thursday 24 December
        expiry="2027-02-23",  # + 56 days
        target="2027-02-02",  # + 35 days
        consultation=(None, None),  # lawful development certificates are not consulted on
        site_notice=None,
        assessed=at("2027-01-11T10:00"),
        recommendation={"decision": "granted", "publicReason": "The outbuilding is permitted development"},
        challenged=at("2027-01-12T10:00"),
        agreed=at("2027-01-13T16:30"),
        decision_date="2027-01-13",
        wording="Lawful development certificate granted",
    ),
    Case(
        # Submitted at 16:59 on Thursday 25 March 2027 (still GMT): before 17:00, so received that day.
        example="priorApproval/largerExtension.json",
        application_type="pa.part1.classA",
        submitted=at("2027-03-25T16:59"),
        received_date="2027-03-25",
        invalidated=at("2027-03-25T17:30"),
        request={
            "type": "description_change",
            "reason": "State the depth",
            "proposedDescription": "A 6 m deep rear extension",
        },
        # 5 business days after Thu 25 March: (26 Good Friday, weekend, 29 Easter Monday) 30, 31, 1, 2, 5 April.
        response_due="2027-04-05",
        answered=at("2027-03-31T09:30"),  # 10:30 in London (BST)
        answer={"agreed": True},
        description_after="A 6 m deep rear extension",
        validated=at("2027-04-01T09:00"),
        valid_from="2027-04-01",  # the business day after 31 March
        expiry="2027-05-13",  # + 42 days for a larger home extension
        target="2027-05-06",  # + 35 days
        consultation=("2027-04-02", "2027-04-23"),
        site_notice=None,
        assessed=at("2027-04-20T09:00"),
        recommendation={"decision": "not_required", "publicReason": "The extension meets the limits of Class A"},
        challenged=at("2027-04-21T09:00"),
        agreed=at("2027-04-22T16:00"),
        decision_date="2027-04-22",
        wording="Prior approval not required",
    ),
]


class Officers:
    """The assessor and reviewer, signed in again at each moment (a token lives 15 minutes)."""

    def __init__(self, server: Served) -> None:
        self.served = server
        self.emails = {"assessor": "ann@demo.example", "reviewer": "rae@demo.example"}
        self.ids = {
            "assessor": server.officer(COUNCIL, self.emails["assessor"], "assessor", "Ann Assessor"),
            "reviewer": server.officer(COUNCIL, self.emails["reviewer"], "reviewer", "Rae Reviewer"),
        }
        self.tokens: dict[str, str] = {}

    def now(self, moment: datetime) -> None:
        """Move the server's clock (`BOPS_NOW`) and sign both officers in again."""
        self.served.move_clock(moment)
        self.tokens = {role: self.served.token(email) for role, email in self.emails.items()}

    def request(self, method: str, path: str, role: str, body: Any = None) -> tuple[int, Any, Any]:
        return self.served.client.request(method, path, body, {"Authorization": f"Bearer {self.tokens[role]}"})


@contextlib.contextmanager
def files_served(server: Served) -> Iterator[str]:
    """The examples' files served on this machine, and the council allowed to download from it."""
    files = serve_files()
    base = next(files)
    host = base.removeprefix("http://")
    server.councils.change_settings(COUNCIL, CouncilSettingsChanges(allow_download_hosts=(host,)))
    server.caught_up()
    try:
        yield base
    finally:
        with contextlib.suppress(StopIteration):
            next(files)


@pytest.mark.parametrize("case", CASES, ids=[c.application_type for c in CASES])
def test_an_application_from_intake_to_decision(served: Served, case: Case):  # noqa: F811
    officers = Officers(served)
    _, key = served.councils.create_api_key(
        COUNCIL, "PlanX", ("planning_application:read", "planning_application:write")
    )
    served.caught_up()  # the authorizer reads the key from its read model
    intake = {"Authorization": f"Bearer {key}"}
    example = reference_data.odp_examples_dir() / "application" / case.example
    with files_served(served) as file_base:
        served.move_clock(case.submitted)
        payload = prepared(example, COUNCIL, file_base)
        status, _, created = served.client.request("POST", INTAKE, payload, intake)
        assert status == 201, created
        reference = created["reference"]
        served.caught_up()
    application = f"{OFFICER}/{reference}"

    def intake_status() -> str:
        status, _, record = served.client.request("GET", f"{INTAKE}/{reference}", headers=intake)
        assert status == 200, record
        return record["status"]

    state: dict[str, Any] = {}

    def act(role: str, command: str, body: dict[str, Any] | None = None, expected: int = 200) -> dict[str, Any]:
        nonlocal state
        status, _, answer = officers.request(
            "POST", f"{application}/{command}", role, {"version": state["version"], **(body or {})}
        )
        assert status == expected, (command, answer)
        if status == 200:
            assert answer["version"] > state["version"]
            state = answer
        return answer

    def shown() -> dict[str, Any]:
        status, _, answer = officers.request("GET", application, "assessor")
        assert status == 200, answer
        return answer

    def dates(view: dict[str, Any]) -> dict[str, Any]:
        consultation = view["consultation"] or {}
        return {
            "receivedDate": view["receivedDate"],
            "validFrom": view["validFrom"],
            "expiryDate": view["expiryDate"],
            "targetDate": view["targetDate"],
            "consultation": (consultation.get("startDate"), consultation.get("endDate")),
        }

    # Received: nothing else dated yet.
    officers.now(case.invalidated)
    state = shown()
    assert state["applicationType"] == case.application_type and state["status"] == "not_started"
    assert state["receivedAt"] == case.submitted.isoformat()
    assert dates(state) == {
        "receivedDate": case.received_date,
        "validFrom": None,
        "expiryDate": None,
        "targetDate": None,
        "consultation": (None, None),
    }
    assert intake_status() == "not_started"

    # Assigned, a request drafted (pending), then the application invalidated: the request is sent today.
    act("assessor", "assign", {"officerId": officers.ids["reviewer"]})
    assert state["caseOfficer"] == {"id": officers.ids["reviewer"], "name": "Rae Reviewer"}
    act("assessor", "assign", {"officerId": "me"})
    assert state["caseOfficer"] == {"id": officers.ids["assessor"], "name": "Ann Assessor"}
    act("assessor", "validation_requests", case.request)
    [request] = state["validationRequests"]
    assert (request["state"], request["sentOn"], request["dueDate"]) == ("pending", None, None)
    act("assessor", "invalidate")
    [request] = state["validationRequests"]
    sent_on = case.invalidated.date().isoformat()
    assert state["status"] == "invalidated" and state["invalidatedOn"] == sent_on
    assert (request["state"], request["sentOn"], request["dueDate"]) == ("open", sent_on, case.response_due)
    assert intake_status() == "invalidated"

    # The applicant answers through the link notifications would send (the council's secret, this data directory).
    officers.now(case.answered)
    secret = link_secret(served.secrets, COUNCIL, create=True)
    link = urlsplit(applicant_link(secret, BASE_URL, COUNCIL, reference, request["id"]))
    page = f"{link.path}?{link.query}"
    twin = page.replace("/applicant/", "/api/applicant/v1/", 1)
    status, _, html = served.client.request("GET", page)
    assert status == 200 and reference in html.decode() and case.request["reason"] in html.decode()
    status, _, shown_request = served.client.request("GET", twin)
    assert status == 200, shown_request
    asked = shown_request["request"]
    assert (asked["id"], asked["state"], asked["sentOn"], asked["dueDate"]) == (
        request["id"],
        "open",
        sent_on,
        case.response_due,
    )
    if case.form is not None:
        body, content_type = multipart(case.form)
        status, _, answered = served.client.request("POST", page, body, {"Content-Type": content_type})
        assert status == 200 and "Answer sent" in answered.decode()
    else:
        status, _, answered = served.client.request("POST", twin, case.answer)
        assert status == 200, answered
        assert answered["request"]["state"] == "closed"
        assert answered["request"]["closedOn"] == case.answered.date().isoformat()
    assert served.client.request("GET", twin)[0] == 410  # the link stops working once the request is closed
    state = shown()
    [request] = state["validationRequests"]
    assert (request["state"], request["closedOn"]) == ("closed", case.answered.date().isoformat())
    if case.description_after:
        assert state["description"] == case.description_after
    assert state["status"] == "invalidated" and state["validFrom"] is None

    # Validated: valid from the business day after the request closed; expiry, target and consultation follow.
    officers.now(case.validated)
    future = {"validFrom": "2030-01-01"}
    act("assessor", "validate", future, expected=422)
    act("assessor", "validate")
    assert state["status"] == "in_assessment" and state["validatedOn"] == case.validated.date().isoformat()
    assert dates(state) == {
        "receivedDate": case.received_date,
        "validFrom": case.valid_from,
        "expiryDate": case.expiry,
        "targetDate": case.target,
        "consultation": case.consultation,
    }
    assert intake_status() == "in_assessment"
    if case.site_notice:
        recorded, displayed, end = case.site_notice
        officers.now(recorded)
        act("assessor", "site_notice", {"displayedOn": displayed})
        assert state["consultation"]["siteNotice"] == displayed
        assert state["consultation"]["endDate"] == end and state["expiryDate"] == case.expiry

    # Assessed and recommended; the reviewer challenges; recommended again; agreed; determined.
    officers.now(case.assessed)
    act(
        "assessor",
        "assessment",
        {"summaryOfWorks": "As described", "conditions": case.conditions, "informatives": ["Check the party wall act"]},
    )
    act("assessor", "recommendation", {**case.recommendation, "privateNote": "Straightforward"})
    assert state["status"] == "awaiting_determination"
    officers.now(case.challenged)
    act("assessor", "review", {"action": "agree"}, expected=403)  # only reviewers review
    act("reviewer", "review", {"action": "challenge"}, expected=422)  # a challenge needs its comment
    act("reviewer", "review", {"action": "challenge", "comment": "Say why the neighbours are not harmed"})
    assert state["status"] == "to_be_reviewed"
    act(
        "assessor",
        "recommendation",
        {**case.recommendation, "publicReason": case.recommendation["publicReason"] + "; no neighbour is harmed"},
    )
    assert state["status"] == "awaiting_determination"
    officers.now(case.agreed)
    act("reviewer", "review", {"action": "agree"})
    act("assessor", "determine", {"decisionDate": "2030-01-01"}, expected=422)  # never in the future
    act("assessor", "determine")
    assert state["status"] == "determined" and intake_status() == "determined"
    decision = state["decision"]
    assert (decision["decision"], decision["decisionDate"]) == (case.recommendation["decision"], case.decision_date)
    assert dates(state)["expiryDate"] == case.expiry and state["validFrom"] == case.valid_from

    # The decision notice, as the officers' API serves it.
    [notice] = [d for d in state["documents"] if d["id"] == decision["noticeDocumentId"]]
    status, headers, content = officers.request("GET", f"{application}/documents/{notice['id']}", "reviewer")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content.decode()))
    assert "Demo Council" in text and reference in text and case.wording in text
    assert state["address"]["singleLine"] and state["address"]["singleLine"].split(",")[0] in text
    assert (case.description_after or state["description"]) in text
    assert case.recommendation["publicReason"] in text
    for condition in case.conditions:
        assert condition["text"] in text and condition["reason"] in text
    day = date.fromisoformat(case.decision_date)
    assert f"{day.day} {day:%B %Y}" in text
    assert officers.request("GET", f"{application}/documents/nope", "reviewer")[0] == 404
    assert served.client.request("GET", f"{application}/documents/{notice['id']}")[0] == 401
    served.officer("LBH", "zed@hackney.example", "assessor", "Zed Hackney")
    elsewhere = {"Authorization": f"Bearer {served.token('zed@hackney.example')}"}
    assert served.client.request("GET", f"{application}/documents/{notice['id']}", headers=elsewhere)[0] == 404
    assert "sandbox" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"

    # The audit trail: every step in order, with who did it.
    status, _, audit = officers.request("GET", f"{application}/audit", "reviewer")
    assert status == 200
    entries = audit["entries"]
    main = [(e["eventType"], e["who"]["name"], e["at"][:16]) for e in entries if e["stream"] == "main"]
    ann, rae, applicant = "Ann Assessor", "Rae Reviewer", "The applicant"

    def minute(moment: datetime) -> str:
        return moment.isoformat()[:16]

    changed = [("DescriptionChanged", applicant, minute(case.answered))] if case.description_after else []
    notice = [("SiteNoticeRecorded", ann, minute(case.site_notice[0]))] if case.site_notice else []
    assert main == [
        ("PlanningApplicationSubmitted", "PlanX", minute(case.submitted)),
        ("CaseOfficerAssigned", ann, minute(case.invalidated)),
        ("CaseOfficerAssigned", ann, minute(case.invalidated)),
        ("ValidationRequestDrafted", ann, minute(case.invalidated)),
        ("PlanningApplicationInvalidated", ann, minute(case.invalidated)),
        ("ValidationRequestSent", ann, minute(case.invalidated)),
        ("ValidationRequestAnswered", applicant, minute(case.answered)),
        *changed,
        ("PlanningApplicationValidated", ann, minute(case.validated)),
        *notice,
        ("AssessmentRecorded", ann, minute(case.assessed)),
        ("RecommendationSubmitted", ann, minute(case.assessed)),
        ("RecommendationChallenged", rae, minute(case.challenged)),
        ("RecommendationSubmitted", ann, minute(case.challenged)),
        ("RecommendationAgreed", rae, minute(case.agreed)),
        ("PlanningApplicationDetermined", ann, minute(case.agreed)),
    ]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    whats = [e["what"] for e in entries]
    assert any(w.startswith("Decision notice issued") for w in whats)
    assert sum(e["stream"] == "documents" for e in entries) >= len(payload.get("files", [])) > 0
