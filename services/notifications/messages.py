"""Which events tell whom what: a pure function from an event and the facts it needs to the messages it triggers.

Each message is plain English in GOV.UK style and names the reference, the site's address and the council. Its
personalisation carries everything a council's own template for the kind may use (`reference`, `address`,
`council_name`, `name`, and the kind's own fields) plus `subject` and `body`, the whole message for one generic
template (`((subject))` / `((body))`) and for the local outbox.

A message's `notification_id` is the triggering event's id plus the recipient (`:applicant`, `:agent`,
`:case_officer`, `:reviewer:{officer id}`): it is Notify's `reference` and the idempotency key, so however often an
event is delivered, each message goes once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from events import RecordedEvent
from events.application import PlanningApplicationSubmitted
from events.assessment import (
    PlanningApplicationDetermined,
    PlanningApplicationInvalidated,
    PlanningApplicationReturned,
    PlanningApplicationValidated,
    PlanningApplicationWithdrawn,
    RecommendationChallenged,
    RecommendationSubmitted,
    ValidationRequestAutoClosed,
    ValidationRequestCancelled,
    ValidationRequestSent,
)
from events.notifications import NotificationKind, RecipientRole
from events.submission import ContactSummary
from services.notifications.facts import ApplicationFacts, CouncilFacts, Officer, Request

LinkFor = Callable[[str], str]  # a request id → the applicant's secure link to answer it

# The public decision notice, under the council's public base URL (the public API's documents of an application).
DECISION_NOTICE_PATH = "/api/v2/public/planning_applications/{reference}/documents"
# Officers' messages link to the application's page in the console (served under the same base URL as the API).
CONSOLE_APPLICATION_PATH = "/applications/{reference}"

REQUEST_WHAT = {
    "additional_document": "send us an additional document",
    "replacement_document": "replace a document",
    "red_line_boundary_change": "agree a change to the red line boundary of the site",
    "description_change": "agree a change to the description of your proposal",
    "fee_change": "pay a different fee",
    "other_change": "make a change to your application",
    "ownership_certificate": "confirm the ownership certificate",
    "pre_commencement_condition": "agree a pre-commencement condition",
    "heads_of_terms": "agree heads of terms",
    "time_extension": "agree more time for us to decide",
}
DECISION_WORDS = {"granted": "granted", "refused": "refused", "not_required": "not required"}


@dataclass(frozen=True, slots=True)
class Message:
    notification_id: str
    kind: NotificationKind
    recipient_role: RecipientRole
    email_address: str
    personalisation: dict[str, str]
    triggered_by: str

    @property
    def subject(self) -> str:
        return self.personalisation["subject"]

    @property
    def body(self) -> str:
        return self.personalisation["body"]


def long_date(day: date | None) -> str:
    """GOV.UK style: 2 March 2026."""
    return f"{day.day} {day:%B %Y}" if day else "not set"


def mask(address: str) -> str:
    """What the log keeps of an address: `a***@example.org` (its domain, never the person's part)."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if at else "***"


def compose(
    event: RecordedEvent,
    facts: ApplicationFacts,
    council: CouncilFacts,
    link_for: LinkFor,
) -> list[Message]:
    """The messages `event` triggers (none for an event nobody is told about)."""
    writer = _Writer(event, facts, council, link_for)
    payload = event.payload
    if isinstance(payload, PlanningApplicationSubmitted):
        return writer.receipt()
    if isinstance(payload, PlanningApplicationInvalidated):
        return writer.invalid(payload)
    if isinstance(payload, ValidationRequestSent):
        return writer.request_sent(payload)
    if isinstance(payload, ValidationRequestCancelled):
        return writer.request_cancelled(payload)
    if isinstance(payload, ValidationRequestAutoClosed):
        return writer.request_auto_closed(payload)
    if isinstance(payload, PlanningApplicationValidated):
        return writer.valid()
    if isinstance(payload, PlanningApplicationDetermined):
        return writer.decision(payload)
    if isinstance(payload, PlanningApplicationWithdrawn):
        return writer.ended("withdrawn", payload.reason, payload.withdrawn_on)
    if isinstance(payload, PlanningApplicationReturned):
        return writer.ended("returned", payload.reason, payload.returned_on)
    if isinstance(payload, RecommendationSubmitted):
        return writer.review_requested(payload)
    if isinstance(payload, RecommendationChallenged):
        return writer.challenged(payload)
    return []


class _Writer:
    def __init__(self, event: RecordedEvent, facts: ApplicationFacts, council: CouncilFacts, link_for: LinkFor) -> None:
        self.event = event
        self.facts = facts
        self.council = council
        self.link_for = link_for

    # Recipients

    def _applicants(
        self, kind: NotificationKind, subject: str, lines: list[str], fields: dict[str, str]
    ) -> list[Message]:
        """To the applicant and, when there is one with another address, the agent."""
        messages = []
        seen: set[str] = set()
        for role, contact in (("applicant", self.facts.applicant), ("agent", self.facts.agent)):
            email = (contact.email or "").strip() if contact else ""
            if not email or email.lower() in seen:
                continue
            seen.add(email.lower())
            messages.append(self._message(kind, role, role, email, _name(contact), subject, lines, fields))  # type: ignore[arg-type]
        return messages

    def _officers(
        self,
        kind: NotificationKind,
        role: RecipientRole,
        officers: list[Officer],
        subject: str,
        lines: list[str],
        fields: dict[str, str],
    ) -> list[Message]:
        messages = []
        for officer in officers:
            if not officer.email:
                continue
            recipient = role if role == "case_officer" else f"{role}:{officer.id}"
            messages.append(self._message(kind, role, recipient, officer.email, officer.name, subject, lines, fields))
        return messages

    def _message(
        self,
        kind: NotificationKind,
        role: RecipientRole,
        recipient: str,
        email: str,
        name: str,
        subject: str,
        lines: list[str],
        fields: dict[str, str],
    ) -> Message:
        greeting = f"Dear {name}," if name else "Hello,"
        body = "\n\n".join([greeting, *lines, self.council.name])
        personalisation = {
            "subject": subject,
            "body": body,
            "name": name,
            "reference": self.facts.reference,
            "address": self.facts.address,
            "council_name": self.council.name,
            **fields,
        }
        return Message(
            notification_id=f"{self.event.event_id}:{recipient}",
            kind=kind,
            recipient_role=role,
            email_address=email,
            personalisation=personalisation,
            triggered_by=str(self.event.event_id),
        )

    # What each message says

    @property
    def _about(self) -> str:
        return f"Reference: {self.facts.reference}\nAddress: {self.facts.address}"

    def receipt(self) -> list[Message]:
        facts = self.facts
        lines = [
            f"We have received your planning application for {facts.address}.",
            self._about + (f"\nProposal: {facts.description}" if facts.description else ""),
            "We will check that it is valid. We will email you if we need anything else from you, and when it is"
            " valid.",
            "Quote your reference if you contact us about this application.",
        ]
        return self._applicants("receipt", f"We have received your planning application {facts.reference}", lines, {})

    def invalid(self, payload: PlanningApplicationInvalidated) -> list[Message]:
        requests = [self.facts.requests[r] for r in payload.request_ids if r in self.facts.requests]
        items = [self._request_item(request) for request in requests]
        lines = [
            f"Your planning application for {self.facts.address} is not valid yet.",
            self._about,
            f"We need you to do {'this' if len(items) == 1 else 'these things'} before we can check it again:",
            *items,
            "If you do not respond by the date given, we may return your application.",
        ]
        fields = {"requests": "\n\n".join(items)}
        return self._applicants(
            "invalid", f"Your planning application {self.facts.reference} is not valid", lines, fields
        )

    def _request_item(self, request: Request) -> str:
        what = REQUEST_WHAT.get(request.type, "respond to a request")
        detail = f"\n{request.reason}" if request.reason else ""
        return (
            f"* {what[:1].upper() + what[1:]}.{detail}\n"
            f"Respond by {long_date(request.response_due)}: {self.link_for(request.id)}"
        )

    def request_sent(self, payload: ValidationRequestSent) -> list[Message]:
        if payload.request_id in self.facts.invalidation_requests:
            return []  # told in the invalidation's message, with every other request
        request = self.facts.requests.get(payload.request_id)
        if request is None:
            return []
        link = self.link_for(request.id)
        due = long_date(payload.response_due)
        fields = {"request_reason": request.reason, "link": link, "response_due": due}
        if request.type == "description_change":
            lines = [
                f"We want to change the description of your planning application for {self.facts.address}.",
                self._about,
                f"The new description would be:\n\n^ {request.proposed_description or ''}",
                f"Why: {request.reason}",
                f"Tell us whether you agree by {due}: {link}",
                f"If you do not respond by {due}, we will take it that you agree to the change.",
            ]
            fields["proposed_description"] = request.proposed_description or ""
            subject = f"We want to change the description of your application {self.facts.reference}"
            return self._applicants("description_change_proposed", subject, lines, fields)
        what = REQUEST_WHAT.get(request.type, "respond to a request")
        lines = [
            f"We need you to {what} for your planning application for {self.facts.address}.",
            self._about,
            f"Why: {request.reason}",
            f"Respond by {due}: {link}",
        ]
        subject = f"We need something from you for your application {self.facts.reference}"
        return self._applicants("request_sent", subject, lines, fields)

    def request_cancelled(self, payload: ValidationRequestCancelled) -> list[Message]:
        request = self.facts.requests.get(payload.request_id)
        if request is None or request.sent_on is None:
            return []  # a request never sent was never told about
        what = REQUEST_WHAT.get(request.type, "respond to a request")
        lines = [
            f"We no longer need you to {what} for your planning application for {self.facts.address}.",
            self._about,
            f"Why: {payload.reason}",
            "You do not need to do anything. The link we sent you for this request no longer works.",
        ]
        subject = f"We have cancelled a request about your application {self.facts.reference}"
        return self._applicants("request_cancelled", subject, lines, {"cancel_reason": payload.reason})

    def request_auto_closed(self, payload: ValidationRequestAutoClosed) -> list[Message]:
        request = self.facts.requests.get(payload.request_id)
        if request is None:
            return []
        what = REQUEST_WHAT.get(request.type, "respond to a request")
        lines = [
            f"We asked you to {what} for your planning application for {self.facts.address}.",
            self._about,
            f"We did not receive a response by {long_date(request.response_due)}, so on"
            f" {long_date(payload.closed_on)} we took it that you agree, and the change has been made.",
        ]
        subject = f"A request about your application {self.facts.reference} has closed"
        return self._applicants("request_auto_closed", subject, lines, {"closed_on": long_date(payload.closed_on)})

    def valid(self) -> list[Message]:
        facts = self.facts
        fields = {
            "valid_from": long_date(facts.valid_from),
            "expiry_date": long_date(facts.expiry_date),
            "target_date": long_date(facts.target_date),
        }
        lines = [
            f"Your planning application for {facts.address} is valid.",
            self._about,
            f"It is valid from {fields['valid_from']}.\nWe aim to decide it by {fields['target_date']}."
            f"\nWe must decide it by {fields['expiry_date']}, unless you agree to give us more time.",
            "We will email you when we have made a decision.",
        ]
        return self._applicants("valid", f"Your planning application {facts.reference} is valid", lines, fields)

    def decision(self, payload: PlanningApplicationDetermined) -> list[Message]:
        facts = self.facts
        decision = DECISION_WORDS.get(payload.decision, payload.decision.replace("_", " "))
        link = self.council.public_base_url.rstrip("/") + DECISION_NOTICE_PATH.format(reference=facts.reference)
        reasons = facts.public_reason or facts.committee_notes or ""
        lines = [
            f"We have made a decision on your planning application for {facts.address}.",
            self._about,
            f"Decision: {decision} on {long_date(payload.decision_date)}.",
            *([f"Reasons:\n\n{reasons}"] if reasons else []),
            *([f"It is subject to {len(facts.conditions)} condition(s)."] if facts.conditions else []),
            f"Read the decision notice: {link}",
        ]
        fields = {
            "decision": decision,
            "decision_date": long_date(payload.decision_date),
            "reasons": reasons,
            "decision_notice_link": link,
        }
        return self._applicants("decision", f"Decision on your planning application {facts.reference}", lines, fields)

    def ended(self, kind: NotificationKind, reason: str, on: date) -> list[Message]:
        verb = "withdrawn" if kind == "withdrawn" else "returned to you"
        lines = [
            f"Your planning application for {self.facts.address} was {verb} on {long_date(on)}.",
            self._about,
            f"Reason: {reason}",
            "We will not take any further action on it.",
        ]
        subject = f"Your planning application {self.facts.reference} has been {verb}"
        return self._applicants(kind, subject, lines, {"reason": reason, "date": long_date(on)})

    @property
    def _console_link(self) -> str:
        """The application's page in the officers' console."""
        path = CONSOLE_APPLICATION_PATH.format(reference=self.facts.reference)
        return self.council.public_base_url.rstrip("/") + path

    def review_requested(self, payload: RecommendationSubmitted) -> list[Message]:
        reviewers = [o for o in self.council.reviewers() if o.id != payload.officer_id]
        decision = DECISION_WORDS.get(payload.decision, payload.decision)
        lines = [
            f"{payload.officer_name} recommends that planning application {self.facts.reference} for"
            f" {self.facts.address} is {decision}. The recommendation is waiting for review.",
            self._about,
            f"Sign in to review it: {self._console_link}",
        ]
        subject = f"Recommendation to review: {self.facts.reference}"
        fields = {"recommended_by": payload.officer_name, "recommendation": decision, "link": self._console_link}
        return self._officers("review_requested", "reviewer", reviewers, subject, lines, fields)

    def challenged(self, payload: RecommendationChallenged) -> list[Message]:
        officer_id = self.facts.case_officer_id or self.facts.recommended_by
        officer = self.council.officers.get(officer_id or "")
        if officer is None or not officer.active:
            return []
        lines = [
            f"{payload.reviewer_name} challenged your recommendation on planning application {self.facts.reference}"
            f" for {self.facts.address}.",
            self._about,
            f"Comment: {payload.comment}",
            f"Sign in to look at it again: {self._console_link}",
        ]
        subject = f"Recommendation challenged: {self.facts.reference}"
        fields = {"reviewer": payload.reviewer_name, "comment": payload.comment, "link": self._console_link}
        return self._officers("recommendation_challenged", "case_officer", [officer], subject, lines, fields)


def _name(contact: ContactSummary | None) -> str:
    if contact is None:
        return ""
    return (contact.name or contact.company or "").strip()
