"""`POST /callbacks/notify/{council}`: GOV.UK Notify's delivery-status callback (a public route: Notify's only
credential is the bearer token the council set for its callbacks, `bops councils set-notify --callback-token`, kept
in the secrets store as `{council}/notify-callback-token` and compared in constant time).

Notify posts `{"id", "reference", "status", "to", ...}` once a message's status is final; `reference` is our
notification id. The status is recorded exactly once on the application's notifications stream (the poller may report
the same one: services/notifications/delivery.py `record_status`). Answers, never a 5xx:
- 200 `{"recorded": true}`, or `{"recorded": false, "reason"}` when the outcome was already on the record or the
  status is not final yet;
- 401 without a bearer token; 403 with a wrong one, or for a council that set none (or does not exist);
- 400 `{"message", "errors": [{"field", "message"}]}` for a body that is not Notify's;
- 404 for a message of this council that awaits no status under this reference and id: unknown, or its Sent not yet
  seen by the read model (a few seconds on AWS; the poller asks Notify about it anyway), and nothing is recorded;
- 409 when the stream kept moving while recording it (Notify tries a failed callback again).
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

import hmac  # noqa: E402
from typing import Any  # noqa: E402

import orjson  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402

from services.notifications import CALLBACK_PATH  # noqa: E402
from shared.notify import NOTIFY_CALLBACK_TOKEN_SECRET  # noqa: E402
from shared.observability import count, observed  # noqa: E402

app = APIGatewayRestResolver()
FINAL_STATUSES = ("delivered", "permanent-failure", "temporary-failure", "technical-failure")
KNOWN_STATUSES = (*FINAL_STATUSES, "created", "sending", "pending")
MAX_FIELD = 300
ROUTE = CALLBACK_PATH.replace("{council}", "<council>")  # Powertools' syntax for the declared path


def _answer(code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=code,
        content_type="application/json",
        body=orjson.dumps(body).decode(),
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients and the modules the first callback uses."""
    from services.notifications import delivery as _delivery  # noqa: F401
    from shared.wiring import dependencies

    deps = dependencies()
    deps.secrets  # noqa: B018 (the secrets store's client)
    deps.event_store  # noqa: B018
    deps.read_models  # noqa: B018


def token_matches(given: str | None, expected: str | None) -> bool:
    """The bearer token against the council's, in constant time (False when the council has none)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer(headers: dict[str, str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "") or ""
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def parse_body(raw: str | None) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(the fields we use, the reasons the body is refused)."""
    try:
        body = orjson.loads(raw or "")
    except orjson.JSONDecodeError:
        return {}, [{"field": "body", "message": "the body is not JSON"}]
    if not isinstance(body, dict):
        return {}, [{"field": "body", "message": "the body is not a JSON object"}]
    fields, errors = {}, []
    for name in ("id", "reference", "status"):
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            errors.append({"field": name, "message": f"{name} is missing or not a string"})
        elif len(value) > MAX_FIELD:
            errors.append({"field": name, "message": f"{name} is longer than {MAX_FIELD} characters"})
        else:
            fields[name] = value.strip()
    status = fields.get("status")
    if status is not None and status not in KNOWN_STATUSES:
        errors.append({"field": "status", "message": f"status {status!r} is not one of {', '.join(KNOWN_STATUSES)}"})
    return fields, errors


@app.post(ROUTE)
def callback(council: str) -> Response:
    from services.notifications.delivery import UnknownNotification, record_status
    from shared.councils.errors import CouncilError
    from shared.councils.rules import check_code
    from shared.notify.gateway import TemporaryFailure
    from shared.wiring import dependencies

    event = app.current_event
    given = bearer(dict(event.headers or {}))
    if given is None:
        return _answer(401, {"message": "a bearer token is required"}, {"WWW-Authenticate": "Bearer"})
    deps = dependencies()
    try:
        expected = deps.secrets.get(NOTIFY_CALLBACK_TOKEN_SECRET.format(council=check_code(council)))
    except CouncilError:
        expected = None
    if not token_matches(given, expected):
        count("NotifyCallbacksRefused")
        return _answer(403, {"message": "the bearer token is not this council's Notify callback token"})
    fields, errors = parse_body(event.decoded_body if event.body is not None else None)
    if errors:
        return _answer(400, {"message": "this is not a Notify delivery receipt", "errors": errors})
    try:
        outcome = record_status(
            deps.event_store,
            deps.read_models,
            council,
            fields["reference"],
            fields["id"],
            fields["status"],
            deps.clock.now(),
        )
    except UnknownNotification:
        return _answer(404, {"message": f"no message of council {council} awaits a status as {fields['reference']}"})
    except TemporaryFailure as busy:
        return _answer(409, {"message": str(busy)}, {"Retry-After": "5"})
    count("NotifyCallbacksHandled")
    if outcome == "recorded":
        return _answer(200, {"recorded": True})
    reason = "its outcome is already on the record" if outcome == "already-recorded" else "the status is not final"
    return _answer(200, {"recorded": False, "reason": reason})


@observed
def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return app.resolve(event, context)
