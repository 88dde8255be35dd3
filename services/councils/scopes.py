"""API key scopes, and the policy a key's scopes give over the declared routes (`shared.declarations.route_table`)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.apigateway import route_arn

SCOPES = (
    "planning_application:read",
    "planning_application:write",
    "comment:write",
    "validation_request:read",
    "validation_request:write",
)


def officer_policy(principal: str, routes: list[dict], api_arn: str, context: dict) -> dict:
    """A signed-in officer: every officer route allowed, every API-key route denied (roles are the API's to check)."""
    return policy_for(principal, (), routes, api_arn, context, officers=True)


def policy_for(
    principal: str, scopes: Iterable[str], routes: list[dict], api_arn: str, context: dict, *, officers: bool = False
) -> dict:
    """Allow the routes whose scopes the key has, deny the rest: one policy, cacheable per key (or per officer token,
    `officers`: then only officer routes open)."""
    granted = set(scopes)
    allow: list[str] = []
    deny: list[str] = []
    for route in routes:
        arn = route_arn(str(route["method"]), str(route["path"]), api_arn)
        # An API key never opens an officer route, whatever its scopes.
        kind = route.get("auth", "api_key")
        opens = kind == ("officer" if officers else "api_key") and set(route.get("scopes", ())) <= granted
        (allow if opens else deny).append(arn)
    statements = []
    if allow:
        statements.append({"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": allow})
    if deny:
        statements.append({"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": deny})
    return {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": statements},
        "context": context,
    }
