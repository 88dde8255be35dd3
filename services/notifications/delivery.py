"""What became of the messages sent through Notify: the status poller, failures until acknowledged, and their count.

A message handed to Notify (`NotificationSent`, channel `notify`) is not yet delivered: the scheduled poller asks
Notify for its status (`GET /v2/notifications/{id}`) until it is final, then appends `NotificationDelivered`
(`delivered`) or `NotificationFailed` (`permanent-failure`: the address does not exist; `temporary-failure`: the inbox
was full or the provider refused it for now; `technical-failure`: Notify's own fault), on the application's
notifications stream at the version it read, so a poll racing another appends nothing twice. A failure, whether the
sender met it or Notify reported it, is shown and counted for the council until an officer acknowledges it
(`NotificationFailureAcknowledged`).

Streams are found by listing the log's notifications side streams (`application:{council}:{reference}:notifications`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from events import Actor, NewEvent, RecordedEvent
from events.notifications import (
    NotificationDelivered,
    NotificationFailed,
    NotificationFailureAcknowledged,
    NotificationSent,
)
from events.streams import application_side_stream, parse_application_stream
from services.notifications.gateway import PermanentFailure, TemporaryFailure
from services.notifications.notify_settings import NotifySettings, load_notify_settings
from shared.councils.profile import CouncilProfiles
from shared.eventstore.port import ConcurrencyError, EventStore
from shared.secrets.port import SecretStore

SIDE = "notifications"
POLLER = Actor(kind="system", id="notify-status-poller", display_name="the Notify status poller")
FAILED_STATUSES = {
    "permanent-failure": "the email address does not exist or the provider refused it for good",
    "temporary-failure": "the recipient's inbox was full or its provider refused it for now",
    "technical-failure": "GOV.UK Notify could not send it (a technical failure on Notify's side)",
    "not-found": "GOV.UK Notify no longer knows it (it keeps notifications for 7 days)",
}
DELIVERED = "delivered"


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


def notifications_streams(store: EventStore, council: str | None = None) -> Iterator[NotificationsStream]:
    """Every application's notifications stream (of one council, or of all)."""
    prefix = f"application:{council}:" if council else "application:"
    for stream_id in store.stream_ids(prefix):
        if stream_id.endswith(":" + SIDE):
            stream = read_stream(store, stream_id)
            if stream is not None:
                yield stream


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


def unacknowledged_failures(store: EventStore, council: str) -> list[FailureView]:
    """The council's failed messages no officer has acknowledged yet, newest first (the dashboard shows the count,
    the application page its own)."""
    failures = []
    for stream in notifications_streams(store, council):
        for record in stream.records.values():
            failed = record.failed
            if failed is not None and record.unacknowledged_failure:
                failures.append(
                    FailureView(
                        stream.council,
                        stream.reference,
                        record.notification_id,
                        failed.kind,
                        failed.recipient_role,
                        failed.masked_address,
                        failed.reason,
                        failed.permanent,
                        record.failed_at,
                    )
                )
    return sorted(failures, key=lambda view: (view.failed_at is None, view.failed_at), reverse=True)


def acknowledge_failure(
    store: EventStore, council: str, reference: str, notification_id: str, officer: Actor, now: datetime
) -> RecordedEvent:
    """An officer has seen the failure: it stops being counted. LookupError when there is no such unacknowledged
    failure (acknowledged already, or never failed)."""
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


# -- the poller -------------------------------------------------------------------------------------------------
class StatusReader(Protocol):
    def notification_status(self, notify_id: str) -> str: ...


def notify_reader(settings: NotifySettings) -> StatusReader:
    from services.notifications.notify_gateway import NotifyGateway  # the client: only for a council with a key

    return NotifyGateway(settings.api_key, base_url=settings.base_url)


@dataclass
class PollRun:
    asked: int = 0
    delivered: int = 0
    failed: int = 0
    unanswered: list[str] = field(default_factory=list)  # notification ids Notify could not be asked about now
    busy: list[str] = field(default_factory=list)  # streams appended to meanwhile: the next poll asks again


def outcome(record: NotificationRecord, status: str) -> NotificationDelivered | NotificationFailed | None:
    """The event a final Notify status makes of a sent message (None while it is not final)."""
    sent = record.sent
    if sent is None or sent.notify_id is None:
        return None
    if status == DELIVERED:
        return NotificationDelivered(notification_id=record.notification_id, notify_id=sent.notify_id, status=status)
    if status in FAILED_STATUSES:
        return NotificationFailed(
            notification_id=record.notification_id,
            kind=sent.kind,
            recipient_role=sent.recipient_role,
            masked_address=sent.masked_address,
            reason=f"Notify: {status}: {FAILED_STATUSES[status]}",
            permanent=status != "temporary-failure",  # Notify does not retry a temporary failure either
            notify_id=sent.notify_id,
        )
    return None


def poll_statuses(
    store: EventStore,
    secrets: SecretStore,
    now: datetime,
    reader: Callable[[NotifySettings], StatusReader] = notify_reader,
    streams: Iterable[NotificationsStream] | None = None,
) -> PollRun:
    """Ask Notify about every sent message not yet final; append what became final. Councils without a key now are
    left alone (their messages wait until one is set again)."""
    run = PollRun()
    profiles = CouncilProfiles(store)
    readers: dict[str, StatusReader | None] = {}
    for stream in notifications_streams(store) if streams is None else streams:
        waiting = [record for record in stream.records.values() if record.awaiting_status]
        if not waiting:
            continue
        if stream.council not in readers:
            settings = load_notify_settings(stream.council, profiles.load(stream.council).settings.notify, secrets)
            readers[stream.council] = reader(settings) if settings else None
        status_reader = readers[stream.council]
        if status_reader is None:
            continue
        events: list[NewEvent] = []
        for record in waiting:
            run.asked += 1
            payload = _final(status_reader, record, run)
            if payload is not None:
                events.append(NewEvent(payload, stream.council, POLLER, now))
        if not events:
            continue
        try:
            store.append(stream.stream_id, stream.version, events)
        except ConcurrencyError:
            run.busy.append(stream.stream_id)
            continue
        run.delivered += sum(isinstance(event.payload, NotificationDelivered) for event in events)
        run.failed += sum(isinstance(event.payload, NotificationFailed) for event in events)
    return run


def _final(reader: StatusReader, record: NotificationRecord, run: PollRun) -> Any:
    assert record.sent is not None and record.sent.notify_id is not None
    try:
        status = reader.notification_status(record.sent.notify_id)
    except TemporaryFailure:
        run.unanswered.append(record.notification_id)
        return None
    except PermanentFailure as failure:
        if not failure.reason.startswith("404"):  # a refused key: asked again once the council fixes it
            run.unanswered.append(record.notification_id)
            return None
        status = "not-found"
    return outcome(record, status)
