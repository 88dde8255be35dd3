"""The stack refuses a route whose authentication API Gateway is not wired for (officer sign-in does not exist yet)."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_

from cdk.http_api import CouncilApi
from shared.declarations import Route


def test_an_officer_route_is_refused_and_public_and_api_key_routes_are_wired():
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
    api.add_route(Route("GET", "/keyed", "api_key"), function)
    with pytest.raises(ValueError, match=r"GET /console: auth 'officer' has no API Gateway wiring"):
        api.add_route(Route("GET", "/console", "officer"), function)
