"""What the applicant is shown about a request, the same for the page and the JSON twin: what the council asks, why,
by when, and how the request is answered."""

from __future__ import annotations

from typing import Any, Literal

import orjson

from services.assessment.applicant.service import OpenRequest
from services.assessment.applicant.uploads import MAX_UPLOAD_BYTES, MB
from services.assessment.domain.state import ValidationRequest

AnswerKind = Literal["agree", "document", "response"]
AGREE = frozenset(
    {"description_change", "red_line_boundary_change", "time_extension", "pre_commencement_condition", "heads_of_terms"}
)
DOCUMENT = frozenset({"additional_document", "replacement_document"})
TITLES = {
    "additional_document": "Send us an additional document",
    "replacement_document": "Send us a replacement document",
    "red_line_boundary_change": "Check a change to the site boundary (red line)",
    "description_change": "Check a change to the description of your proposal",
    "fee_change": "Check the fee for your application",
    "other_change": "Tell us about a change we have asked for",
    "ownership_certificate": "Send us a correct ownership certificate",
    "pre_commencement_condition": "Check a condition that must be met before work starts",
    "heads_of_terms": "Check the heads of terms",
    "time_extension": "Check a request for more time to decide your application",
}
ACCEPTED_FILES = f"PDF, PNG or JPEG, smaller than {MAX_UPLOAD_BYTES // MB} MB"


def answer_kind(request_type: str) -> AnswerKind:
    """How a request is answered: agree or disagree (with a reason), with a file, or with a typed response."""
    if request_type in AGREE:
        return "agree"
    return "document" if request_type in DOCUMENT else "response"


def asks(found: OpenRequest) -> list[tuple[str, str]]:
    """What the council asks for, as (label, text) pairs, from the request's type-specific details."""
    drafted = found.request.drafted
    found_asks: list[tuple[str, str]] = []
    if drafted.requested_document:
        found_asks.append(("Document we need", drafted.requested_document))
    if drafted.document_id:
        document = found.application.documents.get(drafted.document_id)
        found_asks.append(("Document to replace", document.name if document else drafted.document_id))
    if drafted.proposed_description:
        found_asks.append(("Proposed description", drafted.proposed_description))
    if drafted.proposed_boundary:
        found_asks.append(("Proposed boundary (GeoJSON)", orjson.dumps(drafted.proposed_boundary).decode()))
    if drafted.fee_amount is not None:
        found_asks.append(("Correct fee", f"£{drafted.fee_amount:,.2f}"))
    if drafted.suggestion:
        found_asks.append(("What you could do", drafted.suggestion))
    if drafted.proposed_condition:
        found_asks.append(("Proposed condition", drafted.proposed_condition.text))
        found_asks.append(("Reason for the condition", drafted.proposed_condition.reason))
    if drafted.terms:
        found_asks.append(("Heads of terms", drafted.terms))
    if drafted.proposed_expiry_date:
        found_asks.append(("New date for a decision", long_date(drafted.proposed_expiry_date)))
    return found_asks


def long_date(day: Any) -> str:
    return f"{day.day} {day:%B %Y}"


def request_summary(request: ValidationRequest) -> dict[str, Any]:
    return {"id": request.id, "type": request.type, "state": request.state}


def json_view(found: OpenRequest) -> dict[str, Any]:
    """The JSON twin's GET body."""
    request = found.request
    return {
        "council": found.council,
        "reference": found.reference,
        "application": {
            "address": found.application.site.address,
            "postcode": found.application.site.postcode,
            "description": found.application.description,
        },
        "request": {
            **request_summary(request),
            "title": TITLES.get(request.type, "Respond to a request"),
            "reason": request.reason,
            "sentOn": request.sent_on.isoformat() if request.sent_on else None,
            "dueDate": request.response_due.isoformat() if request.response_due else None,
            "asks": [{"label": label, "text": text} for label, text in asks(found)],
        },
        "answer": answer_fields(request.type),
    }


def answer_fields(request_type: str) -> dict[str, Any]:
    """What an answer to this request holds (the JSON twin's POST body)."""
    kind = answer_kind(request_type)
    fields = {
        "agree": {"agreed": "required: true or false", "reason": "required when agreed is false"},
        "document": {
            "document": '{"fileName", "contentBase64"}: required; ' + ACCEPTED_FILES,
            "response": "optional",
        },
        "response": {"response": "required unless a document is sent", "document": "optional; " + ACCEPTED_FILES},
    }[kind]
    return {"kind": kind, "fields": fields}


def page_context(found: OpenRequest) -> dict[str, Any]:
    request = found.request
    return {
        "reference": found.reference,
        "address": found.application.site.address,
        "title": TITLES.get(request.type, "Respond to a request"),
        "reason": request.reason,
        "due": long_date(request.response_due) if request.response_due else None,
        "asks": asks(found),
        "kind": answer_kind(request.type),
        "accepted_files": ACCEPTED_FILES,
    }
