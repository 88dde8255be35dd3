"""What the log says about an application's notifications, for every service that shows them: the fold of its
notifications side stream, and the `notifications-outstanding` read model of the messages that still need someone's
attention (sent through Notify and awaiting a final status, or failed and not yet acknowledged by an officer).

The notifications service writes both (it sends, its status poller and Notify's callback record the outcome, and its
projection keeps the read model); the console and the administration pages read them here, and an officer's
acknowledgement of a failure is `acknowledge_failure` (a `NotificationFailureAcknowledged` on the same stream).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from events import Actor, NewEvent, RecordedEvent
from events.streams import application_side_stream, parse_application_stream

if TYPE_CHECKING:  # the events are defined where a stream is folded or appended to: the read model's readers need none
    from events.notifications import NotificationDelivered, NotificationFailed, NotificationSent
    from shared.eventstore.port import EventStore
    from shared.projections.store import ReadModelStore

SIDE = "notifications"
# One document per message still needing attention, keyed by its notification id (services/notifications/outstanding.py)
OUTSTANDING_READ_MODEL = "notifications-outstanding"
AWAITING, FAILED = "awaiting", "failed"


@dataclass(frozen=True)
class NotificationRecord:
    """One message on an application's notifications stream, as far as the log says."""

    notification_id: str
    council: str
    reference: str
    sent: NotificationSent | None = None
    delivered: NotificationDelivered | None = None
    failed: NotificationFailed | None = None
    failed_at: datetime | None = None
    acknowledged_by: str | None = None

    @property
    def awaiting_status(self) -> bool:
        """Sent through Notify and neither delivered nor failed yet."""
        sent = self.sent
        return bool(sent and sent.channel == "notify" and sent.notify_id) and not (self.delivered or self.failed)

    @property
    def unacknowledged_failure(self) -> bool:
        return self.failed is not None and self.acknowledged_by is None


@dataclass
class NotificationsStream:
    """The fold of one application's notifications stream."""

    stream_id: str
    council: str
    reference: str
    version: int = 0
    records: dict[str, NotificationRecord] = field(default_factory=dict)

    def apply(self, event: RecordedEvent) -> None:
        from events.notifications import (
            NotificationDelivered,
            NotificationFailed,
            NotificationFailureAcknowledged,
            NotificationSent,
        )

        self.version = event.version
        payload = event.payload
        notification_id = getattr(payload, "notification_id", None)
        if notification_id is None:
            return
        record = self.records.get(notification_id) or NotificationRecord(notification_id, self.council, self.reference)
        if isinstance(payload, NotificationSent):
            record = replace(record, sent=payload)
        elif isinstance(payload, NotificationDelivered):
            record = replace(record, delivered=payload)
        elif isinstance(payload, NotificationFailed):
            record = replace(record, failed=payload, failed_at=event.occurred_at, acknowledged_by=None)
        elif isinstance(payload, NotificationFailureAcknowledged):
            record = replace(record, acknowledged_by=payload.officer_name)
        self.records[notification_id] = record


def read_stream(store: EventStore, stream_id: str) -> NotificationsStream | None:
    parsed = parse_application_stream(stream_id)
    if parsed is None:
        return None
    stream = NotificationsStream(stream_id, *parsed)
    for event in store.read(stream_id):
        stream.apply(event)
    return stream


# -- failures the council's officers see ------------------------------------------------------------------------
@dataclass(frozen=True)
class FailureView:
    council: str
    reference: str
    notification_id: str
    kind: str
    recipient_role: str
    masked_address: str
    reason: str
    permanent: bool
    failed_at: datetime | None


def outstanding(read_models: ReadModelStore, state: str, council: str | None = None) -> Iterator[dict[str, Any]]:
    """The read model's documents in one state (`awaiting` or `failed`), of one council or of all."""
    for _, document in read_models.documents(OUTSTANDING_READ_MODEL):
        if document.get("state") == state and (council is None or document.get("council") == council):
            yield document


def unacknowledged_failures(
    read_models: ReadModelStore, council: str, reference: str | None = None
) -> list[FailureView]:
    """The council's failed messages (of one application, or all) no officer has acknowledged yet, newest first: the
    dashboard shows their count, the application page its own."""
    failures = [
        FailureView(
            council=document["council"],
            reference=document["reference"],
            notification_id=document["notification_id"],
            kind=document["kind"],
            recipient_role=document["recipient_role"],
            masked_address=document["masked_address"],
            reason=document.get("reason", ""),
            permanent=bool(document.get("permanent")),
            failed_at=datetime.fromisoformat(document["failed_at"]) if document.get("failed_at") else None,
        )
        for document in outstanding(read_models, FAILED, council)
        if reference is None or document.get("reference") == reference
    ]
    return sorted(failures, key=lambda view: (view.failed_at is None, view.failed_at), reverse=True)


def failure_count(read_models: ReadModelStore, council: str) -> int:
    """How many of the council's failed messages no officer has acknowledged yet (the dashboard's count)."""
    return sum(1 for _ in outstanding(read_models, FAILED, council))


def acknowledge_failure(
    store: EventStore, council: str, reference: str, notification_id: str, officer: Actor, now: datetime
) -> RecordedEvent:
    """An officer has seen the failure: it stops being counted. LookupError when there is no such unacknowledged
    failure (acknowledged already, or never failed); the log decides, so two officers acknowledging at once append
    one acknowledgement (the other gets ConcurrencyError or LookupError)."""
    from events.notifications import NotificationFailureAcknowledged

    stream_id = application_side_stream(council, reference, SIDE)
    stream = read_stream(store, stream_id)
    record = stream.records.get(notification_id) if stream else None
    if stream is None or record is None or not record.unacknowledged_failure:
        raise LookupError(f"no unacknowledged failed notification {notification_id} on {reference}")
    payload = NotificationFailureAcknowledged(
        notification_id=notification_id, officer_id=officer.id, officer_name=officer.display_name
    )
    [recorded] = store.append(stream_id, stream.version, [NewEvent(payload, council, officer, now)])
    return recorded
