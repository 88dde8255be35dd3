"""The newcomer's path: `bops serve` prints a command that submits an example whose documents arrive."""

from __future__ import annotations

import json
import re
import shlex
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bops.demo_files import DemoFileServer, jpeg, pdf, png, samples
from shared.eventstore.sqlite import SqliteEventStore
from tests.conftest import PROJECT, Client
from tests.runtime.bops_process import start, stop


def printed_submission(output: str) -> tuple[str, dict[str, str], Path]:
    """The URL, headers and body file of the `curl -X POST` the banner printed."""
    command = re.search(r"curl -sS -X POST .*?--data @\S+", output, re.S)
    assert command, output
    words = shlex.split(command.group(0).replace("\\\n", " "))
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    return words[words.index("POST") + 1], headers, Path(words[-1].removeprefix("@"))


@pytest.mark.slow
def test_the_printed_example_brings_its_documents(tmp_path):
    process = start(tmp_path / "data")
    try:
        banner = process.wait_for("The console shows the same in a browser.")
        signed_in, token = printed_sign_in(banner)
        assert signed_in["role"] == "assessor" and signed_in["council"] == "DEMO"
        url, headers, body = printed_submission(banner)
        request = urllib.request.Request(url, data=body.read_bytes(), headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
            reference = json.loads(response.read())["reference"]
        client = Client(process.url)
        auth = {"Authorization": headers["Authorization"]}
        for _ in range(200):
            status, _, record = client.request("GET", f"/api/v2/planning_applications/{reference}", headers=auth)
            assert status == 200
            if record["filesPending"] == 0:
                break
            time.sleep(0.05)
        assert record["documentFetchFailures"] == []
        case_list = re.search(r"curl -sS -H 'Authorization: Bearer TOKEN' (\S+/planning_applications)\n", banner)
        assert case_list, banner
        for _ in range(200):  # the case list follows the log a moment later
            request = urllib.request.Request(case_list.group(1), headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                listed = [row["reference"] for row in json.loads(response.read())["data"]]
            if listed:
                break
            time.sleep(0.05)
        assert listed == [reference]
        assert [d["contentType"] for d in record["documents"]] == [
            "application/pdf",
            "application/pdf",
            "image/png",
            "image/jpeg",
        ]
    finally:
        stop(process)


def printed_sign_in(output: str) -> tuple[dict, str]:
    """Run the sign-in `curl` the banner printed, then its `/me` one with the token: who signed in, and the token."""
    command = re.search(r"curl -sS -X POST (\S+/session) .*?--data '([^']+)'", output, re.S)
    assert command, output
    request = urllib.request.Request(
        command.group(1), data=command.group(2).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        token = json.loads(response.read())["token"]
    me = re.search(r"curl -sS -H 'Authorization: Bearer TOKEN' (\S+/me)", output)
    assert me, output
    request = urllib.request.Request(me.group(1), headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read()), token


def test_the_demo_file_server_serves_each_sample_and_nothing_else():
    files = DemoFileServer(0).start()
    try:
        assert files.base_url.startswith("http://localhost:")
        for name, (media_type, body) in samples().items():
            with urllib.request.urlopen(f"{files.base_url}/{name}", timeout=5) as response:
                assert response.headers["Content-Type"] == media_type and response.read() == body
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{files.base_url}/../secrets.json", timeout=5)
        assert missing.value.code == 404
    finally:
        files.stop()


def test_the_sample_pdf_has_a_correct_cross_reference_table():
    document = pdf("A (site) plan")
    xref = int(document.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert document[xref:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in document[xref:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert document[offset:].startswith(b"%d 0 obj" % number)
    assert b"(A \\(site\\) plan)" in document


def test_the_sample_png_decodes_to_its_pixels():
    image = png(3, 2, (1, 2, 3))
    chunks, position = {}, 8
    while position < len(image):
        (length,) = struct.unpack(">I", image[position : position + 4])
        kind, data = image[position + 4 : position + 8], image[position + 8 : position + 8 + length]
        assert struct.unpack(">I", image[position + 8 + length : position + 12 + length])[0] == zlib.crc32(kind + data)
        chunks[kind] = data
        position += 12 + length
    assert struct.unpack(">II", chunks[b"IHDR"][:8]) == (3, 2)
    assert zlib.decompress(chunks[b"IDAT"]) == (b"\x00" + b"\x01\x02\x03" * 3) * 2


def test_the_sample_jpeg_is_one_baseline_frame():
    image = jpeg()
    assert image.startswith(b"\xff\xd8") and image.endswith(b"\xff\xd9")
    frame = image.index(b"\xff\xc0")
    assert struct.unpack(">HBHHB", image[frame + 2 : frame + 10]) == (11, 8, 8, 8, 1)


def test_the_demo_council_allowlists_the_file_server_and_follows_its_port(runtime):
    from bops.demo import DEMO_CODE, allow_demo_files, demo_submission, ensure_demo
    from services.councils.service import CouncilService

    councils = CouncilService(runtime.deps.event_store, runtime.deps.clock)
    ensure_demo(councils, runtime.deps.secrets, runtime.options.data_dir)
    allow_demo_files(councils, "localhost:8001")
    head = runtime.deps.event_store.head_position()
    allow_demo_files(councils, "localhost:8001")  # a restart on the same port records nothing
    assert runtime.deps.event_store.head_position() == head
    allow_demo_files(councils, "localhost:9001")
    assert councils.load(DEMO_CODE).settings.allow_download_hosts == ("localhost:9001",)
    example = {"metadata": {"id": "x", "organisation": "LBH"}, "files": [{"name": "https://elsewhere/a.pdf"}] * 5}
    submission = demo_submission(example, "http://localhost:9001")
    assert submission["metadata"]["organisation"] == DEMO_CODE and submission["metadata"]["id"] != "x"
    assert [f["name"].rsplit("/", 1)[0] for f in submission["files"]] == ["http://localhost:9001"] * 5
    assert example["files"][0]["name"] == "https://elsewhere/a.pdf"  # the reference example is left as it was


def test_the_example_is_owner_only_like_the_rest_of_the_data_directory(tmp_path):
    from bops.demo import write_demo_example

    example = write_demo_example(tmp_path / "data", "http://localhost:9999")
    assert example is not None and json.loads(example.read_text())["metadata"]["organisation"] == "DEMO"
    assert example.stat().st_mode & 0o777 == 0o600
    assert example.parent.stat().st_mode & 0o777 == 0o700


class _HeldFiles:
    """A document host that answers only once released, counting the requests that wait (the downloads in flight)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.waiting = threading.Semaphore(0)
        held = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                held.waiting.release()
                held.release.wait(30)
                body = png()
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f"localhost:{self.server.server_address[1]}"


def _refuses(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)
    except urllib.error.HTTPError:
        return False
    except OSError:
        return True
    return False


@pytest.mark.slow
def test_a_stop_lets_the_downloads_in_flight_take_their_demo_files(tmp_path):
    """The demo file server stopped with the HTTP server and the relay, before the deliveries still running had
    finished: a delivery in flight at SIGTERM (or when a worker died) then found it gone and recorded its files as
    DocumentFetchFailed ("localhost refused the connection") for good. It now stops after them."""
    data = tmp_path / "data"
    held = _HeldFiles()
    process = start(data, "--workers", "0")
    try:
        url, headers, body_file = printed_submission(process.wait_for("The console shows the same in a browser."))
        submission = json.loads(body_file.read_text())
        demo_file = submission["files"][0]
        demo_host = urllib.parse.urlsplit(demo_file["name"]).netloc
        subprocess.run(
            [sys.executable, "-m", "bops.cli", "councils", "set", "DEMO", "--allow-download-host", held.host,
             "--allow-download-host", demo_host, "--data-dir", str(data)],
            cwd=PROJECT, check=True, capture_output=True,
        )  # fmt: skip
        # as many held files as one delivery downloads at once, then a demo file: it starts when one of them ends
        submission["files"] = [{**demo_file, "name": f"http://{held.host}/held{n}.png"} for n in range(4)]
        submission["files"].append(demo_file)
        request = urllib.request.Request(url, data=json.dumps(submission).encode(), headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            reference = json.loads(response.read())["reference"]
        for _ in range(4):
            assert held.waiting.acquire(timeout=30)  # the delivery is in flight
    except BaseException:
        held.release.set()
        stop(process)
        raise
    process.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 3  # without the fix, the demo file server is gone within a moment
    while not _refuses(f"http://{demo_host}/") and time.monotonic() < deadline:
        time.sleep(0.05)
    held.release.set()
    process.process.wait(timeout=60)  # the stop lets the delivery in flight finish
    held.server.shutdown()
    output = process.output()
    log = SqliteEventStore(data / "events.sqlite")
    outcomes = [(e.event_type, e.payload.file_index) for e in log.read(f"application:DEMO:{reference}:documents")]
    assert sorted(outcomes, key=lambda o: o[1]) == [("DocumentReceived", n) for n in range(5)], output
