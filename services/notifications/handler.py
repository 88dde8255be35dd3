"""The notifications sender's Lambda handler: reacts to the steps of an application's life (errors propagate, so the
bus retries a delivery that met a temporary failure)."""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from events import RecordedEvent  # noqa: E402
from shared.bus.messages import subscriber  # noqa: E402


def handle(event: RecordedEvent) -> None:
    from services.notifications.service import notify

    notify(event)


lambda_handler = subscriber(handle)
