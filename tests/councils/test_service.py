"""The councils service over a real SQLite event log and a real secrets file."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from events import Actor, NewEvent
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges, OfficerCreated
from events.streams import council_stream, intake_stream
from services.councils.api_keys import hash_api_key
from services.councils.errors import (
    ApiKeyAlreadyRevoked,
    CouncilAlreadyExists,
    CouncilNotFound,
    InvalidCouncilInput,
    OfficerConflict,
    UnknownApiKey,
    UnknownOfficer,
)
from services.councils.passwords import password_secret_name
from services.councils.service import CouncilService
from shared.clock import FrozenClock
from shared.eventstore import ConcurrencyError
from shared.eventstore.sqlite import SqliteEventStore
from shared.secrets import LocalSecretsFile
from tests.councils.support import T0, fast_hasher

PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock():
    return FrozenClock(T0)


@pytest.fixture
def store(tmp_path, clock):
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=clock)
    yield store
    store.close()


@pytest.fixture
def secrets(tmp_path):
    return LocalSecretsFile(tmp_path / "secrets.json")


@pytest.fixture
def service(store, clock):
    return CouncilService(store, clock, hasher=fast_hasher())


@pytest.fixture
def demo(service):
    return service.create_council("DEMO", "Demo Council", "demo")


def log_bytes(tmp_path) -> bytes:
    """Every byte SQLite wrote: the database, its WAL and any journal."""
    return b"".join(path.read_bytes() for path in sorted(tmp_path.glob("events.sqlite*")))


# councils and settings


def test_create_council(service, store, clock):
    state = service.create_council("DEMO", "Demo Council", "demo")
    assert (state.code, state.name, state.slug, state.exists, state.version) == (
        "DEMO",
        "Demo Council",
        "demo",
        True,
        1,
    )
    assert service.load("DEMO") == state
    [event] = store.read(council_stream("DEMO"))
    assert event.actor == Actor.system("bops-cli") and event.occurred_at == T0 and event.council == "DEMO"


def test_the_caller_names_the_actor(service, store):
    admin = Actor(kind="officer", id="o-1", display_name="Ada")
    service.create_council("DEMO", "Demo Council", "demo", actor=admin)
    assert store.read(council_stream("DEMO"))[0].actor == admin


def test_a_council_is_created_once(service, demo):
    with pytest.raises(CouncilAlreadyExists):
        service.create_council("DEMO", "Again", "demo")


def test_load_of_an_unknown_or_malformed_code_is_empty(service, demo):
    assert not service.load("NONE").exists
    assert not service.load("DEMO:intake").exists


def test_settings_overlay(service, demo, clock):
    service.change_settings("DEMO", CouncilSettingsChanges(public_base_url="https://a.demo.gov.uk"))
    clock.advance(timedelta(minutes=1))
    state = service.change_settings("DEMO", CouncilSettingsChanges(name="Demo Borough", allow_download_hosts=("x.uk",)))
    assert state.version == 3 and state.name == "Demo Borough"
    assert state.settings == CouncilSettingsChanges(
        name="Demo Borough", public_base_url="https://a.demo.gov.uk", allow_download_hosts=("x.uk",)
    )
    settings = service.settings("DEMO")
    assert (settings.name, settings.public_base_url, settings.allow_download_hosts) == (
        "Demo Borough",
        "https://a.demo.gov.uk",
        ("x.uk",),
    )


def test_commands_on_a_missing_council_append_nothing(service, store):
    with pytest.raises(CouncilNotFound):
        service.change_settings("NONE", CouncilSettingsChanges(name="x"))
    assert store.stream_version(council_stream("NONE")) == 0


def test_list_councils_lists_only_main_council_streams(service, store):
    service.create_council("BUC", "Buckinghamshire Council", "buckinghamshire")
    service.create_council("A1", "A1 Council", "a1")
    lookalike = NewEvent(CouncilCreated(code="ZZZ", name="Not a council", slug="zzz"), "ZZZ", Actor.system(), T0)
    store.append(intake_stream("ZZZ"), 0, [lookalike])
    assert [state.code for state in service.list_councils()] == ["A1", "BUC"]


# officers


def test_create_officer_with_password(service, demo, secrets):
    officer = service.create_officer("DEMO", "ada@demo.gov.uk", "Ada Lovelace", "assessor", PASSWORD, secrets)
    assert (officer.email, officer.name, officer.role, officer.active) == (
        "ada@demo.gov.uk",
        "Ada Lovelace",
        "assessor",
        True,
    )
    assert secrets.get(password_secret_name(officer.id)).startswith("$argon2id$")
    assert service.verify_officer_password("DEMO", "ada@demo.gov.uk", PASSWORD, secrets) == officer
    assert service.verify_officer_password("DEMO", " ADA@Demo.gov.uk ", PASSWORD, secrets) == officer


def test_wrong_password_unknown_email_and_other_council(service, demo, secrets):
    service.create_council("BUC", "Buckinghamshire Council", "buckinghamshire")
    service.create_officer("DEMO", "ada@demo.gov.uk", "Ada", "assessor", PASSWORD, secrets)
    assert service.verify_officer_password("DEMO", "ada@demo.gov.uk", PASSWORD + "!", secrets) is None
    assert service.verify_officer_password("DEMO", "eve@demo.gov.uk", PASSWORD, secrets) is None
    assert service.verify_officer_password("BUC", "ada@demo.gov.uk", PASSWORD, secrets) is None
    assert service.verify_officer_password("NONE", "ada@demo.gov.uk", PASSWORD, secrets) is None


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verifications = 0

    def verify(self, hash, password):
        self.verifications += 1
        return super().verify(hash, password)


def test_unknown_emails_and_officers_without_password_still_cost_one_verification(store, clock, secrets):
    hasher = CountingHasher()
    service = CouncilService(store, clock, hasher=hasher)
    service.create_council("DEMO", "Demo Council", "demo")
    service.create_officer("DEMO", "nopass@demo.gov.uk", "No Password", "assessor")
    for email in ["eve@demo.gov.uk", "nopass@demo.gov.uk"]:
        before = hasher.verifications
        assert service.verify_officer_password("DEMO", email, PASSWORD, secrets) is None
        assert hasher.verifications == before + 1


def test_an_outdated_hash_is_upgraded_on_sign_in(service, demo, secrets):
    officer = service.create_officer("DEMO", "ada@demo.gov.uk", "Ada", "assessor")
    old = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash(PASSWORD)
    secrets.put(password_secret_name(officer.id), old)
    assert service.verify_officer_password("DEMO", "ada@demo.gov.uk", PASSWORD, secrets) == officer
    upgraded = secrets.get(password_secret_name(officer.id))
    assert upgraded != old and "m=8,t=1,p=1" in upgraded


def test_officer_rules_through_the_service(service, demo, secrets):
    service.create_officer("DEMO", "ada@demo.gov.uk", "Ada", "assessor", PASSWORD, secrets)
    with pytest.raises(OfficerConflict):
        service.create_officer("DEMO", "Ada@Demo.gov.uk", "Ada 2", "reviewer", PASSWORD, secrets)
    with pytest.raises(InvalidCouncilInput, match="a password must be 8 to 1024 characters"):
        service.create_officer("DEMO", "bob@demo.gov.uk", "Bob", "reviewer", "short", secrets)
    with pytest.raises(ValueError, match="a secret store is needed"):
        service.create_officer("DEMO", "bob@demo.gov.uk", "Bob", "reviewer", PASSWORD)
    assert [o.email for o in service.list_officers("DEMO")] == ["ada@demo.gov.uk"]


def test_list_officers_is_sorted_by_name(service, demo):
    for email, name in [("c@demo.gov.uk", "Carol"), ("a@demo.gov.uk", "alice"), ("b@demo.gov.uk", "Bob")]:
        service.create_officer("DEMO", email, name, "assessor")
    assert [o.name for o in service.list_officers("DEMO")] == ["alice", "Bob", "Carol"]


def test_deactivated_officers_cannot_sign_in(service, demo, secrets):
    officer = service.create_officer("DEMO", "ada@demo.gov.uk", "Ada", "assessor", PASSWORD, secrets)
    assert not service.deactivate_officer("DEMO", officer.id, secrets).active
    assert secrets.get(password_secret_name(officer.id)) is None
    assert service.verify_officer_password("DEMO", "ada@demo.gov.uk", PASSWORD, secrets) is None
    with pytest.raises(UnknownOfficer):
        service.set_officer_password("DEMO", officer.id, PASSWORD, secrets)


def test_set_officer_password(service, demo, secrets):
    officer = service.create_officer("DEMO", "ada@demo.gov.uk", "Ada", "assessor")
    assert service.verify_officer_password("DEMO", "ada@demo.gov.uk", PASSWORD, secrets) is None
    service.set_officer_password("DEMO", officer.id, PASSWORD, secrets)
    assert service.verify_officer_password("DEMO", "ada@demo.gov.uk", PASSWORD, secrets) == officer


# API keys


def test_create_api_key_records_only_the_hash(service, demo, tmp_path, secrets):
    view, key = service.create_api_key("DEMO", "Planning portal", ["planning_application:write", "comment:write"])
    service.create_officer("DEMO", "ada@demo.gov.uk", "Ada", "assessor", PASSWORD, secrets)
    assert view.key_hash == hash_api_key(key) and key.startswith(view.prefix + "_")
    assert view.scopes == ("planning_application:write", "comment:write") and view.created_at == T0
    stored = log_bytes(tmp_path)
    assert view.key_hash.encode() in stored  # we are reading the right bytes
    secret = key.removeprefix(view.prefix + "_")
    assert len(secret) == 43 and key.encode() not in stored and secret.encode() not in stored
    assert PASSWORD.encode() not in stored and b"argon2" not in stored
    assert PASSWORD.encode() not in (tmp_path / "secrets.json").read_bytes()


def test_list_find_and_authenticate_api_keys(service, demo, clock):
    service.create_council("BUC", "Buckinghamshire Council", "buckinghamshire")
    first, first_key = service.create_api_key("DEMO", "Portal", ["comment:write"])
    clock.advance(timedelta(seconds=1))
    second, _ = service.create_api_key("DEMO", "Reader", ["planning_application:read"])
    other, other_key = service.create_api_key("BUC", "Portal", ["comment:write"])
    assert [k.id for k in service.list_api_keys("DEMO")] == [first.id, second.id]
    assert service.find_api_key(other.id) == (service.load("BUC"), other)
    assert service.find_api_key("000000000000") is None
    council, key = service.authenticate_api_key(first_key)
    assert (council.code, key) == ("DEMO", first)
    assert service.authenticate_api_key(other_key)[0].code == "BUC"
    assert service.authenticate_api_key(first_key[:-2] + "xx") is None
    assert service.authenticate_api_key("not a key") is None


def test_revoke_api_key(service, demo, clock):
    view, key = service.create_api_key("DEMO", "Portal", ["comment:write"])
    clock.advance(timedelta(days=1))
    revoked = service.revoke_api_key("DEMO", view.id)
    assert revoked.revoked and revoked.revoked_at == T0 + timedelta(days=1)
    assert service.authenticate_api_key(key) is None
    with pytest.raises(ApiKeyAlreadyRevoked):
        service.revoke_api_key("DEMO", view.id)
    with pytest.raises(UnknownApiKey):
        service.revoke_api_key("DEMO", "000000000000")


# concurrency


class RacingStore:
    """Lets another writer append `competing` events just before each of the first `races` appends."""

    def __init__(self, store, competing, races=1):
        self.store, self.competing, self.races, self.appends = store, competing, races, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def append(self, stream_id, expected_version, events):
        self.appends += 1
        if self.races:
            self.races -= 1
            self.store.append(stream_id, self.store.stream_version(stream_id), [self.competing()])
        return self.store.append(stream_id, expected_version, events)


def renamed(name):
    return lambda: NewEvent(
        CouncilSettingsChanged(changes=CouncilSettingsChanges(name=name)), "DEMO", Actor.system("other"), T0
    )


def test_a_command_retries_on_a_concurrent_append(store, clock, demo):
    racing = RacingStore(store, renamed("Renamed elsewhere"), races=2)
    service = CouncilService(racing, clock, hasher=fast_hasher())
    state = service.change_settings("DEMO", CouncilSettingsChanges(public_base_url="https://demo.gov.uk"))
    assert racing.appends == 3
    assert state.version == 4 and state.name == "Renamed elsewhere"
    assert state.settings.public_base_url == "https://demo.gov.uk"


def test_a_retry_decides_again_on_fresh_state(store, clock, demo):
    competing = OfficerCreated(officer_id="o-9", email="ada@demo.gov.uk", name="Ada", role="assessor")
    racing = RacingStore(store, lambda: NewEvent(competing, "DEMO", Actor.system("other"), T0))
    service = CouncilService(racing, clock, hasher=fast_hasher())
    with pytest.raises(OfficerConflict):
        service.create_officer("DEMO", "ada@demo.gov.uk", "Ada", "assessor")
    assert [o.id for o in service.list_officers("DEMO")] == ["o-9"]


def test_retries_are_bounded(store, clock, demo):
    racing = RacingStore(store, renamed("Again"), races=100)
    service = CouncilService(racing, clock, hasher=fast_hasher(), max_attempts=5)
    with pytest.raises(ConcurrencyError):
        service.change_settings("DEMO", CouncilSettingsChanges(public_base_url="https://demo.gov.uk"))
    assert racing.appends == 5


def test_concurrent_threads_all_get_their_keys(tmp_path, clock, demo):
    services = [CouncilService(SqliteEventStore(tmp_path / "events.sqlite", clock=clock), clock) for _ in range(4)]
    issued: list[str] = []
    barrier = threading.Barrier(len(services))

    def issue(service):
        barrier.wait()
        issued.append(service.create_api_key("DEMO", "Portal", ["comment:write"])[0].id)

    threads = [threading.Thread(target=issue, args=(service,)) for service in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == sorted(services[0].load("DEMO").api_keys) and len(issued) == 4


def test_reading_councils_does_not_import_the_write_side():
    """Every Lambda reads council settings on its first request: commands and argon2 stay out of that path."""
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "import sys; import services.councils.service; "
        "write_side = ('argon2', 'services.councils.commands', 'services.councils.passwords'); "
        "print(sorted(m for m in write_side if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
