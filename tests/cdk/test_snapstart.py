"""SnapStart on every function behind API Gateway: published versions, a live alias, and API Gateway wired to the
alias (integrations, the authorizer and their invoke permissions); the bus's subscribers stay plain functions."""

from __future__ import annotations

from typing import Any

import pytest

from cdk.functions import LIVE_ALIAS
from services.councils.declaration import AUTHORIZER_HANDLER

pytestmark = pytest.mark.xdist_group("cdk")

Template = dict[str, Any]


def of_type(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {id: r.get("Properties", {}) for id, r in template["Resources"].items() if r["Type"] == kind}


def behind_api(synthesised: Any) -> set[str]:
    return {f.handler for d in synthesised.declarations for f in d.http} | {AUTHORIZER_HANDLER}


def referenced(value: Any) -> set[str]:
    """Every logical id a template value refers to (Ref or Fn::GetAtt), at any depth."""
    if isinstance(value, list):
        return {found for item in value for found in referenced(item)}
    if not isinstance(value, dict):
        return set()
    found = set()
    for key, item in value.items():
        if key == "Ref" and isinstance(item, str):
            found.add(item)
        elif key == "Fn::GetAtt":
            found.add(item[0] if isinstance(item, list) else item.split(".")[0])
        else:
            found |= referenced(item)
    return found


def live_aliases(template: Template) -> dict[str, str]:
    """{function logical id: its live alias's logical id}, checking each alias points at a version of its function."""
    versions = of_type(template, "AWS::Lambda::Version")
    found = {}
    for alias_id, alias in of_type(template, "AWS::Lambda::Alias").items():
        assert alias["Name"] == LIVE_ALIAS
        [function] = referenced(alias["FunctionName"])
        [version] = referenced(alias["FunctionVersion"])
        assert version in versions and referenced(versions[version]["FunctionName"]) == {function}
        found[function] = alias_id
    return found


def test_every_function_behind_the_api_runs_with_snapstart_on_published_versions_and_no_other(synthesised):
    for template in synthesised.templates.values():
        for props in of_type(template, "AWS::Lambda::Function").values():
            expected = {"ApplyOn": "PublishedVersions"} if props["Handler"] in behind_api(synthesised) else None
            assert props.get("SnapStart") == expected, props["Handler"]


def test_every_snapstart_function_has_one_published_version_and_a_live_alias_on_it(synthesised):
    for template in synthesised.templates.values():
        functions = of_type(template, "AWS::Lambda::Function")
        snap = {id for id, props in functions.items() if props["Handler"] in behind_api(synthesised)}
        assert set(live_aliases(template)) == snap
        published = [
            next(iter(referenced(v["FunctionName"]))) for v in of_type(template, "AWS::Lambda::Version").values()
        ]
        assert sorted(published) == sorted(snap)


def test_api_gateway_invokes_the_live_aliases_and_may_invoke_nothing_else(synthesised):
    for template in synthesised.templates.values():
        aliases = set(live_aliases(template).values())
        functions = set(of_type(template, "AWS::Lambda::Function"))
        methods = of_type(template, "AWS::ApiGateway::Method")
        assert methods
        for method in methods.values():
            targets = referenced(method["Integration"]["Uri"]) & (aliases | functions)
            assert len(targets) == 1 and targets <= aliases
        authorizers = of_type(template, "AWS::ApiGateway::Authorizer").values()
        assert len(authorizers) == 2  # API keys and officers: one function
        for authorizer in authorizers:
            assert referenced(authorizer["AuthorizerUri"]) & (aliases | functions) <= aliases
            assert referenced(authorizer["AuthorizerUri"]) & aliases
        permissions = [
            p
            for p in of_type(template, "AWS::Lambda::Permission").values()
            if p["Principal"] == "apigateway.amazonaws.com"
        ]
        assert permissions
        for permission in permissions:
            assert referenced(permission["FunctionName"]) <= aliases, permission
