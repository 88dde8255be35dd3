"""What became of the messages sent through Notify: the status poller and Notify's delivery-status callback.

A message handed to Notify (`NotificationSent`, channel `notify`) is not yet delivered: the scheduled poller asks
Notify for its status (`GET /v2/notifications/{id}`) until it is final, and Notify's callback (services/notifications/
callback.py) may report it first; either appends `NotificationDelivered` (`delivered`) or `NotificationFailed`
(`permanent-failure`: the address does not exist; `temporary-failure`: the inbox was full or the provider refused it
for now; `technical-failure`: Notify's own fault) on the application's notifications stream, at the version it read
and only when the stream does not already record the message's outcome, so the poller and the callback reporting the
same status append it once. A failure is shown and counted for the council until an officer acknowledges it
(shared/notification_records.py).

Only the messages still awaiting a status are looked at: the `notifications-outstanding` read model lists them
(services/notifications/outstanding.py), so a poll grows with what is in flight, never with the log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from events import Actor, NewEvent
from events.notifications import NotificationDelivered, NotificationFailed
from shared.councils.profile import CouncilProfiles
from shared.eventstore.port import ConcurrencyError, EventStore
from shared.notification_records import (
    AWAITING,
    OUTSTANDING_READ_MODEL,
    NotificationRecord,
    NotificationsStream,
    outstanding,
    read_stream,
)
from shared.notify.gateway import PermanentFailure, TemporaryFailure
from shared.notify.settings import NotifySettings, load_notify_settings
from shared.projections.store import ReadModelStore
from shared.secrets.port import SecretStore

POLLER = Actor(kind="system", id="notify-status-poller", display_name="the Notify status poller")
CALLBACK = Actor(kind="system", id="notify-callback", display_name="GOV.UK Notify's delivery receipt")
FAILED_STATUSES = {
    "permanent-failure": "the email address does not exist or the provider refused it for good",
    "temporary-failure": "the recipient's inbox was full or its provider refused it for now",
    "technical-failure": "GOV.UK Notify could not send it (a technical failure on Notify's side)",
    "not-found": "GOV.UK Notify no longer knows it (it keeps notifications for 7 days)",
}
DELIVERED = "delivered"
# Notify's statuses of an email that is not final yet (its callback only reports final ones)
PENDING_STATUSES = frozenset({"created", "sending", "pending"})
APPEND_ATTEMPTS = 5


def awaiting_streams(store: EventStore, read_models: ReadModelStore) -> list[NotificationsStream]:
    """The notifications streams with a message awaiting its status (as the read model says), folded from the log."""
    stream_ids = sorted({document["stream_id"] for document in outstanding(read_models, AWAITING)})
    return [stream for stream in (read_stream(store, stream_id) for stream_id in stream_ids) if stream is not None]


# -- the poller -------------------------------------------------------------------------------------------------
class StatusReader(Protocol):
    def notification_status(self, notify_id: str) -> str: ...


def notify_reader(settings: NotifySettings) -> StatusReader:
    from shared.notify.client import NotifyGateway  # the client: only for a council with a key

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
    read_models: ReadModelStore,
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
    for stream in awaiting_streams(store, read_models) if streams is None else streams:
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


# -- Notify's callback ------------------------------------------------------------------------------------------
Recorded = Literal["recorded", "already-recorded", "not-final"]


class UnknownNotification(LookupError):
    """No message of this council awaits a status under this reference and Notify id."""


def record_status(
    store: EventStore,
    read_models: ReadModelStore,
    council: str,
    notification_id: str,
    notify_id: str,
    status: str,
    now: datetime,
) -> Recorded:
    """Record the final status Notify's callback reports for one message, once: `already-recorded` when the stream
    already has its outcome (the poller, or an earlier callback), `not-final` for a status that is not final.
    UnknownNotification when no such message of this council awaits a status (the read model may also not have seen
    its `NotificationSent` yet: the poller will ask Notify about it then)."""
    document, _ = read_models.get(OUTSTANDING_READ_MODEL, notification_id)
    if document is None or document.get("council") != council or document.get("notify_id") != notify_id:
        raise UnknownNotification(notification_id)
    if status in PENDING_STATUSES:
        return "not-final"
    for _ in range(APPEND_ATTEMPTS):
        stream = read_stream(store, document["stream_id"])
        record = stream.records.get(notification_id) if stream else None
        if stream is None or record is None or record.sent is None or record.sent.notify_id != notify_id:
            raise UnknownNotification(notification_id)
        if not record.awaiting_status:
            return "already-recorded"
        payload = outcome(record, status)
        if payload is None:
            return "not-final"
        try:
            store.append(stream.stream_id, stream.version, [NewEvent(payload, council, CALLBACK, now)])
        except ConcurrencyError:
            continue  # the stream moved (another message, or the poller recording this one): read it again
        return "recorded"
    raise TemporaryFailure(f"the notifications stream {document['stream_id']} kept moving; try again")
