"""Delivery status: the poller asks the local Notify (real client) about the messages the `notifications-outstanding`
read model lists as awaiting a status, records NotificationDelivered / NotificationFailed once, and failures are
counted until an officer acknowledges them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events import Actor, NewEvent
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges, NotifyConfiguration
from events.notifications import NotificationSent
from events.streams import application_side_stream, council_stream
from services.notifications import delivery
from shared.eventstore.sqlite import SqliteEventStore
from shared.notification_records import acknowledge_failure, unacknowledged_failures
from shared.notify.client import NotifyGateway
from shared.notify.settings import api_key_secret_name
from shared.projections.sqlite_store import SqliteReadModelStore
from shared.secrets import InMemorySecrets
from tests.notifications.support import project_outstanding
from tests.notify_server import FakeNotify, notify_server

__all__ = ["notify_server"]

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
OFFICER = Actor(kind="officer", id="o-1", display_name="Olive Officer")


@pytest.fixture
def store(tmp_path) -> SqliteEventStore:
    return SqliteEventStore(tmp_path / "events.db")


@pytest.fixture
def read_models(tmp_path) -> SqliteReadModelStore:
    return SqliteReadModelStore(tmp_path / "read_models.db")


def project(store: SqliteEventStore, read_models: SqliteReadModelStore) -> SqliteReadModelStore:
    return project_outstanding(store, read_models)


def _council(store: SqliteEventStore, secrets: InMemorySecrets, code: str, notify: FakeNotify | None) -> None:
    events = [NewEvent(CouncilCreated(code=code, name=code, slug=code.lower()), code, Actor.system(), T0)]
    if notify is not None:
        configuration = NotifyConfiguration(base_url=notify.base_url, generic_template_id=notify.add_template())
        changes = CouncilSettingsChanges(notify=configuration)
        events.append(NewEvent(CouncilSettingsChanged(changes=changes), code, Actor.system(), T0))
        secrets.put(api_key_secret_name(code), notify.api_key)
    store.append(council_stream(code), 0, events)


def _sent(store: SqliteEventStore, council: str, reference: str, notify: FakeNotify | None, count: int) -> list[str]:
    """`count` messages sent through Notify (or to the outbox without `notify`); their Notify ids."""
    ids, events = [], []
    for index in range(count):
        notify_id = None
        if notify is not None:
            gateway = NotifyGateway(notify.api_key, base_url=notify.base_url)
            template = next(iter(notify.service.templates))
            notify_id = gateway.send_email(
                email_address=f"a{index}@example.com",
                template_id=template,
                personalisation={"subject": "s", "body": "b"},
                reference=f"e{index}:applicant",
                email_reply_to_id=None,
            )
            ids.append(notify_id)
        payload = NotificationSent(
            notification_id=f"e{index}:applicant",
            kind="receipt",
            recipient_role="applicant",
            masked_address="a***@example.com",
            template_id="t",
            channel="notify" if notify else "outbox",
            notify_id=notify_id,
            triggered_by=f"e{index}",
        )
        events.append(NewEvent(payload, council, Actor.system(), T0))
    stream = application_side_stream(council, reference, "notifications")
    store.append(stream, store.stream_version(stream), events)
    return ids


def test_final_statuses_are_recorded_once_and_failures_counted_until_acknowledged(
    store: SqliteEventStore, read_models: SqliteReadModelStore, notify_server: FakeNotify
) -> None:
    secrets = InMemorySecrets()
    _council(store, secrets, "LBH", notify_server)
    delivered, bounced, sending, full = _sent(store, "LBH", "24-00001-HAPP", notify_server, 4)
    notify_server.set_status(delivered, "delivered")
    notify_server.set_status(bounced, "permanent-failure")
    notify_server.set_status(sending, "sending")
    notify_server.set_status(full, "temporary-failure")

    run = delivery.poll_statuses(store, project(store, read_models), secrets, T0)
    assert (run.asked, run.delivered, run.failed) == (4, 1, 2)
    stream = application_side_stream("LBH", "24-00001-HAPP", "notifications")
    types = [event.event_type for event in store.read(stream)][4:]
    assert sorted(types) == ["NotificationDelivered", "NotificationFailed", "NotificationFailed"]
    again = delivery.poll_statuses(store, project(store, read_models), secrets, T0)
    assert (again.asked, again.delivered, again.failed) == (1, 0, 0)  # only the one still sending
    [(_, waiting)] = [(k, d) for k, d in read_models.documents("notifications-outstanding") if d["state"] == "awaiting"]
    assert waiting["notification_id"] == "e2:applicant"

    failures = unacknowledged_failures(read_models, "LBH")
    assert {(f.notification_id, f.permanent) for f in failures} == {("e1:applicant", True), ("e3:applicant", False)}
    assert "permanent-failure" in next(f.reason for f in failures if f.permanent)
    acknowledge_failure(store, "LBH", "24-00001-HAPP", "e1:applicant", OFFICER, T0)
    assert [f.notification_id for f in unacknowledged_failures(project(store, read_models), "LBH")] == ["e3:applicant"]
    with pytest.raises(LookupError):
        acknowledge_failure(store, "LBH", "24-00001-HAPP", "e1:applicant", OFFICER, T0)
    with pytest.raises(LookupError):
        acknowledge_failure(store, "LBH", "24-00001-HAPP", "e0:applicant", OFFICER, T0)  # delivered


def test_outbox_messages_and_councils_without_a_key_are_not_asked(
    store: SqliteEventStore, read_models: SqliteReadModelStore, notify_server: FakeNotify
) -> None:
    secrets = InMemorySecrets()
    _council(store, secrets, "LBH", notify_server)
    _council(store, secrets, "XYZ", None)
    _sent(store, "LBH", "24-00001-HAPP", None, 2)  # the outbox: no Notify id
    [sent] = _sent(store, "XYZ", "24-00002-HAPP", notify_server, 1)  # sent with a key since removed
    notify_server.set_status(sent, "delivered")
    run = delivery.poll_statuses(store, project(store, read_models), secrets, T0)
    assert run.asked == 0 and not [r for r in notify_server.requests if r.method == "GET"]
    assert [d["council"] for _, d in read_models.documents("notifications-outstanding")] == ["XYZ"]  # outbox: none


def test_notify_unavailable_or_unknown(
    store: SqliteEventStore, read_models: SqliteReadModelStore, notify_server: FakeNotify
) -> None:
    secrets = InMemorySecrets()
    _council(store, secrets, "LBH", notify_server)
    [sent] = _sent(store, "LBH", "24-00001-HAPP", notify_server, 1)
    notify_server.set_status(sent, "delivered")
    notify_server.fail_next("500", path="/v2/notifications/")
    run = delivery.poll_statuses(store, project(store, read_models), secrets, T0)
    assert (run.asked, run.delivered, run.unanswered) == (1, 0, ["e0:applicant"])
    del notify_server.service.notifications[sent]  # Notify keeps notifications for 7 days
    run = delivery.poll_statuses(store, project(store, read_models), secrets, T0)
    [failure] = unacknowledged_failures(project(store, read_models), "LBH")
    assert run.failed == 1 and "no longer knows it" in failure.reason


def test_a_poll_racing_another_appends_nothing_twice(
    store: SqliteEventStore, read_models: SqliteReadModelStore, notify_server: FakeNotify
) -> None:
    secrets = InMemorySecrets()
    _council(store, secrets, "LBH", notify_server)
    [sent] = _sent(store, "LBH", "24-00001-HAPP", notify_server, 1)
    notify_server.set_status(sent, "delivered")
    stale = delivery.awaiting_streams(store, project(store, read_models))
    assert delivery.poll_statuses(store, read_models, secrets, T0).delivered == 1
    late = delivery.poll_statuses(store, read_models, secrets, T0, streams=stale)  # folded before the first appended
    stream = application_side_stream("LBH", "24-00001-HAPP", "notifications")
    assert late.busy == [stream]
    assert [e.event_type for e in store.read(stream)].count("NotificationDelivered") == 1
