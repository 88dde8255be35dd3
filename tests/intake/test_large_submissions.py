"""Large but valid submissions are accepted (201) and readable, on the SQLite and the DynamoDB adapters alike.

Each is an ODP example made large where ODP allows it: a 20,000-vertex red line (about 0.9 MB of JSON), 5,000 more
questions and answers, 5,000 files. The event carries a bounded summary; the rest is read from the claim-checked
original. The intake Lambda handler is called as API Gateway would call it, with the wiring of each runtime.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import boto3
import orjson
import pytest

from events.application import PlanningApplicationSubmitted
from events.streams import application_stream
from services.councils.service import CouncilService
from shared import wiring
from shared.apigateway import proxy_event
from shared.eventstore.port import MAX_EVENT_BYTES
from tests.intake.support import example_paths, prepared

COLLECTION = "/api/v2/planning_applications"
HOUSEHOLDER = next(p for p in example_paths() if p.name == "fullHouseholder.json")
SCOPES = "planning_application:read planning_application:write"


def with_boundary(payload: dict[str, Any], vertices: int = 20_000) -> dict[str, Any]:
    """The example's red line replaced by a detailed polygon around the same point."""
    [[first, *_]] = payload["data"]["proposal"]["boundary"]["site"]["geometry"]["coordinates"]
    lon, lat = first
    ring = [
        [
            lon + 0.0004 * math.cos(2 * math.pi * i / vertices) + 1e-12,
            lat + 0.0003 * math.sin(2 * math.pi * i / vertices),
        ]
        for i in range(vertices)
    ]
    payload["data"]["proposal"]["boundary"]["site"]["geometry"]["coordinates"] = [[*ring, ring[0]]]
    return payload


def with_answers(payload: dict[str, Any], extra: int = 5_000) -> dict[str, Any]:
    payload["responses"] += [
        {"question": f"Question {i} about the proposal?", "responses": [{"value": f"Answer {i}"}]} for i in range(extra)
    ]
    return payload


def with_files(payload: dict[str, Any], count: int = 5_000) -> dict[str, Any]:
    template = payload["files"][0]
    payload["files"] = [
        {**template, "name": f"https://api.editor.planx.dev/file/private/{i:05d}/drawing-{i}.pdf"} for i in range(count)
    ]
    return payload


def with_constraints(payload: dict[str, Any], entities: int = 1_000) -> dict[str, Any]:
    """Every designation said to intersect the site, each with `entities` long-named planning.data.gov.uk entities."""
    named = [
        {
            "name": f"Entity {i} " + "of a very long name " * 10,
            "source": {"text": "Planning Data", "url": f"https://www.planning.data.gov.uk/entity/{7_000_000 + i}"},
        }
        for i in range(entities)
    ]
    designations = payload["data"]["property"]["planning"]["designations"]
    payload["data"]["property"]["planning"]["designations"] = [
        {"value": d["value"], "description": d["description"], "intersects": True, "entities": named}
        for d in designations
    ]
    return payload


LARGE = {"boundary": with_boundary, "answers": with_answers, "files": with_files, "constraints": with_constraints}


@pytest.fixture(params=["sqlite", "dynamodb"])
def intake_runtime(request, tmp_path, monkeypatch, odp_dir) -> Iterator[wiring.Dependencies]:
    """The wiring a Lambda function gets: embedded (SQLite, files) or AWS (DynamoDB, S3 on moto)."""
    monkeypatch.setenv("BOPS_ODP_SCHEMA_DIR", str(odp_dir / "schemas"))
    if request.param == "sqlite":
        monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    else:
        request.getfixturevalue("aws")
        from shared.eventstore.dynamodb_table import create_event_table

        create_event_table(boto3.client("dynamodb"), "events")
        boto3.client("s3").create_bucket(
            Bucket="documents", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
        for name, value in {
            "RUNTIME": "aws",
            "EVENT_TABLE": "events",
            "READ_MODEL_TABLE": "read-models",
            "DOCUMENTS_BUCKET": "documents",
            "REGION": "eu-west-2",
        }.items():
            monkeypatch.setenv(f"BOPS_{name}", value)
    wiring.reset()
    deps = wiring.dependencies()
    CouncilService(deps.event_store, deps.clock).create_council("TST", "Test Council", "test")
    yield deps
    wiring.reset()


def call(method: str, path: str, body: bytes = b"", resource: str = COLLECTION) -> tuple[int, Any]:
    """The intake API handler, invoked as API Gateway invokes it after the authorizer let a TST key through."""
    from services.intake.api import lambda_handler

    headers = [("Content-Type", "application/json")] if body else []
    event = proxy_event(method, path, resource, None, headers, [], body)
    event["requestContext"]["authorizer"] = {"council": "TST", "scopes": SCOPES, "key_id": "k-1", "key_name": "PlanX"}
    response = lambda_handler(event, None)
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("kind", sorted(LARGE))
def test_a_large_valid_submission_is_accepted_and_readable(intake_runtime, kind):
    payload = LARGE[kind](prepared(HOUSEHOLDER, "TST", None))
    body = orjson.dumps(payload)
    if kind == "boundary":
        assert 800_000 < len(body) < 1_000_000  # about 0.85 MB

    status, answer = call("POST", COLLECTION, body)

    assert status == 201, answer
    reference = answer["reference"]
    status, record = call("GET", f"{COLLECTION}/{reference}", resource=f"{COLLECTION}/{{reference}}")
    assert status == 200, record
    submission = record["submission"]  # the whole submission, from the original
    assert record["originalSubmission"]["size"] == len(body)
    if kind == "boundary":
        geometry = payload["data"]["proposal"]["boundary"]["site"]["geometry"]
        assert submission["boundary"]["geojson"]["geometry"] == geometry
    if kind == "answers":
        assert len(submission["answers"]) == len(payload["responses"])
    if kind == "files":
        assert [f["url"] for f in submission["files"]] == [f["name"] for f in payload["files"]]
        assert record["filesPending"] == 5_000
    [event] = intake_runtime.event_store.read(application_stream("TST", reference))
    assert isinstance(event.payload, PlanningApplicationSubmitted)
    summary = event.payload.submission
    assert summary.file_count == len(payload["files"])
    assert summary.files is None if kind == "files" else len(summary.files or ()) == len(payload["files"])
    assert intake_runtime.documents.get(event.payload.payload_key) == body
    designations = payload["data"]["property"]["planning"]["designations"]
    if kind == "constraints":
        assert len(submission["constraints"]) == len(designations)  # all of them in the original
        assert summary.constraints and all(c.intersects and c.entities for c in summary.constraints)
        assert summary.constraints[0].entities[0].entity == 7_000_000
        assert "constraints" in summary.clipped  # cut to the budget: the event stays small
        assert len(event.payload.model_dump_json()) < MAX_EVENT_BYTES // 8
    else:
        assert [c.value for c in summary.constraints] == [d["value"] for d in designations if d["intersects"]] + [
            d["value"] for d in designations if not d["intersects"]
        ]


def test_the_fetcher_reads_a_file_list_too_long_for_the_event_from_the_original(tmp_path, monkeypatch, odp_dir):
    """5,000 files: the event carries their count only; each file still gets its outcome, in order (none of these
    hosts is allowed, so no network is touched)."""
    from events.application import DocumentFetchFailed
    from events.streams import application_side_stream
    from services.intake.documents.fetcher import SafeHttpFetcher
    from services.intake.documents.service import Downloads, fetch_documents

    def no_network(*args: Any) -> Any:
        raise AssertionError("no network access expected")

    monkeypatch.setenv("BOPS_ODP_SCHEMA_DIR", str(odp_dir / "schemas"))
    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    wiring.reset()
    deps = wiring.dependencies()
    CouncilService(deps.event_store, deps.clock).create_council("TST", "Test Council", "test")
    payload = with_files(prepared(HOUSEHOLDER, "TST", None))
    status, answer = call("POST", COLLECTION, orjson.dumps(payload))
    assert status == 201
    [event] = deps.event_store.read(application_stream("TST", answer["reference"]))
    assert event.payload.submission.files is None

    fetcher = SafeHttpFetcher((), resolver=no_network)
    fetch_documents(event, Downloads(deps.event_store, deps.documents, fetcher, (), None, deps.clock))

    outcomes = [
        e.payload for e in deps.event_store.read(application_side_stream("TST", answer["reference"], "documents"))
    ]
    assert [o.file_index for o in outcomes] == list(range(5_000))
    assert all(isinstance(o, DocumentFetchFailed) for o in outcomes)
    assert [o.source_url for o in outcomes] == [f["name"] for f in payload["files"]]
    wiring.reset()
