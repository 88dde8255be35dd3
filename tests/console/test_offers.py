"""What the application page offers is the domain's answer (`actions.ask`) for every action, asked once per state
object, officer and day: the same state again asks nothing, a new state (any stream moved) asks again."""

from __future__ import annotations

from datetime import timedelta

from events.assessment import CaseOfficerAssigned
from services.assessment.casework import Casework, StateCache
from services.assessment.console import actions
from shared.clock import FrozenClock
from shared.eventstore.sqlite import SqliteEventStore
from shared.officer_identity import SignedInOfficer
from tests.assessment.api_support import ASSESSOR, RECEIVED, submit
from tests.assessment.test_casework import REFERENCE, append_main

REVIEWER = SignedInOfficer("DEMO", "rita", "Rita Reviewer", "reviewer")
ADMINISTRATOR = SignedInOfficer("DEMO", "adam", "Adam Admin", "administrator")


def test_the_offers_are_the_domain_s_answers_asked_once_per_state_and_officer(tmp_path, monkeypatch):
    clock = FrozenClock(RECEIVED + timedelta(hours=1))
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=clock)
    submit(store, REFERENCE)
    work = Casework(store, clock, StateCache())
    today = work.today()
    asked: list[str] = []
    real_ask = actions.ask

    def counting_ask(action, *args, **kwargs):
        asked.append(action.name)
        return real_ask(action, *args, **kwargs)

    monkeypatch.setattr(actions, "ask", counting_ask)
    state = work.current("DEMO", REFERENCE)
    offered = actions.offers(state, ASSESSOR, today)
    expected = {
        name
        for name, action in actions.ACTIONS.items()
        if not action.parameter and name != "validation_requests" and real_ask(action, state, ASSESSOR, today).open
    }
    assert offered.actions - {"validation_requests"} == expected and "assign" in expected
    assert ("validation_requests" in offered.actions) == bool(offered.request_types)
    assert list(offered.request_types) == actions.request_types_on_offer(state, ASSESSOR, today)

    asked.clear()
    assert actions.offers(work.current("DEMO", REFERENCE), ASSESSOR, today) is offered  # unchanged: nothing asked
    assert asked == []
    administrator = actions.offers(state, ADMINISTRATOR, today)  # another officer: asked for them
    assert asked and administrator.actions == {"assign"}
    assert actions.offers(state, REVIEWER, today).actions != administrator.actions

    asked.clear()
    append_main(store, CaseOfficerAssigned(officer_id=ASSESSOR.id, officer_name=ASSESSOR.name))
    moved = work.current("DEMO", REFERENCE)
    assert moved is not state and actions.offers(moved, ASSESSOR, today) is not offered and asked


def test_the_offers_kept_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(actions, "CACHED_OFFERS", 2)
    clock = FrozenClock(RECEIVED + timedelta(hours=1))
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=clock)
    submit(store, REFERENCE)
    state = Casework(store, clock, StateCache()).current("DEMO", REFERENCE)
    for officer in (ASSESSOR, REVIEWER, ADMINISTRATOR):
        actions.offers(state, officer, clock.now().date())
    assert len(actions._offers) <= 2
