"""The submission summary in PlanningApplicationSubmitted is bounded: no submission can make the event too large."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import orjson

from events import Actor, NewEvent
from events.application import PlanningApplicationSubmitted
from events.submission import (
    CODE_LIMIT,
    DESCRIPTION_LIMIT,
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
    }


def test_the_largest_possible_summary_stays_under_the_event_size_limit(tmp_path):
    """Every text and list at its limit in characters JSON writes 6 bytes wide, plus a file list at its budget."""
    worst = SubmissionSummary.model_validate(summary_from_submission(submission(100_000, 1_000, 0)))
    assert len(worst.description or "") == DESCRIPTION_LIMIT and len(worst.site.address) == TEXT_LIMIT
    assert len(worst.project_types) == LIST_LIMIT and {len(code) for code in worst.project_types} == {CODE_LIMIT}
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
    assert event_size(data) + 2 * FILES_BUDGET < MAX_EVENT_BYTES  # a file list's quotes count twice at most


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


def test_the_summary_leaves_out_geometry_answers_and_constraints():
    summary = summary_from_submission(submission(10, 5, 1))
    assert summary["boundary_area_m2"] == 12.5
    assert not {"boundary", "answers", "constraints", "declaration"} & set(summary)
