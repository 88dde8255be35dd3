"""The Lambda authorizer for API-key routes: 401 for a missing, unknown or revoked key; 403 for a missing scope.

It answers with a policy over every declared API-key route (allow where the key has the scopes, deny elsewhere), so
API Gateway may cache it per key for a short time. The route table comes from the environment (`BOPS_ROUTE_SCOPES`),
which CDK fills from the services' declarations; the embedded runtime sets it the same way.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

import json  # noqa: E402
import os  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from services.councils import API_KEYS_READ_MODEL  # noqa: E402
from services.councils.scopes import policy_for  # noqa: E402
from shared.observability import count, observed  # noqa: E402

if TYPE_CHECKING:  # the authorizer imports no projection machinery at run time (cold starts)
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


def authorize(token: str | None, method_arn: str, routes: list[dict], read_models: ReadModelStore) -> dict[str, Any]:
    from services.councils.api_keys import hash_api_key

    if not token:
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


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the read-model client and the key hashing of the first request."""
    from services.councils.api_keys import hash_api_key
    from shared.wiring import dependencies

    dependencies().read_models  # noqa: B018 (builds the store and its client)
    hash_api_key("")


@observed
def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from shared.wiring import dependencies

    routes = json.loads(os.environ.get("BOPS_ROUTE_SCOPES", "[]"))
    try:
        policy = authorize(bearer_token(event.get("headers")), event["methodArn"], routes, dependencies().read_models)
    except Unauthorized:
        count("ApiKeysRefused")
        raise
    count("ApiKeysAccepted")
    return policy
