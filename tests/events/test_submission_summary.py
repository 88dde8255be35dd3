"""The submission summary in PlanningApplicationSubmitted is bounded: no submission can make the event too large."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import orjson

from events import Actor, NewEvent
from events.application import PlanningApplicationSubmitted
from events.submission import (
    CODE_LIMIT,
    CONSTRAINTS_BUDGET,
    DESCRIPTION_LIMIT,
    ENTITY_LIMIT,
    FILES_BUDGET,
    LIST_LIMIT,
    TEXT_LIMIT,
    SubmissionSummary,
    summary_from_submission,
)
from shared.clock import FrozenClock
from shared.eventstore.port import MAX_EVENT_BYTES, event_size
from shared.eventstore.sqlite import SqliteEventStore

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WIDE = "\x01"  # JSON writes it as 6 bytes: the widest a character gets


def contact(size: int) -> dict:
    return {
        "type": WIDE * size,
        "name": WIDE * size,
        "company": WIDE * size,
        "email": WIDE * size,
        "phone": WIDE * size,
    }


def submission(size: int, items: int, files: int) -> dict:
    """A submission JSON (the parsed model's shape) whose every text has `size` characters and lists `items` codes."""
    codes = [WIDE * size] * items
    return {
        "format": "application",
        "submission_id": WIDE * size,
        "organisation": WIDE * size,
        "application_type": "pp.full.householder",
        "application_type_name": WIDE * size,
        "description": WIDE * size * 20,
        "site": {
            "address": WIDE * size,
            "town": WIDE * size,
            "postcode": WIDE * size,
            "uprn": WIDE * size,
            "ward": WIDE * size,
            "x": 1.5,
            "local_authority_districts": codes,
        },
        "boundary": {"geojson": {"type": "Polygon"}, "area_m2": 12.5},
        "user_role": WIDE * size,
        "applicant": contact(size),
        "agent": contact(size),
        "fee": {"payable": 258.0, "exemptions": codes, "reductions": codes, "payment_reference": WIDE * size},
        "proposal": {"project_types": codes},
        "files": [
            {"url": f"https://x/{i}.pdf", "types": ["photographs.existing"], "description": None} for i in range(files)
        ],
        "answers": [{"question": WIDE * size, "responses": [WIDE * size]}] * items,
        "constraints": [
            {
                "value": f"{i}" + WIDE * size,
                "description": WIDE * size,
                "intersects": i % 2 == 0,
                "entities": [{"name": WIDE * size, "source": WIDE * size, "url": WIDE * size}] * items,
            }
            for i in range(items)
        ],
    }


def test_the_largest_possible_summary_stays_under_the_event_size_limit(tmp_path):
    """Every text and list at its limit in characters JSON writes 6 bytes wide, plus a file list and the constraints
    at their budgets."""
    worst = SubmissionSummary.model_validate(summary_from_submission(submission(100_000, 1_000, 0)))
    assert len(worst.description or "") == DESCRIPTION_LIMIT and len(worst.site.address) == TEXT_LIMIT
    assert len(worst.project_types) == LIST_LIMIT and {len(code) for code in worst.project_types} == {CODE_LIMIT}
    assert "constraints" in worst.clipped
    assert len(orjson.dumps([c.model_dump(mode="json") for c in worst.constraints])) <= CONSTRAINTS_BUDGET
    wide = SubmissionSummary.model_validate(summary_from_submission(submission(30, 1_000, 0)))
    assert wide.constraints and "constraints" in wide.clipped
    assert all(c.intersects for c in wide.constraints)  # those that intersect the site are kept first
    assert {len(c.entities) for c in wide.constraints} == {ENTITY_LIMIT}
    assert len(orjson.dumps([c.model_dump(mode="json") for c in wide.constraints])) <= CONSTRAINTS_BUDGET
    event = PlanningApplicationSubmitted(
        reference="99-99999999-" + "X" * 20,
        received_at=T0,
        submission=worst,
        payload_key="ABCD/submissions/" + "f" * 36 + "/" + "a" * 64 + ".json",
        payload_sha256="a" * 64,
        payload_size=6 * 1024 * 1024,
    )
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
    actor = Actor(kind="api_client", id="k" * 100, display_name="n" * 200)
    store.append("application:ABCD:X", 0, [NewEvent(event, "ABCD", actor, T0)])
    [(data,)] = sqlite3.connect(tmp_path / "events.sqlite").execute("SELECT data FROM events").fetchall()
    # a file list's and the constraints' quotes and backslashes count twice at most
    assert event_size(data) + 2 * FILES_BUDGET + 2 * CONSTRAINTS_BUDGET < MAX_EVENT_BYTES


def test_a_file_list_at_its_budget_is_kept_and_one_byte_more_is_left_out():
    def listed(url_length: int) -> dict:
        files = [{"url": "u" * url_length, "types": [], "description": None}]
        return summary_from_submission({**submission(10, 1, 0), "files": files})

    overhead = len(orjson.dumps([{"url": "", "types": [], "description": None}]))
    at_budget = listed(FILES_BUDGET - overhead)
    assert at_budget["files"] is not None and at_budget["file_count"] == 1
    over = listed(FILES_BUDGET - overhead + 1)
    assert over["files"] is None and over["file_count"] == 1


def test_what_was_shortened_is_named_and_nothing_else():
    summary = summary_from_submission(submission(TEXT_LIMIT + 1, 3, 2))
    assert "applicant.email" in summary["clipped"] and "site.address" in summary["clipped"]
    assert "site.local_authority_districts" in summary["clipped"]  # its codes are longer than CODE_LIMIT
    at_limit = summary_from_submission({**submission(10, 3, 2), "description": "d" * DESCRIPTION_LIMIT})
    assert at_limit["description"] == "d" * DESCRIPTION_LIMIT and at_limit["clipped"] == []
    over = summary_from_submission({**submission(10, 3, 2), "description": "d" * (DESCRIPTION_LIMIT + 1)})
    assert over["description"] == "d" * DESCRIPTION_LIMIT and over["clipped"] == ["description"]
    assert summary_from_submission(submission(10, 3, 2))["clipped"] == []


def test_a_long_file_list_is_left_out_with_its_count_and_a_short_one_kept():
    short = summary_from_submission(submission(10, 1, 100))
    assert short["file_count"] == 100 and len(short["files"]) == 100
    long = summary_from_submission(submission(10, 1, 5_000))
    assert long["file_count"] == 5_000 and long["files"] is None
    assert SubmissionSummary.model_validate(long).files is None


def test_the_summary_leaves_out_geometry_and_answers():
    summary = summary_from_submission(submission(10, 5, 1))
    assert summary["boundary_area_m2"] == 12.5
    assert not {"boundary", "answers", "declaration"} & set(summary)


def test_the_constraints_are_kept_once_each_intersecting_first_with_their_entity_numbers():
    entity = {
        "name": "Basements",
        "source": "Planning Data",
        "url": "https://www.planning.data.gov.uk/entity/7010002613",
    }
    road = {"name": "Stock Lane", "source": "Ordnance Survey MasterMap Highways", "url": None}
    other = {"name": "Elsewhere", "source": "Planning Data", "url": "https://example.org/entity/12"}
    constraints = [
        {"value": "tpo", "description": "Tree Preservation Order", "intersects": False, "entities": []},
        {"value": "articleFour", "description": "Article 4", "intersects": True, "entities": [entity, road, other]},
        {"value": "tpo", "description": "again", "intersects": True, "entities": []},
        {"value": "flood", "description": None, "intersects": None, "entities": []},
    ]
    summary = SubmissionSummary.model_validate(
        summary_from_submission({**submission(10, 0, 0), "constraints": constraints})
    )
    assert [(c.value, c.intersects) for c in summary.constraints] == [
        ("articleFour", True),
        ("tpo", False),
        ("flood", None),
    ]
    assert [(e.name, e.entity, e.source) for e in summary.constraints[0].entities] == [
        ("Basements", 7010002613, "Planning Data"),
        ("Stock Lane", None, "Ordnance Survey MasterMap Highways"),
        ("Elsewhere", None, "Planning Data"),  # only a planning.data.gov.uk address gives an entity number
    ]
    assert summary.clipped == ()


def test_constraints_beyond_the_budget_and_entities_beyond_the_limit_are_cut_and_named():
    many = [
        {"value": f"c{i:04}", "description": "d" * TEXT_LIMIT, "intersects": True, "entities": []} for i in range(100)
    ]
    cut = summary_from_submission({**submission(10, 0, 0), "constraints": many})
    assert 0 < len(cut["constraints"]) < 100 and cut["clipped"] == ["constraints"]
    assert [c["value"] for c in cut["constraints"]] == [f"c{i:04}" for i in range(len(cut["constraints"]))]
    assert len(orjson.dumps(cut["constraints"])) <= CONSTRAINTS_BUDGET
    entities = [{"name": f"e{i}", "source": "Planning Data", "url": None} for i in range(ENTITY_LIMIT + 1)]
    crowded = summary_from_submission(
        {**submission(10, 0, 0), "constraints": [{"value": "listed", "intersects": True, "entities": entities}]}
    )
    assert len(crowded["constraints"][0]["entities"]) == ENTITY_LIMIT
    assert crowded["clipped"] == ["constraints.entities"]
