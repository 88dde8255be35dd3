"""Console benchmark: server-side render time of the officers' console pages, through the console's Lambda handler
(API Gateway proxy events with the signed-in officer in the request context, as the authorizer leaves them).

    uv run python bench/console.py [--cases N] [--runs R]     # default 1,000 cases, 200 runs each

- dashboard_ms_p50: `/?view=all` over N cases in the case list read model (its first page, the counts per status);
- application_ms_p50: `/applications/{reference}` of one application with 30 documents and 40 audit entries;
- floor_ms_p50: the bare GOV.UK page template (the console's message page, no data, no reads), in the same run;
- dashboard_ratio, application_ratio: each over the floor. Target: both pages ≤ 30 ms p50.
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


def timed(call: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        call()
        samples.append((time.perf_counter() - begin) * 1000)
    return statistics.median(samples)


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
    from events.streams import application_side_stream, application_stream
    from services.assessment.case_list.projection import project
    from services.assessment.case_list.wiring import case_list
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
    for index in range(args.cases):
        reference = f"26-{index + 1:05d}-HAPP"
        event = submitted(reference, received_at=START + timedelta(minutes=index))
        store.append(application_stream(COUNCIL, reference), 0, [event])
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
    for index in range(args.cases):
        project(cases, store, COUNCIL, f"26-{index + 1:05d}-HAPP", 1)

    def request(path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        event = proxy_event("GET", path, path, None, [("Cookie", "bops_officer=t")], query, b"")
        event["requestContext"]["authorizer"] = {**officer.context(), "principalId": f"officer:{officer.id}"}
        response = lambda_handler(event, None)
        assert response["statusCode"] == 200, response
        return response

    page = f"/applications/{busy}"
    assert "plan-29.pdf" in request(page, [])["body"]
    assert f"{args.cases} applications" in request("/", [("view", "all")])["body"]
    floor = timed(lambda: message_page(404, "Page not found", "No data"), args.runs)
    dashboard = timed(lambda: request("/", [("view", "all")]), args.runs)
    application = timed(lambda: request(page, []), args.runs)
    print(f"floor {floor:.2f} ms, dashboard {dashboard:.2f} ms, application {application:.2f} ms (p50)")
    print(
        json.dumps(
            {
                "dashboard_ms_p50": round(dashboard, 2),
                "application_ms_p50": round(application, 2),
                "floor_ms_p50": round(floor, 2),
                "dashboard_ratio": round(dashboard / floor, 2),
                "application_ratio": round(application / floor, 2),
                "cases": args.cases,
            }
        )
    )


if __name__ == "__main__":
    main()
