"""The OpenAPI document of the BOPS-compatible public API, written out (its response schemas are what schemathesis
checks every answer against, and what the contract test's fixtures show)."""

from __future__ import annotations

from typing import Any

import orjson

from services.publication.bops_v2 import APPLICATION, APPLICATIONS, PUBLIC_V2
from services.publication.bops_v2.params import (
    DATE_PARAMETERS,
    DECISIONS,
    MAX_PAGE,
    MAX_RESULTS_PER_PAGE,
    MAX_TEXT,
    ORDERS,
    PUBLIC_STATUSES,
    SORT_PARAMETERS,
)
from services.publication.bops_v2.render import PUBLIC_SENTIMENTS, SPECIALIST_SENTIMENTS
from shared.documents.port import TEMPORARY_LINK_RESPONSE
from shared.odp.catalogue import APPLICATION_TYPES

DESCRIPTION = """The paths and JSON shapes of the BOPS v2 public API, so that public planning registers and other
integrations that read BOPS work unchanged. Only published applications appear (validated onward; never not started,
invalidated or returned, never pre-applications), and nothing personal: no contact details, notes or unpublished
documents.

No authentication: a bearer key some registers send is ignored. Name a council by its slug in the `x-client` header or
the `council` query parameter (slug or code); without either, every council of this instance is served. Errors are
`{"error": {"code", "message", "reasons"}}`: 400 for bad parameters (every reason listed), 404 for an unknown
application or council. Consultation comments, press notices, appeals and fees are not modelled yet: their keys are
present, empty or null."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(nullable: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": "string", **({"nullable": True} if nullable else {}), **extra}


def _object(properties: dict[str, Any], nullable: bool = False, closed: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": list(properties)}
    if closed:
        schema["additionalProperties"] = False
    if nullable:
        schema["nullable"] = True
    return schema


def _integer(minimum: int = 0) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum}


OPAQUE_OR_NULL = {"type": "object", "nullable": True}
MOMENT = _string(format="date-time")
DAY = _string(format="date")

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": _object(
                {"code": _integer(400), "message": _string(), "reasons": {"type": "array", "items": _string()}}
            )
        }
    ),
    "Pagination": _object(
        {
            "resultsPerPage": _integer(1),
            "currentPage": _integer(1),
            "totalPages": _integer(1),
            "totalResults": _integer(),
            "totalAvailableItems": _integer(),
        }
    ),
    "ApplicationType": _object({"value": _string(), "description": _string()}),
    "Application": _object(
        {
            "type": _ref("ApplicationType"),
            "reference": _string(),
            "fullReference": _string(),
            "targetDate": {**DAY, "nullable": True},
            "expiryDate": {**DAY, "nullable": True},
            "receivedAt": MOMENT,
            "validAt": {**MOMENT, "nullable": True},
            "publishedAt": MOMENT,
            "determinedAt": {**MOMENT, "nullable": True},
            "decision": _string(nullable=True, enum=[*DECISIONS, None]),
            "status": _string(enum=list(PUBLIC_STATUSES)),
            "consultation": _object(
                {
                    "startDate": {**DAY, "nullable": True},
                    "endDate": {**DAY, "nullable": True},
                    "publicUrl": _string(),
                    "publishedComments": {"type": "array", "items": {"type": "object"}},
                    "consulteeComments": {"type": "array", "items": {"type": "object"}},
                }
            ),
            "pressNotice": OPAQUE_OR_NULL,
        }
    ),
    "Summary": _object(
        {
            "application": _ref("Application"),
            "property": _object(
                {
                    "address": _object(
                        {
                            "latitude": _string(nullable=True),
                            "longitude": _string(nullable=True),
                            "title": _string(),
                            "singleLine": _string(),
                            "uprn": _string(nullable=True),
                            "town": _string(nullable=True),
                            "postcode": _string(nullable=True),
                        }
                    ),
                    "boundary": _object(
                        {"site": {**OPAQUE_OR_NULL, "description": "GeoJSON of the red-line boundary"}}
                    ),
                }
            ),
            "proposal": _object(
                {
                    "description": _string(),
                    "reportingType": OPAQUE_OR_NULL,
                    "ownerIsPlanningAuthority": {"type": "boolean"},
                }
            ),
            "applicant": _object(
                {
                    "type": _string(nullable=True),
                    "address": OPAQUE_OR_NULL,
                    "ownership": OPAQUE_OR_NULL,
                    "agent": _object({"address": OPAQUE_OR_NULL}),
                }
            ),
            "officer": _object({"name": _string()}, nullable=True),
        }
    ),
    "File": _object(
        {
            "name": _string(),
            "referencesInDocument": {"type": "array", "items": _string()},
            "url": _string(),
            "type": {"type": "array", "items": _ref("ApplicationType")},
            "createdAt": {**MOMENT, "nullable": True},
            "applicantDescription": _string(nullable=True),
            "metadata": _object({"byteSize": _integer(), "contentType": _string()}),
        }
    ),
    "Search": _object({"pagination": _ref("Pagination"), "data": {"type": "array", "items": _ref("Summary")}}),
    "Documents": _object(
        {
            "application": _ref("Application"),
            "files": {"type": "array", "items": _ref("File")},
            "metadata": _object({"results": _integer(), "totalResults": _integer()}),
            "decisionNotice": _object({"name": _string(), "url": _string()}, nullable=True),
        }
    ),
    "Submission": _object(
        {
            "application": _ref("Application"),
            "submission": {
                **OPAQUE_OR_NULL,
                "description": "The ODP submission's public fields (site, proposal, type, submission metadata)",
            },
        }
    ),
    "PublicComments": _object(
        {
            "pagination": _ref("Pagination"),
            "summary": _object(
                {
                    "totalComments": _integer(),
                    "sentiment": _object({name: _integer() for name in PUBLIC_SENTIMENTS}),
                }
            ),
            "comments": {"type": "array", "items": {"type": "object"}},
        }
    ),
    "SpecialistComments": _object(
        {
            "pagination": _ref("Pagination"),
            "data": _object(
                {
                    "summary": _object(
                        {
                            "totalConsulted": _integer(),
                            "totalComments": _integer(),
                            "sentiment": _object({name: _integer() for name in SPECIALIST_SENTIMENTS}),
                        }
                    ),
                    "comments": {"type": "array", "items": {"type": "object"}},
                }
            ),
        }
    ),
    "ApplicationTypes": {
        "type": "array",
        "items": _object({"code": _string(), "name": _string(), "suffix": _string()}),
    },
}
# `Show` is the summary with the appeal and the fee.
SCHEMAS["Show"] = {
    **SCHEMAS["Summary"],
    "properties": {
        **SCHEMAS["Summary"]["properties"],
        "data": _object({"appeal": OPAQUE_OR_NULL}),
        "applicationFee": OPAQUE_OR_NULL,
    },
    "required": [*SCHEMAS["Summary"]["required"], "data", "applicationFee"],
}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}


COUNCIL_PARAMETERS = [
    {
        "name": "x-client",
        "in": "header",
        "required": False,
        "schema": _string(maxLength=63),
        "description": "The council's slug (as public registers send it)",
    },
    _query("council", _string(maxLength=63), "The council's slug or code"),
]
PAGE_PARAMETERS = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "From 1"),
    _query(
        "resultsPerPage",
        {"type": "integer", "minimum": 1, "default": 10},
        f"1 or more (capped at {MAX_RESULTS_PER_PAGE})",
    ),
]
REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "schema": _string(),
    "description": "The application's reference (`26-00042-HAPP`) or full reference (`DEMO-26-00042-HAPP`)",
}
LIST_STYLE = {"style": "form", "explode": True}
SEARCH_PARAMETERS = [
    *COUNCIL_PARAMETERS,
    *PAGE_PARAMETERS,
    _query("maxresults", {"type": "integer", "minimum": 1}, "Same as resultsPerPage (some registers send it)"),
    _query(
        "q",
        _string(maxLength=MAX_TEXT),
        "Free text: the reference (whole, or its year and number then as much of the suffix as typed, with the"
        " council's code in front or not: 26-00042, DEMO-26-00042-HA), else the postcode, the address, the description",
    ),
    _query("reference", _string(maxLength=MAX_TEXT), "Exactly this reference"),
    _query(
        "applicationStatus[]",
        {"type": "array", "items": _string(enum=list(PUBLIC_STATUSES))},
        "Statuses (repeated, or comma-separated)",
        **LIST_STYLE,
    ),
    _query(
        "applicationType[]",
        {"type": "array", "items": _string(enum=sorted(APPLICATION_TYPES))},
        "ODP application type codes (repeated, or comma-separated)",
        **LIST_STYLE,
    ),
    _query(
        "councilDecision",
        {"type": "array", "items": _string(enum=list(DECISIONS))},
        "Decisions (repeated, or comma-separated)",
        **LIST_STYLE,
    ),
    *(
        _query(f"{name}{end}", DAY, f"{name} on or {'after' if end == 'From' else 'before'} this day")
        for name in DATE_PARAMETERS
        for end in ("From", "To")
    ),
    _query("sortBy", _string(enum=list(SORT_PARAMETERS)), "publishedAt (default) or receivedAt"),
    _query("orderBy", _string(enum=list(ORDERS)), "desc (default) or asc"),
]


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


ERRORS = {
    "400": _json("Error", "Bad query parameters, with every reason"),
    "404": _json("Error", "No such published application (or council)"),
}


def _get(summary: str, ok: dict[str, Any], parameters: list[dict[str, Any]], operation_id: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["Public planning applications"],
            "parameters": parameters,
            "responses": {"200": ok, **ERRORS},
        }
    }


def document() -> str:
    one = [REFERENCE, *COUNCIL_PARAMETERS]
    paths = {
        f"{APPLICATIONS}/search": _get(
            "Search published applications", _json("Search", "A page of applications"), SEARCH_PARAMETERS, "search"
        ),
        APPLICATION: _get("One published application", _json("Show", "The application"), one, "show"),
        f"{APPLICATION}/documents": _get(
            "Its public documents and decision notice",
            _json("Documents", "Every public document (not paged) and the decision notice's link"),
            [*one, *PAGE_PARAMETERS],
            "documents",
        ),
        f"{APPLICATION}/documents/{{document_id}}": _get(
            "One public document's file (the redacted copy when there is one)",
            {"description": "The file", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
            [*one, {"name": "document_id", "in": "path", "required": True, "schema": _string()}],
            "documentFile",
        ),
        f"{APPLICATION}/decision_notice": _get(
            "The decision notice, printable",
            {"description": "The notice (HTML)", "content": {"text/html": {"schema": _string()}}},
            one,
            "decisionNotice",
        ),
        f"{APPLICATION}/submission": _get(
            "The submission's public fields",
            _json("Submission", "The application and its submission"),
            one,
            "submission",
        ),
        f"{APPLICATION}/comments/public": _get(
            "Public comments", _json("PublicComments", "A page of comments"), [*one, *PAGE_PARAMETERS], "publicComments"
        ),
        f"{APPLICATION}/comments/specialist": _get(
            "Specialist (consultee) comments",
            _json("SpecialistComments", "A page of consultees"),
            [*one, *PAGE_PARAMETERS],
            "specialistComments",
        ),
        f"{PUBLIC_V2}/application_types": _get(
            "Application types",
            _json("ApplicationTypes", "Every type, by code"),
            COUNCIL_PARAMETERS,
            "applicationTypes",
        ),
    }
    paths[f"{APPLICATION}/documents/{{document_id}}"]["get"]["responses"]["302"] = TEMPORARY_LINK_RESPONSE
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "BOPS-compatible public planning API", "version": "2", "description": DESCRIPTION},
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
    return orjson.dumps(spec).decode("utf-8")
