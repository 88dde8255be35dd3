"""The API-keys projection and the authorizer import, and use on their first call, only what they need.

Each Lambda cold start pays for every module its handler imports: neither handler reads a planning application, so
neither may define the application events or the ODP submission model they carry, nor import Powertools' event
handlers or the X-Ray SDK (their logs and metrics use only Powertools' Logger and Metrics: `shared.observability`).
"""

from __future__ import annotations

import json

import pytest

from services.councils.api_key_projection import projector
from services.councils.service import CouncilService
from shared import wiring
from shared.apigateway import authorizer_request, method_arn, proxy_event
from shared.bus import bus_message
from tests.module_probe import modules_loaded_after as loaded_after

NEVER = ("shared.odp.model", "events.application", "aws_lambda_powertools.event_handler", "aws_xray_sdk")


def test_importing_the_authorizer_imports_no_events_projections_or_bus():
    loaded = loaded_after("import services.councils.authorizer")
    for module in (*NEVER, "events", "shared.bus", "shared.projections", "services.councils.api_key_projection"):
        assert module not in loaded


def test_importing_the_api_keys_projection_imports_no_application_events():
    loaded = loaded_after("import services.councils.api_key_projection")
    assert "events.council" in loaded  # the events it projects
    for module in NEVER:
        assert module not in loaded


@pytest.fixture
def council(tmp_path, monkeypatch):
    """A council with an API key in an embedded data directory: (environment, key, bus message of ApiKeyCreated).
    The read model has seen the council's stream up to the key, so projecting it has no gap to read from the log."""
    environment = {"BOPS_RUNTIME": "embedded", "BOPS_DATA_DIR": str(tmp_path / "data")}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    wiring.reset()
    deps = wiring.dependencies()
    councils = CouncilService(deps.event_store, deps.clock)
    councils.create_council("DEMO", "Demo Council", "demo")
    _, key = councils.create_api_key("DEMO", "PlanX", ["planning_application:write"])
    projector().handle(deps.event_store.read("council:DEMO", to_version=1)[0])  # the stream is projected up to the key
    [stored] = [row for row in deps.event_store.read_all_stored() if row.event_type == "ApiKeyCreated"]
    return environment, key, bus_message(stored, stored.position)


def test_the_first_calls_of_both_handlers_load_only_what_they_use(council, tmp_path):
    environment, key, message = council
    (tmp_path / "message.json").write_text(json.dumps(message))
    projected = loaded_after(
        "from services.councils.api_key_projection import lambda_handler\n"
        f"assert lambda_handler(json.load(open({str(tmp_path / 'message.json')!r})))['status'] == 'handled'\n"
        "from shared.wiring import dependencies\n"
        "assert 'event_store' not in vars(dependencies())  # no gap: the projector never built the log",
        environment,
    )
    for module in NEVER:
        assert module not in projected

    path = "/api/v2/planning_applications"
    request = authorizer_request(
        proxy_event("POST", path, path, None, [("Authorization", f"Bearer {key}")], [], b"{}"),
        method_arn("POST", path),
    )
    (tmp_path / "request.json").write_text(json.dumps(request))
    routes = [{"method": "POST", "path": path, "scopes": ["planning_application:write"]}]
    authorized = loaded_after(
        "from services.councils.authorizer import lambda_handler\n"
        f"policy = lambda_handler(json.load(open({str(tmp_path / 'request.json')!r})))\n"
        "assert policy['policyDocument']['Statement'][0]['Effect'] == 'Allow', policy",
        {**environment, "BOPS_ROUTE_SCOPES": json.dumps(routes)},
    )
    for module in (*NEVER, "events.council", "shared.bus"):
        assert module not in authorized
