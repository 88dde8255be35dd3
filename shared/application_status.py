"""The status of a planning application, as a fold of its main stream's event types.

The assessment domain folds it with the rest of its state; the intake's GET folds it alone (intake may not import
assessment). Event types that change no status (checks, requests, assessments...) leave it as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

ApplicationStatus = Literal[
    "not_started",
    "invalidated",
    "in_assessment",
    "awaiting_determination",
    "to_be_reviewed",
    "in_committee",
    "determined",
    "withdrawn",
    "returned",
    "closed",
]

STATUSES: tuple[ApplicationStatus, ...] = get_args(ApplicationStatus)  # in the order of the lifecycle
# Statuses in which officers still act on the application (the others are final).
OPEN_STATUSES: frozenset[ApplicationStatus] = frozenset(STATUSES[:6])
# Statuses never shown to the public.
PRIVATE_STATUSES: frozenset[ApplicationStatus] = frozenset({"not_started", "invalidated", "returned"})

STATUS_AFTER: dict[str, ApplicationStatus] = {
    "PlanningApplicationSubmitted": "not_started",
    "PlanningApplicationInvalidated": "invalidated",
    "PlanningApplicationValidated": "in_assessment",
    "RecommendationSubmitted": "awaiting_determination",
    "RecommendationChallenged": "to_be_reviewed",
    "PlanningApplicationSentToCommittee": "in_committee",
    "PlanningApplicationDetermined": "determined",
    "PlanningApplicationWithdrawn": "withdrawn",
    "PlanningApplicationReturned": "returned",
    "PlanningApplicationClosed": "closed",
}


def status_after(status: ApplicationStatus | None, event_type: str) -> ApplicationStatus | None:
    """The status once an event of this type is on the main stream (None before the submission)."""
    return STATUS_AFTER.get(event_type, status)


def status_of(event_types: Iterable[str]) -> ApplicationStatus | None:
    """The status after a main stream's event types, in order."""
    status: ApplicationStatus | None = None
    for event_type in event_types:
        status = status_after(status, event_type)
    return status
