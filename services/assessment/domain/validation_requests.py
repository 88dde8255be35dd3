"""Requests to the applicant (validation requests): drafting, cancelling, and a time extension.

Before validation a request is drafted `pending` and waits until the officer invalidates the application, which sends
them all. Once the application is invalidated, or after validation (`post_validation`), a request is sent at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from uuid import UUID

from events import EventPayload
from events.assessment import (
    MAX_BOUNDARY_POINTS,
    Condition,
    RequestType,
    ValidationRequestCancelled,
    ValidationRequestDrafted,
    ValidationRequestSent,
)
from services.assessment.domain import guards
from services.assessment.domain.errors import Conflict, InvalidCommand, NotFound
from services.assessment.domain.state import PlanningApplication
from shared.calendar.periods import REQUEST_TYPES, response_due
from shared.officer_identity import SignedInOfficer

# Types of which at most one request may be pending or open at a time (two would contradict each other).
ONE_AT_A_TIME = frozenset({"description_change", "red_line_boundary_change", "fee_change", "time_extension"})
BEFORE_VALIDATION_ONLY = frozenset({"fee_change"})
AFTER_VALIDATION_ONLY = frozenset({"pre_commencement_condition", "heads_of_terms", "time_extension"})
NOT_FOR_PRE_APPLICATIONS = frozenset({"fee_change", "pre_commencement_condition"})
MAX_FEE = Decimal("1000000000")


def draft_validation_request(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    request_id: str,
    request_type: str,
    reason: str,
    today: date,
    requested_document: str | None = None,
    document_id: str | None = None,
    proposed_description: str | None = None,
    proposed_boundary: Mapping[str, Any] | None = None,
    fee_amount: Decimal | str | float | None = None,
    suggestion: str | None = None,
    proposed_condition: Condition | Mapping[str, Any] | None = None,
    terms: str | None = None,
    proposed_expiry_date: date | None = None,
) -> list[EventPayload]:
    """Draft a request of one of the ten types with its type's details; sent at once unless not yet invalidated."""
    guards.case_work(state, officer, "make validation requests")
    if request_type not in REQUEST_TYPES:
        raise InvalidCommand({"type": f"must be one of {', '.join(REQUEST_TYPES)}"})
    allowed = (
        guards.VALIDATED_OPEN
        if request_type == "time_extension"
        else guards.BEFORE_VALIDATION | guards.UNDER_ASSESSMENT
    )
    guards.status(state, allowed, f"make a {_label(request_type)} request")
    post_validation = state.status not in guards.BEFORE_VALIDATION
    _check_timing(state, request_type, post_validation)
    fields = guards.Fields()
    _check_request_id(fields, state, request_id)
    reason_text = fields.text("reason", reason)
    details = _details(
        fields,
        state,
        request_type,
        requested_document=requested_document,
        document_id=document_id,
        proposed_description=proposed_description,
        proposed_boundary=proposed_boundary,
        fee_amount=fee_amount,
        suggestion=suggestion,
        proposed_condition=proposed_condition,
        terms=terms,
        proposed_expiry_date=proposed_expiry_date,
    )
    fields.check()
    _check_one_at_a_time(state, request_type, details.get("document_id"))
    drafted = ValidationRequestDrafted(
        request_id=request_id,
        request_type=cast(RequestType, request_type),
        reason=cast(str, reason_text),
        post_validation=post_validation,
        **details,
    )
    if state.status == "not_started":
        return [drafted]
    return [
        drafted,
        ValidationRequestSent(request_id=request_id, sent_on=today, response_due=response_due(today, request_type)),
    ]


def request_time_extension(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    request_id: str,
    proposed_expiry_date: date,
    reason: str,
    today: date,
) -> list[EventPayload]:
    """Ask the applicant to agree a later expiry date (sent at once); agreed, the expiry moves to that date."""
    return draft_validation_request(
        state,
        officer,
        request_id=request_id,
        request_type="time_extension",
        reason=reason,
        today=today,
        proposed_expiry_date=proposed_expiry_date,
    )


def cancel_validation_request(
    state: PlanningApplication, officer: SignedInOfficer, *, request_id: str, reason: str, today: date
) -> list[EventPayload]:
    guards.case_work(state, officer, "cancel validation requests")
    guards.status(state, guards.OPEN, "cancel a validation request")
    request = state.requests.get(request_id)
    if request is None:
        raise NotFound(f"no validation request {request_id} in this application")
    if not request.is_live:
        raise Conflict(f"the {_label(request.type)} request is already {request.state}")
    fields = guards.Fields()
    text = fields.text("reason", reason)
    fields.check()
    return [ValidationRequestCancelled(request_id=request_id, reason=cast(str, text), cancelled_on=today)]


def _label(request_type: str) -> str:
    return request_type.replace("_", " ")


def _check_timing(state: PlanningApplication, request_type: str, post_validation: bool) -> None:
    if state.is_pre_application and request_type in NOT_FOR_PRE_APPLICATIONS:
        raise InvalidCommand({"type": f"pre-applications have no {_label(request_type)} requests"})
    if post_validation and request_type in BEFORE_VALIDATION_ONLY:
        raise Conflict(f"a {_label(request_type)} request can only be made before the application is validated")
    if not post_validation and request_type in AFTER_VALIDATION_ONLY:
        raise Conflict(f"a {_label(request_type)} request can only be made once the application is validated")


def _check_request_id(fields: guards.Fields, state: PlanningApplication, request_id: str) -> None:
    try:
        parsed = UUID(request_id)
    except (TypeError, ValueError, AttributeError):
        fields.add("requestId", "must be a UUID")
        return
    if str(parsed) != request_id or parsed.version != 4:
        fields.add("requestId", "must be a UUID4 in its canonical form")
    elif request_id in state.requests:
        raise Conflict(f"there is already a validation request {request_id}")


def _check_one_at_a_time(state: PlanningApplication, request_type: str, document_id: str | None) -> None:
    live = state.live_requests(request_type)
    if request_type in ONE_AT_A_TIME and live:
        raise Conflict(f"there is already a {live[0].state} {_label(request_type)} request: cancel it or wait for it")
    if request_type == "replacement_document" and any(r.drafted.document_id == document_id for r in live):
        raise Conflict(f"there is already a replacement request for document {document_id}")


def _details(fields: guards.Fields, state: PlanningApplication, request_type: str, **given: Any) -> dict[str, Any]:
    """The type's own details, checked; the details of other types must not be given."""
    wanted = _DETAIL_OF[request_type]
    extra = [name for name, value in given.items() if value is not None and name != wanted]
    for name in extra:
        fields.add(_camel(name), f"does not apply to a {_label(request_type)} request")
    if wanted is None:
        return {}
    value = _CHECKS[wanted](fields, state, given.get(wanted))
    return {} if value is None else {wanted: value}


_DETAIL_OF: dict[str, str | None] = {
    "additional_document": "requested_document",
    "replacement_document": "document_id",
    "red_line_boundary_change": "proposed_boundary",
    "description_change": "proposed_description",
    "fee_change": "fee_amount",
    "other_change": "suggestion",
    "ownership_certificate": None,
    "pre_commencement_condition": "proposed_condition",
    "heads_of_terms": "terms",
    "time_extension": "proposed_expiry_date",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _requested_document(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    return fields.short("requestedDocument", value)


def _document_id(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    document_id = fields.short("documentId", value)
    if document_id is not None:
        document = state.documents.get(document_id)
        if document is None or document.source == "decision_notice":
            fields.add("documentId", "is not a document of this application")
    return document_id


def _proposed_description(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    description = fields.long("proposedDescription", value)
    if description is not None and description == state.description.strip():
        fields.add("proposedDescription", "is the current description")
    return description


def _proposed_boundary(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    if value is None:
        fields.add("proposedBoundary", "is required")
        return None
    problem = boundary_problem(value)
    if problem:
        fields.add("proposedBoundary", problem)
        return None
    return dict(value)


def _fee_amount(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    if value is None:
        fields.add("feeAmount", "is required")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        fields.add("feeAmount", "must be an amount in pounds")
        return None
    if not amount.is_finite() or amount <= 0 or amount >= MAX_FEE or amount != amount.quantize(Decimal("0.01")):
        fields.add("feeAmount", "must be a positive amount in pounds and pence")
        return None
    return amount.quantize(Decimal("0.01"))


def _suggestion(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    return fields.text("suggestion", value)


def _proposed_condition(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    if isinstance(value, Condition):
        value = value.model_dump()
    if not isinstance(value, Mapping):
        fields.add("proposedCondition", "is required: its text and reason")
        return None
    text = fields.long("proposedCondition.text", value.get("text"))
    reason = fields.text("proposedCondition.reason", value.get("reason"))
    return Condition(text=text, reason=reason) if text and reason else None


def _terms(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    return fields.long("terms", value)


def _proposed_expiry_date(fields: guards.Fields, state: PlanningApplication, value: Any) -> Any:
    if not guards.is_day(value):
        fields.add("proposedExpiryDate", "is required (a date)")
        return None
    expiry = state.expiry_date
    if expiry is not None and value <= expiry:
        fields.add("proposedExpiryDate", f"must be after the current expiry date ({expiry.isoformat()})")
    return value


_CHECKS = {
    "requested_document": _requested_document,
    "document_id": _document_id,
    "proposed_description": _proposed_description,
    "proposed_boundary": _proposed_boundary,
    "fee_amount": _fee_amount,
    "suggestion": _suggestion,
    "proposed_condition": _proposed_condition,
    "terms": _terms,
    "proposed_expiry_date": _proposed_expiry_date,
}

_GEOMETRIES = {"Polygon": 1, "MultiPolygon": 2}  # how deep the rings are nested below `coordinates`


def boundary_problem(value: Any) -> str | None:
    """Why a proposed red-line boundary is not a GeoJSON polygon (geometry or feature), or None."""
    if not isinstance(value, Mapping):
        return "must be a GeoJSON Polygon or MultiPolygon (geometry or Feature)"
    geometry = value.get("geometry") if value.get("type") == "Feature" else value
    if not isinstance(geometry, Mapping) or geometry.get("type") not in _GEOMETRIES:
        return "must be a GeoJSON Polygon or MultiPolygon (geometry or Feature)"
    rings: list[Any] = [geometry.get("coordinates")]
    for _ in range(_GEOMETRIES[geometry["type"]]):
        if not all(isinstance(item, list) and item for item in rings):
            return "has malformed coordinates"
        rings = [inner for outer in rings for inner in outer]
    points = 0
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
            return "has a ring that is not closed (at least 4 positions, the last equal to the first)"
        for position in ring:
            if not (
                isinstance(position, list)
                and len(position) in (2, 3)
                and all(isinstance(n, int | float) and not isinstance(n, bool) for n in position)
            ):
                return "has a position that is not [longitude, latitude]"
        points += len(ring)
    if points > MAX_BOUNDARY_POINTS:
        return f"has more than {MAX_BOUNDARY_POINTS} positions"
    return None
