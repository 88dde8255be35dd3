"""Sends the messages an event triggers (being built: see messages.py and sender.py)."""

from __future__ import annotations

from events import RecordedEvent


def notify(event: RecordedEvent) -> None:
    """Send what `event` triggers, each message exactly once."""
    return None
