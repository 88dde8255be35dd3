"""The optimistic-concurrency check of a command: the officer acted on the version they saw."""

from __future__ import annotations

from collections.abc import Sequence

from events import RecordedEvent
from services.assessment.domain.describe import describe
from services.assessment.domain.errors import Conflict, InvalidCommand
from services.assessment.domain.state import PlanningApplication


def check_version(state: PlanningApplication, seen_version: int, events_since: Sequence[RecordedEvent] = ()) -> None:
    """Refuse with what happened since when the main stream moved on from the version the officer saw.

    `events_since` are the main stream's events after `seen_version` (the handler reads them only when the versions
    differ); without them the message still names the newest change the state knows."""
    if isinstance(seen_version, bool) or not isinstance(seen_version, int) or seen_version < 0:
        raise InvalidCommand({"version": "must be the version of the application you saw (a whole number)"})
    if seen_version == state.version:
        return
    if seen_version > state.version:
        raise Conflict(f"the application has no version {seen_version}: it is at version {state.version}")
    since = [e for e in events_since if e.version > seen_version]
    if since:
        what = "; ".join(describe(e) for e in since[-3:])
        more = f" (and {len(since) - 3} earlier changes)" if len(since) > 3 else ""
    elif state.last_change:
        event_type, who = state.last_change
        what, more = f"the latest change was {event_type} by {who}", ""
    else:
        what, more = "it changed", ""
    raise Conflict(f"the application changed since version {seen_version}: {what}{more}")
