"""Officers' sign-in API (Powertools resolver behind API Gateway, and behind `bops serve`): a thin handler.

`POST /api/officer/v1/session` signs an officer in (public route: the body carries the credentials);
`GET /api/officer/v1/me` says who the token belongs to (officer route: the authorizer verified it and put the
officer in the request context). The console's `/sign-in` and `/sign-out` pages are served here too
(`sign_in_pages.py`).
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

from typing import TYPE_CHECKING, Any  # noqa: E402

from aws_lambda_powertools.event_handler import content_types  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402

from services.councils.sign_in_pages import app as sign_in_pages  # noqa: E402
from shared.observability import count, logger, observed  # noqa: E402

if TYPE_CHECKING:
    from services.councils.officer_tokens import OfficerTokens
    from services.councils.sign_in import SignIn
    from shared.wiring import Dependencies

app = APIGatewayRestResolver()
app.include_router(sign_in_pages)  # the console's sign-in and sign-out pages
BASE = "/api/officer/v1"
SESSION = f"{BASE}/session"
ME = f"{BASE}/me"


def refusal(
    status: int, message: str, fields: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> Response:
    errors = [{"field": field, "message": text} for field, text in (fields or {}).items()]
    body = {"message": message, "errors": errors}
    return Response(status, content_types.APPLICATION_JSON, body, headers=headers or {})


def sign_in_service() -> SignIn:
    from services.councils.officer_tokens import process_tokens
    from shared.wiring import dependencies

    deps = dependencies()
    # Built before the service (memo's lock is not reentrant); the authorizer shares it in the embedded runtime.
    tokens = deps.memo("officer-tokens", process_tokens)
    return deps.memo("sign-in", lambda deps: build_sign_in(deps, tokens))


def build_sign_in(deps: Dependencies, tokens: OfficerTokens) -> SignIn:
    from services.councils.officer_directory import officer_directory
    from services.councils.officer_records import OfficerRecords
    from services.councils.sign_in import SignIn
    from services.councils.sign_in_throttle import SignInThrottle

    return SignIn(
        officer_directory(deps),
        OfficerRecords(deps.read_models),
        tokens,
        SignInThrottle(deps.attempt_counters, deps.clock),
        deps.settings.council if deps.settings.runtime == "aws" else None,
    )


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients and the password check of the first request."""
    sign_in_service()


@app.post(SESSION)
def create_session() -> Response:
    from services.councils.sign_in import InvalidSignIn, SignInRefused, TooManyAttempts, credentials
    from shared.request_body import MalformedBody, parse_json, raw_body

    event = app.current_event
    try:
        body = parse_json(raw_body(event.body, bool(event.is_base64_encoded)))
    except MalformedBody as malformed:
        return refusal(400, f'{malformed}. The body must be JSON: {{"email": ..., "password": ...}}')
    try:
        session = sign_in_service().sign_in(credentials(body), event.request_context.identity.source_ip or "")
    except InvalidSignIn as invalid:
        return refusal(422, str(invalid), invalid.fields)
    except TooManyAttempts as throttled:
        count("SignInsThrottled")
        return refusal(429, str(throttled), headers={"Retry-After": str(throttled.retry_after)})
    except SignInRefused as refused:
        logger.info("sign-in refused", extra={"reason": refused.reason})
        count("SignInsRefused")
        return refusal(401, str(refused))
    count("SignIns")
    return Response(200, content_types.APPLICATION_JSON, session.body(), headers={"Cache-Control": "no-store"})


@app.get(ME)
def who_am_i() -> dict[str, Any] | Response:
    from shared.officer_identity import NotSignedIn, signed_in_officer

    try:
        officer = signed_in_officer(app.current_event.request_context.authorizer)
    except NotSignedIn:
        return refusal(401, "Sign in first")
    return {"id": officer.id, "name": officer.name, "role": officer.role, "council": officer.council}


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
