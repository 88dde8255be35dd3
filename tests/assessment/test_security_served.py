"""The officer API's refusals through `bops serve` (its authorizer and handler, as API Gateway runs them): no token, an
expired or forged token, a deactivated officer, an assessor reviewing, a reviewer reviewing their own recommendation,
another council's officer. Each is refused with its status, and nothing is appended."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from tests.assessment.api_support import receive_document, submit
from tests.officers.test_sign_in_http import NOW, Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

BASE = "/api/officer/v1/planning_applications"
REFERENCE = "26-00001-HH"
APPLICATION = f"{BASE}/{REFERENCE}"


def forged(token: str) -> list[str]:
    """The token with its claims changed (a longer life, another officer) but the signature kept, or cut short."""
    prefix, key_id, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    changed = [
        base64.urlsafe_b64encode(json.dumps({**claims, **change}).encode()).decode().rstrip("=")
        for change in ({"exp": claims["exp"] + 86400}, {"o": "someone-else"})
    ]
    return [f"{prefix}.{key_id}.{c}.{signature}" for c in changed] + [token[:-4], f"{prefix}.{key_id}.{body}.x"]


def test_every_refusal_of_the_officer_api_has_its_status(served: Served):  # noqa: F811
    ann = served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    served.officer("DEMO", "rae@demo.example", "reviewer", "Rae Reviewer")
    served.officer("DEMO", "rob@demo.example", "reviewer", "Rob Reviewer")
    served.officer("LBH", "zed@hackney.example", "administrator", "Zed Hackney")
    served.officer("LBH", "zoe@hackney.example", "reviewer", "Zoe Hackney")
    deps = served.runtime.deps
    submit(deps.event_store, REFERENCE)
    receive_document(deps.event_store, REFERENCE)
    served.caught_up()
    tokens = {
        who: served.token(f"{who}@{'hackney' if who.startswith('z') else 'demo'}.example")
        for who in ("ann", "rae", "rob", "zed", "zoe")
    }

    def request(method: str, path: str, token: str | None, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        status, _, answer = served.client.request(method, path, body, headers)
        return status, answer

    def version() -> int:
        return request("GET", APPLICATION, tokens["rae"])[1]["version"]

    def command(name: str, who: str, body: dict | None = None, expected: int = 200) -> dict:
        before = version()
        status, answer = request("POST", f"{APPLICATION}/{name}", tokens[who], {"version": before, **(body or {})})
        assert status == expected, (name, who, answer)
        if expected != 200:
            assert answer["message"] and version() == before  # refused: nothing appended
        return answer

    # No token, a forged one, a token of no officer: 401 before any handler runs (GET and POST alike).
    for token in (None, "", "bops_key_nonsense", *forged(tokens["ann"])):
        assert request("GET", APPLICATION, token)[0] == 401, token
        assert request("POST", f"{APPLICATION}/assign", token, {"version": 1, "officerId": "me"})[0] == 401, token
    assert request("GET", BASE, None)[0] == 401

    # Another council's officers: the application does not exist for them (404), whatever their role.
    for who in ("zed", "zoe"):
        assert request("GET", APPLICATION, tokens[who])[0] == 404
        assert request("GET", f"{APPLICATION}/audit", tokens[who])[0] == 404
        assert request("GET", f"{APPLICATION}/documents/doc-0", tokens[who])[0] == 404
        command("assign", who, {"officerId": "me"}, expected=404)
    assert request("GET", BASE, tokens["zed"])[1]["pagination"]["totalResults"] == 0

    # Rae (a reviewer, who may do case work) recommends: she may not review her own recommendation (403); an
    # assessor may not review at all (403); another reviewer may.
    command("assign", "rae", {"officerId": "me"})
    command("validate", "rae")
    command("assessment", "rae", {"summaryOfWorks": "A rear extension"})
    command("recommendation", "rae", {"decision": "granted", "publicReason": "Complies"})
    assert "you made" in command("review", "rae", {"action": "agree"}, expected=403)["message"]
    command("review", "ann", {"action": "agree"}, expected=403)
    command("review", "rob", {"action": "challenge", "comment": "Say why it complies"})

    # A deactivated officer's token stops working at the next request (the officers read model), on every route.
    served.councils.deactivate_officer("DEMO", ann, served.secrets)
    served.caught_up()
    assert request("GET", APPLICATION, tokens["ann"])[0] == 401
    status, _ = request("POST", f"{APPLICATION}/recommendation", tokens["ann"], {"version": version()})
    assert status == 401

    # A token past its 15 minutes: 401.
    served.move_clock(NOW + timedelta(minutes=15))
    assert request("GET", APPLICATION, tokens["rob"])[0] == 401
    assert request("POST", f"{APPLICATION}/review", tokens["rob"], {"version": 1, "action": "agree"})[0] == 401
