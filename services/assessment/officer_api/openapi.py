"""The officer API's OpenAPI document: Powertools' from the routes, with each command's body schema (its pydantic
model) as the request body, and the officer's bearer token as the security scheme."""

from __future__ import annotations

import re
from typing import Any

import orjson

from services.assessment.officer_api.commands import COMMANDS
from services.assessment.officer_api.state_schema import SCHEMAS, state_response


def document(app: Any, title: str, description: str, scheme: str, collection: str) -> str:
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    bearer = HTTPBearer(
        bearerFormat="BOPS officer token",
        description="The token `POST /api/officer/v1/session` answers (15 minutes), sent as "
        "`Authorization: Bearer <token>`.",
    )
    spec = orjson.loads(
        app.get_openapi_json_schema(
            title=title, version="1", description=description, security_schemes={scheme: bearer}
        )
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(SCHEMAS)
    spec["paths"][f"{collection}/{{reference}}"]["get"]["responses"]["200"] = state_response("The application's state")
    for command in COMMANDS:
        path = f"{collection}/{{reference}}/{command.path}"
        operation = spec["paths"][path]["post"]
        operation["operationId"] = command.path.replace("/{", "_").replace("}/", "_").replace("/", "_").strip("_")
        operation["parameters"] = [_path_parameter(name) for name in re.findall(r"\{(\w+)\}", path)]
        schema = command.body.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        schemas[command.body.__name__] = schema
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{command.body.__name__}"}}},
        }
        operation.setdefault("responses", {}).update(
            {
                "200": state_response("The application's new state"),
                "401": {"description": "Not signed in"},
                "403": {"description": "The officer's role does not allow it"},
                "404": {"description": "No such application (or request, or document) in the officer's council"},
                "409": {
                    "description": "The application is in the wrong state, or changed since `version` "
                    "(a document command: the document changed since `documentsVersion`)"
                },
                "422": {"description": "Invalid fields, as `errors: [{field, message}]`"},
            }
        )
    spec["paths"][collection]["get"]["parameters"] = [_query_parameter(*p) for p in CASE_LIST_PARAMETERS]
    return orjson.dumps(spec).decode("utf-8")


CASE_LIST_PARAMETERS = (
    ("status", "string", "Statuses, comma-separated or repeated"),
    ("assignedTo", "string", "`me` or an officer id"),
    ("overdue", "boolean", "Only (true) or no (false) open applications past their expiry date"),
    ("dueWithinDays", "integer", "Open applications due within this many business days"),
    ("type", "string", "ODP application type codes, comma-separated or repeated"),
    ("q", "string", "Text in the reference, address or postcode"),
    ("page", "integer", "From 1"),
    ("perPage", "integer", "1 to 100 (25)"),
)


def _path_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query_parameter(name: str, kind: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind}, "description": description}
