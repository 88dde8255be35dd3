"""The checks every command starts with: the application exists in the officer's council, the officer's role allows
the command, the application is in a status where it applies; and the bounded texts and dates of the input.

Roles: assessors and reviewers (senior officers) do the case work; only reviewers review, and never a recommendation
they made; administrators administer, which for a case means (re)assigning its case officer, nothing else.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from events.assessment import LONG_TEXT, REASON_TEXT, SHORT_TEXT
from services.assessment.domain.errors import Conflict, InvalidCommand, NotFound, NotPermitted
from services.assessment.domain.state import PlanningApplication
from shared.application_status import STATUSES, ApplicationStatus
from shared.officer_identity import OfficerRole, SignedInOfficer

CASE_WORK: frozenset[OfficerRole] = frozenset({"assessor", "reviewer"})
REVIEW: frozenset[OfficerRole] = frozenset({"reviewer"})
ALLOCATION: frozenset[OfficerRole] = frozenset({"assessor", "reviewer", "administrator"})

BEFORE_VALIDATION: frozenset[ApplicationStatus] = frozenset({"not_started", "invalidated"})
UNDER_ASSESSMENT: frozenset[ApplicationStatus] = frozenset({"in_assessment", "to_be_reviewed"})
VALIDATED_OPEN: frozenset[ApplicationStatus] = frozenset(
    {"in_assessment", "awaiting_determination", "to_be_reviewed", "in_committee"}
)
OPEN: frozenset[ApplicationStatus] = BEFORE_VALIDATION | VALIDATED_OPEN


def application(state: PlanningApplication, officer: SignedInOfficer | None = None) -> PlanningApplication:
    """The application, which must exist (and be the officer's council's: another council's is not found)."""
    if not state.exists or (officer is not None and state.council and state.council != officer.council):
        raise NotFound(f"no planning application {state.reference or ''}".strip())
    return state


def role(officer: SignedInOfficer, allowed: Collection[OfficerRole], action: str) -> None:
    if officer.role not in allowed:
        who = " or ".join(sorted(f"{r}s" for r in allowed))
        raise NotPermitted(f"only {who} may {action}; you are signed in as {_article(officer.role)} {officer.role}")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def status(state: PlanningApplication, allowed: Collection[ApplicationStatus], action: str) -> None:
    if state.status not in allowed:
        wanted = ", ".join(s for s in STATUSES if s in allowed)
        raise Conflict(f"cannot {action}: the application is {state.status} (it must be {wanted})")


def case_work(state: PlanningApplication, officer: SignedInOfficer, action: str) -> PlanningApplication:
    """The usual start of a case-work command: exists, officer's council, assessor or reviewer."""
    application(state, officer)
    role(officer, CASE_WORK, action)
    return state


def is_day(value: object) -> bool:
    """A calendar date (a datetime is not one: it cannot be compared with dates)."""
    return isinstance(value, date) and not isinstance(value, datetime)


class Fields:
    """Collects input problems, field by field (API names, camelCase), and raises them together."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def text(self, name: str, value: str | None, *, limit: int = REASON_TEXT, required: bool = True) -> str | None:
        cleaned = value.strip() if isinstance(value, str) else None
        if not cleaned:
            if required:
                self.problems.setdefault(name, "is required")
            return None
        if len(cleaned) > limit:
            self.problems.setdefault(name, f"must be at most {limit} characters")
            return None
        return cleaned

    def short(self, name: str, value: str | None, *, required: bool = True) -> str | None:
        return self.text(name, value, limit=SHORT_TEXT, required=required)

    def long(self, name: str, value: str | None, *, required: bool = True) -> str | None:
        return self.text(name, value, limit=LONG_TEXT, required=required)

    def not_future(self, name: str, value: date | None, today: date) -> None:
        if value is not None and not is_day(value):
            self.problems.setdefault(name, "must be a date")
        elif value is not None and value > today:
            self.problems.setdefault(name, f"cannot be in the future (today is {today.isoformat()})")

    def not_before(self, name: str, value: date | None, earliest: date | None, what: str) -> None:
        if value is not None and not is_day(value):
            self.problems.setdefault(name, "must be a date")
        elif value is not None and earliest is not None and value < earliest:
            self.problems.setdefault(name, f"cannot be before {what} ({earliest.isoformat()})")

    def add(self, name: str, message: str) -> None:
        self.problems.setdefault(name, message)

    def check(self) -> None:
        if self.problems:
            raise InvalidCommand(self.problems)
