"""The officer API through `bops serve`: officers sign in, the case list follows the relay, and a householder
application goes from submission to determination over HTTP; refusals carry the right status."""

from __future__ import annotations

import pytest

from tests.assessment.api_support import submit
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

BASE = "/api/officer/v1/planning_applications"
REFERENCE = "26-00001-HH"


def test_officers_take_an_application_to_its_decision_over_http(served: Served):  # noqa: F811
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    served.officer("DEMO", "rae@demo.example", "reviewer", "Rae Reviewer")
    served.officer("LBH", "zed@hackney.example", "assessor", "Zed Hackney")
    ann, rae, zed = (served.token(e) for e in ("ann@demo.example", "rae@demo.example", "zed@hackney.example"))
    submit(served.runtime.deps.event_store, REFERENCE)
    served.caught_up()
    client = served.client

    def request(method, path, token, body=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, _, answer = client.request(method, path, body, headers)
        return status, answer

    assert request("GET", BASE, None)[0] == 401
    assert request("GET", f"{BASE}/{REFERENCE}", zed)[0] == 404
    status, listed = request("GET", BASE, ann)
    assert status == 200 and [row["reference"] for row in listed["data"]] == [REFERENCE]
    assert listed["counts"]["not_started"] == 1

    version = 1
    for officer, command, body in [
        (ann, "assign", {"officerId": "me"}),
        (ann, "validate", {}),
        (ann, "assessment", {"summaryOfWorks": "A rear extension"}),
        (ann, "recommendation", {"decision": "refused", "publicReason": "Harm to the street scene"}),
    ]:
        status, state = request("POST", f"{BASE}/{REFERENCE}/{command}", officer, {"version": version, **body})
        assert status == 200, state
        version = state["version"]
    status, refused = request("POST", f"{BASE}/{REFERENCE}/review", ann, {"version": version, "action": "agree"})
    assert status == 403, refused
    status, state = request("POST", f"{BASE}/{REFERENCE}/review", rae, {"version": version, "action": "agree"})
    assert status == 200, state
    status, state = request("POST", f"{BASE}/{REFERENCE}/determine", ann, {"version": state["version"]})
    assert status == 200, state
    assert state["status"] == "determined" and state["decision"]["decision"] == "refused"

    served.caught_up()
    status, listed = request("GET", BASE, ann, None)
    assert listed["data"][0]["status"] == "determined" and listed["counts"]["determined"] == 1
    status, audit = request("GET", f"{BASE}/{REFERENCE}/audit", rae)
    assert status == 200 and any(e["what"].startswith("Decision notice issued") for e in audit["entries"])
    status, spec = request("GET", "/api/officer/v1/openapi.json", None)
    assert status == 200 and "officerToken" in spec["components"]["securitySchemes"]
