"""Intake throughput through `bops serve`, against the same work done in one process without HTTP.

Starts its own `bops serve` on a fresh data directory, a local file server, a council with its allowlist and a key,
then posts distinct submissions (fresh ids, the ODP examples in turn) from a separate process. The last line is one
JSON object: submissions_per_s, p99_ms, inprocess_per_s, ratio, drain_s. Target: submissions_per_s >= 200.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
from shared import reference_data  # noqa: E402

ODP = reference_data.odp_dir()
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "2000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
COUNCIL = "BNCH"
WORK = PROJECT / ".bops-bench"  # data directories beside the project, as `bops serve` keeps its own
PDF = b"%PDF-1.4\n" + b"0" * 2048 + b"\n%%EOF\n"


def examples() -> list[dict]:
    folders = [ODP / "examples" / "application", ODP / "examples" / "prototypeApplication"]
    paths = [p for folder in folders for p in sorted(folder.rglob("*.json"))]
    paths.append(ODP / "examples" / "preApplication" / "preApp.json")
    return [json.loads(p.read_text()) for p in paths]


def bodies(count: int, file_base: str) -> list[bytes]:
    """Distinct submissions: the examples in turn, each with a fresh metadata.id and local file URLs."""
    loaded = examples()
    result = []
    for index in range(count):
        payload = json.loads(json.dumps(loaded[index % len(loaded)]))
        payload["metadata"]["id"] = str(uuid.uuid4())
        payload["metadata"]["organisation"] = COUNCIL
        if os.environ.get("BENCH_NO_FILES"):
            payload["files"] = []
        for number, item in enumerate(payload.get("files", [])):
            item["name"] = f"{file_base}/files/{index}-{number}.pdf"
        result.append(json.dumps(payload).encode())
    return result


class Files(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(PDF)))
        self.end_headers()
        self.wfile.write(PDF)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bops(data_dir: Path, *args: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bops.cli", *args, "--data-dir", str(data_dir)],
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def health(port: int) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/health")
    return json.loads(connection.getresponse().read())


def post_all(port: int, key: str, payloads: list[bytes], results: multiprocessing.Queue) -> None:
    """Runs in a separate process: post every payload over keep-alive connections, CLIENTS at a time."""
    local = threading.local()

    def post(body: bytes) -> tuple[int, float]:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        connection.request(
            "POST",
            "/api/v2/planning_applications",
            body,
            {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = list(pool.map(post, payloads))
    results.put((time.perf_counter() - started, outcomes, time.time()))


def in_process(payloads: list[bytes], file_base: str) -> float:
    """The same submissions validated and appended in one process, no HTTP: the floor's counterpart."""
    from bops import environment
    from services.councils.service import CouncilService
    from shared.wiring import dependencies

    with tempfile.TemporaryDirectory(dir=WORK) as directory:
        environment.configure(Path(directory))
        deps = dependencies()
        councils = CouncilService(deps.event_store, deps.clock)
        councils.create_council(COUNCIL, "Benchmark Council", "bench")
        from events import Actor
        from services.intake.api import intake

        service = intake()
        actor = Actor(kind="api_client", id="bench", display_name="bench")
        started = time.perf_counter()
        for body in payloads:
            service.submit(COUNCIL, body, json.loads(body), actor)
        return len(payloads) / (time.perf_counter() - started)


def main() -> None:
    files = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    file_base = f"http://localhost:{files.server_address[1]}"  # download allowlists refuse loopback addresses
    payloads = bodies(SUBMISSIONS, file_base)
    WORK.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK) as directory:
        data_dir = Path(directory) / "data"
        bops(data_dir, "councils", "create", COUNCIL, "--name", "Benchmark Council", "--slug", "bench", "--json")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bops.cli",
                "councils",
                "set",
                COUNCIL,
                "--allow-download-host",
                file_base.removeprefix("http://"),
                "--data-dir",
                str(data_dir),
            ],
            cwd=PROJECT,
            check=True,
            capture_output=True,
        )
        key = bops(
            data_dir,
            "api-keys",
            "create",
            "--council",
            COUNCIL,
            "--name",
            "bench",
            "--scope",
            "planning_application:write",
            "--json",
        )["key"]
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOPS_")}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bops.cli",
                "serve",
                "--quiet",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                *(["--workers", os.environ["BENCH_WORKERS"]] if "BENCH_WORKERS" in os.environ else []),
            ],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    health(port)
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"posting {len(payloads)} submissions with {CLIENTS} clients", flush=True)
            spawn = multiprocessing.get_context("spawn")
            results = spawn.Queue()
            poster = spawn.Process(target=post_all, args=(port, key, payloads, results))
            poster.start()
            elapsed, outcomes, finished_at = results.get(timeout=280)
            poster.join()
            while not health(port)["caught_up"]:
                time.sleep(0.05)
            drain_s = time.time() - finished_at
        finally:
            server.terminate()
            server.wait(20)
    created = [ms for status, ms in outcomes if status == 201]
    failures = [status for status, _ in outcomes if status != 201]
    latencies = sorted(ms for _, ms in outcomes)
    per_s = len(created) / elapsed
    print(f"{len(created)} created, {len(failures)} not ({sorted(set(failures))}), in {elapsed:.2f} s", flush=True)
    inprocess = in_process(payloads[: min(len(payloads), 1000)], file_base)
    print(
        json.dumps(
            {
                "submissions_per_s": round(per_s, 1),
                "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
                "inprocess_per_s": round(inprocess, 1),
                "ratio": round(per_s / inprocess, 3),
                "drain_s": round(drain_s, 2),
                "submissions": len(payloads),
                "clients": CLIENTS,
            }
        )
    )


if __name__ == "__main__":
    main()
