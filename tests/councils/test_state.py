"""The fold: what each event does to a council's state, and that folding is deterministic and overlays in order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.council import (
    ApiKeyCreated,
    ApiKeyRevoked,
    CouncilCreated,
    CouncilSettingsChanged,
    CouncilSettingsChanges,
    OfficerCreated,
    OfficerDeactivated,
)
from services.councils.state import ApiKeyView, CouncilState, OfficerView, fold, overlay
from tests.councils.support import HASH_A, T0, demo_council, recorded, then


def test_empty_state():
    state = fold([])
    assert state == CouncilState()
    assert (state.exists, state.version, state.code, dict(state.officers), dict(state.api_keys)) == (
        False,
        0,
        "",
        {},
        {},
    )
    assert state.settings == CouncilSettingsChanges()


def test_council_created():
    state = demo_council()
    assert (state.code, state.name, state.slug, state.exists, state.version) == (
        "DEMO",
        "Demo Council",
        "demo",
        True,
        1,
    )


def test_version_follows_the_stream():
    state = then(demo_council(), [CouncilSettingsChanged(changes=CouncilSettingsChanges(name="A"))] * 3)
    assert state.version == 4


def test_settings_overlay_in_order_and_rename():
    state = then(
        demo_council(),
        [
            CouncilSettingsChanged(changes=CouncilSettingsChanges(name="Demo Borough", public_base_url="https://a.uk")),
            CouncilSettingsChanged(changes=CouncilSettingsChanges(reference_suffixes={"ldc": "LD"})),
            CouncilSettingsChanged(changes=CouncilSettingsChanges(public_base_url="https://b.uk")),
        ],
    )
    assert state.name == "Demo Borough"
    assert state.settings == CouncilSettingsChanges(
        name="Demo Borough", public_base_url="https://b.uk", reference_suffixes={"ldc": "LD"}
    )


def test_officers_are_folded_by_id():
    state = then(
        demo_council(),
        [
            OfficerCreated(officer_id="o-1", email="ada@demo.gov.uk", name="Ada", role="assessor"),
            OfficerCreated(officer_id="o-2", email="bob@demo.gov.uk", name="Bob", role="reviewer"),
            OfficerDeactivated(officer_id="o-2"),
        ],
    )
    assert dict(state.officers) == {
        "o-1": OfficerView("o-1", "ada@demo.gov.uk", "Ada", "assessor", active=True),
        "o-2": OfficerView("o-2", "bob@demo.gov.uk", "Bob", "reviewer", active=False),
    }
    assert state.officer_by_email(" ADA@demo.gov.uk") == state.officers["o-1"]
    assert state.officer_by_email("eve@demo.gov.uk") is None


def test_api_keys_take_created_and_revoked_times_from_the_envelope():
    state = then(
        demo_council(),
        [ApiKeyCreated(key_id="k1", name="Portal", scopes=("comment:write",), key_hash=HASH_A, prefix="bops_k1")],
    )
    later = T0 + timedelta(days=3)
    state = then(state, [ApiKeyRevoked(key_id="k1", key_hash=HASH_A)], at=later)
    assert state.api_keys["k1"] == ApiKeyView(
        "k1", "Portal", ("comment:write",), HASH_A, "bops_k1", created_at=T0, revoked=True, revoked_at=later
    )


def test_the_fold_never_validates_so_old_events_replay():
    """Rules live in the commands: an event no command would emit today still folds."""
    state = fold(
        recorded(
            [
                CouncilCreated(code="DEMO", name="", slug="Not A Slug"),
                OfficerCreated(officer_id="o-1", email="x", name="", role="assessor"),
                OfficerCreated(officer_id="o-2", email="X", name="", role="assessor"),
                ApiKeyRevoked(key_id="unknown", key_hash=HASH_A),
                OfficerDeactivated(officer_id="unknown"),
            ]
        )
    )
    assert state.exists and state.slug == "Not A Slug" and len(state.officers) == 2 and not state.api_keys


def test_state_is_immutable():
    state = demo_council()
    with pytest.raises(AttributeError):
        state.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        state.officers["o-1"] = OfficerView("o-1", "a@b.uk", "A", "assessor")  # type: ignore[index]


def test_apply_does_not_change_the_state_it_is_called_on():
    before = demo_council()
    officers = before.officers
    after = then(before, [OfficerCreated(officer_id="o-1", email="a@b.uk", name="A", role="assessor")])
    assert not before.officers and before.officers is officers and before.version == 1
    assert after.version == 2 and "o-1" in after.officers


# properties

settings_changes = st.builds(
    CouncilSettingsChanges,
    name=st.none() | st.sampled_from(["A", "B", "C"]),
    public_base_url=st.none() | st.sampled_from(["https://a.uk", "https://b.uk"]),
    allow_download_hosts=st.none() | st.lists(st.sampled_from(["a.uk", "b.uk:8443"]), max_size=2).map(tuple),
    reference_suffixes=st.none() | st.dictionaries(st.sampled_from(["ldc", "pp.full"]), st.sampled_from(["XX", "YY"])),
    reply_to_email=st.none() | st.sampled_from(["a@a.uk", "b@b.uk"]),
)
events = st.lists(
    st.one_of(
        settings_changes.map(lambda changes: CouncilSettingsChanged(changes=changes)),
        st.builds(
            OfficerCreated,
            officer_id=st.sampled_from(["o-1", "o-2"]),
            email=st.sampled_from(["a@a.uk", "b@b.uk"]),
            name=st.just("N"),
            role=st.sampled_from(["assessor", "reviewer", "administrator"]),
        ),
        st.builds(OfficerDeactivated, officer_id=st.sampled_from(["o-1", "o-2"])),
        st.builds(
            ApiKeyCreated,
            key_id=st.sampled_from(["k1", "k2"]),
            name=st.just("K"),
            scopes=st.just(("comment:write",)),
            key_hash=st.just(HASH_A),
            prefix=st.just("p"),
        ),
        st.builds(ApiKeyRevoked, key_id=st.sampled_from(["k1", "k2"]), key_hash=st.just(HASH_A)),
    ),
    max_size=12,
)


@given(events)
def test_folding_is_deterministic(payloads):
    stream = recorded([CouncilCreated(code="DEMO", name="Demo", slug="demo"), *payloads])
    assert fold(stream) == fold(list(stream))


@given(events, st.integers(min_value=0, max_value=13))
def test_folding_in_two_steps_equals_folding_at_once(payloads, split):
    stream = recorded([CouncilCreated(code="DEMO", name="Demo", slug="demo"), *payloads])
    assert fold(stream[split:], fold(stream[:split])) == fold(stream)


@given(st.lists(settings_changes, max_size=8))
def test_each_setting_is_the_last_value_given_for_it(changes):
    state = then(demo_council(), [CouncilSettingsChanged(changes=c) for c in changes])
    for field in CouncilSettingsChanges.model_fields:
        given_values = [getattr(c, field) for c in changes if getattr(c, field) is not None]
        assert getattr(state.settings, field) == (given_values[-1] if given_values else None)
    assert state.name == next((c.name for c in reversed(changes) if c.name is not None), "Demo Council")


@given(settings_changes, settings_changes, settings_changes)
def test_overlay_is_associative(a, b, c):
    assert overlay(overlay(a, b), c) == overlay(a, overlay(b, c))
