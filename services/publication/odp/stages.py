"""The project's statuses in ODP's terms: a `stage` and a `status` (`undetermined`, `determined`, `withdrawn`,
`returned`).

| project status | ODP stage | ODP status |
|---|---|---|
| `in_assessment` | `consultation` to the consultation's end (types consulted on), then `assessment` | `undetermined` |
| `awaiting_determination`, `to_be_reviewed`, `in_committee` | `assessment` | `undetermined` |
| `determined` | `assessment` (ODP: "regardless of a decision being made") | `determined` |
| `withdrawn` | `assessment` | `withdrawn` (with `withdrawnAt`) |
| `closed` | `assessment` | `withdrawn` (with `withdrawnAt` and `withdrawnReason` saying it was closed) |
| `not_started`, `invalidated` | `submission`, `validation` | `undetermined` (never public) |
| `returned` | `validation` | `returned` (never public) |

ODP has no status for an application the council closed without a decision; of its four, `withdrawn` is the one
that says "ended before a decision", so a closed application is `withdrawn` with the reason "Closed by the council
without a decision". The BOPS-compatible face and the `applicationStatus` filter keep `closed` itself.

The `applicationStatus` filter takes the project's statuses, and also ODP's four (each meaning the project statuses
it is mapped from, `undetermined` only the public ones).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from services.publication.record import PublicApplication
from shared.application_status import PRIVATE_STATUSES, STATUSES

OdpStage = Literal["submission", "validation", "consultation", "assessment", "appeal", "highCourtAppeal"]
OdpStatus = Literal["undetermined", "determined", "withdrawn", "returned"]
CLOSED_REASON = "Closed by the council without a decision"

_UNDETERMINED = ("in_assessment", "awaiting_determination", "to_be_reviewed", "in_committee")
ODP_STATUSES: dict[OdpStatus, frozenset[str]] = {
    "undetermined": frozenset(_UNDETERMINED),
    "determined": frozenset({"determined"}),
    "withdrawn": frozenset({"withdrawn", "closed"}),
    "returned": frozenset({"returned"}),
}
PUBLIC_STATUSES: tuple[str, ...] = tuple(status for status in STATUSES if status not in PRIVATE_STATUSES)


def in_consultation(application: PublicApplication, today: date) -> bool:
    """ODP: "when an application is validated it immediately goes into the consultation stage (if the application
    type allows it)"; it stays there until the consultation's end date has passed."""
    end = application.consultation_end_date
    return application.status == "in_assessment" and end is not None and today <= end


def odp_stage(application: PublicApplication, today: date) -> tuple[OdpStage, OdpStatus]:
    """The application's ODP stage and status on `today` (the consultation stage depends on the day)."""
    status = application.status
    if status == "determined":
        return "assessment", "determined"
    if status in ("withdrawn", "closed"):
        return "assessment", "withdrawn"
    if status == "returned":
        return "validation", "returned"
    if status == "not_started":
        return "submission", "undetermined"
    if status == "invalidated":
        return "validation", "undetermined"
    if status == "in_assessment" and in_consultation(application, today):
        return "consultation", "undetermined"
    return "assessment", "undetermined"


def statuses_for(value: str) -> frozenset[str] | None:
    """The project statuses an `applicationStatus` value names (a project status or an ODP status), or None."""
    if value in STATUSES:
        return frozenset({value})
    if value in ODP_STATUSES:
        return ODP_STATUSES[value]
    return None
