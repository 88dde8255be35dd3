"""The JSON schema of the application's state as the officer API answers it (`domain.view.application_view` plus its
`links`): the 200 answer of `GET /planning_applications/{reference}` and of every command, in the OpenAPI document.

Every object lists all its keys as required (a key is always there, null when it has no value) and no others, so the
test that validates real answers against this schema fails when the view and the schema drift apart."""

from __future__ import annotations

from typing import Any, get_args

from events.assessment import Decision, RequestType
from services.assessment.domain.state import RequestState
from shared.application_status import STATUSES

REF = "#/components/schemas/"

STRING: dict[str, Any] = {"type": "string"}
TEXT: dict[str, Any] = {"type": ["string", "null"]}
DAY: dict[str, Any] = {"type": ["string", "null"], "format": "date"}
MOMENT: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
FLAG: dict[str, Any] = {"type": "boolean"}
MAYBE_FLAG: dict[str, Any] = {"type": ["boolean", "null"]}
DECISION: dict[str, Any] = {"enum": [*get_args(Decision), None]}


def closed(properties: dict[str, Any], description: str = "", *, nullable: bool = False) -> dict[str, Any]:
    """An object with exactly these keys, all present (their values may be null where the schema allows it)."""
    schema: dict[str, Any] = {
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def ref(name: str, *, nullable: bool = False) -> dict[str, Any]:
    return {"anyOf": [{"$ref": REF + name}, {"type": "null"}]} if nullable else {"$ref": REF + name}


def listed(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def check(nullable: bool = False) -> dict[str, Any]:
    return closed({"valid": MAYBE_FLAG, "invalidReason": TEXT}, nullable=nullable)


OFFICER = closed({"id": STRING, "name": STRING}, "An officer of the council")

CONSTRAINT = closed(
    {
        "value": {**STRING, "description": "The planning constraint's ODP value, e.g. `articleFour` or `tpo`"},
        "description": TEXT,
        "source": {"enum": ["submission", "officer"], "description": "Who said the site has it"},
        "entities": listed(
            closed(
                {"name": STRING, "entity": {"type": ["integer", "null"]}, "source": TEXT},
                "A designated entity behind the constraint: its planning.data.gov.uk entity number, and its source",
            )
        ),
        "addedBy": ref("Officer", nullable=True),
        "removed": FLAG,
        "removedReason": TEXT,
        "removedBy": ref("Officer", nullable=True),
    },
    "One constraint of the site: from the submission or added by an officer, possibly removed by one",
)

VALIDATION_REQUEST = closed(
    {
        "id": STRING,
        "type": {"enum": list(get_args(RequestType))},
        "state": {"enum": list(get_args(RequestState))},
        "reason": STRING,
        "postValidation": FLAG,
        "sentOn": DAY,
        "dueDate": DAY,
        "closedOn": DAY,
        "autoClosed": FLAG,
        "cancelReason": TEXT,
        "cancelledOn": DAY,
        "requestedBy": ref("Officer", nullable=True),
        "details": closed(
            {
                "requestedDocument": TEXT,
                "documentId": TEXT,
                "proposedDescription": TEXT,
                "proposedBoundary": {"type": ["object", "null"], "description": "GeoJSON"},
                "feeAmount": {**TEXT, "description": "Pounds, as a decimal string"},
                "suggestion": TEXT,
                "proposedCondition": closed({"text": STRING, "reason": STRING}, nullable=True),
                "terms": TEXT,
                "proposedExpiryDate": DAY,
            }
        ),
        "answer": closed(
            {
                "answeredAt": {"type": "string", "format": "date-time"},
                "agreed": MAYBE_FLAG,
                "reason": TEXT,
                "response": TEXT,
                "documentId": TEXT,
            },
            "The applicant's answer through the secure link",
            nullable=True,
        ),
    },
    "A validation request: `pending` until the application is invalidated (or sent at once after validation), then "
    "`open` until answered, auto-closed or cancelled",
)

DOCUMENT = closed(
    {
        "id": STRING,
        "name": STRING,
        "contentType": STRING,
        "size": COUNT,
        "tags": listed(STRING),
        "source": {"enum": ["submission", "applicant", "officer", "decision_notice"]},
        "requestId": TEXT,
        "validated": MAYBE_FLAG,
        "invalidReason": TEXT,
        "replacedBy": TEXT,
        "replaces": TEXT,
        "published": FLAG,
        "public": FLAG,
        "archived": FLAG,
        "archivedReason": TEXT,
        "redactedCopy": closed({"fileName": STRING, "contentType": STRING, "size": COUNT}, nullable=True),
    },
    "A document of the application; its content is `GET .../documents/{id}`",
)

APPLICATION_STATE = closed(
    {
        "reference": STRING,
        "council": STRING,
        "status": {"enum": list(STATUSES)},
        "version": {**COUNT, "description": "Send it back as `version` with the next command"},
        "documentsVersion": {**COUNT, "description": "Send it back as `documentsVersion` with a document command"},
        "applicationType": {**STRING, "description": "ODP application type code, e.g. `pp.full.householder`"},
        "preApplication": FLAG,
        "description": TEXT,
        "address": closed({"singleLine": TEXT, "postcode": TEXT, "uprn": TEXT}),
        "boundaryChanged": FLAG,
        "receivedAt": MOMENT,
        "receivedDate": DAY,
        "invalidatedOn": DAY,
        "validFrom": DAY,
        "validatedOn": DAY,
        "determinationPeriodDays": {"type": ["integer", "null"]},
        "expiryDate": DAY,
        "statutoryExpiryDate": DAY,
        "targetDate": DAY,
        "daysLeft": {"type": ["integer", "null"], "description": "Business days to the expiry date (open cases)"},
        "overdue": FLAG,
        "consultation": closed(
            {"startDate": DAY, "endDate": DAY, "siteNotice": DAY, "pressNotice": DAY}, nullable=True
        ),
        "caseOfficer": ref("Officer", nullable=True),
        "validationRequests": listed(ref("ValidationRequestState")),
        "checks": closed(
            {
                "documents": closed({"checked": COUNT, "invalid": COUNT, "total": COUNT}),
                "redLineBoundary": check(),
                "fee": check(),
            }
        ),
        "constraints": listed(ref("Constraint")),
        "assessment": closed(
            {
                "summaryOfWorks": STRING,
                "siteDescription": TEXT,
                "consultationSummary": TEXT,
                "amenity": TEXT,
                "policyConsiderations": TEXT,
                "conditions": listed(closed({"text": STRING, "reason": STRING})),
                "informatives": listed(STRING),
            },
            nullable=True,
        ),
        "recommendation": closed(
            {"decision": DECISION, "publicReason": STRING, "privateNote": TEXT, "officer": ref("Officer")},
            nullable=True,
        ),
        "review": closed(
            {
                "action": {"enum": ["agree", "challenge"]},
                "status": {"enum": ["agreed", "challenged"]},
                "reviewer": ref("Officer", nullable=True),
                "comment": TEXT,
            },
            nullable=True,
        ),
        "committee": closed(
            {"reason": STRING, "decision": DECISION, "decidedOn": DAY, "notes": TEXT},
            nullable=True,
        ),
        "decision": closed(
            {
                "decision": DECISION,
                "decisionDate": {"type": "string", "format": "date"},
                "noticeDocumentId": TEXT,
            },
            nullable=True,
        ),
        "documents": listed(ref("Document")),
        "closure": closed(
            {"status": {"enum": ["withdrawn", "returned", "closed"]}, "reason": STRING, "on": DAY}, nullable=True
        ),
        "links": closed({"self": STRING, "audit": STRING}),
    },
    "One application's whole state, as of today (days left, overdue)",
)

SCHEMAS = {
    "ApplicationState": APPLICATION_STATE,
    "Officer": OFFICER,
    "Constraint": CONSTRAINT,
    "ValidationRequestState": VALIDATION_REQUEST,
    "Document": DOCUMENT,
}


def state_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF + "ApplicationState"}}}}
