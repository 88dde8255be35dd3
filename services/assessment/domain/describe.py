"""Each event of an application in plain English (who did what), for refusals that say what changed."""

from __future__ import annotations

from events import RecordedEvent

_WHAT: dict[str, str] = {
    "PlanningApplicationSubmitted": "the application was submitted",
    "DocumentReceived": "a submitted document was received",
    "DocumentFetchFailed": "a submitted document could not be fetched",
    "DocumentFetchRequested": "a submitted document was asked to be fetched again",
    "CaseOfficerAssigned": "the case officer was assigned",
    "DocumentChecked": "a document was checked",
    "RedLineBoundaryChecked": "the red-line boundary was checked",
    "FeeChecked": "the fee was checked",
    "ConstraintAdded": "a constraint was added",
    "ConstraintRemoved": "a constraint was removed",
    "ValidationRequestDrafted": "a validation request was made",
    "ValidationRequestSent": "a validation request was sent",
    "ValidationRequestAnswered": "a validation request was answered",
    "ValidationRequestAutoClosed": "a validation request closed unanswered",
    "ValidationRequestCancelled": "a validation request was cancelled",
    "DescriptionChanged": "the description changed",
    "RedLineBoundaryChanged": "the red-line boundary changed",
    "PlanningApplicationInvalidated": "the application was invalidated",
    "PlanningApplicationValidated": "the application was validated",
    "SiteNoticeRecorded": "a site notice was recorded",
    "PressNoticeRecorded": "a press notice was recorded",
    "AssessmentRecorded": "the assessment was recorded",
    "RecommendationSubmitted": "a recommendation was submitted",
    "RecommendationAgreed": "the recommendation was agreed",
    "RecommendationChallenged": "the recommendation was challenged",
    "PlanningApplicationSentToCommittee": "the application was sent to committee",
    "CommitteeDecisionRecorded": "the committee's decision was recorded",
    "PlanningApplicationDetermined": "the application was determined",
    "DecisionNoticeIssued": "the decision notice was issued",
    "ApplicantDocumentUploaded": "the applicant uploaded a document",
    "PlanningApplicationWithdrawn": "the application was withdrawn",
    "PlanningApplicationReturned": "the application was returned",
    "PlanningApplicationClosed": "the application was closed",
    "DocumentUploaded": "a document was uploaded",
    "DocumentTagsChanged": "a document's tags were changed",
    "DocumentPublished": "a document was published",
    "DocumentUnpublished": "a document was unpublished",
    "RedactedCopyUploaded": "a redacted copy of a document was uploaded",
    "DocumentArchived": "a document was archived",
}


def describe(event: RecordedEvent) -> str:
    """E.g. "a validation request was cancelled by Sam Smith"."""
    what = _WHAT.get(event.event_type, event.event_type)
    actor = event.actor
    if actor.kind == "officer":
        return f"{what} by {actor.display_name or actor.id}"
    if actor.kind == "applicant":
        return f"{what} by the applicant"
    if actor.kind == "system":
        return f"{what} by the daily job" if actor.id == "daily" else what
    return f"{what} by {actor.display_name or actor.id}"
