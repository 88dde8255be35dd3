"""The officer API's OpenAPI document: public, every route and command body, the officer's bearer scheme."""

from __future__ import annotations

from services.assessment.officer_api.commands import COMMANDS
from tests.assessment.api_support import call

BASE = "/api/officer/v1"


def test_the_openapi_document_describes_every_operation_with_its_body_and_the_bearer_scheme(deps):
    status, spec = call("GET", f"{BASE}/openapi.json", officer=None)
    assert status == 200
    assert spec["info"]["title"] == "BOPS officer API"
    scheme = spec["components"]["securitySchemes"]["officerToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    paths = spec["paths"]
    assert set(paths[f"{BASE}/planning_applications"]) == {"get"}
    assert paths[f"{BASE}/planning_applications/{{reference}}/audit"]["get"]["security"] == [{"officerToken": []}]
    for command in COMMANDS:
        operation = paths[f"{BASE}/planning_applications/{{reference}}/{command.path}"]["post"]
        assert operation["security"] == [{"officerToken": []}]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
        seen = "documentsVersion" if command.stream == "documents" else "version"
        assert seen in body["required"], command.path
        names = [p["name"] for p in operation["parameters"]]
        assert names == ["reference"] + [part[1:-1] for part in command.path.split("/") if part.startswith("{")]
        assert set(operation["responses"]) >= {"200", "401", "403", "404", "409", "422"}
    recommendation = spec["components"]["schemas"]["Recommendation"]
    assert {"decision", "publicReason", "privateNote"} <= set(recommendation["properties"])
    assert f"{BASE}/openapi.json" not in paths
    listed = {p["name"] for p in paths[f"{BASE}/planning_applications"]["get"]["parameters"]}
    assert listed == {"status", "assignedTo", "overdue", "dueWithinDays", "type", "q", "page", "perPage"}


def test_every_command_is_declared_and_every_declared_route_is_served():
    from services.assessment.declaration import COMMAND_PATHS, SERVICE
    from services.assessment.officer_api.handler import app

    assert list(COMMAND_PATHS) == [command.path for command in COMMANDS]
    [function] = [f for f in SERVICE.http if f.name == "officer-api"]
    served = {(method, rule) for rule, method, *_ in _routes(app)}
    for route in function.routes:
        assert (route.method, route.path) in served, route
        assert route.auth == ("public" if route.path.endswith("openapi.json") else "officer")


def _routes(app):
    """(path in API Gateway syntax, method) of every route the resolver registered."""
    for route in app._static_routes + app._dynamic_routes:
        yield route.openapi_path, route.method
