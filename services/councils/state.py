"""A council's state: a fold over its stream. No rules here (they live in the commands), so replay never fails.

Identity and settings are folded by `shared.councils.profile.CouncilProfile` (which every service may read); this
state adds what only the councils service needs: officers and API keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Self

from events import RecordedEvent
from events.council import ApiKeyCreated, ApiKeyRevoked, OfficerCreated, OfficerDeactivated, OfficerRoleChanged
from shared.councils.profile import CouncilProfile, overlay

__all__ = ["ApiKeyView", "CouncilState", "OfficerView", "fold", "overlay"]


def _empty() -> Mapping:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class OfficerView:
    id: str
    email: str
    name: str
    role: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    """An issued API key as the log knows it: its hash and display prefix, never the key."""

    id: str
    name: str
    scopes: tuple[str, ...]
    key_hash: str
    prefix: str
    created_at: datetime
    revoked: bool = False
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CouncilState(CouncilProfile):
    """Everything a council's stream says; `version` is the stream version the next append expects."""

    officers: Mapping[str, OfficerView] = field(default_factory=_empty)
    api_keys: Mapping[str, ApiKeyView] = field(default_factory=_empty)

    def apply(self, event: RecordedEvent) -> Self:
        # The profile's fold (identity, settings, version) keeps this class: `replace` copies every field.
        state = CouncilProfile.apply(self, event)
        payload = event.payload
        if isinstance(payload, OfficerCreated):
            officer = OfficerView(payload.officer_id, payload.email, payload.name, payload.role)
            return replace(state, officers=_with(state.officers, officer.id, officer))
        if isinstance(payload, OfficerDeactivated) and payload.officer_id in state.officers:
            officer = replace(state.officers[payload.officer_id], active=False)
            return replace(state, officers=_with(state.officers, officer.id, officer))
        if isinstance(payload, OfficerRoleChanged) and payload.officer_id in state.officers:
            officer = replace(state.officers[payload.officer_id], role=payload.role)
            return replace(state, officers=_with(state.officers, officer.id, officer))
        if isinstance(payload, ApiKeyCreated):
            key = ApiKeyView(
                payload.key_id, payload.name, payload.scopes, payload.key_hash, payload.prefix, event.occurred_at
            )
            return replace(state, api_keys=_with(state.api_keys, key.id, key))
        if isinstance(payload, ApiKeyRevoked) and payload.key_id in state.api_keys:
            key = replace(state.api_keys[payload.key_id], revoked=True, revoked_at=event.occurred_at)
            return replace(state, api_keys=_with(state.api_keys, key.id, key))
        return state

    def officer_by_email(self, email: str) -> OfficerView | None:
        """E-mail addresses are unique per council, compared without case."""
        wanted = email.strip().casefold()
        return next((officer for officer in self.officers.values() if officer.email.casefold() == wanted), None)


def _with(mapping: Mapping, key: str, value: object) -> Mapping:
    return MappingProxyType({**mapping, key: value})


def fold(events: Iterable[RecordedEvent], state: CouncilState | None = None) -> CouncilState:
    """The state after `events` (in stream order), from empty or from `state`."""
    state = CouncilState() if state is None else state
    for event in events:
        state = state.apply(event)
    return state
