"""The ODP public API's OpenAPI document (served at `/api/@next/public/openapi.json`, Swagger UI at `.../docs`).

ODP payloads are described by their top-level required keys (a `postSubmissionPublishedApplication` is an object
with `applicationType`, `data`, `metadata` and `submission`, ...), not by the official 1.5 MB schema, which python
validators take minutes over; the test suite validates every document we publish against the official schema with
jsonschema-rs (`shared.odp.published`).
"""

from __future__ import annotations

from typing import Any

import orjson

from services.publication.odp.parameters import DATE_PARAMETERS, DECISIONS, DEFAULT_PER_PAGE
from services.publication.odp.stages import ODP_STATUSES, PUBLIC_STATUSES
from services.publication.read_model.port import MAX_RESULTS_PER_PAGE
from shared.documents.port import TEMPORARY_LINK_RESPONSE

TITLE = "BOPS public API (Open Digital Planning @next)"
BASE = "/api/@next/public"
DESCRIPTION = f"""Published planning applications as Open Digital Planning (ODP) data: what public planning registers
read. No authentication.

Name the council with the `x-client` header (its slug), or the `council` query parameter (slug or code); without
either, every council this instance serves is searched.

Every answer is the envelope `{{"data", "pagination", "status": {{"code", "message"}}}}`. A refusal has `data: null`
and says why in `status.detail`: 400 for bad parameters, 404 for an unknown application, document or council.

Each application is an ODP `postSubmissionPublishedApplication` (`applicationType`, `data`, `comments`, `files`,
`submission`, `metadata`), valid against the official schema; `submission` is the application as submitted, in the
`prototypeApplication` format, without personal data. Its `data.application.status` is ODP's (`undetermined`,
`determined`, `withdrawn`, `returned`); the `applicationStatus` filter takes this system's statuses
({", ".join(PUBLIC_STATUSES)}) or ODP's. An application the council closed without a decision is ODP `withdrawn`,
with the reason "Closed by the council without a decision".

Lists take `page` (from 1) and `resultsPerPage` (1 to {MAX_RESULTS_PER_PAGE}, default {DEFAULT_PER_PAGE}; larger
values are capped; also accepted as `maxresults`)."""


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "pagination", "status"],
        "properties": {
            "data": data,
            "pagination": {"$ref": "#/components/schemas/Pagination"},
            "status": {"$ref": "#/components/schemas/Status"},
        },
    }


def _refusal() -> dict[str, Any]:
    return {"$ref": "#/components/schemas/Refusal"}


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _refusals(*codes: int) -> dict[str, Any]:
    words = {
        400: "Bad parameters (each named in status.detail)",
        404: "No such application, document or council",
        503: "The ODP schemas are missing",
    }
    return {str(code): _answer(words[code], _refusal()) for code in codes}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


COUNCIL = [
    {
        "name": "x-client",
        "in": "header",
        "required": False,
        "description": "The council's slug",
        "schema": {"type": "string"},
    },
    _query("council", "The council's slug or code (instead of x-client)"),
]
PAGING = [
    _query("page", "The page, from 1", {"type": "integer", "minimum": 1, "default": 1}),
    _query(
        "resultsPerPage",
        f"Results per page (capped at {MAX_RESULTS_PER_PAGE})",
        {"type": "integer", "minimum": 1, "default": DEFAULT_PER_PAGE},
    ),
]
REFERENCE = _path("reference", "The application's reference, e.g. 26-00042-HAPP")


def _date_range(prefix: str, what: str) -> list[dict[str, Any]]:
    day = {"type": "string", "format": "date"}
    return [
        _query(f"{prefix}From", f"{what} on or after (YYYY-MM-DD)", day),
        _query(f"{prefix}To", f"{what} on or before", day),
    ]


def _list(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "description": "Comma-separated or repeated: " + ", ".join(values)}


def _schemas() -> dict[str, Any]:
    required = ["applicationType", "data", "metadata", "submission"]
    return {
        "Pagination": {
            "type": "object",
            "nullable": True,
            "required": ["resultsPerPage", "currentPage", "totalPages", "totalResults", "totalAvailableItems"],
            "properties": {
                name: {"type": "integer"}
                for name in ("resultsPerPage", "currentPage", "totalPages", "totalResults", "totalAvailableItems")
            },
        },
        "Status": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "detail": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        },
        "Refusal": {
            "type": "object",
            "required": ["data", "pagination", "status"],
            "properties": {
                "data": {"nullable": True, "enum": [None]},
                "pagination": {"nullable": True, "enum": [None]},
                "status": {"$ref": "#/components/schemas/Status"},
            },
        },
        "PostSubmissionPublishedApplication": {
            "type": "object",
            "description": "ODP postSubmissionPublishedApplication (official schema: "
            "https://theopensystemslab.github.io/digital-planning-data-schemas/@next/schemas/"
            "postSubmissionPublishedApplication.json), by its top-level keys",
            "required": required,
            "properties": {
                "applicationType": {"type": "string", "description": "ODP application type, e.g. pp.full.householder"},
                "data": {
                    "type": "object",
                    "required": ["application", "localPlanningAuthority", "submission", "caseOfficer"],
                    "description": "application (reference, stage, status, publishedAt), localPlanningAuthority, "
                    "submission (submittedAt), validation, consultation, assessment, caseOfficer (name)",
                },
                "comments": {"type": "object", "description": "public and specialist comments (none yet)"},
                "files": {"type": "array", "items": {"$ref": "#/components/schemas/PostSubmissionFileRedacted"}},
                "submission": {
                    "type": "object",
                    "required": ["applicationType", "data"],
                    "description": "The ODP prototypeApplication as submitted, without personal data",
                },
                "metadata": {
                    "type": "object",
                    "required": ["organisation", "id", "submittedAt", "generatedAt", "schema"],
                },
            },
        },
        "PostSubmissionFileRedacted": {
            "type": "object",
            "description": "A published document (ODP PostSubmissionFileRedacted); url serves the public copy",
            "required": ["id", "name", "association", "type", "redactedUrl", "metadata"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "association": {"type": "string"},
                "type": {"type": "array", "items": {"type": "string"}},
                "url": {"type": "string"},
                "redactedUrl": {"type": "string"},
                "metadata": {"type": "object", "required": ["size", "mimeType", "createdAt", "submittedAt"]},
            },
        },
        "Comments": {
            "type": "object",
            "description": "ODP PublicCommentsRedacted / SpecialistCommentsRedacted: zero totals and no comments "
            "until consultation is recorded",
            "required": ["summary", "comments"],
            "properties": {"summary": {"type": "object"}, "comments": {"type": "array", "items": {"type": "object"}}},
        },
    }


def _get(summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any], *refusals: int) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": ["Published applications"],
            "parameters": parameters,
            "responses": {"200": ok, **_refusals(*refusals)},
        }
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def document() -> str:
    """The OpenAPI 3.0 document, as JSON."""
    statuses = list(PUBLIC_STATUSES) + list(ODP_STATUSES)
    search = [
        *COUNCIL,
        *PAGING,
        _query("maxresults", "The same as resultsPerPage", {"type": "integer", "minimum": 1}),
        _query(
            "query",
            "Free text: the reference (whole, or its year and number then as much of the suffix as typed, with the"
            " council's code in front or not: 26-00042, DEMO-26-00042-HA), else the postcode, else address words,"
            " else description words",
        ),
        _query("reference", "An exact reference"),
        _query("sortBy", "Sort by", {"type": "string", "enum": ["publishedAt", "receivedAt"]}),
        _query("orderBy", "Order", {"type": "string", "enum": ["asc", "desc"]}),
        _query("applicationType", "ODP application types", _list(["pp.full.householder", "ldc.proposed", "..."])),
        _query("applicationStatus", "Statuses", _list(statuses)),
        _query("councilDecision", "Decisions", _list(list(DECISIONS))),
    ]
    for name in DATE_PARAMETERS:
        search += _date_range(name, name)
    documents = [
        *COUNCIL,
        REFERENCE,
        *PAGING,
        _query("name", "Part of the file name"),
        _query("type", "An ODP file type, e.g. sitePlan.proposed"),
        _query("sortBy", "Sort by", {"type": "string", "enum": ["publishedAt", "name"]}),
        _query("orderBy", "Order", {"type": "string", "enum": ["asc", "desc"]}),
        *_date_range("publishedAt", "Published"),
    ]
    one_document = [*COUNCIL, REFERENCE, _path("documentId", "The document's ODP id (a number) or its id")]
    application_list = _envelope({"type": "array", "items": _ref("PostSubmissionPublishedApplication")})
    paths = {
        f"{BASE}/applications": _get(
            "Search published applications", search, _answer("A page of applications", application_list), 400, 404, 503
        ),
        f"{BASE}/applications/{{reference}}": _get(
            "One published application",
            [*COUNCIL, REFERENCE],
            _answer("The application", _envelope(_ref("PostSubmissionPublishedApplication"))),
            400,
            404,
            503,
        ),
        f"{BASE}/applications/{{reference}}/documents": _get(
            "Its published documents (and the decision notice once determined)",
            documents,
            _answer(
                "A page of file records", _envelope({"type": "array", "items": _ref("PostSubmissionFileRedacted")})
            ),
            400,
            404,
            503,
        ),
        f"{BASE}/applications/{{reference}}/documents/{{documentId}}": _get(
            "One published document's file record",
            one_document,
            _answer("The file record", _envelope(_ref("PostSubmissionFileRedacted"))),
            400,
            404,
            503,
        ),
        f"{BASE}/applications/{{reference}}/documents/{{documentId}}/file": _get(
            "One published document's content (the redacted copy when there is one)",
            one_document,
            {
                "description": "The file, with its content type",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            400,
            404,
            503,
        ),
        f"{BASE}/applications/{{reference}}/publicComments": _get(
            "Public comments (none until consultation is recorded)",
            [*COUNCIL, REFERENCE, *PAGING],
            _answer("The comments and their summary", _envelope(_ref("Comments"))),
            400,
            404,
        ),
        f"{BASE}/applications/{{reference}}/specialistComments": _get(
            "Specialist (consultee) comments (none until consultation is recorded)",
            [*COUNCIL, REFERENCE, *PAGING],
            _answer("The comments and their summary", _envelope(_ref("Comments"))),
            400,
            404,
        ),
        f"{BASE}/applications/{{reference}}/specialistComments/{{specialistId}}": _get(
            "One specialist's comments (none until consultation is recorded: every id is 404)",
            [*COUNCIL, REFERENCE, _path("specialistId", "The specialist's id"), *PAGING],
            _answer("The comments and their summary", _envelope(_ref("Comments"))),
            400,
            404,
        ),
    }
    paths[f"{BASE}/applications/{{reference}}/documents/{{documentId}}/file"]["get"]["responses"]["302"] = (
        TEMPORARY_LINK_RESPONSE
    )
    spec = {
        "openapi": "3.0.3",
        "info": {"title": TITLE, "version": "@next", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": _schemas()},
    }
    return orjson.dumps(spec).decode("utf-8")
