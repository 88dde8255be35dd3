"""The officers who may be made case officer: read from the councils service's officers read model (its current
name, role and active flag), never taken from the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.assessment import OFFICERS_READ_MODEL

if TYPE_CHECKING:
    from shared.projections.store import ReadModelStore


@dataclass(frozen=True, slots=True)
class CouncilOfficer:
    id: str
    name: str
    role: str
    active: bool


def council_officer(read_models: ReadModelStore, council: str, officer_id: str) -> CouncilOfficer | None:
    """The council's officer with this id as the officers read model has them now; None when there is none."""
    document, _ = read_models.get(OFFICERS_READ_MODEL, f"{council}/{officer_id}")
    if document is None or document.get("council") != council or document.get("officer_id") != officer_id:
        return None
    return CouncilOfficer(officer_id, str(document["name"]), str(document["role"]), bool(document["active"]))


def case_officers(read_models: ReadModelStore, council: str) -> list[CouncilOfficer]:
    """The council's active officers who may be case officers (assessors and reviewers), by name."""
    found = [
        CouncilOfficer(str(d["officer_id"]), str(d["name"]), str(d["role"]), bool(d["active"]))
        for _, d in read_models.documents(OFFICERS_READ_MODEL)
        if d.get("council") == council and d.get("active") and d.get("role") in ("assessor", "reviewer")
    ]
    return sorted(found, key=lambda o: (o.name, o.id))
