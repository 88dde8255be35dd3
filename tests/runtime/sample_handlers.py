"""Lambda handlers used by the runtime tests (declared by dotted path, like the services' handlers)."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from events import RecordedEvent
from shared.bus import subscriber

delivered: list[RecordedEvent] = []
failures_left: dict[str, int] = {}
held: dict[str, threading.Event] = {}  # stream -> released when set (`slow` waits for it)
running: set[str] = set()  # streams `slow` is delivering right now
most_at_once = [0]
overlaps: list[str] = []  # streams `slow` was delivering twice at once (must stay empty)
_running_lock = threading.Lock()


@subscriber
def record(event: RecordedEvent) -> None:
    remaining = failures_left.get(event.stream_id, 0)
    if remaining:
        failures_left[event.stream_id] = remaining - 1
        raise RuntimeError(f"failing on purpose for {event.stream_id}")
    delivered.append(event)


@subscriber
def slow(event: RecordedEvent) -> None:
    """Waits while its stream is held; records how many streams it delivered at once."""
    with _running_lock:
        if event.stream_id in running:
            overlaps.append(event.stream_id)
        running.add(event.stream_id)
        most_at_once[0] = max(most_at_once[0], len(running))
    try:
        release = held.get(event.stream_id)
        if release is not None:
            release.wait(30)
        delivered.append(event)
    finally:
        with _running_lock:
            running.discard(event.stream_id)


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answers with what it received, and two cookies (multi-value response headers)."""
    body = event["body"]
    raw = base64.b64decode(body) if event["isBase64Encoded"] else (body or "").encode()
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Set-Cookie": ["a=1; Path=/", "b=2; Path=/"]},
        "body": json.dumps(
            {
                "resource": event["resource"],
                "path": event["path"],
                "pathParameters": event["pathParameters"],
                "query": event["multiValueQueryStringParameters"],
                "headers": event["multiValueHeaders"],
                "base64": event["isBase64Encoded"],
                "body_hex": raw.hex(),
                "authorizer": event["requestContext"].get("authorizer"),
            }
        ),
        "isBase64Encoded": False,
    }


def allow_all(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = (event["headers"].get("Authorization") or "").removeprefix("Bearer ")
    if token == "unknown":
        raise Exception("Unauthorized")
    effect = "Deny" if token == "no-scope" else "Allow"
    return {
        "principalId": token,
        "policyDocument": {
            "Statement": [{"Effect": effect, "Action": "execute-api:Invoke", "Resource": [event["methodArn"]]}]
        },
        "context": {"council": "DEMO"},
    }


# Two Powertools resolvers, as two services' HTTP functions have: `first` reads its request only after `second`'s
# handler has started (or a second has passed), as a handler that reads `app.current_event` after a slow step does.
first_app = APIGatewayRestResolver()
second_app = APIGatewayRestResolver()
second_started = threading.Event()


@first_app.get("/first/<name>")
def first_route(name: str) -> dict[str, Any]:
    second_started.wait(1)
    request = first_app.current_event
    return {"path": request.path, "authorizer": request.request_context.authorizer.raw_event}


@second_app.get("/second/<name>")
def second_route(name: str) -> dict[str, Any]:
    second_started.set()
    return {"path": second_app.current_event.path}


def first(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return first_app.resolve(event, context)


def second(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return second_app.resolve(event, context)
