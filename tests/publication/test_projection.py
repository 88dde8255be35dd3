"""The public register kept by its subscriber from the log (bus messages, as EventBridge and the relay deliver them),
served by the feed route, and rebuilt with identical results by `bops replay public`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from events import Actor, NewEvent
from events.assessment import CaseOfficerAssigned, DecisionNoticeIssued, PlanningApplicationDetermined
from events.streams import application_side_stream, application_stream
from services.publication.read_model.port import FeedQuery, PublicSearch
from shared.apigateway import proxy_event
from shared.bus import bus_message
from tests.publication.support import CANARIES, SHA, received, submitted, validated

COUNCIL = "DEMO"
FEED = "/api/@next/public/feed"


@pytest.fixture
def deps(tmp_path, monkeypatch) -> Iterator:
    from services.councils.service import CouncilService
    from shared import wiring

    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOPS_NOW", "2026-03-03T10:00:00Z")
    wiring.reset()
    deps = wiring.dependencies()
    service = CouncilService(deps.event_store, deps.clock)
    service.create_council(COUNCIL, "Demo Borough Council", "demo")
    service.create_council("OTHR", "Other Council", "other")
    yield deps
    wiring.reset()


def append(deps, reference: str, *payloads, side: bool = False, council: str = COUNCIL) -> None:
    stream = (
        application_side_stream(council, reference, "documents") if side else application_stream(council, reference)
    )
    store = deps.event_store
    store.append(
        stream,
        store.stream_version(stream),
        [NewEvent(p, council, Actor.system("test"), deps.clock.now()) for p in payloads],
    )


def deliver_all(deps) -> None:
    """Every event of the log to each of the publication service's subscribers that takes its type, in log order,
    those they append included."""
    from services.publication.declaration import SERVICE
    from shared.declarations import load_handler

    subscribers = [(set(s.event_types), load_handler(s.handler)) for s in SERVICE.subscriptions]
    delivered = 0
    while stored_events := deps.event_store.read_all_stored(delivered, 100_000):
        for stored in stored_events:
            for types, handler in subscribers:
                if stored.event_type in types:
                    handler(bus_message(stored, stored.position))
            delivered = stored.position


def register(deps):
    from services.publication.read_model.wiring import public_register

    return public_register(deps)


@pytest.fixture
def applications(deps):
    for number in (1, 2, 3):
        reference = f"26-0000{number}-HAPP"
        payload = submitted(description=f"Rear extension number {number}", address=f"{number} Mill Lane")
        append(deps, reference, payload.model_copy(update={"reference": reference}))
        append(deps, reference, received("doc-1", CANARIES[6]), side=True)
    append(deps, "26-00001-HAPP", validated(), CaseOfficerAssigned(officer_id="o1", officer_name="Ann Officer"))
    append(deps, "26-00002-HAPP", validated())
    append(
        deps,
        "26-00002-HAPP",
        DecisionNoticeIssued(document_id="n1", key="k", sha256=SHA, size=1, content_type="text/html"),
        side=True,
    )
    append(
        deps,
        "26-00002-HAPP",
        PlanningApplicationDetermined(decision="granted", decision_date=date(2026, 3, 3), notice_document_id="n1"),
    )
    append(deps, "26-00001-HAPP", submitted().model_copy(update={"reference": "26-00001-HAPP"}), council="OTHR")
    append(deps, "26-00001-HAPP", validated(), council="OTHR")
    deliver_all(deps)
    deliver_all(deps)  # again: duplicates change nothing
    return deps


def get_feed(query: dict[str, str] | None = None, headers: dict[str, str] | None = None):
    import orjson

    from services.publication.feed import lambda_handler

    event = proxy_event("GET", FEED, FEED, None, list((headers or {}).items()), list((query or {}).items()), b"")
    response = lambda_handler(event)
    return response["statusCode"], orjson.loads(response["body"]), response.get("multiValueHeaders") or {}


def test_only_validated_applications_are_in_the_register(applications):
    found = register(applications).search(PublicSearch())
    assert sorted((a.council, a.reference, a.status) for a in found.applications) == [
        ("DEMO", "26-00001-HAPP", "in_assessment"),
        ("DEMO", "26-00002-HAPP", "determined"),
        ("OTHR", "26-00001-HAPP", "in_assessment"),
    ]
    assert register(applications).get("DEMO", "26-00003-HAPP") is None
    decided = register(applications).get("DEMO", "26-00002-HAPP")
    assert decided is not None and decided.decision == "granted" and decided.decision_notice is not None
    assert register(applications).search(PublicSearch(text="number 2")).total == 1


def test_the_feed_pages_with_opaque_cursors_and_names_each_applications_heads(applications):
    status, body, headers = get_feed()
    assert status == 200 and body["status"] == {"code": 200, "message": "OK"}
    assert headers["Access-Control-Allow-Origin"] == ["*"] and "max-age" in headers["Cache-Control"][0]
    kinds = [(e["council"], e["reference"], e["type"]) for e in body["data"]]
    assert sorted(kinds) == [
        ("DEMO", "26-00001-HAPP", "published"),
        ("DEMO", "26-00002-HAPP", "decided"),
        ("DEMO", "26-00002-HAPP", "published"),
        ("OTHR", "26-00001-HAPP", "published"),
    ]
    assert body["pagination"]["totalResults"] == 4 and body["pagination"]["prevCursor"] is None
    store = applications.event_store
    for entry in body["data"]:
        for head in entry["auditHead"]:
            last = store.read_last(head["stream"])
            assert (last.version, last.hash) == (head["version"], head["hash"])
    status, first, _ = get_feed({"resultsPerPage": "3"})
    assert [e["id"] for e in first["data"]] == [e["id"] for e in body["data"][:3]]
    status, second, _ = get_feed({"resultsPerPage": "3", "after": first["pagination"]["nextCursor"]})
    assert [e["id"] for e in second["data"]] == [body["data"][3]["id"]]
    assert second["pagination"]["prevCursor"] is not None
    status, back, _ = get_feed({"resultsPerPage": "3", "after": second["pagination"]["prevCursor"]})
    assert [e["id"] for e in back["data"]] == [e["id"] for e in body["data"][:3]]
    status, end, _ = get_feed({"after": second["pagination"]["nextCursor"]})
    assert end["data"] == [] and end["pagination"]["nextCursor"] == second["pagination"]["nextCursor"]
    assert not [c for c in CANARIES if c in str(body)]


def test_the_feed_of_one_council_and_refusals(applications):
    status, body, _ = get_feed(headers={"x-client": "other"})
    assert status == 200 and [e["council"] for e in body["data"]] == ["OTHR"]
    status, body, _ = get_feed({"council": "DEMO"})
    assert {e["council"] for e in body["data"]} == {"DEMO"}
    status, body, _ = get_feed({"council": "nowhere"})
    assert status == 404 and body["data"] is None and body["status"]["code"] == 404
    for bad in (
        {"after": "not-a-cursor"},
        {"resultsPerPage": "0"},
        {"resultsPerPage": "x"},
        {"resultsPerPage": "²"},  # `"²".isdigit()` is true, and `int("²")` was a 500
        {"resultsPerPage": "9" * 5000},
        {"after": "YS4"},
    ):
        status, body, _ = get_feed(bad)
        assert status == 400 and body["data"] is None and body["status"]["code"] == 400, bad


def test_replay_rebuilds_the_register_with_identical_results(applications):
    from bops.replay import rebuild

    before = register(applications)
    everything = before.search(PublicSearch(limit=100))
    feed = before.feed(FeedQuery())
    for table in ("applications", "counts", "by_published", "by_received"):
        before.connection().execute(f"DELETE FROM public_{table}")  # type: ignore[attr-defined]
    assert before.search(PublicSearch()).total == 0
    messages: list[str] = []
    rebuild("public", echo=messages.append)
    after = register(applications)
    assert after.search(PublicSearch(limit=100)) == everything
    assert after.feed(FeedQuery()) == feed
    assert "3 rows" in messages[0]


def test_the_subscription_follows_every_application_event_type():
    import events.application as application
    import events.assessment as assessment
    from services.publication.declaration import PUBLIC_EVENT_TYPES

    declared = {
        value.event_type
        for module in (application, assessment)
        for value in vars(module).values()
        if isinstance(value, type) and value.__module__ == module.__name__ and getattr(value, "event_type", "")
    }
    assert declared - {"PlanningApplicationReferenceAssigned", "SubmissionClaimed"} <= set(PUBLIC_EVENT_TYPES)


def test_a_council_turning_names_on_and_off_changes_every_record_at_once(applications):
    from events.council import CouncilSettingsChanges
    from services.councils.service import CouncilService

    deps = applications
    service = CouncilService(deps.event_store, deps.clock)

    def names() -> set[tuple[str, str | None, str | None]]:
        found = register(deps).search(PublicSearch(limit=100)).applications
        return {(a.council, a.applicant_name, a.agent_company) for a in found}

    assert names() == {("DEMO", None, None), ("OTHR", None, None)}
    service.change_settings(COUNCIL, CouncilSettingsChanges(publish_applicant_names=True))
    deliver_all(deps)
    assert names() == {("DEMO", "Ada Applicant", "Agents Ltd"), ("OTHR", None, None)}  # only that council's
    service.change_settings(COUNCIL, CouncilSettingsChanges(reply_to_email="p@demo.example"))  # not about names
    service.change_settings(COUNCIL, CouncilSettingsChanges(publish_applicant_names=False))
    deliver_all(deps)
    assert names() == {("DEMO", None, None), ("OTHR", None, None)}


def test_the_boundary_is_the_originals_bounded_then_an_accepted_changes(deps):
    import math

    import orjson

    from events.assessment import RedLineBoundaryChanged
    from services.publication.boundary import BOUNDARY_BYTES

    ring = [[-0.1 + 0.001 * math.cos(i / 400), 51.5 + 0.001 * math.sin(i / 400)] for i in range(2513)]
    site = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}, "properties": {}}
    payload = submitted().model_copy(update={"payload_key": f"{COUNCIL}/submissions/{uuid.uuid4()}.json"})
    deps.documents.put(payload.payload_key, orjson.dumps({"data": {"property": {"boundary": {"site": site}}}}), "")
    append(deps, payload.reference, payload)
    append(deps, payload.reference, validated())
    deliver_all(deps)
    record = register(deps).get(COUNCIL, payload.reference)
    assert record is not None and record.boundary is not None
    assert len(orjson.dumps(record.boundary)) <= BOUNDARY_BYTES < len(orjson.dumps(site))
    shown = record.boundary["geometry"]["coordinates"][0]
    assert shown[0] == shown[-1] and 4 <= len(shown) < len(ring) and record.boundary["properties"] is None
    changed = {"type": "Polygon", "coordinates": [[[0.0, 51.0], [0.001, 51.0], [0.001, 51.001], [0.0, 51.0]]]}
    append(deps, payload.reference, RedLineBoundaryChanged(boundary=changed, request_id="r1"))
    deliver_all(deps)
    record = register(deps).get(COUNCIL, payload.reference)
    assert record is not None
    assert record.boundary == {"type": "Feature", "geometry": changed, "properties": None}


def test_the_odp_submission_is_made_once_by_the_projection_as_the_face_would_make_it(deps, monkeypatch):
    """The record carries the public submission (no files): what the ODP face built per request before."""
    from dataclasses import replace

    import orjson

    from services.publication.odp.submissions import PublicSubmissions
    from shared import reference_data, wiring

    schemas = reference_data.odp_schema_dir()
    example = reference_data.odp_examples_dir() / "application" / "planningPermission" / "fullHouseholder.json"
    monkeypatch.setenv("BOPS_ODP_SCHEMA_DIR", str(schemas))
    wiring.reset()
    deps = wiring.dependencies()
    payload = submitted().model_copy(update={"payload_key": f"{COUNCIL}/submissions/{uuid.uuid4()}.json"})
    deps.documents.put(payload.payload_key, example.read_bytes(), "")
    append(deps, payload.reference, payload)
    append(deps, payload.reference, validated())
    deliver_all(deps)
    record = register(deps).get(COUNCIL, payload.reference)
    assert record is not None and record.submission is not None and record.submission["files"] == []
    files = [{"name": "https://example.org/file", "type": ["sitePlan.proposed"]}]
    built = PublicSubmissions(deps.documents, schemas).public(replace(record, submission=None), files)
    assert orjson.dumps({**record.submission, "files": files}) == orjson.dumps(built)
    assert built["data"] and built["applicationType"] == "pp.full.householder"


def test_an_original_too_large_for_the_record_keeps_no_prototype_in_the_cache(deps, monkeypatch):
    """The per-process cache of originals holds a prototype only up to SUBMISSION_BYTES (as compact JSON): the
    record of a larger one carries no submission, and the ODP face makes it per request."""
    from services.publication import projection
    from services.publication.odp import submissions
    from shared import reference_data

    schemas = reference_data.odp_schema_dir()
    example = reference_data.odp_examples_dir() / "application" / "planningPermission" / "fullHouseholder.json"
    small, large = (f"{COUNCIL}/submissions/{uuid.uuid4()}.json" for _ in range(2))
    for key in (small, large):
        deps.documents.put(key, example.read_bytes(), "")
    kept = projection.from_original(deps.documents, small, schemas)
    assert kept.prototype_json is not None and kept.prototype()["applicationType"] == "pp.full.householder"
    monkeypatch.setattr(submissions, "SUBMISSION_BYTES", len(kept.prototype_json) - 1)
    too_large = projection.from_original(deps.documents, large, schemas)
    assert too_large.prototype_json is None and too_large.prototype() is None
    assert too_large.boundary == kept.boundary


def public_urls(council: str) -> set[str]:
    """The `publicUrl`s of the BOPS-compatible face's search over one council."""
    import orjson

    from services.publication import APPLICATIONS
    from services.publication.bops_v2.handler import lambda_handler

    path = f"{APPLICATIONS}/search"
    response = lambda_handler(proxy_event("GET", path, path, None, [("x-client", council.lower())], [], b""))
    assert response["statusCode"] == 200, response
    return {found["application"]["consultation"]["publicUrl"] for found in orjson.loads(response["body"])["data"]}


def test_the_register_keeps_what_the_faces_show_of_each_council_and_the_bops_face_links_with_it(applications):
    from dataclasses import replace

    from events.council import CouncilSettingsChanges
    from services.councils.service import CouncilService
    from services.publication.councils import deployment_fingerprint

    deps = applications
    facts = register(deps).council(COUNCIL)
    assert facts is not None and facts.slug == "demo" and facts.deployment == deployment_fingerprint(deps)
    assert facts.public_base_url == deps.council_settings(COUNCIL).public_base_url
    CouncilService(deps.event_store, deps.clock).change_settings(
        COUNCIL, CouncilSettingsChanges(public_base_url="https://planning.demo.example")
    )
    deliver_all(deps)
    facts = register(deps).council(COUNCIL)
    assert facts is not None and facts.public_base_url == "https://planning.demo.example"
    assert {url.split("/api/")[0] for url in public_urls(COUNCIL)} == {"https://planning.demo.example"}
    # The face takes the register's facts, not the stream's ...
    register(deps).put_council(replace(facts, public_base_url="https://kept.example", version=facts.version + 1))
    assert {url.split("/api/")[0] for url in public_urls(COUNCIL)} == {"https://kept.example"}
    # ... unless they were made with another deployment config (a redeploy changed it): then the stream's settings.
    register(deps).put_council(replace(facts, public_base_url="https://old.example", version=99, deployment="other"))
    assert {url.split("/api/")[0] for url in public_urls(COUNCIL)} == {"https://planning.demo.example"}


def odp_urls(path: str, headers: list[tuple[str, str]]) -> list[str]:
    """Every absolute URL in an answer of the ODP face."""
    import re

    from services.publication.odp.api import lambda_handler

    response = lambda_handler(proxy_event("GET", path, path, None, headers, [], b""))
    assert response["statusCode"] == 200, response
    return [url for url in re.findall(r'"(https?://[^"]*)"', response["body"]) if "/api/" in url]


def test_the_odp_face_links_with_each_councils_public_base_url_whatever_host_the_request_names(
    applications, monkeypatch
):
    """The ODP face built its links from the request's Host header: a request naming another host got links to that
    site, in answers any cache keeps for a minute and hands to the next reader."""
    from events.council import CouncilSettingsChanges
    from services.councils.service import CouncilService
    from shared import reference_data, wiring

    monkeypatch.setenv("BOPS_ODP_SCHEMA_DIR", str(reference_data.odp_schema_dir()))
    wiring.reset()
    deps = wiring.dependencies()
    CouncilService(deps.event_store, deps.clock).change_settings(
        COUNCIL, CouncilSettingsChanges(public_base_url="https://planning.demo.example")
    )
    notice = DecisionNoticeIssued(document_id="n1", key="k", sha256=SHA, size=1, content_type="text/html")
    append(deps, "26-00001-HAPP", notice, side=True, council="OTHR")
    determined = PlanningApplicationDetermined(
        decision="granted", decision_date=date(2026, 3, 3), notice_document_id="n1"
    )
    append(deps, "26-00001-HAPP", determined, council="OTHR")
    deliver_all(deps)
    hostile = [("Host", "attacker.example"), ("X-Forwarded-Proto", "https")]
    odp = "/api/@next/public/applications"
    listed = odp_urls(odp, hostile)  # every council's applications, no x-client
    shown = odp_urls(f"{odp}/26-00002-HAPP", [*hostile, ("x-client", "demo")])
    documents = odp_urls(f"{odp}/26-00002-HAPP/documents", [*hostile, ("x-client", "demo")])
    assert listed and shown and documents
    bases = {url.split("/api/")[0] for url in listed}
    assert bases == {"https://planning.demo.example", deps.council_settings("OTHR").public_base_url}
    assert {url.split("/api/")[0] for url in shown + documents} == {"https://planning.demo.example"}
    assert all("/api/@next/public/applications/" in url for url in listed + shown + documents)


@pytest.mark.parametrize(
    ("context", "address"),
    [
        (
            {"domainName": "abc123.execute-api.eu-west-2.amazonaws.com", "stage": "api"},
            "https://abc123.execute-api.eu-west-2.amazonaws.com/api",
        ),
        ({"domainName": "planning.borchester.example.org", "stage": "api"}, "https://planning.borchester.example.org"),
        ({"domainName": "evil.example/x?", "stage": "api"}, None),
        ({"domainName": "localhost", "stage": "api"}, None),
        ({}, None),
    ],
)
def test_on_aws_a_council_without_a_base_url_is_reached_at_the_address_api_gateway_names(context, address):
    """What the faces link to on AWS when the council has no public base URL of its own: API Gateway's request
    context (not the client's Host header), with the stage prefix that an execute-api address needs."""
    from services.publication.councils import api_address

    assert api_address(context) == address


def test_a_rebuild_writes_every_councils_facts_and_its_swap_carries_them(applications):
    from dataclasses import replace

    from services.publication.projection import rebuild_into
    from services.publication.read_model.sqlite import SqlitePublicRegister

    deps = applications
    rebuilt = SqlitePublicRegister(deps.settings.read_models_path, prefix="public_facts_test")
    rebuild_into(deps, rebuilt, lambda done: None)
    made = {code: rebuilt.council(code) for code in ("DEMO", "OTHR")}
    assert {code: facts.slug for code, facts in made.items() if facts} == {"DEMO": "demo", "OTHR": "other"}
    other = made["OTHR"]
    assert other is not None
    rebuilt.put_council(replace(other, version=99))
    register(deps).swap_in(rebuilt)
    assert register(deps).council("OTHR") == replace(other, version=99)
