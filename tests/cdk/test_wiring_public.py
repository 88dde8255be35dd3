"""A householder application from submission to its public decision on the deployed wiring (the template played on
moto): submitted with the API key, an officer publishes a plan, validates and determines it through the officer
authorizer, the public register's subscriber follows the log through its rule, and then anyone, without any
credential, reads it on both public faces and the feed through API Gateway's public methods: answers cacheable and
readable from any origin (CORS for GET, preflight answered), the published file served through a short-lived S3 link,
the decision notice in print. The template's public methods have no authorizer, and the stage is throttled."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from services.publication.declaration import SERVICE as PUBLICATION
from tests.cdk.test_wiring import deployed
from tests.cdk.test_wiring_assessment import OFFICER, PASSWORD, SESSION, at_a_fixed_moment, submitted_with_officers

pytestmark = pytest.mark.xdist_group("cdk")


FEED_HANDLER = "services.publication.feed.lambda_handler"
FEED_NOW = "2026-12-08T10:01:00Z"  # a minute on: the feed holds back entries of the last 30 seconds


def frozen(template: dict[str, Any]) -> dict[str, Any]:
    """Every clock frozen at the same moment but the feed's, a minute later."""
    template = at_a_fixed_moment(template)
    for resource in template["Resources"].values():
        properties = resource["Properties"] if resource["Type"] == "AWS::Lambda::Function" else {}
        if properties.get("Handler") == FEED_HANDLER:
            properties["Environment"]["Variables"]["BOPS_NOW"] = FEED_NOW
    return template


def test_a_householder_application_reaches_the_public_on_the_deployed_wiring(synthesised):
    with deployed(synthesised, frozen) as stack:
        harness = stack.harness
        reference = submitted_with_officers(stack)
        harness.deliver()
        tokens = {}
        for email in ("ann@demo.example", "rae@demo.example"):
            answer = harness.request("POST", SESSION, {"email": email, "password": PASSWORD})
            assert answer.status == 200, answer.body
            tokens[email] = {"Authorization": f"Bearer {answer.json()['token']}"}
        ann, rae = tokens["ann@demo.example"], tokens["rae@demo.example"]
        application = f"{OFFICER}/{reference}"
        state = harness.request("GET", application, headers=ann).json()
        plan = state["documents"][0]
        for command, extra in (("tags", {"tags": ["sitePlan.proposed"]}), ("publish", {})):
            body = {"documentsVersion": state["documentsVersion"], **extra}
            answer = harness.request("POST", f"{application}/documents/{plan['id']}/{command}", body, ann)
            assert answer.status == 200, (command, answer.body)
            state = answer.json()
        for officer, command, body in [
            (ann, "assign", {"officerId": "me"}),
            *((ann, f"documents/{d['id']}/check", {"valid": True}) for d in state["documents"]),
            (ann, "validate", {}),
            (ann, "assessment", {"summaryOfWorks": "A roof extension"}),
            (ann, "recommendation", {"decision": "granted", "publicReason": "It fits the street"}),
            (rae, "review", {"action": "agree"}),
            (ann, "determine", {}),
        ]:
            answer = harness.request("POST", f"{application}/{command}", {"version": state["version"], **body}, officer)
            assert answer.status == 200, (command, answer.body)
            state = answer.json()
        assert state["status"] == "determined"
        harness.deliver()  # the public register follows the log through its rule

        public_functions = {f.handler for f in PUBLICATION.http}
        called: set[str] = set()

        def public(path: str, query: dict[str, str] | None = None, status: int = 200):
            before = len(harness.invocations)
            answer = harness.request(
                "GET", path, headers={"x-client": "demo", "Origin": "https://r.example"}, query=query
            )
            assert answer.status == status, (path, answer.status, answer.body)
            called.update(harness.function(i.function).handler for i in harness.invocations[before:])
            if status == 200:
                assert answer.headers["Cache-Control"].startswith("public, max-age="), (path, answer.headers)
                assert answer.headers["Access-Control-Allow-Origin"] == "*", (path, answer.headers)
            return answer

        v2 = f"/api/v2/public/planning_applications/{reference}"
        odp = f"/api/@next/public/applications/{reference}"
        found = public("/api/v2/public/planning_applications/search", {"q": reference}).json()
        assert [item["application"]["reference"] for item in found["data"]] == [reference]
        shown = public(v2).json()["application"]
        assert (shown["status"], shown["decision"]) == ("determined", "granted")
        odp_shown = public(odp).json()["data"]
        assert odp_shown["data"]["application"]["status"] == "determined"
        assert odp_shown["data"]["assessment"]["planningOfficerDecision"] == "granted"
        notice = public(f"{v2}/decision_notice")
        assert notice.headers["Content-Type"].startswith("text/html") and b"Planning permission granted" in notice.body
        [file] = public(f"{v2}/documents").json()["files"]
        [key] = [
            payload["key"]
            for payload in (json.loads(item["data"]["S"])["payload"] for item in stack.events("DocumentReceived"))
            if payload["document_id"] == plan["id"]
        ]
        stored = harness.s3.get_object(Bucket=stack.documents_bucket, Key=key)["Body"].read()
        for download in (
            "/" + file["url"].split("://", 1)[1].split("/", 1)[1],
            f"{odp}/documents/{public(f'{odp}/documents').json()['data'][0]['id']}/file",
        ):
            redirected = public(download, status=302)
            link = redirected.headers["Location"]
            assert link.startswith("https://") and "X-Amz-Signature=" in link and "X-Amz-Expires=300" in link
            assert requests.get(link, timeout=10).content == stored  # the file comes from S3, not the function
        feed = public("/api/@next/public/feed").json()
        assert {(e["reference"], e["type"]) for e in feed["data"]} >= {(reference, "published"), (reference, "decided")}
        assert called == public_functions  # every public function answered through its own methods

        preflight = harness.request(
            "OPTIONS",
            f"{odp}/documents",
            headers={
                "Origin": "https://r.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-client",
            },
        )
        assert preflight.status in (200, 204) and "GET" in preflight.headers.get("Access-Control-Allow-Methods", "")

        # From the template: every public method has no authorizer, and the stage throttles every method.
        declared = {route.path for function in PUBLICATION.http for route in function.routes}
        public_methods = [m for m in harness.methods() if harness.function(m.function).handler in public_functions]
        assert public_methods and all(m.authorizer is None for m in public_methods)
        assert len({m.resource for m in public_methods}) == len(declared)
        [stage] = [r for r in harness.template["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage"]
        [throttled] = [s for s in stage["Properties"]["MethodSettings"] if s.get("ThrottlingRateLimit")]
        assert (throttled["HttpMethod"], throttled["ResourcePath"]) == ("*", "/*")
        assert throttled["ThrottlingBurstLimit"] > 0
