"""The embedded HTTP server against hostile clients over raw sockets: framing, body, header, connection, time limits.

Each case was a defect of the hand-made server this one replaced (a negative Content-Length read 200 MB, a chunked
body was parsed as a second request, idle connections each held a thread forever, unknown methods got HTML).
"""

from __future__ import annotations

import json
import time

import pytest

from bops.asgi import HttpLimits
from tests.runtime.serving import connect, exchange, read_until_closed, running_server

pytestmark = pytest.mark.slow

LIMITS = HttpLimits(
    max_body_bytes=1024,
    max_header_bytes=8192,
    max_headers=50,
    max_connections=20,
    request_head_timeout=1.0,
    body_timeout=1.0,
)
SLACK = 4.0  # seconds a timeout may take beyond its limit on a busy machine


@pytest.fixture(scope="module")
def server():
    with running_server(LIMITS) as instance:
        yield instance


def post(headers: str, body: bytes = b"") -> bytes:
    return f"POST /things/1/files HTTP/1.1\r\nHost: test\r\n{headers}\r\n".encode() + body


def responses(raw: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Every response in a byte stream (status, lower-cased headers, body), framed by Content-Length."""
    found = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict((k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:]))
        length = int(headers.get("content-length", len(rest)))
        found.append((int(lines[0].split()[1]), headers, rest[:length]))
        raw = rest[length:]
    return found


def still_serving(server) -> None:
    [(status, _, body)] = responses(
        exchange(server, b"GET /things HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
    )
    assert status == 200 and json.loads(body)["resource"] == "/things"


@pytest.mark.parametrize("length", ["-5", "-200000000", "abc", "1e3", "5, 6", "5\r\nContent-Length: 6", "0x10", " "])
def test_a_content_length_that_is_not_one_non_negative_integer_is_400_and_closed(server, length):
    started = time.monotonic()
    [(status, headers, body)] = responses(exchange(server, post(f"Content-Length: {length}\r\n", b"hello")))
    assert status == 400 and headers["connection"] == "close"
    assert headers["content-type"] == "application/json" and "Malformed" in json.loads(body)["message"]
    assert time.monotonic() - started < SLACK  # answered at once, not after reading or waiting for a body
    still_serving(server)


def test_an_oversized_content_length_is_413_before_the_body_is_sent(server):
    with connect(server) as sock:
        sock.sendall(post("Content-Length: 200000000\r\nContent-Type: text/plain\r\n"))  # no body at all
        [(status, headers, body)] = responses(read_until_closed(sock))
    assert status == 413 and headers["connection"] == "close" and "1024" in json.loads(body)["message"]


def test_a_chunked_body_is_read_as_the_body_never_as_another_request(server):
    smuggled = b"GET /things HTTP/1.1\r\nHost: test\r\n\r\n"
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (b"0123456789", smuggled)) + b"0\r\n\r\n"
    raw = post("Transfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n", chunks)
    [(status, _, body)] = responses(exchange(server, raw))
    assert status == 200 and bytes.fromhex(json.loads(body)["body_hex"]) == b"0123456789" + smuggled


def test_a_chunked_body_over_the_limit_is_413_and_closed(server):
    chunk = b"x" * 512
    with connect(server) as sock:
        sock.sendall(post("Transfer-Encoding: chunked\r\n"))
        try:
            for _ in range(8):
                sock.sendall(b"200\r\n" + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed once it had seen enough
        [(status, headers, _)] = responses(read_until_closed(sock))
    assert status == 413 and headers["connection"] == "close"


def test_content_length_beside_transfer_encoding_is_refused(server):
    raw = post(
        "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\nGET /things HTTP/1.1\r\nHost: t\r\n\r\n"
    )
    found = responses(exchange(server, raw))
    assert [status for status, _, _ in found] == [400] and found[0][1]["connection"] == "close"


@pytest.mark.parametrize(
    ("method", "status"), [("BREW", 501), ("TRACE", 501), ("PROPFIND", 501), ("DELETE", 405), ("GET", 404)]
)
def test_unknown_methods_and_paths_get_json(server, method, status):
    path = "/nowhere" if status == 404 else "/things"
    [(answered, headers, body)] = responses(
        exchange(server, f"{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".encode())
    )
    assert answered == status and headers["content-type"] == "application/json" and json.loads(body)["message"]


@pytest.mark.parametrize(
    "flood",
    [
        "".join(f"X-Flood-{i}: {i}\r\n" for i in range(60)),  # too many fields, each small
        "X-Big: " + "a" * 9000 + "\r\n",  # one field over the byte limit
        "".join(f"X-Flood-{i}: {'b' * 40}\r\n" for i in range(4000)),  # far over both, larger than h11's buffer
    ],
)
def test_header_floods_are_refused_and_the_server_carries_on(server, flood):
    [(status, headers, body)] = responses(
        exchange(server, f"GET /things HTTP/1.1\r\nHost: test\r\n{flood}\r\n".encode())
    )
    assert status in (400, 431) and headers["content-type"] == "application/json" and json.loads(body)["message"]
    still_serving(server)


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off(server):
    with connect(server, timeout=SLACK + 3) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /things HTTP/1.1\r\nHost: test\r\n")
        closed = False
        while time.monotonic() - started < LIMITS.request_head_timeout + SLACK:
            try:
                sock.sendall(b"X")  # each byte would reset an idle timer
                if sock.recv(1, 0x40) == b"":  # MSG_DONTWAIT
                    closed = True
                    break
            except BlockingIOError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.2)
    assert closed


def test_half_open_connections_are_capped_and_time_out(server):
    idle = [connect(server, timeout=LIMITS.request_head_timeout + SLACK) for _ in range(LIMITS.max_connections)]
    try:
        time.sleep(0.2)
        [(status, headers, _)] = responses(exchange(server, b"GET /things HTTP/1.1\r\nHost: test\r\n\r\n"))
        assert status == 503 and headers["connection"] == "close"
        started = time.monotonic()
        assert all(sock.recv(1) == b"" for sock in idle)  # closed by the server, none ever sent a request
        assert time.monotonic() - started < LIMITS.request_head_timeout + SLACK
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.2)
    still_serving(server)


def test_an_idle_keep_alive_connection_is_closed(server):
    with connect(server, timeout=LIMITS.request_head_timeout + SLACK) as sock:
        sock.sendall(b"GET /things HTTP/1.1\r\nHost: test\r\n\r\n")
        started = time.monotonic()
        [(status, _, _)] = responses(read_until_closed(sock))
    assert status == 200 and time.monotonic() - started < LIMITS.request_head_timeout + SLACK


def test_a_body_that_never_finishes_is_408(server):
    with connect(server, timeout=LIMITS.body_timeout + SLACK) as sock:
        sock.sendall(post("Content-Length: 100\r\nContent-Type: text/plain\r\n", b"only ten.."))
        [(status, headers, _)] = responses(read_until_closed(sock))
    assert status == 408 and headers["connection"] == "close"


def test_keep_alive_and_pipelined_requests_still_work(server):
    request = b"GET /things HTTP/1.1\r\nHost: test\r\n\r\n"
    found = responses(exchange(server, request * 3))
    assert [status for status, _, _ in found] == [200, 200, 200]
