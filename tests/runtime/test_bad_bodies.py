"""Bodies that are not UTF-8 JSON, or JSON nested too deep, are refused with a 4xx and a reason, never a 5xx."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.intake.support import auth, create_council

COLLECTION = "/api/v2/planning_applications"


@pytest.fixture
def key(runtime):
    return create_council(runtime, "TST")


def nested(depth: int) -> bytes:
    return b'{"metadata": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"


BODIES = {
    "raw bytes": bytes(range(256)),
    "gzip": gzip.compress(b'{"metadata": {"id": "x"}}'),
    "latin-1": '{"applicant": "Zoë Brontë"}'.encode("latin-1"),
    "utf-16": '{"a": 1}'.encode("utf-16"),
    "lone surrogate": b'{"a": "\xed\xa0\x80"}',
    "nested 60 (past the depth check, refused by the schema)": nested(60),
    "nested 300": nested(300),
    "nested 1000": nested(1000),
    "arrays nested 1000": b"[" * 1000 + b"]" * 1000,
    "nested 100000": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_bodies_that_are_not_utf8_json_or_are_too_deep_are_4xx_with_a_reason(runtime, key, body, content_type):
    before = runtime.deps.event_store.head_position()
    status, _, answer = runtime.client.request("POST", COLLECTION, body, {**auth(key), "Content-Type": content_type})
    assert status in (400, 422), (status, answer)
    assert answer["error"]["message"]
    assert runtime.deps.event_store.head_position() == before


def test_a_deep_body_names_the_depth_limit(runtime, key):
    status, _, answer = runtime.client.request(
        "POST", COLLECTION, nested(1000), {**auth(key), "Content-Type": "application/json"}
    )
    assert status == 400 and "deep" in json.dumps(answer)
