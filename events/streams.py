"""Stream ids: a stream per application for what officers decide, side streams for background work, one per council."""

from __future__ import annotations

APPLICATION_SIDE_STREAMS = ("documents", "notifications")

# Every event type of an application's main stream (the case list and the public register follow them). A test
# checks the list against events/assessment.py, so a new main-stream event cannot be forgotten here.
MAIN_STREAM_EVENT_TYPES = (
    "PlanningApplicationSubmitted",
    "AssessmentRecorded",
    "CaseOfficerAssigned",
    "CommitteeDecisionRecorded",
    "ConstraintAdded",
    "ConstraintRemoved",
    "DescriptionChanged",
    "DocumentChecked",
    "FeeChecked",
    "PlanningApplicationClosed",
    "PlanningApplicationDetermined",
    "PlanningApplicationInvalidated",
    "PlanningApplicationReturned",
    "PlanningApplicationSentToCommittee",
    "PlanningApplicationValidated",
    "PlanningApplicationWithdrawn",
    "PressNoticeRecorded",
    "RecommendationAgreed",
    "RecommendationChallenged",
    "RecommendationSubmitted",
    "RedLineBoundaryChanged",
    "RedLineBoundaryChecked",
    "SiteNoticeRecorded",
    "ValidationRequestAnswered",
    "ValidationRequestAutoClosed",
    "ValidationRequestCancelled",
    "ValidationRequestDrafted",
    "ValidationRequestSent",
)


def council_stream(council: str) -> str:
    """A council's settings, officers and API keys."""
    return f"council:{council}"


def intake_stream(council: str) -> str:
    """A council's reference sequence: one PlanningApplicationReferenceAssigned per reference (serialises the
    numbering; the next reference needs only its newest event)."""
    return f"council:{council}:intake"


def submission_stream(council: str, submission_id: str) -> str:
    """One submission id of the council's online service: which application it became (claimed once)."""
    return f"submission:{council}:{submission_id}"


def public_refresh_stream(council: str, settings_version: int) -> str:
    """The chunks of public records that one change of a council's settings (at that version of its stream) asked to
    be made again (`PublicRecordsRefreshRequested`)."""
    return f"public-refresh:{council}:{settings_version}"


def application_stream(council: str, reference: str) -> str:
    """What officers decide about one application (the optimistic-concurrency check protects it)."""
    return f"application:{council}:{reference}"


def application_side_stream(council: str, reference: str, side: str) -> str:
    if side not in APPLICATION_SIDE_STREAMS:
        raise ValueError(f"unknown side stream {side!r}")
    return f"application:{council}:{reference}:{side}"


def application_streams(council: str, reference: str) -> list[str]:
    """The main stream and every side stream of one application."""
    return [application_stream(council, reference)] + [
        application_side_stream(council, reference, side) for side in APPLICATION_SIDE_STREAMS
    ]


def parse_application_stream(stream_id: str) -> tuple[str, str] | None:
    """(council, reference) of any application stream or side stream, else None."""
    parts = stream_id.split(":")
    if len(parts) in (3, 4) and parts[0] == "application":
        return parts[1], parts[2]
    return None
