"""An application's audit trail in plain English: every event of its streams (main, documents, notifications) as who,
when and what, read from the log so it never disagrees with the facts.

Each known event type has a sentence; an event type this code does not know yet (a later version's, or another
service's) gets a generic line from its name, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from events import RecordedEvent
from events.serialization import format_time

Describe = Callable[[Any], str]


def _reason(text: str | None) -> str:
    return f": {text}" if text else ""


def _validity(what: str) -> Describe:
    return lambda p: f"{what} checked: valid" if p.valid else f"{what} checked: invalid{_reason(p.invalid_reason)}"


def _words(name: str) -> str:
    return name.replace("_", " ")


# What each kind of notification (events/notifications.py) tells, as the audit trail names it.
NOTIFICATION_KINDS = {
    "receipt": "Receipt of the application",
    "invalid": "Invalid application notice",
    "request_sent": "Validation request e-mail",
    "request_cancelled": "Request cancelled e-mail",
    "request_auto_closed": "Request closed e-mail",
    "description_change_proposed": "Proposed description change e-mail",
    "valid": "Valid application notice",
    "decision": "Decision e-mail",
    "withdrawn": "Withdrawal confirmation",
    "returned": "Return confirmation",
    "review_requested": "Recommendation to review e-mail",
    "recommendation_challenged": "Recommendation challenged e-mail",
}

DESCRIPTIONS: dict[str, Describe] = {
    "PlanningApplicationSubmitted": lambda p: (
        f"Application {p.reference} received ({p.submission.application_type_name or p.submission.application_type})"
    ),
    "DocumentReceived": lambda p: f"Document {p.file_name} received from the submission ({p.content_type})",
    "DocumentFetchFailed": lambda p: f"A submitted file could not be fetched from {p.source_url}: {p.reason}",
    "DocumentFetchRequested": lambda p: (
        f"Submitted file {p.file_index + 1} asked to be fetched again from {p.source_url}"
    ),
    "CaseOfficerAssigned": lambda p: f"{p.officer_name} assigned as case officer",
    "DocumentChecked": lambda p: (
        f"Document {p.document_id} checked: valid"
        if p.valid
        else f"Document {p.document_id} checked: invalid{_reason(p.invalid_reason)}"
    ),
    "RedLineBoundaryChecked": _validity("Red-line boundary"),
    "FeeChecked": _validity("Fee"),
    "ConstraintAdded": lambda p: f"Constraint {p.constraint} added{_reason(p.description)}",
    "ConstraintRemoved": lambda p: f"Constraint {p.constraint} removed{_reason(p.reason)}",
    "ValidationRequestDrafted": lambda p: (
        f"{'Post-validation request' if p.post_validation else 'Validation request'} for"
        f" {_words(p.request_type)} drafted: {p.reason}"
    ),
    "ValidationRequestSent": lambda p: (
        f"Validation request {p.request_id} sent to the applicant, response due {p.response_due.isoformat()}"
    ),
    "ValidationRequestAnswered": lambda p: (
        f"The applicant answered validation request {p.request_id}"
        + ("" if p.agreed is None else (": agreed" if p.agreed else f": disagreed{_reason(p.reason)}"))
    ),
    "ValidationRequestAutoClosed": lambda p: (
        f"Validation request {p.request_id} closed unanswered on {p.closed_on.isoformat()} and taken as accepted"
    ),
    "ValidationRequestCancelled": lambda p: f"Validation request {p.request_id} cancelled: {p.reason}",
    "DescriptionChanged": lambda p: f"Description changed to: {p.description}",
    "RedLineBoundaryChanged": lambda p: "Red-line boundary changed",
    "PlanningApplicationInvalidated": lambda p: (
        f"Application invalidated; {len(p.request_ids)} validation request(s) sent to the applicant"
    ),
    "PlanningApplicationValidated": lambda p: (
        f"Application validated, valid from {p.valid_from.isoformat()}"
        f" (determination period {p.determination_period_days} days)"
    ),
    "SiteNoticeRecorded": lambda p: f"Site notice displayed on {p.displayed_on.isoformat()}",
    "PressNoticeRecorded": lambda p: f"Press notice published on {p.published_on.isoformat()}",
    "AssessmentRecorded": lambda p: "Assessment recorded",
    "RecommendationSubmitted": lambda p: f"Recommendation submitted: {_words(p.decision)}",
    "RecommendationAgreed": lambda p: f"{p.reviewer_name} agreed with the recommendation{_reason(p.comment)}",
    "RecommendationChallenged": lambda p: f"{p.reviewer_name} challenged the recommendation: {p.comment}",
    "PlanningApplicationSentToCommittee": lambda p: f"Sent to the planning committee: {p.reason}",
    "CommitteeDecisionRecorded": lambda p: (
        f"Committee decision recorded: {_words(p.decision)} on {p.decided_on.isoformat()}"
    ),
    "PlanningApplicationDetermined": lambda p: (
        f"Application determined: {_words(p.decision)} on {p.decision_date.isoformat()}"
    ),
    "DecisionNoticeIssued": lambda p: f"Decision notice issued ({p.content_type}, {p.size} bytes)",
    "ApplicantDocumentUploaded": lambda p: (
        f"The applicant uploaded {p.file_name} answering validation request {p.request_id}"
    ),
    "PlanningApplicationWithdrawn": lambda p: f"Application withdrawn: {p.reason}",
    "PlanningApplicationReturned": lambda p: f"Application returned to the applicant: {p.reason}",
    "PlanningApplicationClosed": lambda p: f"Application closed: {p.reason}",
    "NotificationSent": lambda p: (
        f"{NOTIFICATION_KINDS.get(p.kind, _words(p.kind))} sent to the {_words(p.recipient_role)}"
        f" ({p.masked_address}, {'local outbox' if p.channel == 'outbox' else 'GOV.UK Notify'})"
    ),
    "NotificationDelivered": lambda p: f"Notification {p.notification_id} delivered ({_words(p.status)})",
    "NotificationFailed": lambda p: (
        f"{NOTIFICATION_KINDS.get(p.kind, _words(p.kind))} to the {_words(p.recipient_role)} ({p.masked_address})"
        f" {'failed' if p.permanent else 'not delivered yet'}: {p.reason}"
    ),
    "NotificationFailureAcknowledged": lambda p: (
        f"{p.officer_name} acknowledged the failed notification {p.notification_id}"
    ),
    "DocumentUploaded": lambda p: (
        f"Document {p.file_name} uploaded"
        + (f" as a new version of document {p.replaces}" if p.replaces else "")
        + (f", tagged {', '.join(p.tags)}" if p.tags else "")
    ),
    "DocumentTagsChanged": lambda p: (
        f"Document {p.document_id} tagged {', '.join(p.tags)}" if p.tags else f"Document {p.document_id} untagged"
    ),
    "DocumentPublished": lambda p: f"Document {p.document_id} published",
    "DocumentUnpublished": lambda p: f"Document {p.document_id} unpublished{_reason(p.reason)}",
    "RedactedCopyUploaded": lambda p: f"Redacted copy {p.file_name} of document {p.document_id} uploaded",
    "DocumentArchived": lambda p: f"Document {p.document_id} archived: {p.reason}",
}


def generic(event_type: str) -> str:
    """A sentence from an event type's name (`TimeExtensionAgreed` → "Time extension agreed")."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", event_type).strip()
    return words[:1].upper() + words[1:].lower() if words else "Something happened"


def describe(event: RecordedEvent) -> str:
    describer = DESCRIPTIONS.get(event.event_type)
    if describer is not None:
        try:
            return describer(event.payload)
        except (AttributeError, TypeError, ValueError):  # an event shaped otherwise than this code knows
            pass
    return generic(event.event_type)


def who(event: RecordedEvent) -> dict[str, str]:
    actor = event.actor
    names = {"system": "BOPS", "applicant": "The applicant", "api_client": "Online service"}
    name = actor.display_name or names.get(actor.kind, actor.kind)
    return {"kind": actor.kind, "id": actor.id, "name": name}


def stream_part(stream_id: str) -> str:
    """`main`, `documents` or `notifications`: which of the application's streams the event is on."""
    parts = stream_id.split(":")
    return parts[3] if len(parts) > 3 else "main"


def audit_entries(events: Iterable[RecordedEvent]) -> list[dict[str, Any]]:
    return [
        {
            "at": format_time(event.recorded_at),
            "who": who(event),
            "what": describe(event),
            "eventType": event.event_type,
            "stream": stream_part(event.stream_id),
            "version": event.version,
            "eventId": str(event.event_id),
        }
        for event in events
    ]
