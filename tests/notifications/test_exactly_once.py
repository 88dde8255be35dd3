"""Each message goes exactly once, however its event is delivered: twice, out of order, after temporary failures, or
by several deliveries at the same moment; a permanent failure is recorded once and never retried."""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.notifications import NotificationFailed, NotificationSent
from services.notifications.sender import Channel
from services.notifications.service import notify_with
from shared.notify.gateway import PermanentFailure, TemporaryFailure
from shared.settings import Settings
from shared.wiring import Dependencies
from tests.notifications.support import Application, create_council


class RecordingGateway:
    """Accepts each message (counting it by reference), except the failures scripted for it."""

    def __init__(self, temporary: dict[str, int] | None = None, permanent: set[str] | None = None) -> None:
        self.accepted: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.temporary = dict(temporary or {})  # reference suffix (recipient) → failures left
        self.permanent = permanent or set()
        self.delay_s = 0.0
        self.lock = threading.Lock()

    def send_email(self, *, email_address, template_id, personalisation, reference, email_reply_to_id) -> str:
        with self.lock:
            self.calls[reference] += 1
            for suffix, left in self.temporary.items():
                if reference.endswith(suffix) and left > 0:
                    self.temporary[suffix] = left - 1
                    raise TemporaryFailure("429 rate limit exceeded")
            if any(reference.endswith(suffix) for suffix in self.permanent):
                raise PermanentFailure("400 email_address Not a valid email address")
        time.sleep(self.delay_s)
        with self.lock:
            self.accepted[reference] += 1
        return str(uuid.uuid4())


def channel(gateway) -> Channel:
    return Channel("notify", gateway, lambda kind: f"template-{kind}")


def fresh_deps(directory: Path) -> Dependencies:
    deps = Dependencies(Settings(data_dir=directory))
    create_council(deps.event_store)
    return deps


def lifecycle(deps: Dependencies) -> list:
    """An application from receipt to decision, with each kind of message on the way."""
    application = Application(deps.event_store)
    first = application.draft("additional_document")
    dropped = application.draft("fee_change", fee_amount=10)
    application.invalidate([first, dropped])
    application.cancel(dropped)
    application.validate()
    application.draft("description_change", post_validation=True, proposed_description="A new description")
    closing = application.draft("other_change", post_validation=True)
    application.auto_close(closing)
    application.assign("officer-ann")
    application.recommend("officer-ann")
    application.challenge("officer-rae")
    application.recommend("officer-ann")
    application.determine()
    return application.recorded


def deliver_until_done(deps, events, gateway, order) -> None:
    """Deliver in `order` (indices, repeats allowed); a delivery that failed temporarily is delivered again later,
    as the relay and Lambda retry it."""
    pending = list(order)
    for _ in range(1000):
        if not pending:
            return
        index = pending.pop(0)
        try:
            notify_with(deps, events[index], channel(gateway))
        except TemporaryFailure:
            pending.append(index)
    raise AssertionError("deliveries never settled")


def expected_messages(events) -> set[str]:
    with tempfile.TemporaryDirectory() as directory:
        deps = fresh_deps(Path(directory))
        once = lifecycle(deps)
        gateway = RecordingGateway()
        deliver_until_done(deps, once, gateway, range(len(once)))
        by_event = {str(e.event_id): i for i, e in enumerate(once)}
        # the same lifecycle gets new event ids each time: compare by position and recipient
        return {f"{by_event[ref.split(':', 1)[0]]}:{ref.split(':', 1)[1]}" for ref in gateway.accepted}


EXPECTED: set[str] | None = None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_event_delivered_twice_and_out_of_order_sends_each_message_once(data):
    global EXPECTED
    with tempfile.TemporaryDirectory() as directory:
        deps = fresh_deps(Path(directory))
        events = lifecycle(deps)
        if EXPECTED is None:
            EXPECTED = expected_messages(events)
        order = data.draw(st.permutations(list(range(len(events))) * 2))
        failures = data.draw(
            st.dictionaries(
                st.sampled_from([":applicant", ":agent", ":case_officer", ":reviewer:officer-sam"]), st.integers(0, 2)
            )
        )
        gateway = RecordingGateway(temporary=failures)
        deliver_until_done(deps, events, gateway, order)
        by_event = {str(e.event_id): i for i, e in enumerate(events)}
        assert all(count == 1 for count in gateway.accepted.values())
        assert {f"{by_event[r.split(':', 1)[0]]}:{r.split(':', 1)[1]}" for r in gateway.accepted} == EXPECTED
        stream = Application.__new__(Application)
        stream.store, stream.reference = deps.event_store, events[0].payload.reference
        recorded = [n.notification_id for n in stream.sent()]
        assert sorted(recorded) == sorted(gateway.accepted)  # each on the record once
        assert len(EXPECTED) >= 20  # every kind was there to be sent


def test_deliveries_at_the_same_moment_send_once(tmp_path):
    deps = fresh_deps(tmp_path)
    events = lifecycle(deps)
    gateway = RecordingGateway()
    gateway.delay_s = 0.05
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            for event in events:
                with contextlib.suppress(TemporaryFailure):  # another delivery holds it: the bus retries
                    notify_with(deps, event, channel(gateway))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    deliver_until_done(deps, events, gateway, range(len(events)))  # the retries of the deliveries that were refused
    assert gateway.accepted and all(count == 1 for count in gateway.accepted.values())
    stream = Application.__new__(Application)
    stream.store, stream.reference = deps.event_store, events[0].payload.reference
    assert sorted(n.notification_id for n in stream.sent()) == sorted(gateway.accepted)


def test_temporary_failures_are_retried_until_sent_once(tmp_path):
    deps = fresh_deps(tmp_path)
    application = Application(deps.event_store)
    gateway = RecordingGateway(temporary={":applicant": 2})
    submitted = application.recorded[0]
    for _ in range(2):
        with pytest.raises(TemporaryFailure):
            notify_with(deps, submitted, channel(gateway))
    assert [n.recipient_role for n in application.sent()] == ["agent"]  # what went is recorded before the raise
    notify_with(deps, submitted, channel(gateway))
    notify_with(deps, submitted, channel(gateway))  # a late duplicate delivery
    assert gateway.calls[f"{submitted.event_id}:applicant"] == 3
    assert set(gateway.accepted.values()) == {1} and len(gateway.accepted) == 2
    assert sorted(n.recipient_role for n in application.sent()) == ["agent", "applicant"]


def test_a_permanent_failure_is_recorded_once_and_never_retried(tmp_path):
    deps = fresh_deps(tmp_path)
    application = Application(deps.event_store)
    gateway = RecordingGateway(permanent={":agent"})
    submitted = application.recorded[0]
    for _ in range(3):
        notify_with(deps, submitted, channel(gateway))
    assert gateway.calls[f"{submitted.event_id}:agent"] == 1
    [failed] = application.failed()
    assert isinstance(failed, NotificationFailed)
    assert failed.permanent and failed.recipient_role == "agent" and failed.kind == "receipt"
    assert failed.reason == "400 email_address Not a valid email address"
    assert failed.masked_address == "a***@agents.example.com"
    [sent] = application.sent()
    assert isinstance(sent, NotificationSent) and sent.recipient_role == "applicant" and sent.channel == "notify"
    assert sent.template_id == "template-receipt" and sent.notify_id


def test_a_deployed_council_without_a_notify_key_sees_each_message_fail_with_the_reason(tmp_path, monkeypatch):
    from services.notifications import notify_channel, service

    monkeypatch.setattr(notify_channel, "notify_settings_for", lambda deps, council: None)
    deployed = Dependencies(Settings(runtime="aws", data_dir=tmp_path / "unused"))
    chosen = service.channel_for(deployed, "DEMO")
    assert isinstance(chosen.gateway, service.Unsendable)
    assert service.channel_for(Dependencies(Settings(data_dir=tmp_path)), "DEMO").name == "outbox"  # embedded

    deps = fresh_deps(tmp_path / "data")
    application = Application(deps.event_store)
    for _ in range(2):
        notify_with(deps, application.recorded[0], chosen)
    failed = application.failed()
    assert sorted(f.recipient_role for f in failed) == ["agent", "applicant"] and application.sent() == []
    assert all(f.permanent and "has no GOV.UK Notify API key" in f.reason for f in failed)
    assert not (tmp_path / "unused").exists()  # nothing written to a Lambda's disk
    assert not (tmp_path / "data" / "idempotency.sqlite").exists()  # nothing is sent, so nothing needs a guard


def test_a_key_that_is_not_a_notify_key_fails_each_message_with_the_reason(tmp_path, monkeypatch):
    from services.notifications import notify_channel, service
    from shared.notify.settings import NotifySettings

    placeholder = NotifySettings(council="DEMO", api_key="a-random-placeholder", generic_template_id="t")
    monkeypatch.setattr(notify_channel, "notify_settings_for", lambda deps, council: placeholder)
    chosen = service.channel_for(Dependencies(Settings(runtime="aws", data_dir=tmp_path / "unused")), "DEMO")
    with pytest.raises(PermanentFailure, match=r"DEMO.s GOV\.UK Notify key: the API key is not a GOV\.UK Notify key"):
        chosen.gateway.send_email(
            email_address="a@b.example", template_id="t", personalisation={}, reference="r", email_reply_to_id=None
        )
