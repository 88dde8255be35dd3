"""Bench: the notifications sender against a local GOV.UK Notify-compatible server, vs the bare official client.

Appends applications' lives (receipt, invalidation with two requests, validation, a request after validation, a
recommendation, a challenge, a second recommendation, the decision) to an embedded log until EVENTS events trigger
messages, then delivers each of those events as the relay does (its bus message into the subscriber's Lambda
handler, in log order) to a council whose Notify key points at the local server (`tests/notify_server.py`, answering
at once). Every message goes through the whole path: folding the application's facts, composing, the idempotency
record (SQLite), the real `notifications-python-client`, and `NotificationSent` on the notifications stream.

The floor, in the same run: the bare client (`NotificationsAPIClient.send_email_notification`) posting the very
messages the server received (address, template, personalisation, reference) to the same server, one after another,
timed before and after the sender (the faster of the two). The last line is JSON: `messages_per_s`, `floor_per_s`,
`ratio` (target ≥ 0.5), `events`, `messages`, and whether each message arrived exactly once.

    python3 -m uv run --no-sync python bench/notifications.py        # BENCH_EVENTS=5000 by default
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EVENTS = int(os.environ.get("BENCH_EVENTS", "5000"))
TARGET_RATIO = 0.5


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def lifecycle(application: Any) -> None:
    first = application.draft("additional_document")
    second = application.draft("fee_change", fee_amount=10)
    application.invalidate([first, second])
    application.validate()
    application.draft("other_change", post_validation=True)
    application.assign("officer-ann")
    application.recommend("officer-ann")
    application.challenge("officer-rae")
    application.recommend("officer-ann")
    application.determine()


def configure_notify(deps: Any, notify: Any) -> None:
    from events import Actor, NewEvent
    from events.council import CouncilSettingsChanged, CouncilSettingsChanges, NotifyConfiguration
    from events.streams import council_stream
    from shared.notify.settings import save_notify_settings
    from tests.notifications.support import COUNCIL, START

    configuration = NotifyConfiguration(base_url=notify.base_url, generic_template_id=notify.add_template())

    def record(saved: NotifyConfiguration) -> None:
        stream = council_stream(COUNCIL)
        change = CouncilSettingsChanged(changes=CouncilSettingsChanges(notify=saved))
        deps.event_store.append(
            stream, deps.event_store.stream_version(stream), [NewEvent(change, COUNCIL, Actor.system(), START)]
        )

    save_notify_settings(COUNCIL, notify.api_key, configuration, deps.secrets, record)


def floor(notify: Any, messages: list[dict[str, Any]]) -> float:
    """Messages per second of the bare client posting `messages` (each with a fresh reference) to the server."""
    from notifications_python_client import NotificationsAPIClient

    client = NotificationsAPIClient(notify.api_key, base_url=notify.base_url)
    began = time.perf_counter()
    for index, message in enumerate(messages):
        client.send_email_notification(
            email_address=message["email_address"],
            template_id=message["template_id"],
            personalisation=message["personalisation"],
            reference=f"floor-{index}-{message.get('reference')}",
        )
    return len(messages) / (time.perf_counter() - began)


def main() -> None:
    from tests.notify_server import FakeNotify

    with tempfile.TemporaryDirectory() as directory, FakeNotify() as notify:
        os.environ["BOPS_DATA_DIR"] = str(Path(directory) / "data")
        from shared import wiring

        wiring.reset()
        deps = wiring.dependencies()
        from services.notifications.declaration import TRIGGER_EVENT_TYPES
        from shared.bus import bus_message
        from tests.notifications.support import Application, create_council

        create_council(deps.event_store)
        configure_notify(deps, notify)
        triggers = 0
        number = 0
        began = time.perf_counter()
        while triggers < EVENTS:
            number += 1
            application = Application(deps.event_store, reference=f"26-{number:05d}-HAPP")
            lifecycle(application)
            triggers += sum(e.event_type in TRIGGER_EVENT_TYPES for e in application.recorded)
        progress(f"{number} applications, {triggers} triggering events appended in {time.perf_counter() - began:.1f} s")

        stored = []
        after = 0
        while True:
            batch = deps.event_store.read_all_stored(after, limit=1000)
            if not batch:
                break
            stored.extend(s for s in batch if s.event_type in TRIGGER_EVENT_TYPES)
            after = batch[-1].position
        stored = stored[:EVENTS]
        bus = [bus_message(s, s.position) for s in stored]

        # What a cold start imports is not throughput: the handler's first call's imports are done before timing.
        import services.notifications.idempotency
        import services.notifications.notify_channel
        import services.notifications.service  # noqa: F401
        from services.notifications.handler import lambda_handler

        notify.clear()
        began = time.perf_counter()
        for message in bus:
            lambda_handler(message, None)
        sender_s = time.perf_counter() - began
        received = [r for r in notify.requests if r.path == "/v2/notifications/email"]
        references = [r.body["reference"] for r in received]
        sent = len(received)
        messages_per_s = sent / sender_s
        progress(f"sender: {len(bus)} events, {sent} messages in {sender_s:.2f} s: {messages_per_s:.0f} messages/s")

        bodies = [r.body for r in received]
        floor_before = floor(notify, bodies)
        floor_after = floor(notify, bodies)
        floor_per_s = max(floor_before, floor_after)
        progress(f"floor: the bare client {floor_before:.0f} then {floor_after:.0f} messages/s")

        from events.notifications import NotificationSent

        recorded = 0
        for number_ in range(1, number + 1):
            stream = f"application:DEMO:26-{number_:05d}-HAPP:notifications"
            recorded += sum(isinstance(e.payload, NotificationSent) for e in deps.event_store.read(stream))
        exactly_once = len(set(references)) == len(references) == recorded
        result = {
            "events": len(bus),
            "messages": sent,
            "messages_per_s": round(messages_per_s, 1),
            "floor_per_s": round(floor_per_s, 1),
            "ratio": round(messages_per_s / floor_per_s, 3),
            "target_ratio": TARGET_RATIO,
            "exactly_once": exactly_once,
            "notification_sent_events": recorded,
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
