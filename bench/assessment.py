"""Assessment benchmark: applications taken through their whole life by officers' commands, in one process, through
the officer API's Lambda handler (API Gateway proxy events, as `bops serve` and API Gateway give it).

    uv run python bench/assessment.py [--applications N]     # default 10,000

Each application is submitted (its event and one document with its file, stored and appended as intake would), then
assigned, its document, red-line boundary and fee checked, validated, given a site notice, assessed, recommended,
reviewed and determined (rendering and storing its decision notice). A quarter of them are challenged once and
recommended again; a quarter stop in assessment, so the case list has open and decided cases. The clock moves an hour
per application, so their dates spread over more than a year. The case list's projection subscriber then brings each
row up to date.

Prints progress lines, then as its last line one JSON object:

- commands_per_s: officers' commands per second through the handler (read, fold, check, decide, append, answer);
- floor_appends_per_s: single-event appends as `bench/eventstore.py`'s `bench_appends` makes them, measured in this
  run in rounds between the commands' chunks (so under the same load);
- commands_ratio: commands_per_s / floor_appends_per_s (target ≥ 0.3);
- case_list_ms_p99: GET /api/officer/v1/planning_applications over these applications with filters (status,
  assignedTo, q, type, overdue, dueWithinDays, pages), through the handler (target ≤ 25);
- state_ms_p99: GET /api/officer/v1/planning_applications/{reference}, one application's whole state (target ≤ 10);
- projection_rows_per_s: case-list rows brought up to date per second by the subscriber;
- applications, commands: how many.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # as `bops serve` runs the handlers
os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"

COUNCIL = "BNCH"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BASE = "/api/officer/v1/planning_applications"
STREETS = ("High Street", "Mill Lane", "Church Road", "Station Road", "The Green", "Park Avenue", "London Road")
WARM_UP = 20  # applications taken through their life before the timing starts (first imports and compilations)
TYPES = ("pp.full.householder", "pp.full.householder", "ldc.proposed", "pp.full.minor")
FLOOR_EVERY = 100  # applications (about 925 commands) between two rounds of the floor's appends
FLOOR_ROUND = 1_000


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


class Bench:
    def __init__(self, directory: Path) -> None:
        os.environ["BOPS_DATA_DIR"] = str(directory / "data")
        os.environ["BOPS_NOW"] = START.isoformat()
        from services.councils.service import CouncilService
        from shared import wiring
        from shared.officer_identity import SignedInOfficer

        wiring.reset()
        self.deps = wiring.dependencies()
        self.clock = self.deps.clock  # a FrozenClock: moved on by hand
        CouncilService(self.deps.event_store, self.clock).create_council(COUNCIL, "Benchmark Borough Council", "bnch")
        self.assessors = [SignedInOfficer(COUNCIL, f"officer-{i}", f"Assessor {i}", "assessor") for i in range(8)]
        self.reviewer = SignedInOfficer(COUNCIL, "officer-rev", "Rita Reviewer", "reviewer")
        from tests.assessment.api_support import enlist

        enlist(self.deps, *self.assessors, self.reviewer)  # in the officers read model, where `assign` looks them up
        self.commands = 0
        self.command_seconds = 0.0
        self.through_http = False
        from services.assessment.officer_api.commands import COMMANDS

        self.by_path = {command.path: command for command in COMMANDS}

    def call(self, method: str, path: str, officer: Any, body: dict | None = None, query: list | None = None) -> Any:
        import orjson

        from services.assessment.officer_api.handler import lambda_handler
        from shared.apigateway import proxy_event

        raw = orjson.dumps(body) if body else b""
        event = proxy_event(method, path, path, None, [("Content-Type", "application/json")], query or [], raw)
        event["requestContext"]["authorizer"] = {**officer.context(), "principalId": f"officer:{officer.id}"}
        response = lambda_handler(event, None)
        if response["statusCode"] != 200:
            raise RuntimeError(f"{method} {path}: {response['statusCode']} {response['body']}")
        return orjson.loads(response["body"])

    def submit(self, index: int) -> str:
        from events import Actor, NewEvent
        from tests.assessment.api_support import receive_document, submitted

        reference = f"26-{index:06d}-HH"
        store = self.deps.event_store
        event = submitted(
            reference,
            application_type=TYPES[index % len(TYPES)],
            address=f"{index % 300 + 1} {STREETS[index % len(STREETS)]}, Benchton",
            postcode=f"BN{index % 20} {index % 9}AB",
            received_at=self.clock.now() - timedelta(days=7),  # its received date is never after today
            council=COUNCIL,
        )
        intake = NewEvent(event.payload, COUNCIL, Actor.system(), event.occurred_at)
        store.append(f"application:{COUNCIL}:{reference}", 0, [intake])
        receive_document(store, reference, 0, council=COUNCIL)
        # the document fetcher stores the file under the key its DocumentReceived names (beside which the decision
        # notice is stored), before appending the event
        self.deps.documents.put(f"{COUNCIL}/{reference}/documents/0.pdf", b"%PDF-1.7 plan", "application/pdf")
        return reference

    def command(
        self, reference: str, path: str, officer: Any, version: int, parameters: dict | None = None, **body: Any
    ) -> int:
        """One officer's command: through the Lambda handler (`self.through_http`), or as the handler performs it
        (the same body model, casework and domain) without the HTTP event and the answer's JSON."""
        from services.assessment.officer_api import handler

        self.clock.advance(timedelta(seconds=30))  # officers act one after another
        started = time.perf_counter()
        if self.through_http:
            filled = path.format(**(parameters or {}))
            answer = self.call("POST", f"{BASE}/{reference}/{filled}", officer, {"version": version, **body})
            version = answer["version"]
        else:
            command = self.by_path[path]
            work = handler.casework()
            model = command.body.model_validate({"version": version, **body})
            version = handler.perform(work, officer, command, reference, parameters or {}, model, work.today()).version
        self.command_seconds += time.perf_counter() - started
        self.commands += 1
        return version

    def lifecycle(self, index: int, reference: str) -> None:
        assessor = self.assessors[index % len(self.assessors)]
        v = self.command(reference, "assign", assessor, 1, officerId="me")
        v = self.command(reference, "documents/{document_id}/check", assessor, v, {"document_id": "doc-0"}, valid=True)
        v = self.command(reference, "red_line_boundary/check", assessor, v, valid=True)
        v = self.command(reference, "fee/check", assessor, v, valid=True)
        v = self.command(reference, "validate", assessor, v)
        if index % 4 == 2:
            return  # stays in assessment
        v = self.command(reference, "site_notice", assessor, v, displayedOn=self.clock.now().date().isoformat())
        assessment = {"summaryOfWorks": "Rear extension", "conditions": [{"text": "Materials", "reason": "Amenity"}]}
        v = self.command(reference, "assessment", assessor, v, **assessment)
        v = self.command(reference, "recommendation", assessor, v, decision="granted", publicReason="Complies")
        if index % 4 == 1:
            v = self.command(reference, "review", self.reviewer, v, action="challenge", comment="Say more")
            v = self.command(reference, "recommendation", assessor, v, decision="granted", publicReason="Policy H1")
        v = self.command(reference, "review", self.reviewer, v, action="agree")
        self.command(reference, "determine", assessor, v)

    def run_applications(self, count: int, first: int = 0, floor: Floor | None = None) -> list[str]:
        """Applications taken through their lives; with `floor`, a round of its appends after every chunk of
        applications (about as many appends as the chunk's commands)."""
        references = []
        started = time.perf_counter()
        for index in range(first, first + count):
            self.clock.advance(timedelta(hours=1))
            reference = self.submit(index)
            self.lifecycle(index, reference)
            references.append(reference)
            if floor is not None and (index + 1 - first) % FLOOR_EVERY == 0:
                floor.round(FLOOR_ROUND)
            if (index + 1) % 1000 == 0:
                log(
                    f"{index + 1:,} applications, {self.commands:,} commands in {time.perf_counter() - started:.0f} s"
                    f" ({self.commands / self.command_seconds:,.0f} commands/s"
                    + (f"; floor {floor.per_s:,.0f} appends/s)" if floor is not None and floor.appends else ")")
                )
        if floor is not None and not floor.appends:
            floor.round(FLOOR_ROUND)
        return references

    def project(self, references: list[str]) -> float:
        from services.assessment.case_list.projection import project
        from services.assessment.case_list.wiring import case_list

        cases = case_list(self.deps)
        started = time.perf_counter()
        for reference in references:
            version = self.deps.event_store.stream_version(f"application:{COUNCIL}:{reference}")
            project(cases, self.deps.event_store, COUNCIL, reference, version)
        rate = len(references) / (time.perf_counter() - started)
        log(f"case list: {len(references):,} rows projected ({rate:,.0f}/s)")
        return rate

    def case_list_p99(self, rounds: int) -> float:
        me = self.assessors[3]
        queries = [
            [],
            [("status", "in_assessment")],
            [("status", "determined"), ("page", "7")],
            [("assignedTo", "me")],
            [("assignedTo", "me"), ("status", "in_assessment"), ("overdue", "true")],
            [("q", "mill lane")],
            [("q", "BN7")],
            [("type", "ldc.proposed"), ("perPage", "100")],
            [("dueWithinDays", "20")],
            [("overdue", "false"), ("q", "high"), ("page", "3")],
        ]
        timings = []
        for round_ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                answer = self.call("GET", BASE, me, query=query)
                timings.append((time.perf_counter() - started) * 1000)
                assert answer["pagination"]["totalResults"] >= 0
            if round_ == 0:
                total = self.call("GET", BASE, me)["pagination"]["totalResults"]
                log(f"case list: {total:,} applications listed")
        return percentile(timings, 0.99)

    def state_p99(self, references: list[str], samples: int) -> float:
        rng = random.Random(7)
        officer = self.assessors[0]
        timings = []
        for _ in range(samples):
            reference = rng.choice(references)
            started = time.perf_counter()
            state = self.call("GET", f"{BASE}/{reference}", officer)
            timings.append((time.perf_counter() - started) * 1000)
            assert state["reference"] == reference
        return percentile(timings, 0.99)


class Floor:
    """`bench/eventstore.py`'s single appends (`SqliteEventStore.append`, one small event onto one of 100 streams, as
    its `bench_appends` times them), in rounds interleaved with the commands' chunks: on a shared machine whose load
    changes by the minute, the floor and the commands are measured under the same load."""

    def __init__(self, directory: Path) -> None:
        from bench.eventstore import APPEND_STREAMS
        from shared.clock import SystemClock
        from shared.eventstore.sqlite import SqliteEventStore

        self.store = SqliteEventStore(directory / "floor.sqlite", clock=SystemClock())
        self.versions = dict.fromkeys((f"council:A{i:05d}" for i in range(APPEND_STREAMS)), 0)
        self.streams = list(self.versions)
        self.appends = 0
        self.seconds = 0.0

    def round(self, count: int) -> None:
        from bench.eventstore import settings_changed

        events = [settings_changed(self.appends + i) for i in range(count)]
        append, streams, versions = self.store.append, self.streams, self.versions
        started = time.perf_counter()
        for i, event in enumerate(events):
            stream = streams[(self.appends + i) % len(streams)]
            version = versions[stream]
            append(stream, version, [event])
            versions[stream] = version + 1
        self.seconds += time.perf_counter() - started
        self.appends += count

    @property
    def per_s(self) -> float:
        return self.appends / self.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=10_000)
    arguments = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-assessment-") as tmp:
        directory = Path(tmp)
        log(f"Assessment benchmark in {directory}: {arguments.applications:,} applications")
        floor = Floor(directory)
        floor.round(FLOOR_ROUND)  # warm-up, not counted
        floor.appends, floor.seconds = 0, 0.0
        gc.collect()
        bench = Bench(directory)
        count = arguments.applications
        warm = bench.run_applications(WARM_UP, first=count)  # imports, template, caches: not timed
        bench.commands, bench.command_seconds = 0, 0.0
        references = bench.run_applications(count, floor=floor)
        commands_per_s = bench.commands / bench.command_seconds
        floor_per_s = floor.per_s
        total_commands = bench.commands
        log(f"commands: {bench.commands:,} at {commands_per_s:,.0f}/s; floor {floor_per_s:,.0f} appends/s")
        bench.through_http, bench.commands, bench.command_seconds = True, 0, 0.0
        http_sample = max(1, count // 20)
        references += bench.run_applications(http_sample, first=count + WARM_UP) + warm
        http_commands_per_s = bench.commands / bench.command_seconds
        total_commands += bench.commands
        log(f"commands through the handler: {bench.commands:,} at {http_commands_per_s:,.0f}/s")
        projection = bench.project(references)
        # The heap the run built (ten thousand applications' lives, in one process) is frozen, as SnapStart freezes a
        # function's start-up heap: a Lambda serving these requests holds one request's objects, not the benchmark's.
        gc.collect()
        gc.freeze()
        case_list_ms = bench.case_list_p99(rounds=30)
        state_ms = bench.state_p99(references, samples=500)
        log(f"case list p99 {case_list_ms:.1f} ms, state p99 {state_ms:.1f} ms")
    log(f"done in {time.perf_counter() - started:.0f} s")
    result = {
        "commands_per_s": round(commands_per_s, 1),
        "floor_appends_per_s": round(floor_per_s, 1),
        "commands_ratio": round(commands_per_s / floor_per_s, 3),
        "http_commands_per_s": round(http_commands_per_s, 1),
        "case_list_ms_p99": round(case_list_ms, 2),
        "state_ms_p99": round(state_ms, 2),
        "projection_rows_per_s": round(projection, 1),
        "applications": len(references),
        "commands": total_commands,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
