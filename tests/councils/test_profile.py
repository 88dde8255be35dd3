"""The council profile every service may fold (identity and settings) agrees with the councils service's state, and
its reader reads only what was appended since it last looked."""

from __future__ import annotations

from events.council import (
    ApiKeyCreated,
    CouncilCreated,
    CouncilSettingsChanged,
    CouncilSettingsChanges,
    OfficerCreated,
)
from services.councils.service import CouncilService
from shared.clock import FrozenClock
from shared.councils.profile import CouncilProfile, CouncilProfiles, fold_profile
from shared.eventstore.sqlite import SqliteEventStore
from tests.councils.support import HASH_A, T0, recorded

HISTORY = [
    CouncilCreated(code="DEMO", name="Demo Council", slug="demo"),
    OfficerCreated(officer_id="o-1", email="ann@demo.gov.uk", name="Ann", role="assessor"),
    CouncilSettingsChanged(changes=CouncilSettingsChanges(name="Demo Borough", reply_to_email="planning@demo.gov.uk")),
    ApiKeyCreated(key_id="k-1", name="PlanX", scopes=("planning_application:write",), key_hash=HASH_A, prefix="bops_k"),
    CouncilSettingsChanged(changes=CouncilSettingsChanges(allow_download_hosts=("files.demo.gov.uk",))),
]


def test_the_profile_is_the_councils_state_without_officers_and_keys():
    from services.councils.state import fold

    events = recorded(HISTORY)
    profile, state = fold_profile(events), fold(events)
    assert type(profile) is CouncilProfile
    assert (profile.code, profile.name, profile.slug, profile.exists, profile.version) == (
        "DEMO",
        "Demo Borough",
        "demo",
        True,
        5,
    )
    assert profile.settings == state.settings
    assert profile.settings.allow_download_hosts == ("files.demo.gov.uk",)
    assert profile.settings.reply_to_email == "planning@demo.gov.uk"
    assert (state.code, state.name, state.version) == (profile.code, profile.name, profile.version)


def test_the_reader_folds_only_new_events_and_knows_no_malformed_council(tmp_path):
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
    councils = CouncilService(store, FrozenClock(T0))
    profiles = CouncilProfiles(store)
    assert profiles.load("DEMO") == CouncilProfile()
    councils.create_council("DEMO", "Demo Council", "demo")
    assert profiles.load("DEMO").name == "Demo Council"
    councils.change_settings("DEMO", CouncilSettingsChanges(name="Demo Borough"))
    reads = count_reads(store)
    assert profiles.load("DEMO").name == "Demo Borough"
    assert reads == [2]  # only what was appended since the first load
    assert profiles.load("not a code") == CouncilProfile()
    assert reads == [2]  # a malformed code is not even looked up


def test_a_second_look_without_refresh_reads_nothing_unless_the_council_was_never_folded(tmp_path):
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
    councils = CouncilService(store, FrozenClock(T0))
    councils.create_council("DEMO", "Demo Council", "demo")
    profiles = CouncilProfiles(store)
    reads = count_reads(store)
    assert profiles.load("DEMO", refresh=False).name == "Demo Council"  # never folded: read
    assert reads == [1]
    councils.change_settings("DEMO", CouncilSettingsChanges(name="Demo Borough"))
    reads.clear()
    assert profiles.load("DEMO", refresh=False).name == "Demo Council"  # as folded: no read
    assert reads == []
    assert profiles.load("DEMO").name == "Demo Borough"
    assert reads == [2]


def count_reads(store: SqliteEventStore) -> list[int]:
    """The `from_version` of each read of the store from now on."""
    reads: list[int] = []
    original = store.read_types

    def counting_read(stream_id, event_types, from_version=1):
        reads.append(from_version)
        return original(stream_id, event_types, from_version)

    store.read_types = counting_read  # type: ignore[method-assign]
    return reads
