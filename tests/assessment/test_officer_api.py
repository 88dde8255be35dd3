"""The officer API through its Lambda handler: reading, each kind of refusal, and a householder application taken from
submission to determination with its decision notice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.submission import ConstraintSummary
from shared.clock import FrozenClock
from shared.officer_identity import SignedInOfficer
from tests.assessment.api_support import (
    ADMIN,
    ASSESSOR,
    COUNCIL,
    ELSEWHERE,
    OTHER_ASSESSOR,
    REVIEWER,
    call,
    enlist,
    receive_document,
    submit,
)

BASE = "/api/officer/v1/planning_applications"
REFERENCE = "26-00001-HH"


@pytest.fixture
def application(deps):
    enlist(deps, ASSESSOR, OTHER_ASSESSOR, REVIEWER, ADMIN)
    submit(deps.event_store, REFERENCE)
    receive_document(deps.event_store, REFERENCE)
    return REFERENCE


def post(command: str, body: dict, officer=ASSESSOR, reference: str = REFERENCE):
    return call("POST", f"{BASE}/{reference}/{command}", body, officer)


def test_nobody_signed_in_is_refused_with_401(application):
    status, body = call("GET", f"{BASE}/{REFERENCE}", officer=None)
    assert status == 401
    assert body == {"message": "Sign in as an officer to use this API", "errors": []}
    assert call("GET", BASE, officer=None)[0] == 401
    assert post("assign", {"version": 1, "officerId": "me"}, officer=None)[0] == 401


def test_the_whole_state_of_an_application(application):
    status, body = call("GET", f"{BASE}/{REFERENCE}")
    assert status == 200
    assert body["reference"] == REFERENCE
    assert body["status"] == "not_started"
    assert body["version"] == 1
    assert body["receivedAt"].startswith("2026-03-02T10:00")
    assert [d["id"] for d in body["documents"]] == ["doc-0"]
    assert body["links"]["audit"] == f"{BASE}/{REFERENCE}/audit"


def test_an_unknown_or_another_councils_reference_is_not_found(application, deps):
    submit(deps.event_store, "26-00009-HH", council="OTHR")
    status, body = call("GET", f"{BASE}/26-00002-HH")
    assert status == 404 and body["message"]
    assert call("GET", f"{BASE}/{REFERENCE}", officer=ELSEWHERE)[0] == 404
    assert call("GET", f"{BASE}/{REFERENCE}/audit", officer=ELSEWHERE)[0] == 404
    assert post("assign", {"version": 1, "officerId": "me"}, officer=ELSEWHERE)[0] == 404
    assert call("GET", f"{BASE}/26-00009-HH", officer=ELSEWHERE)[0] == 200


def test_bad_bodies_are_refused_with_the_fields(application, deps):
    status, body = post("assign", {"officerId": "me"})
    assert status == 422
    assert {"field": "version", "message": "Field required"} in body["errors"]
    status, body = post("assign", {"version": "seven", "officerId": "me", "colour": "blue"})
    assert status == 422
    assert {e["field"] for e in body["errors"]} == {"version", "colour"}
    status, body = call("POST", f"{BASE}/{REFERENCE}/assign", b"{not json")
    assert status == 400 and body["errors"] == []
    status, body = call("POST", f"{BASE}/{REFERENCE}/assign", b"\xff\xfe{}")
    assert status == 400 and body["message"].startswith("The body is not UTF-8: byte 0xff at position 0")
    status, body = call("POST", f"{BASE}/{REFERENCE}/assign", b"[" * 100_000)
    assert status == 400 and ("not valid JSON" in body["message"] or "nested too deep" in body["message"])
    status, body = post("review", {"version": 1, "action": "shrug"}, officer=REVIEWER)
    assert status == 422 and body["errors"][0]["field"] == "action"
    assert deps.event_store.stream_version(f"application:{COUNCIL}:{REFERENCE}") == 1  # nothing stored


@pytest.mark.parametrize("typed", ["Duplicate\x00", "Dup\x1b[2Jlicate", "Duplicate \u202eetacilpud", "\x85"])
def test_text_holding_characters_no_one_types_is_refused_naming_the_field(application, deps, typed):
    status, body = post("close", {"version": 1, "reason": typed})
    assert status == 422 and "reason field has characters that cannot be typed" in body["message"]
    assert [e["field"] for e in body["errors"]] == ["reason"]
    assert deps.event_store.stream_version(f"application:{COUNCIL}:{REFERENCE}") == 1  # nothing stored


def test_line_endings_in_text_are_kept_as_one_newline(application, deps):
    status, body = post("close", {"version": 1, "reason": "Duplicate\r\nof 26-00002-HH\r"})
    assert status == 200, body
    [*_, closed] = deps.event_store.read(f"application:{COUNCIL}:{REFERENCE}")
    assert closed.payload.reason == "Duplicate\nof 26-00002-HH"


def test_a_stale_version_is_refused_with_what_changed(application):
    status, body = post("assign", {"version": 1, "officerId": "me"})
    assert status == 200 and body["version"] == 2
    status, body = post("red_line_boundary/check", {"version": 1, "valid": True})
    assert status == 409
    assert "Ann Assessor" in body["message"]


def test_a_document_arriving_does_not_make_the_officers_version_stale(application, deps):
    receive_document(deps.event_store, REFERENCE, index=1)
    status, body = post("assign", {"version": 1, "officerId": "me"})
    assert status == 200
    assert len(body["documents"]) == 2


def test_the_role_is_checked(application):
    assert post("assign", {"version": 1, "officerId": ASSESSOR.id}, officer=ADMIN)[0] == 200
    status, body = post("fee/check", {"version": 2, "valid": True}, officer=ADMIN)
    assert status == 403 and body["message"]


def test_a_command_in_the_wrong_state_is_a_conflict(application):
    status, body = post("recommendation", {"version": 1, "decision": "granted", "publicReason": "Fine"})
    assert status == 409 and body["message"]


def test_validation_requests_are_drafted_with_an_id_and_cancelled(application):
    status, body = post(
        "validation_requests", {"version": 1, "type": "other_change", "reason": "Wrong plan", "suggestion": "Fix it"}
    )
    assert status == 200
    [request] = body["validationRequests"]
    assert request["state"] == "pending" and len(request["id"]) == 36
    status, body = post(
        f"validation_requests/{request['id']}/cancel", {"version": body["version"], "reason": "Not needed"}
    )
    assert status == 200
    assert body["validationRequests"][0]["state"] == "cancelled"
    status, body = post("validation_requests/nope/cancel", {"version": body["version"], "reason": "x"})
    assert status == 404


def test_the_submissions_constraints_are_shown_removed_with_a_reason_and_not_added_twice(deps):
    listed = ConstraintSummary(value="listed", description="Listed building", intersects=True)
    tpo = ConstraintSummary(value="tpo", description="Tree Preservation Order (TPO) or zone", intersects=False)
    submit(deps.event_store, REFERENCE, constraints=(listed, tpo))
    status, body = call("GET", f"{BASE}/{REFERENCE}")
    assert status == 200
    assert [(c["value"], c["source"], c["removed"]) for c in body["constraints"]] == [("listed", "submission", False)]

    status, refused = post("constraints", {"version": 1, "constraint": "listed"})
    assert status == 409 and "the submission has it" in refused["message"]
    status, refused = post("constraints/remove", {"version": 1, "constraint": "listed"})
    assert status == 422 and refused["errors"] and "reason" in str(refused["errors"])
    status, refused = post("constraints/remove", {"version": 1, "constraint": "tpo", "reason": "not on the site"})
    assert status == 409 and "has no constraint tpo" in refused["message"]
    status, body = post("constraints/remove", {"version": 1, "constraint": "listed", "reason": "Delisted in 2025"})
    assert status == 200
    status, body = post("constraints", {"version": body["version"], "constraint": "tpo", "description": "TPO 12"})
    assert status == 200
    assert [(c["value"], c["source"], c["removed"], c["removedReason"]) for c in body["constraints"]] == [
        ("listed", "submission", True, "Delisted in 2025"),
        ("tpo", "officer", False, None),
    ]


def test_a_householder_application_from_submission_to_determination(application, deps):
    version = 1

    def step(command, body, officer=ASSESSOR):
        nonlocal version
        status, answer = post(command, {"version": version, **body}, officer)
        assert status == 200, (command, answer)
        assert answer["version"] > version
        version = answer["version"]
        return answer

    step("assign", {"officerId": "me"})
    step("documents/doc-0/check", {"valid": True})
    step("red_line_boundary/check", {"valid": True})
    step("fee/check", {"valid": True})
    step("constraints", {"constraint": "conservation-area"})
    answer = step("validate", {})
    assert answer["status"] == "in_assessment"
    assert answer["validFrom"] == "2026-03-02"
    assert answer["expiryDate"] == "2026-04-27"  # 8 weeks (56 days) after valid-from
    step("site_notice", {"displayedOn": "2026-03-03"})
    step(
        "assessment",
        {
            "summaryOfWorks": "A single storey rear extension",
            "conditions": [{"text": "Matching materials", "reason": "Visual amenity"}],
            "informatives": ["Party wall act"],
        },
    )
    answer = step("recommendation", {"decision": "granted", "publicReason": "Complies with policy"})
    assert answer["status"] == "awaiting_determination"
    status, refused = post("review", {"version": version, "action": "agree"}, officer=ASSESSOR)
    assert status == 403 and refused["message"]
    step("review", {"action": "agree"}, officer=REVIEWER)
    answer = step("determine", {})
    assert answer["status"] == "determined"
    decision = answer["decision"]
    assert decision["decision"] == "granted" and decision["decisionDate"] == "2026-03-03"
    [notice] = [d for d in answer["documents"] if d["id"] == decision["noticeDocumentId"]]
    stored = deps.documents.get(f"{COUNCIL}/{REFERENCE}/decision-notice-{notice['id']}.html").decode()
    assert "Demo Borough Council" in stored and REFERENCE in stored and "Matching materials" in stored

    status, audit = call("GET", f"{BASE}/{REFERENCE}/audit")
    assert status == 200
    whats = [entry["what"] for entry in audit["entries"]]
    assert whats[0].startswith(f"Application {REFERENCE} received")
    assert "Ann Assessor assigned as case officer" in whats
    assert "Rita Reviewer agreed with the recommendation" in whats
    assert any(w.startswith("Decision notice issued") for w in whats)
    assert any(w.startswith("Document plan-0.pdf received") for w in whats)
    assert {entry["stream"] for entry in audit["entries"]} == {"main", "documents"}
    assert audit["entries"][-1]["who"]["name"] in ("Ann Assessor", "BOPS")


def test_a_decision_date_in_the_future_is_refused_and_nothing_is_stored(application, deps):
    clock = deps.clock
    assert isinstance(clock, FrozenClock)
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    status, _body = post("determine", {"version": 1, "decisionDate": tomorrow})
    assert status in (409, 422)
    folder = deps.settings.documents_path / COUNCIL / REFERENCE
    assert not folder.exists() or not list(folder.glob("decision-notice*"))


def test_the_case_officer_is_looked_up_in_the_councils_officer_records(application, deps):
    """Name and role come from the officers read model; the body cannot name the officer."""
    status, body = post("assign", {"version": 1, "officerId": OTHER_ASSESSOR.id, "officerName": "Someone Else"})
    assert status == 422 and "officerName" in {e["field"] for e in body["errors"]}
    status, body = post("assign", {"version": 1, "officerId": OTHER_ASSESSOR.id})
    assert status == 200, body
    assert body["caseOfficer"] == {"id": OTHER_ASSESSOR.id, "name": OTHER_ASSESSOR.name}


@pytest.mark.parametrize("who", ["unknown", "deactivated", "administrator", "other council", "admin as me"])
def test_an_officer_who_cannot_be_case_officer_is_refused(application, deps, who):
    gone = SignedInOfficer(ASSESSOR.council, "officer-gone", "Gary Gone", "assessor")
    enlist(deps, gone, active=False)
    enlist(deps, ELSEWHERE)
    officer_id, signed_in = {
        "unknown": ("officer-nobody", ASSESSOR),
        "deactivated": (gone.id, ASSESSOR),
        "administrator": (ADMIN.id, ASSESSOR),
        "other council": (ELSEWHERE.id, ASSESSOR),
        "admin as me": ("me", ADMIN),
    }[who]
    status, body = post("assign", {"version": 1, "officerId": officer_id}, officer=signed_in)
    assert status == 422, body
    assert [e["field"] for e in body["errors"]] == ["officerId"]
    assert call("GET", f"{BASE}/{REFERENCE}")[1]["version"] == 1  # nothing stored


def test_the_officer_api_reads_the_councils_officers_read_model():
    """Declared, so the stack grants the officer API reading it; the same name the councils' projection writes."""
    from services.assessment import OFFICERS_READ_MODEL
    from services.assessment.declaration import SERVICE
    from services.councils import OFFICERS_READ_MODEL as WRITTEN

    [api] = [function for function in SERVICE.http if function.name == "officer-api"]
    assert OFFICERS_READ_MODEL == WRITTEN and OFFICERS_READ_MODEL in api.reads_read_models
