"""Event contracts: registry, canonical serialisation, upcasting old versions, immutability."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import orjson
import pytest
from pydantic import ValidationError

from events import Actor, EventPayload, NewEvent, UnknownEventType, deserialize, event, registered_types, upcaster
from events.council import CouncilCreated
from shared.clock import FrozenClock, OffsetClock, clock_from_environment
from shared.eventstore.sqlite import SqliteEventStore

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@event("TestSiteVisited")
class SiteVisitedV1(EventPayload):
    """(test) An officer visited the site."""

    notes: str


@event("TestSiteVisited", schema_version=2)
class SiteVisited(EventPayload):
    """(test) An officer visited the site, with whom."""

    notes: str
    accompanied_by: tuple[str, ...] = ()
    visited_on: str | None = None


@upcaster("TestSiteVisited", 1, 2)
def _v1_to_v2(data: dict) -> dict:
    return {**data, "accompanied_by": [], "visited_on": None}


def test_every_product_event_type_is_registered_with_a_docstring():
    from events.registry import model_for

    types = registered_types()
    for name in ("CouncilCreated", "ApiKeyCreated", "PlanningApplicationSubmitted", "DocumentReceived"):
        assert name in types
    for name, version in types.items():
        assert (model_for(name, version).__doc__ or "").strip(), name


def test_payloads_are_immutable_and_strict():
    created = CouncilCreated(code="DEMO", name="Demo", slug="demo")
    with pytest.raises(ValidationError):
        created.name = "Other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        CouncilCreated(code="DEMO", name="Demo", slug="demo", surprise=True)  # type: ignore[call-arg]


def test_an_old_version_in_the_log_is_read_as_the_current_one(tmp_path):
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
    [recorded] = store.append(
        "application:T:1", 0, [NewEvent(SiteVisitedV1(notes="rear garden"), "T", Actor.system(), T0)]
    )
    assert recorded.schema_version == 1
    [read] = store.read("application:T:1")
    assert isinstance(read.payload, SiteVisited)
    assert read.schema_version == 2 and read.payload.notes == "rear garden" and read.payload.accompanied_by == ()
    assert store.verify("application:T:1").ok  # the stored bytes are still v1, and their hash still matches


def test_canonical_bytes_are_sorted_compact_and_utc():
    store_event = NewEvent(CouncilCreated(code="DEMO", name="Dëmo", slug="demo"), "DEMO", Actor.system(), T0)
    from shared.eventstore.records import record

    [(recorded, data)] = record([store_event], "council:DEMO", 0, T0, "0" * 64)
    text = data.decode()
    assert " " not in text.replace("Dëmo", "")
    parsed = orjson.loads(data)
    assert list(parsed) == sorted(parsed)
    assert parsed["recorded_at"] == "2026-01-05T09:00:00.000000Z"
    assert deserialize(data).payload == recorded.payload


def test_unknown_types_are_refused():
    data = {"event_id": str(uuid4()), "event_type": "NoSuchThing", "schema_version": 1, "payload": {}}
    with pytest.raises(UnknownEventType):
        deserialize(orjson.dumps(data))


def test_clock_from_the_environment():
    frozen = clock_from_environment({"BOPS_NOW": "2026-03-02T10:00:00"})
    assert frozen.now() == datetime(2026, 3, 2, 10, tzinfo=UTC)
    shifted = clock_from_environment({"BOPS_TIME_OFFSET_DAYS": "30"})
    assert isinstance(shifted, OffsetClock)
    assert (shifted.now() - datetime.now(UTC)).days in (29, 30)
