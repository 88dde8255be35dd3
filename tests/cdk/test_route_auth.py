"""The stack wires each kind of route's authentication, and refuses a kind API Gateway is not wired for."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_

from cdk.http_api import CouncilApi
from shared.declarations import Route


def test_an_unknown_auth_kind_is_refused_and_public_api_key_and_officer_routes_are_wired():
    stack = Stack(App(), "RouteAuth")
    function = lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="x.handler",
        code=lambda_.Code.from_inline("def handler(e, c): pass"),
    )
    api = CouncilApi(stack, "Api", api_name="route-auth", authorizer_function=function)
    api.add_route(Route("GET", "/public"), function)
    keyed = api.add_route(Route("GET", "/keyed", "api_key"), function)
    officer = api.add_route(Route("GET", "/console", "officer"), function)
    resolve = Stack.of(keyed).resolve
    assert resolve(keyed.node.default_child.authorizer_id) == resolve(api.authorizer.authorizer_id)  # type: ignore[union-attr]
    assert resolve(officer.node.default_child.authorizer_id) == resolve(api.officer_authorizer.authorizer_id)  # type: ignore[union-attr]
    with pytest.raises(ValueError, match=r"GET /sso: auth 'sso' has no API Gateway wiring"):
        api.add_route(Route("GET", "/sso", "sso"), function)  # type: ignore[arg-type]
