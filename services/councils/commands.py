"""Pure council commands: `(state, input) -> [event payloads]`, or a CouncilError naming the broken rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar

from events import EventPayload
from events.council import (
    ApiKeyCreated,
    ApiKeyRevoked,
    CouncilCreated,
    CouncilSettingsChanged,
    CouncilSettingsChanges,
    OfficerCreated,
    OfficerDeactivated,
    OfficerRoleChanged,
)
from services.councils import rules
from services.councils.errors import (
    ApiKeyAlreadyRevoked,
    ApiKeyConflict,
    CouncilAlreadyExists,
    CouncilNotFound,
    EmptySettingsChange,
    OfficerAlreadyInactive,
    OfficerConflict,
    UnchangedRole,
    UnknownApiKey,
    UnknownOfficer,
)
from services.councils.state import CouncilState

T = TypeVar("T")
R = TypeVar("R")


def _existing(state: CouncilState) -> CouncilState:
    if not state.exists:
        raise CouncilNotFound("the council does not exist: create it first")
    return state


def _checked(value: T | None, check: Callable[[T], R]) -> R | None:
    return None if value is None else check(value)


def create_council(state: CouncilState, code: str, name: str, slug: str) -> list[EventPayload]:
    if state.exists:
        raise CouncilAlreadyExists(f"council {state.code} already exists")
    return [
        CouncilCreated(
            code=rules.check_code(code), name=rules.check_name("council name", name), slug=rules.check_slug(slug)
        )
    ]


def change_settings(state: CouncilState, changes: CouncilSettingsChanges) -> list[EventPayload]:
    _existing(state)
    if all(value is None for _, value in changes):
        raise EmptySettingsChange("a settings change must change at least one setting")
    clean = CouncilSettingsChanges(
        name=_checked(changes.name, partial(rules.check_name, "council name")),
        public_base_url=_checked(changes.public_base_url, rules.check_public_base_url),
        allow_download_hosts=_checked(changes.allow_download_hosts, rules.check_download_hosts),
        reference_suffixes=_checked(changes.reference_suffixes, rules.check_reference_suffixes),
        reply_to_email=_checked(changes.reply_to_email, partial(rules.check_email, what="reply-to address")),
        determination_periods=_checked(changes.determination_periods, rules.check_determination_periods),
        publish_applicant_names=changes.publish_applicant_names,
        notify=changes.notify,  # checked against Notify itself before it gets here (services/notifications)
    )
    return [CouncilSettingsChanged(changes=clean)]


def create_officer(state: CouncilState, officer_id: str, email: str, name: str, role: str) -> list[EventPayload]:
    _existing(state)
    officer_id = rules.check_identifier("officer id", officer_id)
    email = rules.check_email(email)
    if officer_id in state.officers:
        raise OfficerConflict(f"an officer with id {officer_id} already exists")
    if state.officer_by_email(email) is not None:
        raise OfficerConflict(f"an officer with e-mail address {email} already exists in council {state.code}")
    name = rules.check_name("officer name", name)
    return [OfficerCreated(officer_id=officer_id, email=email, name=name, role=rules.check_role(role))]


def deactivate_officer(state: CouncilState, officer_id: str) -> list[EventPayload]:
    officer = _existing(state).officers.get(officer_id)
    if officer is None:
        raise UnknownOfficer(f"no officer with id {officer_id!r} in council {state.code}")
    if not officer.active:
        raise OfficerAlreadyInactive(f"officer {officer.email} is already deactivated")
    return [OfficerDeactivated(officer_id=officer_id)]


def change_officer_role(state: CouncilState, officer_id: str, role: str) -> list[EventPayload]:
    officer = _existing(state).officers.get(officer_id)
    if officer is None:
        raise UnknownOfficer(f"no officer with id {officer_id!r} in council {state.code}")
    if not officer.active:
        raise OfficerAlreadyInactive(f"officer {officer.email} is deactivated: their role cannot change")
    role = rules.check_role(role)
    if role == officer.role:
        raise UnchangedRole(f"officer {officer.email} is already {'an' if role[0] in 'aeiou' else 'a'} {role}")
    return [OfficerRoleChanged(officer_id=officer_id, role=role, previous_role=officer.role)]


def create_api_key(
    state: CouncilState, key_id: str, name: str, scopes: Iterable[str], key_hash: str, prefix: str
) -> list[EventPayload]:
    _existing(state)
    key_id = rules.check_identifier("API key id", key_id)
    if key_id in state.api_keys:
        raise ApiKeyConflict(f"an API key with id {key_id} already exists")
    return [
        ApiKeyCreated(
            key_id=key_id,
            name=rules.check_name("API key name", name),
            scopes=rules.check_scopes(scopes),
            key_hash=rules.check_key_hash(key_hash),
            prefix=rules.check_identifier("API key prefix", prefix),
        )
    ]


def revoke_api_key(state: CouncilState, key_id: str) -> list[EventPayload]:
    key = _existing(state).api_keys.get(key_id)
    if key is None:
        raise UnknownApiKey(f"no API key with id {key_id!r} in council {state.code}")
    if key.revoked:
        raise ApiKeyAlreadyRevoked(f"API key {key_id} ({key.name}) is already revoked")
    return [ApiKeyRevoked(key_id=key_id, key_hash=key.key_hash)]
