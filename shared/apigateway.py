"""API Gateway REST (payload v1) proxy events and authorizer policies, for the embedded server and test harnesses.

API Gateway builds these on AWS; the embedded runtime and the CDK wiring test build the same shapes so that the same
Lambda handlers serve both.
"""

from __future__ import annotations

import base64
import fnmatch
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

TEXT_TYPES = (
    "application/json",
    "text/",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/problem",
)
LOCAL_API = "arn:aws:execute-api:local:000000000000:local"
STAGE = "api"


def proxy_event(
    method: str,
    path: str,
    resource: str,
    path_parameters: Mapping[str, str] | None,
    headers: Iterable[tuple[str, str]],
    query: Iterable[tuple[str, str]],
    body: bytes,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """A REST API proxy event: single and multi-value headers and query, base64 body unless it is text."""
    single_headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        single_headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    single_query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in query:
        single_query[name] = value
        multi_query.setdefault(name, []).append(value)
    content_type = next((v for k, v in single_headers.items() if k.lower() == "content-type"), "")
    is_text = not body or content_type.startswith(TEXT_TYPES)
    if is_text:
        try:
            text_body: str | None = body.decode("utf-8") if body else None
        except UnicodeDecodeError:
            is_text = False
    now = datetime.now(UTC)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": single_headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": single_query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "accountId": "000000000000",
            "apiId": "local",
            "protocol": "HTTP/1.1",
            "domainName": "localhost",
            "identity": {"sourceIp": source_ip, "userAgent": single_headers.get("User-Agent", "")},
        },
        "body": (text_body if is_text else base64.b64encode(body).decode("ascii")) if body else None,
        "isBase64Encoded": bool(body) and not is_text,
    }


def method_arn(method: str, path: str, api: str = LOCAL_API) -> str:
    return f"{api}/{STAGE}/{method}{path}"


def route_arn(method: str, resource: str, api: str = LOCAL_API) -> str:
    """The resource a policy statement names for a route: path parameters become wildcards."""
    parts = ["*" if part.startswith("{") else part for part in resource.split("/")]
    return f"{api}/{STAGE}/{method}{'/'.join(parts)}"


def authorizer_request(event: Mapping[str, Any], arn: str) -> dict[str, Any]:
    """The REQUEST authorizer event API Gateway sends before a route with a Lambda authorizer."""
    return {
        "type": "REQUEST",
        "methodArn": arn,
        "resource": event["resource"],
        "path": event["path"],
        "httpMethod": event["httpMethod"],
        "headers": event["headers"] or {},
        "multiValueHeaders": event["multiValueHeaders"] or {},
        "queryStringParameters": event["queryStringParameters"] or {},
        "pathParameters": event["pathParameters"] or {},
        "requestContext": event["requestContext"],
    }


def policy_allows(policy: Mapping[str, Any], arn: str) -> bool:
    """Evaluate an authorizer's IAM policy for one method ARN as API Gateway does (an explicit Deny wins)."""
    allowed = False
    for statement in policy.get("policyDocument", {}).get("Statement", []):
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def response_body(response: Mapping[str, Any]) -> bytes:
    body = response.get("body") or ""
    return base64.b64decode(body) if response.get("isBase64Encoded") else body.encode("utf-8")


def response_headers(response: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Single and multi-value headers of a proxy response (several Set-Cookie headers survive)."""
    headers: list[tuple[str, str]] = []
    multi = response.get("multiValueHeaders") or {}
    for name, values in multi.items():
        headers.extend((name, str(value)) for value in values)
    for name, value in (response.get("headers") or {}).items():
        if name not in multi:
            headers.append((name, str(value)))
    return headers
