"""Officers sign in on the deployed wiring (the template played on moto): the council's Cognito user pool checks the
password, the officers read model (fed by its rule) gives the current role, the API Gateway authorizer of officer
routes checks the token, and API keys and officer tokens never open each other's routes."""

from __future__ import annotations

import pytest

from services.councils.declaration import AUTHORIZER_HANDLER, OFFICER_API_HANDLER
from tests.cdk.test_wiring import COLLECTION, deployed

pytestmark = pytest.mark.xdist_group("cdk")

SESSION, ME = "/api/officer/v1/session", "/api/officer/v1/me"
PASSWORD = "a long enough password"


def test_officers_sign_in_and_are_checked_on_the_deployed_wiring(synthesised):
    council = synthesised.councils[0]
    assert council.first_administrator is not None
    with deployed(synthesised) as stack:
        harness = stack.harness
        [sign_in] = harness.functions_with_handler(OFFICER_API_HANDLER)
        with harness.running_as(sign_in.logical_id):
            from services.councils.officer_directory import DirectoryEntry, officer_directory
            from services.councils.officer_tokens import OfficerTokens
            from services.councils.service import CouncilService
            from shared.wiring import dependencies

            deps = dependencies()
            service = CouncilService(deps.event_store, deps.clock)
            directory = officer_directory(deps)
            first = council.first_administrator
            # The stack created the first administrator's user and the administrator recorded them (`deployed`);
            # now they get their password.
            ada = service.load(stack.council).officer_by_email(first.email)
            assert ada is not None and ada.role == "administrator"
            directory.set_password(DirectoryEntry(stack.council, ada.id, ada.email, ada.name, ada.role), PASSWORD)
            ann = service.create_officer(
                stack.council, "ann@demo.example", "Ann Assessor", "assessor", PASSWORD, directory=directory
            )
            elsewhere, _ = OfficerTokens(deps.secrets, deps.clock).issue("BRK", ann.id)  # another council's token
        harness.deliver()  # the officers read model, through its rule

        answer = harness.request("POST", SESSION, {"email": first.email.upper(), "password": PASSWORD})
        assert answer.status == 200, answer.body
        assert answer.json()["officer"] == {
            "id": ada.id,
            "name": first.name,
            "role": "administrator",
            "council": stack.council,
        }
        token = answer.json()["token"]
        [authorizer] = harness.functions_with_handler(AUTHORIZER_HANDLER)
        before = len(harness.invocations)
        me = harness.request("GET", ME, headers={"Authorization": f"Bearer {token}"})
        assert me.status == 200 and me.json()["role"] == "administrator"
        assert any(i.function == authorizer.logical_id for i in harness.invocations[before:])
        assert harness.request("GET", ME, headers={"Cookie": f"bops_officer={token}"}).status == 200

        refused = [
            harness.request("GET", ME),
            harness.request("GET", ME, headers={"Authorization": f"Bearer {token[:-2]}"}),
            harness.request("GET", ME, headers={"Authorization": f"Bearer {stack.key}"}),  # an API key
            harness.request("GET", ME, headers={"Authorization": f"Bearer {elsewhere}"}),  # another council's
            harness.request("GET", f"{COLLECTION}/26-00001-HAPP", headers={"Authorization": f"Bearer {token}"}),
        ]
        assert [r.status for r in refused] == [401] * 5
        wrong = harness.request("POST", SESSION, {"email": "ann@demo.example", "password": "not it"})
        assert wrong.status == 401

        ann_token = harness.request("POST", SESSION, {"email": "ann@demo.example", "password": PASSWORD}).json()
        with harness.running_as(sign_in.logical_id):
            deps = dependencies()
            service = CouncilService(deps.event_store, deps.clock)
            service.change_officer_role(stack.council, ann.id, "reviewer", directory=officer_directory(deps))
        harness.deliver()
        bearer = {"Authorization": f"Bearer {ann_token['token']}"}
        assert harness.request("GET", ME, headers=bearer).json()["role"] == "reviewer"
        with harness.running_as(sign_in.logical_id):
            deps = dependencies()
            service = CouncilService(deps.event_store, deps.clock)
            service.deactivate_officer(stack.council, ann.id, directory=officer_directory(deps))
        harness.deliver()
        assert harness.request("GET", ME, headers=bearer).status == 401
        assert harness.request("POST", SESSION, {"email": "ann@demo.example", "password": PASSWORD}).status == 401

        # Failures are counted in the read-model table, whichever instance answers: the e-mail's limit is reached.
        for _ in range(3):
            assert harness.request("POST", SESSION, {"email": "ann@demo.example", "password": "x"}).status == 401
        throttled = harness.request("POST", SESSION, {"email": "ann@demo.example", "password": PASSWORD})
        assert throttled.status == 429 and int(throttled.headers["Retry-After"]) > 0
