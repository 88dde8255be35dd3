"""What a council's stream says about the council itself (its identity and recorded settings): a fold of two event
types that any service may run, so reading settings never needs the councils service (`services/councils`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Self, cast

from events import RecordedEvent
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges
from events.streams import council_stream
from shared.councils.errors import CouncilError
from shared.councils.rules import check_code

if TYPE_CHECKING:  # the notifications' events are defined when a stream has a problem to read, not for every reader
    from events.notifications import NotifyConfigurationProblem
    from shared.eventstore.port import EventStore

# The event types the profile folds: a reader deserialises only these of the council's stream (not its officers' and
# API keys' events), and takes the stream's version from the same read.
PROFILE_EVENT_TYPES = frozenset({"CouncilCreated", "CouncilSettingsChanged", "NotifyConfigurationProblem"})


def overlay(base: CouncilSettingsChanges, changes: CouncilSettingsChanges) -> CouncilSettingsChanges:
    """`changes` over `base`, field by field: a None field leaves the base value (a dict field is replaced whole)."""
    given = {name: value for name, value in changes if value is not None}
    return base.model_copy(update=given) if given else base


@dataclass(frozen=True, slots=True)
class CouncilProfile:
    """The council's identity and recorded settings; `version` is the stream version the next append expects.

    Events of other types (officers, API keys) only advance the version: the councils service's state extends this.
    """

    code: str = ""
    name: str = ""
    slug: str = ""
    exists: bool = False
    version: int = 0
    settings: CouncilSettingsChanges = field(default_factory=CouncilSettingsChanges)
    # The newest problem with its GOV.UK Notify settings (refused when checked, or by Notify when sending), until
    # settings that pass the check are saved; shown to administrators.
    notify_problem: NotifyConfigurationProblem | None = None
    notify_problem_at: datetime | None = None

    def apply(self, event: RecordedEvent) -> Self:
        state = replace(self, version=event.version)
        payload = event.payload
        if isinstance(payload, CouncilCreated):
            return replace(state, code=payload.code, name=payload.name, slug=payload.slug, exists=True)
        if isinstance(payload, CouncilSettingsChanged):
            if payload.changes.notify is not None:  # checked against Notify before it was recorded
                state = replace(state, notify_problem=None, notify_problem_at=None)
            return replace(
                state, settings=overlay(state.settings, payload.changes), name=payload.changes.name or state.name
            )
        if event.event_type == "NotifyConfigurationProblem":
            problem = cast("NotifyConfigurationProblem", payload)
            return replace(state, notify_problem=problem, notify_problem_at=event.occurred_at)
        return state


def fold_profile(events: Iterable[RecordedEvent], profile: CouncilProfile | None = None) -> CouncilProfile:
    """The profile after `events` (in stream order), from empty or from `profile`."""
    profile = CouncilProfile() if profile is None else profile
    for event in events:
        profile = profile.apply(event)
    return profile


class CouncilProfiles:
    """Councils' profiles read from the log; a profile folded earlier only reads what was appended since.

    A profile's `version` is the stream's head as read (the version the next append expects, `shared/notify/problems`),
    though only `PROFILE_EVENT_TYPES` are deserialised and folded."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._known: dict[str, CouncilProfile] = {}

    def load(self, code: str, *, refresh: bool = True) -> CouncilProfile:
        """The council's profile (empty, `exists=False`, for a council never created or a malformed code).

        `refresh=False` takes the profile as this object last folded it, without reading what was appended since (it
        reads the stream only if it never folded it): for another look during a piece of work that just loaded it,
        so that one event's handling reads the council's stream once, not once per look."""
        try:
            check_code(code)
        except CouncilError:
            return CouncilProfile()
        known = self._known.get(code)
        if known is not None and not refresh:
            return known
        from_version = 1 if known is None else known.version + 1
        events, version = self.store.read_types(council_stream(code), PROFILE_EVENT_TYPES, from_version)
        profile = fold_profile(events, known)
        if version > profile.version:  # its officers' and API keys' events: the next append expects the head
            profile = replace(profile, version=version)
        self._known[code] = profile
        return profile

    def created(self) -> list[CouncilProfile]:
        """The profile of every council created in the log, in stream order."""
        streams = self.store.stream_ids("council:")
        found = (self.load(stream_id.split(":")[1]) for stream_id in streams if stream_id.count(":") == 1)
        return [profile for profile in found if profile.exists]
