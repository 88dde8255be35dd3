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


def policy_for(principal: str, scopes: Iterable[str], routes: list[dict], api_arn: str, context: dict) -> dict:
    """Allow the routes whose scopes the key has, deny the rest: one policy, cacheable per key."""
    granted = set(scopes)
    allow: list[str] = []
    deny: list[str] = []
    for route in routes:
        arn = route_arn(str(route["method"]), str(route["path"]), api_arn)
        (allow if set(route["scopes"]) <= granted else deny).append(arn)
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
