"""Validation checks: each document, the red-line boundary, the fee; the site's constraints."""

from __future__ import annotations

from events import EventPayload
from events.assessment import ConstraintAdded, ConstraintRemoved, DocumentChecked, FeeChecked, RedLineBoundaryChecked
from services.assessment.domain import guards
from services.assessment.domain.errors import Conflict, NotFound
from services.assessment.domain.state import PlanningApplication
from shared.officer_identity import SignedInOfficer


def _verdict(valid: bool, invalid_reason: str | None) -> str | None:
    """The reason, required when invalid (and dropped when valid)."""
    fields = guards.Fields()
    if not isinstance(valid, bool):
        fields.add("valid", "must be true or false")
    reason = fields.text("invalidReason", invalid_reason) if valid is False else None
    fields.check()
    return reason


def check_document(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    document_id: str,
    valid: bool,
    invalid_reason: str | None = None,
) -> list[EventPayload]:
    guards.case_work(state, officer, "check documents")
    guards.status(state, guards.OPEN, "check a document")
    document = state.documents.get(document_id)
    if document is None or document.source == "decision_notice":
        raise NotFound(f"no document {document_id} in this application")
    reason = _verdict(valid, invalid_reason)
    return [DocumentChecked(document_id=document_id, valid=valid, invalid_reason=reason)]


def check_red_line_boundary(
    state: PlanningApplication, officer: SignedInOfficer, *, valid: bool, invalid_reason: str | None = None
) -> list[EventPayload]:
    guards.case_work(state, officer, "check the red-line boundary")
    guards.status(state, guards.OPEN, "check the red-line boundary")
    reason = _verdict(valid, invalid_reason)
    return [RedLineBoundaryChecked(valid=valid, invalid_reason=reason)]


def check_fee(
    state: PlanningApplication, officer: SignedInOfficer, *, valid: bool, invalid_reason: str | None = None
) -> list[EventPayload]:
    guards.case_work(state, officer, "check the fee")
    guards.status(state, guards.OPEN, "check the fee")
    reason = _verdict(valid, invalid_reason)
    return [FeeChecked(valid=valid, invalid_reason=reason)]


def add_constraint(
    state: PlanningApplication, officer: SignedInOfficer, *, constraint: str, description: str | None = None
) -> list[EventPayload]:
    """Add a constraint the site has: a new one, or one removed earlier (restored, keeping its source). One the
    application already has (from the submission or an officer) is refused."""
    guards.case_work(state, officer, "add a constraint")
    guards.status(state, guards.OPEN, "add a constraint")
    fields = guards.Fields()
    name = fields.short("constraint", constraint)
    text = fields.text("description", description, required=False)
    fields.check()
    assert name is not None
    found = state.constraints.get(name)
    if found is not None and not found.removed:
        origin = "the submission has it" if found.source == "submission" else "it was already added"
        raise Conflict(f"the application already has the constraint {name}: {origin}")
    return [ConstraintAdded(constraint=name, description=text)]


def remove_constraint(
    state: PlanningApplication, officer: SignedInOfficer, *, constraint: str, reason: str | None = None
) -> list[EventPayload]:
    """Remove one of the application's constraints (the submission's or an officer's), saying why."""
    guards.case_work(state, officer, "remove a constraint")
    guards.status(state, guards.OPEN, "remove a constraint")
    fields = guards.Fields()
    name = fields.short("constraint", constraint)
    text = fields.text("reason", reason)
    fields.check()
    assert name is not None and text is not None
    found = state.constraints.get(name)
    if found is None:
        raise Conflict(f"the application has no constraint {name}")
    if found.removed:
        raise Conflict(f"the constraint {name} was already removed")
    return [ConstraintRemoved(constraint=name, reason=text)]
