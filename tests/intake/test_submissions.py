"""Every real ODP example ingests through the HTTP API of the embedded system; bad input is refused, nothing stored."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.odp import reference_suffix
from tests.intake.support import auth, create_council, example_paths, prepared, serve_files, type_code

COLLECTION = "/api/v2/planning_applications"


@pytest.fixture
def file_base():
    yield from serve_files()


@pytest.fixture
def key(runtime, file_base):
    return create_council(runtime, "TST", hosts=(file_base.removeprefix("http://"),))


def head(runtime) -> int:
    return runtime.deps.event_store.head_position()


def test_there_are_31_examples(odp_dir):
    assert len(example_paths()) == 31


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_example_is_accepted_with_its_documents(runtime, key, file_base, path):
    payload = prepared(path, "TST", file_base)
    status, headers, body = runtime.client.request("POST", COLLECTION, payload, auth(key))
    assert status == 201, body
    reference = body["reference"]
    code = type_code(payload)
    assert reference.endswith("-" + reference_suffix(code))
    assert body["id"] == reference and body["message"] == "Application created"
    assert body["fullReference"] == f"TST-{reference}"
    assert headers["Location"] == f"{COLLECTION}/{reference}"
    assert runtime.relay.drain(timeout=30)
    status, _, record = runtime.client.request("GET", f"{COLLECTION}/{reference}", headers=auth(key))
    assert status == 200
    assert record["applicationType"]["value"] == code
    assert record["status"] == "not_started"
    submitted_address = payload["data"]["property"]["address"]
    assert record["submission"]["site"]["address"]
    assert submitted_address.get("singleLine", submitted_address.get("title")) in record["submission"]["site"][
        "address"
    ] or record["submission"]["site"]["address"] == submitted_address.get("title")
    assert record["description"] == payload["data"].get("proposal", {}).get("description")
    files = payload.get("files", [])
    assert [d["fileIndex"] for d in record["documents"]] == list(range(len(files)))
    assert record["documentFetchFailures"] == []
    for document, item in zip(record["documents"], files, strict=True):
        expected_tags = [t["value"] if isinstance(t, dict) else t for t in item["type"]]
        assert document["tags"] == expected_tags
        assert document["contentType"] in ("application/pdf", "image/png", "image/jpeg")


@pytest.mark.parametrize("path", example_paths()[::5], ids=lambda p: p.stem)
def test_original_planx_urls_are_accepted_and_recorded_as_fetch_failures(runtime, key, path):
    payload = prepared(path, "TST", file_base=None)
    status, _, body = runtime.client.request("POST", COLLECTION, payload, auth(key))
    assert status == 201
    assert runtime.relay.drain(timeout=30)
    _, _, record = runtime.client.request("GET", f"{COLLECTION}/{body['reference']}", headers=auth(key))
    assert record["documents"] == []
    assert len(record["documentFetchFailures"]) == len(payload.get("files", []))
    assert all("allowlist" in f["reason"] for f in record["documentFetchFailures"])


def test_references_count_on_per_council(runtime, key):
    references = []
    for path in example_paths()[:3]:
        _, _, body = runtime.client.request("POST", COLLECTION, prepared(path, "TST", None), auth(key))
        references.append(body["reference"])
    assert [int(r.split("-")[1]) for r in references] == [1, 2, 3]


def test_the_same_submission_twice_returns_the_existing_application(runtime, key):
    payload = prepared(example_paths()[0], "TST", None)
    first = runtime.client.request("POST", COLLECTION, payload, auth(key))
    again = runtime.client.request("POST", COLLECTION, payload, auth(key))
    assert first[0] == 201 and again[0] == 200
    assert again[2]["reference"] == first[2]["reference"]
    changed = json.loads(json.dumps(payload))
    changed["data"]["proposal"]["description"] = "Something else entirely"
    status, _, body = runtime.client.request("POST", COLLECTION, changed, auth(key))
    assert status == 409 and first[2]["reference"] in body["error"]["message"]


def test_fifty_concurrent_posts_of_one_submission_create_one_application(runtime, key):
    payload = prepared(example_paths()[1], "TST", None)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda _: runtime.client.request("POST", COLLECTION, payload, auth(key)), range(50)))
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200] * 49 + [201]
    assert len({body["reference"] for _, _, body in results}) == 1
    applications = [s for s in runtime.deps.event_store.stream_ids("application:TST:") if s.count(":") == 2]
    assert len(applications) == 1


def mutations(payload: dict) -> dict[str, tuple[dict, str]]:
    """Named invalid variants of a payload, each with a path the refusal must name."""

    def variant(change) -> dict:
        copy = json.loads(json.dumps(payload))
        change(copy)
        return copy

    return {
        "missing applicant": (variant(lambda p: p["data"].pop("applicant")), "/data"),
        "wrong type": (
            variant(lambda p: p["data"]["property"].__setitem__("address", "a string")),
            "/data/property/address",
        ),
        "extra property": (variant(lambda p: p["metadata"].__setitem__("surprise", True)), "/metadata"),
        "id not a uuid": (variant(lambda p: p["metadata"].__setitem__("id", "not-a-uuid")), "/metadata/id"),
    }


@pytest.mark.parametrize("path", [example_paths()[4], example_paths()[20]], ids=lambda p: p.stem)
def test_mutated_payloads_are_refused_with_paths_and_store_nothing(runtime, key, path):
    payload = prepared(path, "TST", None)
    before = head(runtime)
    for name, (bad, expected_path) in mutations(payload).items():
        status, _, body = runtime.client.request("POST", COLLECTION, bad, auth(key))
        assert status == 422, name
        paths = [item["path"] for item in body["error"]["detail"]]
        assert any(p.startswith(expected_path) for p in paths), (name, paths)
    assert head(runtime) == before
    assert not list((runtime.deps.settings.documents_path).rglob("*.json"))


def test_unknown_application_type_is_refused(runtime, key):
    payload = prepared(example_paths()[20], "TST", None)
    payload["applicationType"] = "pp.full.imaginary"
    status, _, body = runtime.client.request("POST", COLLECTION, payload, auth(key))
    assert status == 422 and "pp.full.imaginary" in json.dumps(body)


def test_malformed_wrong_type_and_oversized_bodies(runtime, key):
    headers = {**auth(key), "Content-Type": "application/json"}
    status, _, body = runtime.client.request("POST", COLLECTION, b"{not json", headers)
    assert status == 400 and "JSON" in body["error"]["message"]
    status, _, _ = runtime.client.request("POST", COLLECTION, b"<xml/>", {**auth(key), "Content-Type": "text/xml"})
    assert status == 415
    status, _, _ = runtime.client.request("POST", COLLECTION, b" " * (6 * 1024 * 1024 + 1), headers)
    assert status == 413
    assert head(runtime) == runtime.deps.event_store.head_position()


def test_authentication_scopes_and_tenancy(runtime, key, file_base):
    payload = prepared(example_paths()[0], "TST", None)
    assert runtime.client.request("POST", COLLECTION, payload)[0] == 401
    assert runtime.client.request("POST", COLLECTION, payload, auth("bops_nope_nope"))[0] == 401
    read_only = create_council(runtime, "TST", scopes=("planning_application:read",))
    assert runtime.client.request("POST", COLLECTION, payload, auth(read_only))[0] == 403
    other = create_council(runtime, "OTH")
    status, _, body = runtime.client.request("POST", COLLECTION, payload, auth(other))
    assert status == 403 and "organisation" in body["error"]["message"]
    _, _, created = runtime.client.request("POST", COLLECTION, payload, auth(key))
    assert runtime.client.request("GET", f"{COLLECTION}/{created['reference']}", headers=auth(other))[0] == 404
    assert runtime.client.request("GET", f"{COLLECTION}/{created['reference']}", headers=auth(key))[0] == 200


def test_a_revoked_key_stops_working_at_once(runtime, key):
    from services.councils.service import CouncilService

    service = CouncilService(runtime.deps.event_store, runtime.deps.clock)
    [view] = [k for k in service.list_api_keys("TST")]
    service.revoke_api_key("TST", view.id)
    assert runtime.relay.drain(timeout=10)
    payload = prepared(example_paths()[0], "TST", None)
    assert runtime.client.request("POST", COLLECTION, payload, auth(key))[0] == 401


def test_openapi_document_and_docs_page(runtime):
    status, _, document = runtime.client.request("GET", "/api/v2/openapi.json")
    assert status == 200 and COLLECTION in document["paths"]
    assert "post" in document["paths"][COLLECTION]
    status, _, page = runtime.client.request("GET", "/api/v2/docs")
    assert status == 200 and b"planning_applications" in page


def test_a_council_can_override_a_reference_suffix(runtime, key, odp_dir):
    from events.council import CouncilSettingsChanges
    from services.councils.service import CouncilService

    CouncilService(runtime.deps.event_store, runtime.deps.clock).change_settings(
        "TST", CouncilSettingsChanges(reference_suffixes={"pp.full.householder": "HH"})
    )
    householder = odp_dir / "examples/application/planningPermission/fullHouseholder.json"
    status, _, body = runtime.client.request("POST", COLLECTION, prepared(householder, "TST", None), auth(key))
    assert status == 201 and body["reference"].endswith("-HH")
