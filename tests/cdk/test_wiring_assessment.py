"""A householder application from submission to determination on the deployed wiring (the template played on moto):
the API key submits it, officers sign in through the session route (the council's Cognito user pool), and every
officer command goes through API Gateway's officer authorizer to the officer API, ending `determined` with the
decision notice in the documents bucket."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from services.assessment.declaration import SERVICE as ASSESSMENT
from services.councils.declaration import AUTHORIZER_HANDLER, OFFICER_API_HANDLER
from tests.cdk.test_wiring import deployed, post, submission

pytestmark = pytest.mark.xdist_group("cdk")

SESSION = "/api/officer/v1/session"
OFFICER = "/api/officer/v1/planning_applications"
PASSWORD = "a long enough password"
NOW = "2026-12-08T10:00:00Z"  # a Tuesday: received, validated and decided that day


def at_a_fixed_moment(template: dict[str, Any]) -> dict[str, Any]:
    """Every function's clock frozen (`BOPS_NOW`), so the dates do not depend on the day the test runs."""
    template = copy.deepcopy(template)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Properties"].setdefault("Environment", {}).setdefault("Variables", {})["BOPS_NOW"] = NOW
    return template


def submitted_with_officers(stack: Any) -> str:
    """The example householder application submitted with the API key, and an assessor (ann@) and a reviewer (rae@)
    created as an administrator would (in the council's user pool); returns the reference."""
    harness = stack.harness
    response = post(stack, submission(stack), stack.key)
    assert response.status == 201, response.body
    reference = response.json()["reference"]

    [sign_in] = harness.functions_with_handler(OFFICER_API_HANDLER)
    with harness.running_as(sign_in.logical_id):
        from services.councils.officer_directory import officer_directory
        from services.councils.service import CouncilService
        from shared.wiring import dependencies

        deps = dependencies()
        service = CouncilService(deps.event_store, deps.clock)
        directory = officer_directory(deps)
        for email, name, role in (
            ("ann@demo.example", "Ann Assessor", "assessor"),
            ("rae@demo.example", "Rae Reviewer", "reviewer"),
        ):
            service.create_officer(stack.council, email, name, role, PASSWORD, directory=directory)
    return reference


def test_a_householder_application_is_determined_on_the_deployed_wiring(synthesised):
    with deployed(synthesised, at_a_fixed_moment) as stack:
        harness = stack.harness
        reference = submitted_with_officers(stack)
        harness.deliver()  # the submission's documents and the officers read model, through their rules

        def token(email: str) -> str:
            answer = harness.request("POST", SESSION, {"email": email, "password": PASSWORD})
            assert answer.status == 200, answer.body
            return answer.json()["token"]

        ann, rae = token("ann@demo.example"), token("rae@demo.example")
        [api] = [f for f in ASSESSMENT.http if f.name == "officer-api"]
        [officer_api] = harness.functions_with_handler(api.handler)
        [authorizer] = harness.functions_with_handler(AUTHORIZER_HANDLER)
        application = f"{OFFICER}/{reference}"
        assert harness.request("GET", application).status == 401  # the authorizer refuses no token

        state = harness.request("GET", application, headers={"Authorization": f"Bearer {ann}"}).json()
        assert state["status"] == "not_started" and state["documents"]
        version = state["version"]
        for officer, command, body in [
            (ann, "assign", {"officerId": "me"}),
            *((ann, f"documents/{d['id']}/check", {"valid": True}) for d in state["documents"]),
            (ann, "validate", {}),
            (
                ann,
                "assessment",
                {
                    "summaryOfWorks": "A roof extension",
                    "conditions": [{"text": "Materials must match the house", "reason": "Visual amenity"}],
                },
            ),
            (ann, "recommendation", {"decision": "granted", "publicReason": "It fits the street"}),
            (rae, "review", {"action": "agree"}),
            (ann, "determine", {}),
        ]:
            before = len(harness.invocations)
            answer = harness.request(
                "POST", f"{application}/{command}", {"version": version, **body}, {"Authorization": f"Bearer {officer}"}
            )
            assert answer.status == 200, (command, answer.body)
            called = {i.function for i in harness.invocations[before:]}
            assert {authorizer.logical_id, officer_api.logical_id} <= called, command
            version = answer.json()["version"]
        state = answer.json()
        assert state["status"] == "determined" and state["decision"]["decision"] == "granted"
        # Received and valid from Tuesday 8 December 2026: expiry 56 days on, target 35; consulted from the next day.
        assert (state["receivedDate"], state["validFrom"], state["expiryDate"], state["targetDate"]) == (
            "2026-12-08",
            "2026-12-08",
            "2027-02-02",
            "2027-01-12",
        )
        assert state["consultation"]["startDate"] == "2026-12-09" and state["decision"]["decisionDate"] == "2026-12-08"

        notice_id = state["decision"]["noticeDocumentId"]
        key = f"{stack.council}/{reference}/decision-notice-{notice_id}.html"
        stored = harness.s3.get_object(Bucket=stack.documents_bucket, Key=key)
        html = stored["Body"].read().decode()
        assert stored["ContentType"].startswith("text/html")
        assert reference in html and "Planning permission granted" in html and "Materials must match" in html
        served = harness.request(
            "GET", f"{application}/documents/{notice_id}", headers={"Authorization": f"Bearer {rae}"}
        )
        assert served.status == 200 and served.body.decode() == html
        assert served.headers["Content-Type"].startswith("text/html")

        # A file over a function's answer limit: a short-lived presigned GET on the documents bucket instead.
        submitted = state["documents"][0]
        keys = [  # the submitted files (the view does not show keys): each made larger than a function may answer
            o["Key"]
            for o in harness.s3.list_objects_v2(Bucket=stack.documents_bucket)["Contents"]
            if o["Size"] == submitted["size"] and "/documents/" in o["Key"]
        ]
        for key in keys:
            harness.s3.put_object(Bucket=stack.documents_bucket, Key=key, Body=b"%PDF-1.7\n" + b"0" * 7_000_000)
        linked = harness.request(
            "GET", f"{application}/documents/{submitted['id']}", headers={"Authorization": f"Bearer {rae}"}
        )
        assert linked.status == 307 and linked.body in (b"", "")
        link = urlsplit(linked.headers["Location"])
        query = dict(parse_qsl(link.query))
        assert link.scheme == "https" and stack.documents_bucket in link.netloc + link.path
        assert any(unquote(link.path).endswith(key) for key in keys)
        assert query["X-Amz-Expires"] == "300" and query["X-Amz-Signature"]
        assert query["response-content-type"] == submitted["contentType"]

        harness.deliver()  # the case list follows the determination through its rule
        listed = harness.request("GET", OFFICER, headers={"Authorization": f"Bearer {rae}"}).json()
        assert [(row["reference"], row["status"]) for row in listed["data"]] == [(reference, "determined")]
