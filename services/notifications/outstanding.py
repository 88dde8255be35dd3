"""The `notifications-outstanding` read model: one document per message that still needs someone's attention, so the
status poller, Notify's callback and the officers' counts read only those, never every notifications stream.

A message sent through Notify is `awaiting` its final status (from `NotificationSent`, channel `notify`); it goes when
Notify reports it delivered (`NotificationDelivered`) or becomes `failed` (`NotificationFailed`, whether the sender met
the failure or Notify reported it) until an officer acknowledges it (`NotificationFailureAcknowledged`). Messages to
the local outbox await nothing. `bops replay notifications-outstanding` rebuilds it from the log.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from events import RecordedEvent  # noqa: E402
from events.notifications import (  # noqa: E402
    NotificationDelivered,
    NotificationFailed,
    NotificationFailureAcknowledged,
    NotificationSent,
)
from events.streams import parse_application_stream  # noqa: E402
from services.notifications import OUTSTANDING_EVENT_TYPES  # noqa: E402
from shared.bus import subscriber  # noqa: E402
from shared.notification_records import AWAITING, FAILED, OUTSTANDING_READ_MODEL, SIDE  # noqa: E402
from shared.projections.projection import Document  # noqa: E402
from shared.projections.projector import Projector  # noqa: E402


class OutstandingProjection:
    name = OUTSTANDING_READ_MODEL
    event_types = frozenset(OUTSTANDING_EVENT_TYPES)

    def key(self, event: RecordedEvent) -> str | None:
        """The message's notification id (its events are on an application's notifications side stream)."""
        if not event.stream_id.endswith(":" + SIDE) or parse_application_stream(event.stream_id) is None:
            return None
        notification_id = getattr(event.payload, "notification_id", None)
        return notification_id if isinstance(notification_id, str) else None

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        payload = event.payload
        council, reference = parse_application_stream(event.stream_id) or ("", "")
        about = {"council": council, "reference": reference, "stream_id": event.stream_id}
        if isinstance(payload, NotificationSent):
            if payload.channel != "notify" or not payload.notify_id:
                return document  # the outbox: no status to wait for
            return {
                **about,
                "state": AWAITING,
                "notification_id": payload.notification_id,
                "notify_id": payload.notify_id,
                "kind": payload.kind,
                "recipient_role": payload.recipient_role,
                "masked_address": payload.masked_address,
            }
        if isinstance(payload, NotificationDelivered):
            return None
        if isinstance(payload, NotificationFailed):
            return {
                **about,
                "state": FAILED,
                "notification_id": payload.notification_id,
                "notify_id": payload.notify_id,
                "kind": payload.kind,
                "recipient_role": payload.recipient_role,
                "masked_address": payload.masked_address,
                "reason": payload.reason,
                "permanent": payload.permanent,
                "failed_at": event.occurred_at.isoformat(),
            }
        if isinstance(payload, NotificationFailureAcknowledged):
            return None if document is None or document.get("state") == FAILED else document
        return document


def projector() -> Projector:
    from shared.wiring import dependencies

    deps = dependencies()
    return Projector(OutstandingProjection(), deps.read_models, lambda: deps.event_store)


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    projector().handle(event)
