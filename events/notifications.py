"""Events of an application's notifications: what was sent to whom, whether it arrived, and failures officers saw.

All but `NotifyConfigurationProblem` (on the council's stream) are on the application's notifications side stream
(`events.streams.application_side_stream(c, ref, "notifications")`), so sending never makes an officer's form stale.
`notification_id` is the triggering event's id plus ":" plus the recipient (its role, and an index when one role has
several addresses): it is also GOV.UK Notify's `reference` and the idempotency key, so a redelivered event never sends
twice. Addresses are stored masked only.
"""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would evaluate each field's
# string when its class is defined (~5 ms of a cold start that imports every event module).

from typing import Annotated, Literal

from pydantic import Field

from events.envelope import EventPayload
from events.registry import event

SHORT_TEXT = 300
REASON_TEXT = 2_000

ShortText = Annotated[str, Field(max_length=SHORT_TEXT)]
ReasonText = Annotated[str, Field(max_length=REASON_TEXT)]

RecipientRole = Literal["applicant", "agent", "case_officer", "reviewer"]
Channel = Literal["notify", "outbox"]
NotificationKind = Literal[
    "receipt",
    "invalid",
    "request_sent",
    "request_cancelled",
    "request_auto_closed",
    "description_change_proposed",
    "valid",
    "decision",
    "withdrawn",
    "returned",
    "review_requested",
    "recommendation_challenged",
]


@event("NotificationSent")
class NotificationSent(EventPayload):
    """One message was handed to GOV.UK Notify (or to the local outbox): `notify_id` is the provider's id (None for
    the outbox); `triggered_by` is the id of the event it reports."""

    notification_id: ShortText
    kind: NotificationKind
    recipient_role: RecipientRole
    masked_address: ShortText
    template_id: ShortText
    channel: Channel
    notify_id: ShortText | None = None
    triggered_by: ShortText


@event("NotificationDelivered")
class NotificationDelivered(EventPayload):
    """Notify reports the message delivered (`status` as Notify says it, e.g. `delivered`)."""

    notification_id: ShortText
    notify_id: ShortText
    status: ShortText


@event("NotificationFailed")
class NotificationFailed(EventPayload):
    """A message could not be sent or delivered: `permanent` failures (bad address, template or key) are never
    retried; either kind is shown to officers until one acknowledges it."""

    notification_id: ShortText
    kind: NotificationKind
    recipient_role: RecipientRole
    masked_address: ShortText
    reason: ReasonText
    permanent: bool
    notify_id: ShortText | None = None


@event("NotificationFailureAcknowledged")
class NotificationFailureAcknowledged(EventPayload):
    """An officer saw a failed notification (it stops being counted on the council's dashboard)."""

    notification_id: ShortText
    officer_id: ShortText
    officer_name: ShortText


@event("NotifyConfigurationProblem")
class NotifyConfigurationProblem(EventPayload):
    """On the council's stream: its GOV.UK Notify settings were refused when checked (`source` "check": a key that is
    not a Notify key, an unknown template, Notify unreachable) or Notify refused them when sending (`source` "send": a
    bad or revoked key, a missing template; `notification_id` is the message that met it). Shown to the council's
    administrators until settings that pass the check are saved."""

    source: Literal["check", "send"]
    reasons: tuple[ReasonText, ...] = Field(min_length=1, max_length=20)
    notification_id: ShortText | None = None
