"""The councils application layer: load a council's state, run a pure command, append; I/O only through ports.

Reading (a council's state and settings) is on every Lambda's first request, so the write side's modules (commands,
password hashing with argon2) are imported by the methods that use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING
from uuid import uuid4

from events import Actor, EventPayload, NewEvent, RecordedEvent
from events.council import CouncilSettingsChanges
from events.streams import council_stream
from services.councils.api_keys import key_matches, new_api_key, parse_key_id
from services.councils.errors import CouncilError, UnknownOfficer
from services.councils.state import ApiKeyView, CouncilState, OfficerView, fold
from shared.clock import Clock
from shared.councils.rules import check_code
from shared.councils.settings import CouncilDeployment, EffectiveCouncilSettings, effective_settings
from shared.eventstore import ConcurrencyError, EventStore
from shared.secrets import SecretStore

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from services.councils.officer_directory import DirectoryEntry, OfficerDirectory

DEFAULT_ACTOR = Actor.system("bops-cli")
MAX_ATTEMPTS = 5

Decide = Callable[[CouncilState], list[EventPayload]]


def _commands() -> ModuleType:
    from services.councils import commands

    return commands


def _passwords() -> ModuleType:
    from services.councils import passwords

    return passwords


class CouncilService:
    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        hasher: PasswordHasher | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        after_append: Callable[[Sequence[RecordedEvent]], None] | None = None,
    ) -> None:
        """`after_append` is given the events each command appended (`own_writes.project_at_once`: the read models
        the authorizers read take them at once)."""
        self.store = store
        self.clock = clock
        self._hasher = hasher
        self.max_attempts = max_attempts
        self.after_append = after_append
        self._states: dict[str, CouncilState] = {}

    @property
    def hasher(self) -> PasswordHasher:
        if self._hasher is None:
            from argon2 import PasswordHasher

            self._hasher = PasswordHasher()
        return self._hasher

    # reading

    def load(self, code: str) -> CouncilState:
        """The council's current state (empty, `exists=False`, for a council never created or a malformed code)."""
        try:
            check_code(code)
        except CouncilError:
            return CouncilState()
        # Events never change, so a state folded earlier only needs what was appended since (always read, never stale).
        known = self._states.get(code)
        if known is None:
            state = fold(self.store.read(council_stream(code)))
        else:
            state = fold(self.store.read(council_stream(code), from_version=known.version + 1), known)
        self._states[code] = state
        return state

    def list_councils(self) -> list[CouncilState]:
        """Every created council, by code (only the main council streams, not e.g. `council:X:intake`)."""
        codes = (stream.split(":", 1)[1] for stream in self.store.stream_ids("council:") if stream.count(":") == 1)
        states = (self.load(code) for code in codes)
        return sorted((state for state in states if state.exists), key=lambda state: state.code)

    def list_officers(self, code: str) -> list[OfficerView]:
        return officers_by_name(self.load(code))

    def list_api_keys(self, code: str) -> list[ApiKeyView]:
        return api_keys_by_creation(self.load(code))

    def find_api_key(self, key_id: str) -> tuple[CouncilState, ApiKeyView] | None:
        """The council and key with this id, whichever council issued it (revoked keys included)."""
        for state in self.list_councils():
            if key_id in state.api_keys:
                return state, state.api_keys[key_id]
        return None

    def authenticate_api_key(self, key: str) -> tuple[CouncilState, ApiKeyView] | None:
        """The council and key a presented key string stands for, if it is well formed, known, unrevoked and matches."""
        key_id = parse_key_id(key)
        found = self.find_api_key(key_id) if key_id else None
        if found is None or found[1].revoked or not key_matches(key, found[1].key_hash):
            return None
        return found

    def settings(self, code: str, deployment: CouncilDeployment | None = None) -> EffectiveCouncilSettings:
        return effective_settings(deployment, self.load(code))

    # commands

    def create_council(self, code: str, name: str, slug: str, *, actor: Actor | None = None) -> CouncilState:
        return self._execute(code, lambda state: _commands().create_council(state, code, name, slug), actor)

    def change_settings(
        self, code: str, changes: CouncilSettingsChanges, *, actor: Actor | None = None
    ) -> CouncilState:
        return self._execute(code, lambda state: _commands().change_settings(state, changes), actor)

    def create_officer(
        self,
        code: str,
        email: str,
        name: str,
        role: str,
        password: str | None = None,
        secrets: SecretStore | None = None,
        *,
        officer_id: str | None = None,
        actor: Actor | None = None,
        directory: OfficerDirectory | None = None,
    ) -> OfficerView:
        """Record the officer, then give them an account in the officer `directory` (the council's user pool on AWS)
        or, without one, store the argon2 hash of the password (if any) in `secrets`.

        The event comes first: if the account or hash fails, the officer exists without a password and cannot sign in
        until `set_officer_password` succeeds (never a password for an officer who does not exist).
        """
        if password is not None:
            _passwords().check_password(password)
            if secrets is None and directory is None:
                raise ValueError("a secret store is needed to keep the officer's password")
        officer_id = officer_id or str(uuid4())
        commands = _commands()
        state = self._execute(code, lambda state: commands.create_officer(state, officer_id, email, name, role), actor)
        officer = state.officers[officer_id]
        if directory is not None:
            directory.add(_entry(code, officer), password)
        elif password is not None and secrets is not None:
            _passwords().OfficerPasswords(secrets, self.hasher).set(officer_id, password)
        return officer

    def change_officer_role(
        self,
        code: str,
        officer_id: str,
        role: str,
        *,
        actor: Actor | None = None,
        directory: OfficerDirectory | None = None,
    ) -> OfficerView:
        """Record the new role (what the authorizer reads), then move the account to the role's group."""
        state = self._execute(code, lambda state: _commands().change_officer_role(state, officer_id, role), actor)
        officer = state.officers[officer_id]
        if directory is not None:
            directory.change_role(_entry(code, officer))
        return officer

    def set_officer_password(self, code: str, officer_id: str, password: str, secrets: SecretStore) -> None:
        officer = self.load(code).officers.get(officer_id)
        if officer is None or not officer.active:
            raise UnknownOfficer(f"no active officer with id {officer_id!r} in council {code}")
        _passwords().OfficerPasswords(secrets, self.hasher).set(officer_id, password)

    def deactivate_officer(
        self,
        code: str,
        officer_id: str,
        secrets: SecretStore | None = None,
        *,
        actor: Actor | None = None,
        directory: OfficerDirectory | None = None,
    ) -> OfficerView:
        """Deactivate the officer and disable their account in the directory or, given the secret store, delete their
        password hash."""
        state = self._execute(code, lambda state: _commands().deactivate_officer(state, officer_id), actor)
        officer = state.officers[officer_id]
        if directory is not None:
            directory.disable(_entry(code, officer))
        elif secrets is not None:
            secrets.delete(_passwords().password_secret_name(officer_id))
        return officer

    def verify_officer_password(self, code: str, email: str, password: str, secrets: SecretStore) -> OfficerView | None:
        """The active officer with this e-mail if the password matches, else None (same work for unknown e-mails)."""
        officer = self.load(code).officer_by_email(email)
        officer_id = officer.id if officer is not None and officer.active else None
        matches = _passwords().OfficerPasswords(secrets, self.hasher).verify(officer_id, password)
        return officer if matches else None

    def create_api_key(
        self, code: str, name: str, scopes: Iterable[str], *, actor: Actor | None = None
    ) -> tuple[ApiKeyView, str]:
        """Issue a key: the view (with its hash) and the key string, which is shown once and recorded nowhere."""
        commands = _commands()
        issued = new_api_key()
        scopes = tuple(scopes)
        state = self._execute(
            code,
            lambda state: commands.create_api_key(state, issued.key_id, name, scopes, issued.key_hash, issued.prefix),
            actor,
        )
        return state.api_keys[issued.key_id], issued.key

    def revoke_api_key(self, code: str, key_id: str, *, actor: Actor | None = None) -> ApiKeyView:
        state = self._execute(code, lambda state: _commands().revoke_api_key(state, key_id), actor)
        return state.api_keys[key_id]

    def _execute(self, code: str, decide: Decide, actor: Actor | None) -> CouncilState:
        """Load, decide, append at the loaded version; on a concurrent append decide again on fresh state."""
        for attempt in range(1, self.max_attempts + 1):
            state = self.load(code)
            payloads = decide(state)
            occurred_at = self.clock.now()
            events = [NewEvent(payload, code, actor or DEFAULT_ACTOR, occurred_at) for payload in payloads]
            try:
                recorded = self.store.append(council_stream(code), state.version, events)
            except ConcurrencyError:
                if attempt == self.max_attempts:
                    raise
                continue
            if self.after_append is not None:
                self.after_append(recorded)
            return fold(recorded, state)
        raise AssertionError("unreachable")


def _entry(code: str, officer: OfficerView) -> DirectoryEntry:
    from services.councils.officer_directory import DirectoryEntry

    return DirectoryEntry(code, officer.id, officer.email, officer.name, officer.role)


def officers_by_name(state: CouncilState) -> list[OfficerView]:
    return sorted(state.officers.values(), key=lambda o: (o.name.casefold(), o.email.casefold()))


def api_keys_by_creation(state: CouncilState) -> list[ApiKeyView]:
    return sorted(state.api_keys.values(), key=lambda key: (key.created_at, key.id))
