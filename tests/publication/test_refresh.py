"""A change of what public records show (`publish_applicant_names`) is asked for in chunks of references, each
re-projected in its own delivery (services/publication/refresh.py), so no delivery re-projects a whole council."""

from __future__ import annotations

import pytest

from events import Actor, NewEvent
from events.publication import PublicRecordsRefreshRequested
from events.streams import application_side_stream, public_refresh_stream
from services.publication.refresh import ask_refresh
from tests.publication.support import received, submitted
from tests.publication.test_projection import append, deps  # noqa: F401  (the fixture)

COUNCIL = "DEMO"
SETTINGS_VERSION = 7


@pytest.fixture
def council(deps, monkeypatch):  # noqa: F811
    monkeypatch.setattr("events.publication.REFRESH_CHUNK", 2)
    for number in range(1, 6):
        reference = f"26-0000{number}-HAPP"
        append(deps, reference, submitted().model_copy(update={"reference": reference}))
        append(deps, reference, received("doc-1", "a.pdf"), side=True)
    append(deps, "26-00009-HAPP", submitted().model_copy(update={"reference": "26-00009-HAPP"}), council="OTHR")
    return deps


def asked(store_of) -> list[tuple[str, ...]]:
    stream = public_refresh_stream(COUNCIL, SETTINGS_VERSION)
    return [event.payload.references for event in store_of.event_store.read(stream)]


def test_every_application_of_the_council_is_asked_once_in_chunks(council):
    assert ask_refresh(council.event_store, COUNCIL, SETTINGS_VERSION, council.clock.now()) == 3
    chunks = asked(council)
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert sorted(r for chunk in chunks for r in chunk) == [f"26-0000{n}-HAPP" for n in range(1, 6)]  # not OTHR's
    assert application_side_stream(COUNCIL, "26-00001-HAPP", "documents") not in {r for c in chunks for r in c}
    assert ask_refresh(council.event_store, COUNCIL, SETTINGS_VERSION, council.clock.now()) == 0  # a redelivery
    assert asked(council) == chunks


def test_a_redelivery_after_a_partial_run_asks_only_what_is_left(council):
    stream = public_refresh_stream(COUNCIL, SETTINGS_VERSION)
    first = PublicRecordsRefreshRequested(
        references=("26-00004-HAPP", "26-00002-HAPP"), reason="publish_applicant_names", settings_version=7
    )
    council.event_store.append(stream, 0, [NewEvent(first, COUNCIL, Actor.system("t"), council.clock.now())])
    assert ask_refresh(council.event_store, COUNCIL, SETTINGS_VERSION, council.clock.now()) == 2
    assert asked(council)[1:] == [("26-00001-HAPP", "26-00003-HAPP"), ("26-00005-HAPP",)]


def test_a_delivery_that_finds_another_appending_stops(council):
    """Two deliveries of the same change at once: the one whose append comes second stops; the first asks for all."""

    class RacedLog:
        def __init__(self, log):
            self.log, self.raced = log, False

        def __getattr__(self, name):
            return getattr(self.log, name)

        def append(self, stream_id, expected_version, events):
            if not self.raced:  # the other delivery appends between this one's read and its append
                self.raced = True
                ask_refresh(self.log, COUNCIL, SETTINGS_VERSION, council.clock.now())
            return self.log.append(stream_id, expected_version, events)

    assert ask_refresh(RacedLog(council.event_store), COUNCIL, SETTINGS_VERSION, council.clock.now()) == 0
    assert sorted(r for chunk in asked(council) for r in chunk) == [f"26-0000{n}-HAPP" for n in range(1, 6)]
