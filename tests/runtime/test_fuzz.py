"""Fuzzing `bops serve`'s HTTP API (hypothesis): any method, path, headers and body get a JSON answer below 500.

Bodies range from random bytes and random JSON to real ODP examples with one part replaced by something random, so
the fuzzer reaches schema validation and acceptance as well as the refusals in front of them. Bounded in examples so
the suite stays fast; a failure prints the request that caused it.
"""

from __future__ import annotations

import copy
import http.client
import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bops.asgi import HttpLimits
from bops.routing import KNOWN_METHODS
from tests.intake.support import create_council, example_paths, prepared
from tests.runtime.serving import exchange, running_server

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
COLLECTION = "/api/v2/planning_applications"
TOKEN = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"), max_size=40)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=40,
)


def paths_in(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_in(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_in(child, (*prefix, index))
    return found


@st.composite
def mutated_examples(draw: st.DrawFn) -> bytes:
    """A real ODP example for the test council, as it is or with one value (or the whole document) replaced."""
    payload = prepared(draw(st.sampled_from(example_paths())), "TST", None)
    if draw(st.booleans()):
        return json.dumps(payload).encode()  # as it is: accepted
    path = draw(st.sampled_from(paths_in(payload)))
    replacement = draw(json_values)
    if not path:
        return json.dumps(replacement).encode()
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = replacement
    return json.dumps(copy.deepcopy(payload)).encode()


def nested(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


bodies = st.one_of(
    st.just(b""),
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
    json_values.map(lambda value: json.dumps(value).encode("utf-16")),
    st.integers(1, 3000).map(nested),
    mutated_examples(),
)
paths = st.one_of(
    st.sampled_from([COLLECTION, "/api/v2/openapi.json", "/api/v2/docs", "/health", "/", "/api/v2"]),
    st.text(TOKEN + "%/", max_size=30).map(lambda reference: f"{COLLECTION}/{reference}"),
    st.text(TOKEN + "%/?=&", max_size=30).map(lambda tail: "/" + tail),
)
methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]) | st.text(TOKEN, min_size=1)
CONTENT_TYPES = {
    "json": st.sampled_from(["application/json", "application/json; charset=utf-8", "Application/JSON"]),
    "other": st.sampled_from(["text/plain", "application/octet-stream", "application/xml", ""]),
    "random": VALUE.filter(lambda value: value.strip() == value),
}
content_types = st.sampled_from(["json"] * 6 + ["other", "random"]).flatmap(CONTENT_TYPES.__getitem__)


@pytest.fixture
def keys(runtime) -> dict[str, str]:
    return {
        "write and read": create_council(runtime, "TST"),
        "read only": create_council(runtime, "TST", scopes=("planning_application:read",)),
        "another council": create_council(runtime, "OTH"),
    }


def send(runtime, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> tuple[int, str, bytes]:
    host, port = runtime.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in [*headers, ("Content-Length", str(len(body)))]:
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def authorization(keys: dict[str, str], key: str | None) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {keys.get(key, 'bops_garbage')}")] if key else []


KEYS = st.sampled_from(["write and read", "write and read", "read only", "another council", None, "garbage"])


@FUZZ
@given(
    key=KEYS,
    content_type=content_types,
    extra=st.lists(st.tuples(st.text(TOKEN, min_size=1, max_size=20), VALUE), max_size=5),
    body=bodies,
)
def test_submissions_never_get_5xx(runtime, keys, key, content_type, extra, body):
    headers = [*authorization(keys, key), *([("Content-Type", content_type)] if content_type else [])]
    headers += [(name, value.strip()) for name, value in extra]
    status, answer_type, answer = send(runtime, "POST", COLLECTION, headers, body)
    assert status < 500, (status, answer[:500])
    assert answer_type == "application/json", answer[:200]


@FUZZ
@given(method=methods, path=paths, key=KEYS, body=st.binary(max_size=100))
def test_any_method_and_path_gets_json_below_500_or_501_for_unknown_methods(runtime, keys, method, path, key, body):
    status, answer_type, answer = send(runtime, method, path, authorization(keys, key), body)
    unknown_method = method not in KNOWN_METHODS and status == 501
    assert status < 500 or unknown_method, (status, answer[:500])
    assert answer_type.startswith(("application/json", "text/html")), answer[:200]  # HTML only for /api/v2/docs


@settings(FUZZ, max_examples=100)
@given(
    request_line=st.binary(max_size=60) | st.sampled_from([b"GET /things HTTP/1.1", b"POST /things/1/files HTTP/1.1"]),
    header_lines=st.lists(st.binary(max_size=60), max_size=8),
    body=st.binary(max_size=100),
)
def test_malformed_requests_are_answered_below_500_or_closed(http_server, request_line, header_lines, body):
    raw = b"\r\n".join([request_line, b"Host: test", *header_lines, b"Connection: close"]) + b"\r\n\r\n" + body
    answer = exchange(http_server, raw, timeout=10)
    if answer:  # nothing at all is a closed connection: fine for garbage
        status = int(answer.split(b" ", 2)[1])
        assert status < 500 or (status == 501 and b'"message"' in answer), answer[:500]
        assert b"content-type: application/json" in answer.split(b"\r\n\r\n")[0].lower(), answer[:500]


@pytest.fixture(scope="module")
def http_server():
    with running_server(HttpLimits(max_body_bytes=1024, request_head_timeout=2, body_timeout=2)) as instance:
        yield instance
