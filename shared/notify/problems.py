"""A council's GOV.UK Notify configuration problems, on the record for its administrators.

Settings refused when checked (`bops councils set-notify`: a key that is not a Notify key, an unknown template, Notify
unreachable) and a send that Notify refuses for a configuration reason (a bad or revoked key, a missing template or
reply-to id, a team-only key) are each a `NotifyConfigurationProblem` on the council's stream; the administration
settings page and the console's dashboard show the newest (shared/councils/profile.py folds it) until settings that
pass the check are saved. A problem the stream already shows (same source and reasons) is not recorded again, so a
batch of letters failing for one bad key records it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from events import Actor, NewEvent
from events.notifications import REASON_TEXT, NotifyConfigurationProblem
from events.streams import council_stream
from shared.councils.profile import CouncilProfiles
from shared.eventstore.port import ConcurrencyError, EventStore

APPEND_ATTEMPTS = 5
MAX_REASONS = 20


def record_problem(
    store: EventStore,
    council: str,
    source: Literal["check", "send"],
    reasons: Sequence[str],
    actor: Actor,
    now: datetime,
    notification_id: str | None = None,
    profiles: CouncilProfiles | None = None,
    *,
    just_loaded: bool = False,
) -> bool:
    """Append the problem to the council's stream unless it already shows it; True when appended. A council that
    does not exist gets nothing (False).

    `just_loaded`: `profiles` loaded the council's profile moments ago (while handling the same event), so the first
    look takes it as folded instead of reading the stream's tail again; the append is conditional on its version,
    so if the stream moved meanwhile it is read again and looked at anew."""
    kept = tuple(reason[:REASON_TEXT] for reason in reasons[:MAX_REASONS] if reason) or ("no reason given",)
    payload = NotifyConfigurationProblem(source=source, reasons=kept, notification_id=notification_id)
    stream = council_stream(council)
    profiles = profiles or CouncilProfiles(store)  # a process's own remembers what it folded: reads only the tail
    refresh = not just_loaded
    for _ in range(APPEND_ATTEMPTS):
        profile = profiles.load(council, refresh=refresh)
        refresh = True
        if not profile.exists:
            return False
        shown = profile.notify_problem
        if shown is not None and (shown.source, shown.reasons) == (payload.source, payload.reasons):
            return False
        try:
            store.append(stream, profile.version, [NewEvent(payload, council, actor, now)])
        except ConcurrencyError:
            continue  # an officer or API key changed meanwhile: look again
        return True
    return False  # the council's stream kept moving: the next failure records it
