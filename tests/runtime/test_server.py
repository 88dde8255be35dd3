"""The embedded HTTP server turns requests into API Gateway REST proxy events and proxy responses back."""

from __future__ import annotations

import http.client
import json
import threading

import pytest

from bops.asgi import HttpLimits, ProxyApp
from bops.routing import Router
from tests.runtime.serving import FUNCTIONS, call_asgi, running_server


@pytest.fixture
def server():
    with running_server(HttpLimits(max_body_bytes=1024)) as instance:
        yield instance


def call(server, method, path, body=None, headers=()):
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    connection.putrequest(method, path)
    for name, value in headers:
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(body or b"")))
    connection.endheaders(body)
    response = connection.getresponse()
    raw = response.read()
    return response.status, response.getheaders(), json.loads(raw) if raw else None


def test_binary_body_arrives_base64_with_path_parameters(server):
    payload = bytes(range(256))
    status, _, body = call(server, "POST", "/things/42/files", payload, [("Content-Type", "application/pdf")])
    assert status == 200
    assert body["base64"] is True and bytes.fromhex(body["body_hex"]) == payload
    assert body["pathParameters"] == {"thing_id": "42"} and body["resource"] == "/things/{thing_id}/files"


def test_path_parameters_are_percent_decoded_and_the_path_kept_as_sent(server):
    """As API Gateway's REST proxy integration gives them: `pathParameters` decoded (an encoded `/` within its
    segment, a `+` left a `+`), `path` as the request sent it."""
    status, _, body = call(server, "POST", "/things/26-00001%2DHAPP/files", b"", [("Content-Type", "text/plain")])
    assert status == 200 and body["pathParameters"] == {"thing_id": "26-00001-HAPP"}
    assert body["path"] == "/things/26-00001%2DHAPP/files"
    status, _, body = call(server, "POST", "/things/a%2Fb+c%20d%E2%82%AC/files", b"", [("Content-Type", "text/plain")])
    assert status == 200 and body["pathParameters"] == {"thing_id": "a/b+c d\u20ac"}


def test_text_body_is_passed_as_text(server):
    status, _, body = call(server, "POST", "/things/a/files", b'{"x": 1}', [("Content-Type", "application/json")])
    assert status == 200 and body["base64"] is False and bytes.fromhex(body["body_hex"]) == b'{"x": 1}'


def test_multi_value_headers_and_query_in_and_several_set_cookie_out(server):
    status, headers, body = call(server, "GET", "/things?tag=a&tag=b", headers=[("X-Many", "1"), ("X-Many", "2")])
    assert status == 200
    assert body["query"] == {"tag": ["a", "b"]}
    assert body["headers"]["X-Many"] == ["1", "2"]
    assert [v for k, v in headers if k.lower() == "set-cookie"] == ["a=1; Path=/", "b=2; Path=/"]


def test_unknown_paths_and_methods(server):
    assert call(server, "GET", "/nothing")[0] == 404
    assert call(server, "DELETE", "/things")[0] == 405


def test_head_is_answered_as_the_get_without_its_body(server):
    """HEAD on a GET route was 405: uptime probes and link checkers that ask HEAD were told the page did not exist."""
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    answers = {}
    for method in ("HEAD", "GET", "HEAD"):  # one keep-alive connection: a body after a HEAD would break the next
        connection.request(method, "/second/b")
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders() if name.lower() != "date"}
        answers[method] = (response.status, headers, response.read())
    head, get = answers["HEAD"], answers["GET"]
    assert head[0] == get[0] == 200 and head[2] == b"" and json.loads(get[2]) == {"path": "/second/b"}
    assert head[1] == get[1] and head[1]["content-length"] == str(len(get[2]))


def test_head_goes_through_the_authorizer_as_the_get(server):
    assert call(server, "HEAD", "/private", headers=[("Authorization", "Bearer unknown")])[:3:2] == (401, None)
    assert call(server, "HEAD", "/private", headers=[("Authorization", "Bearer good")])[:3:2] == (200, None)
    assert call(server, "HEAD", "/health")[:3:2] == (200, None)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("DELETE", "/things", "GET, HEAD"), ("GET", "/things/1/files", "POST"), ("POST", "/health", "GET, HEAD")],
)
def test_method_not_allowed_names_the_methods_the_path_has(server, method, path, allowed):
    status, headers, body = call(server, method, path)
    allow = [value for name, value in headers if name.lower() == "allow"]
    assert (status, allow, body) == (405, [allowed], {"message": "Method Not Allowed"})


def test_bodies_over_the_limit_are_refused(server):
    assert call(server, "POST", "/things/1/files", b"x" * 2048, [("Content-Type", "text/plain")])[0] == 413


def test_health(server):
    status, _, body = call(server, "GET", "/health")
    assert (status, body) == (200, {"status": "ok"})


DETAILED_HEALTH = {"status": "ok", "caught_up": True, "version": "1.0", "log_position": 4217, "subscribers": {}}


def test_health_shows_the_log_and_its_subscribers_only_to_this_machine():
    """`/health` is public and showed `log_position`, the activity of every council, to anyone; an uptime probe
    needs whether it is up and caught up, the operator (on the machine: curl, `make run`'s banner) the rest."""
    with running_server(HttpLimits(max_body_bytes=1024), lambda: dict(DETAILED_HEALTH)) as detailed:
        assert call(detailed, "GET", "/health")[::2] == (200, DETAILED_HEALTH)
        for forwarded in [("X-Forwarded-For", "203.0.113.9"), ("Forwarded", "for=203.0.113.9"), ("X-Real-IP", "x")]:
            assert call(detailed, "GET", "/health", headers=[forwarded])[::2] == (
                200,
                {"status": "ok", "caught_up": True},
            )


def test_health_from_another_machine_is_status_and_caught_up():
    """The application as uvicorn calls it, for a client on another machine (the tests have only loopback)."""
    limits = HttpLimits(max_body_bytes=1024)
    app = ProxyApp(
        Router(FUNCTIONS),
        "tests.runtime.sample_handlers.allow_all",
        lambda: dict(DETAILED_HEALTH),
        limits,
        lambda: None,
    )
    scope = {"type": "http", "method": "GET", "raw_path": b"/health", "query_string": b"", "headers": []}
    try:
        for client in [("203.0.113.9", 5000), ("2001:db8::1", 5000), ("10.0.0.2", 5000)]:
            sent = call_asgi(app, {**scope, "client": client})
            assert sent[0]["status"] == 200 and json.loads(sent[1]["body"]) == {"status": "ok", "caught_up": True}
        sent = call_asgi(app, {**scope, "client": ("::1", 5000)})
        assert json.loads(sent[1]["body"]) == DETAILED_HEALTH
    finally:
        app.executor.shutdown()


def test_authorizer_answers_401_403_or_passes_its_context(server):
    assert call(server, "GET", "/private", headers=[("Authorization", "Bearer unknown")])[0] == 401
    assert call(server, "GET", "/private", headers=[("Authorization", "Bearer no-scope")])[0] == 403
    status, _, body = call(server, "GET", "/private", headers=[("Authorization", "Bearer good")])
    assert status == 200 and body["authorizer"] == {"principalId": "good", "council": "DEMO"}


def test_a_json_body_that_is_not_utf8_arrives_base64_unaltered(server):
    payload = '{"name": "Zoë"}'.encode("latin-1")
    status, _, body = call(server, "POST", "/things/a/files", payload, [("Content-Type", "application/json")])
    assert status == 200 and body["base64"] is True and bytes.fromhex(body["body_hex"]) == payload


def test_accepted_connections_send_without_waiting(server):
    """TCP_NODELAY on every accepted socket: without it, a keep-alive client waits about 40 ms for each answer
    (Nagle's algorithm holding the body until the headers' segment is acknowledged, acknowledgements delayed)."""
    import socket

    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    connection.request("GET", "/things")
    connection.getresponse().read()
    sockets = [protocol.transport.get_extra_info("socket") for protocol in server._server.server_state.connections]
    assert sockets, "the keep-alive connection is open on the server"
    assert all(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for sock in sockets)
    connection.close()


def test_a_handler_reads_its_own_request_while_another_handler_runs(server):
    """Powertools keeps the request being resolved in one attribute shared by every resolver of the process (one
    request at a time, as in Lambda); the server runs handlers on several threads, so a handler that read its request
    after another request had started read that one: an intake submission was refused as lacking its key's scope
    because it read an officer request's authorizer context."""
    answers: dict[str, tuple] = {}
    first = threading.Thread(
        target=lambda: answers.update(first=call(server, "GET", "/first/a", headers=[("Authorization", "Bearer good")]))
    )
    first.start()
    answers["second"] = call(server, "GET", "/second/b")
    first.join(10)
    assert answers["second"][0] == 200 and answers["second"][2]["path"] == "/second/b"
    status, _, body = answers["first"]
    assert status == 200 and body == {"path": "/first/a", "authorizer": {"principalId": "good", "council": "DEMO"}}
