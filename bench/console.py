"""Console benchmark: server-side render time of the officers' console pages, through the console's Lambda handler
(API Gateway proxy events with the signed-in officer in the request context, as the authorizer leaves them).

    uv run python bench/console.py [--cases N] [--runs R]     # default 1,000 cases, 200 runs each

- dashboard_ms_p50: `/?view=all` over N cases in the case list read model (its first page, the counts per status);
  nine in ten cases are valid, received over the last months, so the page's rows carry their days-left tags;
- application_ms_p50: `/applications/{reference}` of one application with 30 documents and 40 audit entries;
- application_changed_ms_p50: the same page as after a change to the application: the offers it keeps per state and
  officer forgotten before each call, so the domain is asked about every action again (the state fold itself is cached
  by the casework either way);
- floor_ms_p50: the bare GOV.UK page template (the console's message page, no data, no reads), in the same run;
- dashboard_ratio, application_ratio: each over the floor. Target: both pages ≤ 30 ms p50.
- *_cpu_ms_p50: the same calls' CPU time (this process's), less swayed than the wall clock when the machine is shared;
  load_average: the 1-minute load when the run ended.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"

COUNCIL = "DEMO"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def timed(call: Any, runs: int) -> tuple[float, float]:
    """The median wall-clock and CPU milliseconds of `call`."""
    wall, cpu = [], []
    for _ in range(runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - begin_cpu) * 1000)
        wall.append((time.perf_counter() - begin) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bops-console-bench-"))
    os.environ["BOPS_DATA_DIR"] = str(data)
    os.environ["BOPS_NOW"] = (START + timedelta(days=20)).isoformat()

    from events import Actor, NewEvent
    from events.application import DocumentReceived
    from events.assessment import PlanningApplicationValidated
    from events.streams import application_side_stream, application_stream
    from services.assessment.case_list.projection import project
    from services.assessment.case_list.wiring import case_list
    from services.assessment.console.actions import forget_offers
    from services.assessment.console.handler import lambda_handler
    from services.assessment.console.rendering import message_page
    from services.councils.service import CouncilService
    from shared.apigateway import proxy_event
    from shared.officer_identity import SignedInOfficer
    from shared.wiring import dependencies
    from tests.assessment.api_support import submitted

    deps = dependencies()
    store = deps.event_store
    CouncilService(store, deps.clock).create_council(COUNCIL, "Demo Council", "demo")
    officer = SignedInOfficer(COUNCIL, "officer-ann", "Ann Assessor", "assessor")
    versions = {}
    for index in range(args.cases):
        reference = f"26-{index + 1:05d}-HAPP"
        received = START - timedelta(days=90) * index / args.cases  # over 90 days whatever the count
        events = [submitted(reference, received_at=received)]
        if index % 10:  # valid from the day received: expiry dates from weeks overdue to weeks ahead
            day = received.date()
            valid = PlanningApplicationValidated(valid_from=day, validated_on=day, determination_period_days=56)
            events.append(NewEvent(valid, COUNCIL, officer.actor(), received + timedelta(hours=1)))
        versions[reference] = store.append(application_stream(COUNCIL, reference), 0, events)[-1].version
    busy = "26-00001-HAPP"
    documents = application_side_stream(COUNCIL, busy, "documents")
    received = [
        NewEvent(
            DocumentReceived(
                document_id=f"doc-{i}",
                file_index=i,
                source_url=f"https://files.example.org/{i}.pdf",
                file_name=f"plan-{i}.pdf",
                key=f"{COUNCIL}/{busy}/documents/{i}.pdf",
                sha256="0" * 64,
                size=10,
                content_type="application/pdf",
                tags=("sitePlan.proposed",),
            ),
            COUNCIL,
            Actor.system(),
            START + timedelta(hours=1, seconds=i),
        )
        for i in range(30)
    ]
    store.append(documents, 0, received)
    from services.assessment.casework import Casework
    from services.assessment.domain import check_document

    work = Casework(store, deps.clock)
    for i in range(9):  # 1 submission + 30 documents + 9 checks = 40 audit entries
        state = work.load(COUNCIL, busy)
        work.act(
            officer, busy, state.version, lambda s, i=i: check_document(s, officer, document_id=f"doc-{i}", valid=True)
        )
    cases = case_list(deps)
    for reference, version in versions.items():
        project(cases, store, COUNCIL, reference, version)

    def request(path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        event = proxy_event("GET", path, path, None, [("Cookie", "bops_officer=t")], query, b"")
        event["requestContext"]["authorizer"] = {**officer.context(), "principalId": f"officer:{officer.id}"}
        response = lambda_handler(event, None)
        assert response["statusCode"] == 200, response
        return response

    page = f"/applications/{busy}"
    assert "plan-29.pdf" in request(page, [])["body"]
    first_page = request("/", [("view", "all")])["body"]
    assert f"{args.cases} applications" in first_page and "govuk-tag--red" in first_page
    floor, floor_cpu = timed(lambda: message_page(404, "Page not found", "No data"), args.runs)
    dashboard, dashboard_cpu = timed(lambda: request("/", [("view", "all")]), args.runs)
    application, application_cpu = timed(lambda: request(page, []), args.runs)

    def changed() -> None:
        forget_offers()
        request(page, [])

    changed_wall, changed_cpu = timed(changed, args.runs)
    load = os.getloadavg()[0]
    for kind, figures in (
        ("wall clock", (floor, dashboard, application)),
        ("CPU", (floor_cpu, dashboard_cpu, application_cpu)),
    ):
        print("floor {:.2f} ms, dashboard {:.2f} ms, application {:.2f} ms".format(*figures), f"(p50, {kind})")
    print(f"application after a change {changed_wall:.2f} ms wall clock, {changed_cpu:.2f} ms CPU (p50)")
    print(f"load average {load:.2f}")
    print(
        json.dumps(
            {
                "dashboard_ms_p50": round(dashboard, 2),
                "application_ms_p50": round(application, 2),
                "floor_ms_p50": round(floor, 2),
                "application_changed_ms_p50": round(changed_wall, 2),
                "application_changed_cpu_ms_p50": round(changed_cpu, 2),
                "dashboard_ratio": round(dashboard / floor, 2),
                "application_ratio": round(application / floor, 2),
                "dashboard_cpu_ms_p50": round(dashboard_cpu, 2),
                "application_cpu_ms_p50": round(application_cpu, 2),
                "floor_cpu_ms_p50": round(floor_cpu, 2),
                "load_average": round(load, 2),
                "cases": args.cases,
            }
        )
    )


if __name__ == "__main__":
    main()
