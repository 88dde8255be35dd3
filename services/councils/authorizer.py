"""The Lambda authorizer of API-key and officer routes, in both runtimes (API Gateway on AWS, `bops serve` locally).

API-key routes: 401 for a missing, unknown or revoked key; 403 for a missing scope. Officer routes: 401 unless a valid
officer token (`Authorization: Bearer`, or the session cookie the console keeps it in) names an officer who is
active now; the officer's current role comes from the officers read model, so deactivation and role changes apply at
the next request (the authorizer's result is not cached on AWS). A key never opens an officer route and an officer
token never opens an API-key route: which kind of credential is looked at depends on the route asked for.

It answers with a policy over every declared route (allow where the credential may go, deny elsewhere). The route
table comes from the environment (`BOPS_ROUTE_SCOPES`), which CDK fills from the services' declarations; the embedded
runtime sets it the same way.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

import os  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from services.councils import API_KEYS_READ_MODEL  # noqa: E402
from services.councils.scopes import officer_policy, policy_for  # noqa: E402
from shared.declarations import Route  # noqa: E402
from shared.observability import count, observed  # noqa: E402

if TYPE_CHECKING:  # the authorizer imports no projection machinery at run time (cold starts)
    from services.councils.officer_tokens import OfficerTokens
    from services.councils.session_revocation import SessionRevocations
    from shared.projections.store import ReadModelStore


class Unauthorized(Exception):
    """API Gateway turns this exact message into a 401 response."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def bearer_token(headers: dict[str, str] | None) -> str | None:
    for name, value in (headers or {}).items():
        if name.lower() == "authorization":
            scheme, _, token = value.partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def api_arn(method_arn: str) -> str:
    """`arn:aws:execute-api:region:account:api/stage/METHOD/path` → `arn:aws:execute-api:region:account:api`."""
    prefix, _, rest = method_arn.rpartition(":")
    return f"{prefix}:{rest.split('/', 1)[0]}"


def officer_token(headers: dict[str, str] | None) -> str | None:
    """The bearer token, else the console's session cookie (`__Host-bops_officer` over HTTPS, `bops_officer` over
    local HTTP: `shared.pages.session`)."""
    from shared.pages.session import session_token

    return bearer_token(headers) or session_token(headers)


def requested_route(method_arn: str, routes: list[dict]) -> dict | None:
    """The declared route a method ARN asks for (`.../api/stage/METHOD/path`)."""
    _, _, rest = method_arn.rpartition(":")
    parts = rest.split("/", 3)
    if len(parts) < 3:
        return None
    method, path = parts[2], "/" + (parts[3] if len(parts) > 3 else "")
    for route in routes:
        if Route(str(route["method"]), str(route["path"])).matches(method, path) is not None:
            return route
    return None


def authorize(token: str | None, method_arn: str, routes: list[dict], read_models: ReadModelStore) -> dict[str, Any]:
    """An API key on an API-key route."""
    from services.councils.api_keys import hash_api_key

    route = requested_route(method_arn, routes)
    if not token or route is None or route.get("auth", "api_key") != "api_key":
        raise Unauthorized()
    key_hash = hash_api_key(token)
    document, _ = read_models.get(API_KEYS_READ_MODEL, key_hash)
    if document is None or document.get("revoked"):
        raise Unauthorized()
    context = {
        "council": document["council"],
        "key_id": document["key_id"],
        "key_name": document["name"],
        "scopes": " ".join(document["scopes"]),
    }
    return policy_for(f"api-key:{document['key_id']}", document["scopes"], routes, api_arn(method_arn), context)


def authorize_officer(
    token: str | None,
    method_arn: str,
    routes: list[dict],
    read_models: ReadModelStore,
    tokens: OfficerTokens,
    deployed_council: str | None = None,
    revocations: SessionRevocations | None = None,
) -> dict[str, Any]:
    """An officer token on an officer route: verified, not signed out (`revocations`), then the officer's current
    state from the read model."""
    from services.councils.officer_records import OfficerRecords
    from services.councils.officer_tokens import InvalidToken
    from shared.officer_identity import ROLES, SignedInOfficer

    route = requested_route(method_arn, routes)
    if not token or route is None or route.get("auth") != "officer":
        raise Unauthorized()
    try:
        claims = tokens.verify(token)
    except InvalidToken:
        raise Unauthorized() from None
    if deployed_council is not None and claims.council != deployed_council:
        raise Unauthorized()
    if revocations is not None and revocations.revoked(token, claims.expires_at):
        raise Unauthorized()
    officer = OfficerRecords(read_models).get(claims.council, claims.officer_id)
    if officer is None or not officer.active or officer.role not in ROLES:
        raise Unauthorized()
    signed_in = SignedInOfficer(officer.council, officer.id, officer.name, officer.role)
    return officer_policy(f"officer:{officer.id}", routes, api_arn(method_arn), signed_in.context())


def asks_for_page(route: dict | None, headers: dict[str, str] | None) -> bool:
    """A browser asking for a console page or sending one of its forms (GET or POST, HTML accepted, not under /api/):
    sent to sign in rather than 401 (the page's handler answers the redirect before reading anything)."""
    from shared.pages.session import header

    if route is None or route.get("method") not in ("GET", "POST") or str(route.get("path", "")).startswith("/api/"):
        return False
    return "text/html" in (header(headers, "accept") or "").lower()


def sign_in_policy(method_arn: str) -> dict[str, Any]:
    """Opens this one page request without an officer: the context says only that sign-in is required, so the page's
    handler (`shared.officer_identity.signed_in_officer` raises `SignInRequired`) answers a redirect to the sign-in
    page and nothing else; every other route stays closed."""
    from shared.officer_identity import SIGN_IN_REQUIRED

    return {
        "principalId": "signed-out",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [method_arn]}],
        },
        "context": {SIGN_IN_REQUIRED: "1"},
    }


def session_revocations() -> SessionRevocations:
    from services.councils.session_revocation import SessionRevocations
    from shared.wiring import dependencies

    return dependencies().memo("session-revocations", lambda deps: SessionRevocations(deps.attempt_counters))


def officer_tokens() -> OfficerTokens:
    from services.councils.officer_tokens import process_tokens
    from shared.wiring import dependencies

    return dependencies().memo("officer-tokens", process_tokens)


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the read-model client and the key hashing of the first request."""
    from services.councils.api_keys import hash_api_key
    from shared.wiring import dependencies

    dependencies().read_models  # noqa: B018 (builds the store and its client)
    dependencies().secrets  # noqa: B018 (officer routes: the token key's store and its client)
    hash_api_key("")


@observed
def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from shared.declarations import decode_route_table
    from shared.wiring import dependencies

    routes = decode_route_table(os.environ.get("BOPS_ROUTE_SCOPES", "[]"))
    route = requested_route(event["methodArn"], routes)
    deps = dependencies()
    if route is not None and route.get("auth") == "officer":
        try:
            policy = authorize_officer(
                officer_token(event.get("headers")),
                event["methodArn"],
                routes,
                deps.read_models,
                officer_tokens(),
                deps.settings.council if deps.settings.runtime == "aws" else None,
                session_revocations(),
            )
        except Unauthorized:
            if asks_for_page(route, event.get("headers")):
                count("OfficersSentToSignIn")
                return sign_in_policy(event["methodArn"])
            count("OfficersRefused")
            raise
        count("OfficersAccepted")
        return policy
    try:
        policy = authorize(bearer_token(event.get("headers")), event["methodArn"], routes, deps.read_models)
    except Unauthorized:
        count("ApiKeysRefused")
        raise
    count("ApiKeysAccepted")
    return policy
