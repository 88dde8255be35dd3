"""The officer API's OpenAPI document: Powertools' from the routes, with each command's body schema (its pydantic
model) as the request body, and the officer's bearer token as the security scheme."""

from __future__ import annotations

from typing import Any

import orjson

from services.assessment.officer_api.commands import COMMANDS


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
    for command in COMMANDS:
        path = f"{collection}/{{reference}}/{command.path}"
        operation = spec["paths"][path]["post"]
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
                "200": {"description": "The application's new state"},
                "401": {"description": "Not signed in"},
                "403": {"description": "The officer's role does not allow it"},
                "404": {"description": "No such application (or request, or document) in the officer's council"},
                "409": {"description": "The application is in the wrong state, or changed since `version`"},
                "422": {"description": "Invalid fields, as `errors: [{field, message}]`"},
            }
        )
    return orjson.dumps(spec).decode("utf-8")
