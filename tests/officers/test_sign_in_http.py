"""Officers sign in through `bops serve`'s HTTP API, and officer routes are checked by the same authorizer as on AWS:
no token, an expired or forged token, a deactivated officer, a changed role, another council's key, an API key on an
officer route and an officer token on an API-key route, each refused (or followed) as it should be."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.councils.service import CouncilService
from shared import wiring
from tests.conftest import Client
from tests.councils.support import fast_hasher

pytestmark = pytest.mark.slow

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SESSION, ME = "/api/officer/v1/session", "/api/officer/v1/me"
PASSWORD = "a long enough password"
REFUSED = "The e-mail address or password is not right, or the account cannot sign in"


class Served:
    def __init__(self, runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runtime = runtime
        self.client: Client = runtime.client
        self.monkeypatch = monkeypatch
        deps = wiring.dependencies()
        self.councils = CouncilService(deps.event_store, deps.clock, fast_hasher())
        self.secrets = deps.secrets

    def officer(self, council: str, email: str, role: str, name: str = "An Officer") -> str:
        officer = self.councils.create_officer(council, email, name, role, PASSWORD, self.secrets)
        self.caught_up()
        return officer.id

    def caught_up(self) -> None:
        for _ in range(400):
            if self.client.request("GET", "/health")[2]["caught_up"]:
                return
            time.sleep(0.01)
        raise AssertionError("the relay did not catch up")

    def move_clock(self, to: datetime) -> None:
        self.monkeypatch.setenv("BOPS_NOW", to.isoformat())
        wiring.reset()

    def sign_in(self, email: str, password: str = PASSWORD, **extra: Any) -> tuple[int, Any, Any]:
        return self.client.request("POST", SESSION, {"email": email, "password": password, **extra})

    def token(self, email: str, **extra: Any) -> str:
        status, _, body = self.sign_in(email, **extra)
        assert status == 200, body
        return body["token"]

    def me(self, token: str | None = None, **headers: str) -> tuple[int, Any]:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        status, _, body = self.client.request("GET", ME, headers=headers)
        return status, body


@pytest.fixture
def served(tmp_path, odp_dir, monkeypatch) -> Iterator[Served]:
    from bops.runtime import EmbeddedRuntime, RuntimeOptions

    monkeypatch.setenv("BOPS_NOW", NOW.isoformat())
    for name in ("BOPS_RUNTIME", "BOPS_DATA_DIR", "BOPS_ODP_SCHEMA_DIR", "BOPS_ROUTE_SCOPES", "BOPS_COUNCIL"):
        monkeypatch.delenv(name, raising=False)
    runtime = EmbeddedRuntime(
        RuntimeOptions(tmp_path / "data", port=0, odp_schema_dir=odp_dir / "schemas", poll_interval=0.01)
    )
    runtime.start()
    runtime.client = Client(runtime.base_url)
    for name in ("BOPS_RUNTIME", "BOPS_DATA_DIR", "BOPS_ODP_SCHEMA_DIR", "BOPS_ROUTE_SCOPES"):
        monkeypatch.setenv(name, __import__("os").environ[name])  # restored after the test
    try:
        served = Served(runtime, monkeypatch)
        served.councils.create_council("DEMO", "Demo Council", "demo")
        served.councils.create_council("LBH", "London Borough of Hackney", "hackney")
        yield served
    finally:
        runtime.stop()
        wiring.reset()


def test_an_officer_signs_in_and_the_token_says_who_they_are(served):
    ann = served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    status, headers, body = served.sign_in("Ann@Demo.example")
    assert status == 200, body
    assert body["officer"] == {"id": ann, "name": "Ann Assessor", "role": "assessor", "council": "DEMO"}
    assert body["expiresAt"] == "2026-03-02T10:15:00Z" and headers["Cache-Control"] == "no-store"
    me = {"id": ann, "name": "Ann Assessor", "role": "assessor", "council": "DEMO"}
    assert served.me(body["token"]) == (200, me)
    # The console keeps the token in a cookie: the same check accepts it there.
    assert served.me(Cookie=f"theme=dark; bops_officer={body['token']}") == (200, me)


def test_every_failure_gets_the_same_401(served):
    served.officer("DEMO", "ann@demo.example", "assessor")
    bob = served.officer("DEMO", "bob@demo.example", "reviewer")
    served.councils.deactivate_officer("DEMO", bob, served.secrets)
    answers = [
        served.sign_in("ann@demo.example", "not the password"),
        served.sign_in("nobody@demo.example"),
        served.sign_in("bob@demo.example"),  # deactivated (right password before)
        served.sign_in("ann@demo.example", council="LBH"),  # another council's officer list
    ]
    assert [(status, body) for status, _, body in answers] == [(401, {"message": REFUSED, "errors": []})] * 4


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        (b"not json", 400, set()),
        (b"\xff\xfe{}", 400, set()),
        (b"[" * 100_000, 400, set()),
        (b"[]", 422, {""}),
        (b"{}", 422, {"email", "password"}),
        (json.dumps({"email": "ann", "password": ""}).encode(), 422, {"email", "password"}),
        (json.dumps({"email": "a@b.c", "password": "x", "council": "nope"}).encode(), 422, {"council"}),
        (json.dumps({"email": "a@b.c", "password": "x", "role": "administrator"}).encode(), 422, {"role"}),
        (json.dumps({"email": ["a@b.c"], "password": 5}).encode(), 422, {"email", "password"}),
    ],
)
def test_bad_bodies_are_refused_with_their_reasons(served, body, status, fields):
    answer, _, refused = served.client.request("POST", SESSION, body, {"Content-Type": "application/json"})
    assert answer == status and refused["message"]
    assert {error["field"] for error in refused["errors"]} == fields


def test_officer_routes_refuse_no_token_a_forged_one_and_an_expired_one(served):
    served.officer("DEMO", "ann@demo.example", "assessor")
    token = served.token("ann@demo.example")
    prefix, key_id, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raised = base64.urlsafe_b64encode(json.dumps({**claims, "exp": claims["exp"] + 86400}).encode()).decode()
    for refused in (None, "", "bops_key_nonsense", f"{prefix}.{key_id}.{raised.rstrip('=')}.{signature}", token[:-3]):
        assert served.me(refused)[0] == 401, refused
    assert served.me(Cookie="bops_officer=")[0] == 401
    served.move_clock(NOW + timedelta(minutes=14, seconds=59))
    assert served.me(token)[0] == 200
    served.move_clock(NOW + timedelta(minutes=15))
    assert served.me(token)[0] == 401


def test_deactivation_and_role_changes_apply_to_the_next_request(served):
    ann = served.officer("DEMO", "ann@demo.example", "assessor")
    token = served.token("ann@demo.example")
    served.councils.change_officer_role("DEMO", ann, "reviewer")
    served.caught_up()
    assert served.me(token)[1]["role"] == "reviewer"
    served.councils.deactivate_officer("DEMO", ann, served.secrets)
    served.caught_up()
    assert served.me(token)[0] == 401


def test_another_council_s_officer_is_their_own_council_s_only(served):
    served.officer("DEMO", "ann@demo.example", "assessor")
    lbh = served.officer("LBH", "ann@demo.example", "administrator")  # the same e-mail in two councils
    token = served.token("ann@demo.example", council="LBH")
    assert served.me(token)[1] == {"id": lbh, "name": "An Officer", "role": "administrator", "council": "LBH"}
    assert served.me(served.token("ann@demo.example"))[1]["council"] == "DEMO"  # without a council: the first
    # The LBH token rewritten to claim DEMO is not signed by DEMO's key: refused.
    prefix, key_id, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claimed = base64.urlsafe_b64encode(json.dumps({**claims, "c": "DEMO"}).encode()).decode().rstrip("=")
    assert served.me(f"{prefix}.{key_id}.{claimed}.{signature}")[0] == 401


def test_api_keys_never_open_officer_routes_nor_officer_tokens_api_key_routes(served):
    served.officer("DEMO", "ann@demo.example", "administrator")
    token = served.token("ann@demo.example")
    _, key = served.councils.create_api_key(
        "DEMO", "PlanX", ["planning_application:read", "planning_application:write"]
    )
    served.caught_up()
    assert served.me(key)[0] == 401
    status, _, _ = served.client.request(
        "GET", "/api/v2/planning_applications/26-00001-HAPP", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 401
    status, _, _ = served.client.request(
        "GET", "/api/v2/planning_applications/26-00001-HAPP", headers={"Authorization": f"Bearer {key}"}
    )
    assert status == 404  # the key itself works there


def test_failed_sign_ins_are_throttled_per_e_mail_then_per_address(served):
    served.officer("DEMO", "ann@demo.example", "assessor")
    for _ in range(5):
        assert served.sign_in("ann@demo.example", "wrong password")[0] == 401
    status, headers, body = served.sign_in("ann@demo.example")  # even the right password now
    assert status == 429 and 0 < int(headers["Retry-After"]) <= 900 and "Too many" in body["message"]
    for index in range(15):  # this address has failed 5 times: 15 more on other e-mails reach its limit
        assert served.sign_in(f"someone{index}@demo.example", "wrong password")[0] == 401
    assert served.sign_in("other@demo.example", "wrong password")[0] == 429
    served.move_clock(NOW + timedelta(minutes=15))  # the next window
    assert served.sign_in("ann@demo.example")[0] == 200
