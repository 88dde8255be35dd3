"""Assigning (or reassigning) the case officer."""

from __future__ import annotations

from events import EventPayload
from events.assessment import CaseOfficerAssigned
from services.assessment.domain import guards
from services.assessment.domain.errors import Conflict
from services.assessment.domain.state import PlanningApplication
from shared.officer_identity import SignedInOfficer


def assign(
    state: PlanningApplication, officer: SignedInOfficer, *, officer_id: str, officer_name: str
) -> list[EventPayload]:
    """Make an officer the case officer. The handler checks the officer is one of the council's active officers."""
    guards.application(state, officer)
    guards.role(officer, guards.ALLOCATION, "assign a case officer")
    guards.status(state, guards.OPEN, "assign a case officer")
    fields = guards.Fields()
    new_id = fields.short("officerId", officer_id)
    new_name = fields.short("officerName", officer_name)
    fields.check()
    assert new_id is not None and new_name is not None
    if state.case_officer is not None and state.case_officer.id == new_id:
        raise Conflict(f"{state.case_officer.name} is already the case officer")
    return [CaseOfficerAssigned(officer_id=new_id, officer_name=new_name)]
