"""`bops serve` as a council would run it: first start, demo logins, frozen time, and a restart that loses nothing."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import PROJECT, Client
from tests.intake.support import prepared
from tests.runtime.bops_process import start, stop

pytestmark = pytest.mark.slow


def test_first_start_restart_and_frozen_time(tmp_path, odp_dir):
    data_dir = tmp_path / "data"
    process = start(data_dir, "--now", "2026-03-02T10:00:00Z")
    client = Client(process.url)
    try:
        status, _, health = client.request("GET", "/health")
        assert status == 200 and health["version"] and health["now"].startswith("2026-03-02T10:00:00")
        logins = json.loads((data_dir / "demo-logins.json").read_text())
        assert (data_dir / "demo-logins.json").stat().st_mode & 0o077 == 0
        payload = prepared(odp_dir / "examples/application/planningPermission/fullHouseholder.json", "DEMO", None)
        headers = {"Authorization": f"Bearer {logins['api_key']}"}
        status, _, created = client.request("POST", "/api/v2/planning_applications", payload, headers)
        assert status == 201 and created["reference"] == "26-00001-HAPP"
        for _ in range(400):  # every subscriber's lane at the head: up to 20 s on a loaded machine
            if client.request("GET", "/health")[2]["caught_up"]:
                break
            time.sleep(0.05)
        assert client.request("GET", "/health")[2]["caught_up"]
    finally:
        output = stop(process)
    assert f"BOPS is running at {process.url}" in output
    for officer in logins["officers"]:
        assert officer["email"] in output and officer["password"] in output
    assert logins["api_key"] in output and "curl" in output

    process = start(data_dir)
    client = Client(process.url)
    try:
        status, _, record = client.request(
            "GET", f"/api/v2/planning_applications/{created['reference']}", None, headers
        )
        assert status == 200 and record["receivedAt"].startswith("2026-03-02T10:00:00")
        status, _, again = client.request("POST", "/api/v2/planning_applications", payload, headers)
        assert status == 200 and again["reference"] == created["reference"]
    finally:
        output = stop(process)
    assert logins["officers"][0]["password"] in output
    listed = subprocess.run(
        [sys.executable, "-m", "bops.cli", "officers", "list", "--json", "--data-dir", str(data_dir)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(listed.stdout)["officers"]) == 3


@pytest.mark.parametrize("workers", ["0", "2"])
def test_serve_with_and_without_worker_processes_enforces_the_http_limits(tmp_path, odp_dir, workers):
    process = start(tmp_path / "data", "--workers", workers, "--quiet")
    try:
        answers = []
        for raw in (
            b"BREW / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            b"POST /api/v2/planning_applications HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
            b"POST /api/v2/planning_applications HTTP/1.1\r\nHost: t\r\nContent-Length: 200000000\r\n\r\n",
        ):
            with socket.create_connection(("127.0.0.1", process.port), timeout=10) as sock:
                sock.sendall(raw)
                answers.append(sock.recv(65536).split(b"\r\n", 1)[0])
        assert answers == [
            b"HTTP/1.1 501 Not Implemented",
            b"HTTP/1.1 400 Bad Request",
            b"HTTP/1.1 413 Request Entity Too Large",
        ]
        status, _, health = Client(process.url).request("GET", "/health")
        assert status == 200 and health["status"] == "ok"
    finally:
        output = stop(process)
    assert process.process.returncode == 0, output
    assert "Traceback" not in output
