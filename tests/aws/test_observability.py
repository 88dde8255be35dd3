"""Handlers log JSON lines with their Lambda context and publish what they count as CloudWatch embedded metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
CONTEXT = """
class Context:
    function_name = "bops-demo-api-key-authorizer"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:bops-demo-api-key-authorizer"
    aws_request_id = "request-1"
"""
REFUSED = (
    CONTEXT
    + """
from services.councils.authorizer import Unauthorized, lambda_handler
for _ in range(2):
    try:
        lambda_handler({"headers": {}, "methodArn": "arn:aws:execute-api:eu-west-2:1:api/prod/POST/x"}, Context())
    except Unauthorized:
        pass
"""
)
COUNTED = (
    CONTEXT
    + """
from shared.observability import count, logger, observed

@observed
def handler(event, context):
    logger.info("counting", extra={"what": event})
    count("ThingsCounted", 2)
    return "done"

assert handler("apples", Context()) == "done"
assert handler("pears", None) == "done"  # called in-process, without a Lambda context
"""
)


def run(code: str, tmp_path: Path, **environment: str) -> list[dict[str, Any]]:
    """The JSON lines a fresh interpreter prints while running `code` as a Lambda function would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOPS_", "POWERTOOLS_"))}
    env.update(
        BOPS_RUNTIME="embedded",
        BOPS_DATA_DIR=str(tmp_path / "data"),
        POWERTOOLS_SERVICE_NAME="api-key-authorizer",
        POWERTOOLS_METRICS_NAMESPACE="bops-demo",
        **environment,
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def metrics_of(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The embedded-metric lines: {metric name: value, ...} with the namespace and dimensions."""
    found = []
    for line in lines:
        if "_aws" in line:
            [directive] = line["_aws"]["CloudWatchMetrics"]
            names = [metric["Name"] for metric in directive["Metrics"]]
            found.append({"namespace": directive["Namespace"], **{name: line[name] for name in names}})
    return found


def test_every_refused_key_is_counted(tmp_path):
    lines = run(REFUSED, tmp_path)
    # A handler that raised records no cold start (Powertools): the first call that returns does.
    assert metrics_of(lines) == [{"namespace": "bops-demo", "ApiKeysRefused": [1.0]}] * 2
    assert all(line["service"] == "api-key-authorizer" for line in lines if "_aws" in line)


def test_logs_carry_the_lambda_context_and_counts_are_published(tmp_path):
    lines = run(COUNTED, tmp_path)
    logs = [line for line in lines if line.get("message") == "counting"]
    assert [log["what"] for log in logs] == ["apples", "pears"]
    assert logs[0]["function_request_id"] == "request-1" and logs[0]["cold_start"] is True
    assert logs[0]["service"] == "api-key-authorizer"
    assert "function_request_id" not in logs[1]  # no context, no context fields (and none left from the first call)
    assert metrics_of(lines) == [
        {"namespace": "bops-demo", "ColdStart": [1.0]},  # printed as the first call returns, before its own line
        {"namespace": "bops-demo", "ThingsCounted": [2.0]},
        {"namespace": "bops-demo", "ThingsCounted": [2.0]},
    ]


def test_the_embedded_runtime_prints_no_metric_lines(tmp_path):
    lines = run(COUNTED, tmp_path, POWERTOOLS_METRICS_DISABLED="true")
    assert metrics_of(lines) == []
    assert [line["what"] for line in lines if line.get("message") == "counting"] == ["apples", "pears"]


CONCURRENT = """
import threading
from datetime import UTC, datetime
from events import Actor, NewEvent
from events.council import ApiKeyCreated
from shared.bus import bus_message, subscriber
from shared.eventstore.sqlite import SqliteEventStore
from shared.observability import logger

log = SqliteEventStore({log!r})
for n in range(2):
    payload = ApiKeyCreated(key_id=f"k{{n}}", name="PlanX", scopes=("x",), key_hash="h", prefix="p")
    log.append(f"council:C{{n}}", 0, [NewEvent(payload, f"C{{n}}", Actor.system(), datetime(2026, 1, 5, tzinfo=UTC))])
messages = [bus_message(stored, stored.position, "eu-west-2") for stored in log.read_all_stored()]
in_first, both_started, first_logged = threading.Event(), threading.Barrier(2), threading.Event()

@subscriber
def handle(event):
    if event.stream_id == "council:C0":
        in_first.set()
        both_started.wait()  # the other invocation has now added its keys too, after this one
        logger.info(f"handling {{event.stream_id}}")
        first_logged.set()
    else:
        both_started.wait()
        first_logged.wait()
        logger.info(f"handling {{event.stream_id}}")

threads = [threading.Thread(target=handle, args=(message,)) for message in messages]
threads[0].start()
in_first.wait()
threads[1].start()
for thread in threads:
    thread.join()
"""


def test_handlers_running_on_several_threads_log_their_own_keys_only(tmp_path):
    lines = run(CONCURRENT.format(log=str(tmp_path / "events.sqlite")), tmp_path, POWERTOOLS_METRICS_DISABLED="true")
    handled = [line for line in lines if line.get("message", "").startswith("handling")]
    assert len(handled) == 2
    for line in handled:
        assert line["message"] == f"handling {line['stream_id']}"  # its own invocation's keys, not the other's
        assert line["event_type"] == "ApiKeyCreated" and line["event_id"]


TWO_FUNCTIONS = """
import threading
from shared.observability import logger, observed

class Context:
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:local"

    def __init__(self, function_name, request_id):
        self.function_name, self.aws_request_id = function_name, request_id

first_started, second_logged = threading.Event(), threading.Event()

@observed
def handler(event, context):
    if event == "first":
        first_started.set()
        second_logged.wait()  # the second invocation has started and logged meanwhile
    logger.info(f"handled {event}")
    second_logged.set()

first = threading.Thread(target=handler, args=("first", Context("case-list", "r1")))
first.start()
first_started.wait()
second = threading.Thread(target=handler, args=("second", Context("intake-documents", "r2")))
second.start()
for thread in (first, second):
    thread.join()
"""


def test_handlers_of_two_functions_on_two_threads_log_their_own_function(tmp_path):
    """`bops serve` delivers to several subscribers at once in one process: each line names the function (and the
    request) whose invocation wrote it, where a file download's lines used to name another subscriber."""
    lines = run(TWO_FUNCTIONS, tmp_path, POWERTOOLS_METRICS_DISABLED="true")
    handled = {line["message"]: line for line in lines if line.get("message", "").startswith("handled")}
    assert handled["handled first"]["function_name"] == "case-list"
    assert handled["handled first"]["function_request_id"] == "r1"
    assert handled["handled second"]["function_name"] == "intake-documents"
    assert [handled[m]["cold_start"] for m in ("handled first", "handled second")] == [True, False]
