"""The officer API's OpenAPI document: public, every route and command body, the officer's bearer scheme."""

from __future__ import annotations

from typing import Literal, get_args, get_origin

import pytest
from pydantic import ValidationError

from events.submission import ConstraintSummary
from services.assessment.officer_api.commands import COMMANDS
from tests.assessment.api_support import ASSESSOR, REVIEWER, call, enlist, receive_document, submit

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
    for route in function.routes:  # every declared route leads to something the resolver serves
        assert any(route.matches(method, path) is not None for method, path in served), route
        assert route.auth == ("public" if route.path.endswith("openapi.json") else "officer")
    for method, path in served:  # everything it serves is reachable through exactly the routes that match it
        assert any(route.matches(method, path) is not None for route in function.routes), (method, path)


def _routes(app):
    """(path in API Gateway syntax, method) of every route the resolver registered."""
    for route in app._static_routes + app._dynamic_routes:
        yield route.openapi_path, route.method


# The document against the parsers and the answers: neither can drift from what the handler does -------------------


def _spec(deps) -> dict:
    status, spec = call("GET", f"{BASE}/openapi.json", officer=None)
    assert status == 200
    return spec


def test_every_command_body_in_the_document_is_its_parser_with_its_required_fields_and_enums(deps):
    spec = _spec(deps)
    schemas = spec["components"]["schemas"]
    for command in COMMANDS:
        operation = spec["paths"][f"{BASE}/planning_applications/{{reference}}/{command.path}"]["post"]
        name = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        model, described = command.body, schemas[name]
        fields = {field.alias or key: field for key, field in model.model_fields.items()}
        assert set(described["properties"]) == set(fields), command.path
        assert set(described.get("required", [])) == {alias for alias, f in fields.items() if f.is_required()}
        assert described["additionalProperties"] is False  # the parser forbids unknown fields
        with pytest.raises(ValidationError):
            model.model_validate({**_valid(model), "unknownField": 1})
        for alias in described.get("required", []):  # each required field missing: refused, naming the field
            with pytest.raises(ValidationError) as refused:
                model.model_validate({k: v for k, v in _valid(model).items() if k != alias})
            assert {e["loc"][0] for e in refused.value.errors()} == {alias}, (command.path, alias)
        for alias, field in fields.items():
            allowed = _literal(field.annotation)
            assert (_enum(described["properties"][alias]) or None) == allowed, (command.path, alias)
            if allowed:
                for value in allowed:
                    model.model_validate({**_valid(model), alias: value})
                with pytest.raises(ValidationError):
                    model.model_validate({**_valid(model), alias: "something_else"})
    assert schemas["DraftValidationRequest"]["properties"]["type"]["enum"]
    assert schemas["Review"]["properties"]["action"]["enum"] == ["agree", "challenge"]


def test_the_bodies_enums_are_the_domains():
    from events.assessment import Decision, RequestType
    from services.assessment.officer_api.bodies import DecisionName, RequestTypeName

    assert get_args(RequestTypeName) == get_args(RequestType)
    assert get_args(DecisionName) == get_args(Decision)


def test_every_state_answered_conforms_to_the_documents_application_state(deps):
    """An application with every part of its state filled in at some point (constraints from the submission and an
    officer, entities, requests drafted, sent, answered and cancelled, documents, assessment, a challenged and an
    agreed review, a committee, the decision), each answer validated against the document's `ApplicationState`, whose
    objects list every key as required and no other: a key added to or removed from the view fails here."""
    from jsonschema import Draft202012Validator

    from events import Actor, NewEvent
    from events.streams import application_stream
    from events.submission import ConstraintEntity
    from services.assessment.domain.applicant import answer_validation_request
    from services.assessment.officer_api.handler import casework

    spec = _spec(deps)
    responses = spec["paths"][f"{BASE}/planning_applications/{{reference}}"]["get"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ApplicationState")
    validator = Draft202012Validator({"$ref": "#/components/schemas/ApplicationState", **spec})
    reference = "26-00077-PA"
    entity = ConstraintEntity(name="Zone 3", entity=7010, source="Planning Data")
    flood = ConstraintSummary(value="flood", description="Flood risk", intersects=True, entities=(entity,))
    listed = ConstraintSummary(value="listed", description="Listed building", intersects=True)
    enlist(deps, ASSESSOR, REVIEWER)
    submit(deps.event_store, reference, application_type="pa.part1.classA", constraints=(flood, listed))
    receive_document(deps.event_store, reference)
    answers: list[dict] = []

    def step(command: str, body: dict, officer=ASSESSOR) -> dict:
        version = answers[-1]["version"] if answers else 1
        status, answer = call(
            "POST", f"{BASE}/planning_applications/{reference}/{command}", {"version": version, **body}, officer
        )
        assert status == 200, (command, answer)
        answers.append(answer)
        return answer

    step("assign", {"officerId": "me"})
    step("constraints", {"constraint": "tpo", "description": "TPO 12"})
    step("constraints/remove", {"constraint": "listed", "reason": "Delisted"})
    step("documents/doc-0/check", {"valid": False, "invalidReason": "Blurred"})
    step("red_line_boundary/check", {"valid": True})
    step("fee/check", {"valid": True})
    first = step("validation_requests", {"type": "replacement_document", "reason": "Blurred", "documentId": "doc-0"})
    step("validation_requests", {"type": "fee_change", "reason": "Too little", "feeAmount": "258.00"})
    step("validation_requests/{}/cancel".format(first["validationRequests"][0]["id"]), {"reason": "Not needed"})
    opened = step("invalidate", {})
    [request] = [r for r in opened["validationRequests"] if r["state"] == "open"]
    work = casework()
    state = work.load("DEMO", reference)
    payloads = answer_validation_request(state, request_id=request["id"], now=work.now(), response="Paid the rest")
    applicant = Actor(kind="applicant", id=request["id"], display_name="Applicant")
    events = [NewEvent(p, "DEMO", applicant, work.now()) for p in payloads]
    deps.event_store.append(application_stream("DEMO", reference), state.version, events)
    answers.append(call("GET", f"{BASE}/planning_applications/{reference}")[1])
    step("documents/doc-0/check", {"valid": True})
    step("validate", {"validFrom": "2026-03-03"})  # the officer confirms a date (the default is tomorrow)
    step("site_notice", {"displayedOn": "2026-03-03"})
    step("press_notice", {"publishedOn": "2026-03-03"})
    step(
        "assessment",
        {
            "summaryOfWorks": "Rear extension",
            "conditions": [{"text": "Materials", "reason": "Amenity"}],
            "informatives": ["Party wall"],
        },
    )
    step("recommendation", {"decision": "not_required", "publicReason": "Permitted", "privateNote": "Easy"})
    step("review", {"action": "challenge", "comment": "Say more"}, officer=REVIEWER)
    step("recommendation", {"decision": "granted", "publicReason": "Meets the limits"})
    step("committee", {"reason": "Called in"}, officer=REVIEWER)
    step("committee_decision", {"decision": "granted", "decidedOn": "2026-03-03"}, officer=REVIEWER)
    step("determine", {})
    answers.append(call("GET", f"{BASE}/planning_applications/{reference}")[1])
    for answer in answers:
        problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(answer)]
        assert not problems, (answer["status"], problems)
    last = answers[-1]
    assert last["status"] == "determined" and last["committee"]["decision"] == "granted"
    assert {c["value"] for c in last["constraints"]} == {"flood", "listed", "tpo"}
    assert last["constraints"][0]["entities"] and any(c["removed"] for c in last["constraints"])
    assert any(r["answer"] for r in last["validationRequests"]) and last["assessment"] and last["decision"]
    assert any(a["review"] for a in answers) and any(a["consultation"] for a in answers)
    assert not validator.is_valid({**last, "surprise": 1}) and not validator.is_valid(
        {**last, "constraints": [{**last["constraints"][0], "surprise": 1}]}
    )


def _literal(annotation) -> list | None:
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return None


def _enum(property_schema: dict) -> list | None:
    return property_schema.get("enum")


def _valid(model) -> dict:
    """A body the parser accepts: every required field with a value of its type."""
    day = "2026-03-03"
    samples = {"version": 1, "documentsVersion": 1, "valid": True, "officerId": "me", "type": "fee_change",
               "decision": "granted", "action": "agree", "displayedOn": day, "publishedOn": day, "decidedOn": day,
               "proposedExpiryDate": "2026-05-01", "content": "JVBERg==", "tags": []}  # fmt: skip
    body = {}
    for key, field in model.model_fields.items():
        if field.is_required():
            alias = field.alias or key
            body[alias] = samples.get(alias, "text")
    model.model_validate(body)
    return body
