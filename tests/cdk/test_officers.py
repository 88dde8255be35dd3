"""The council's officer directory on AWS: one Cognito user pool per stack, its role groups, the first administrator
from the deployment config, an app client for ADMIN_USER_PASSWORD_AUTH only, and the sign-in function pointed at them
(and granted AdminInitiateAuth on that pool alone: tests/cdk/test_grants.py)."""

from __future__ import annotations

import pytest

from services.councils.declaration import ADMIN_PAGES_HANDLER, OFFICER_API_HANDLER
from tests.cdk.test_stack import functions, only, refers_to, resources

pytestmark = pytest.mark.xdist_group("cdk")


def test_each_council_has_its_own_user_pool_with_the_role_groups(synthesised):
    for council, template in zip(synthesised.councils, synthesised.templates.values(), strict=True):
        pool_id, pool = only(template, "AWS::Cognito::UserPool")
        assert pool["UserPoolName"] == f"bops-{council.slug}-officers"
        assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # no self sign-up
        assert pool["UsernameConfiguration"]["CaseSensitive"] is False
        assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 8
        assert pool["DeletionProtection"] == "ACTIVE"
        groups = resources(template, "AWS::Cognito::UserPoolGroup")
        assert sorted(g["GroupName"] for g in groups.values()) == ["administrator", "assessor", "reviewer"]
        assert all(refers_to(g["UserPoolId"], pool_id) for g in groups.values())


def test_the_app_client_allows_admin_password_sign_in_and_nothing_a_browser_could_use(synthesised):
    for template in synthesised.templates.values():
        _, client = only(template, "AWS::Cognito::UserPoolClient")
        assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        assert client.get("GenerateSecret") is False and client["PreventUserExistenceErrors"] == "ENABLED"


def test_the_first_administrator_comes_from_the_deployment_config(synthesised):
    for council, template in zip(synthesised.councils, synthesised.templates.values(), strict=True):
        users = resources(template, "AWS::Cognito::UserPoolUser")
        attachments = resources(template, "AWS::Cognito::UserPoolUserToGroupAttachment")
        first = council.first_administrator
        if first is None:
            assert users == {} and attachments == {}
            continue
        [user] = users.values()
        assert user["Username"] == first.email.lower() and user["MessageAction"] == "SUPPRESS"
        assert {"Name": "name", "Value": first.name} in user["UserAttributes"]
        [attachment] = attachments.values()
        assert attachment["GroupName"] == "administrator" and attachment["Username"] == first.email.lower()
    assert any(council.first_administrator for council in synthesised.councils)
    assert any(council.first_administrator is None for council in synthesised.councils)


def test_the_functions_declaring_the_officer_directory_know_the_pool_and_client_and_no_other_does(synthesised):
    """Sign-in and the administration pages (invite, reset password) talk to the pool; nothing else may."""
    for template in synthesised.templates.values():
        pool_id, _ = only(template, "AWS::Cognito::UserPool")
        client_id, _ = only(template, "AWS::Cognito::UserPoolClient")
        for handler, (_, function) in functions(template).items():
            variables = function["Environment"]["Variables"]
            if handler in (OFFICER_API_HANDLER, ADMIN_PAGES_HANDLER):
                assert variables["BOPS_OFFICER_USER_POOL_ID"] == {"Ref": pool_id}
                assert variables["BOPS_OFFICER_USER_POOL_CLIENT_ID"] == {"Ref": client_id}
            else:
                assert "BOPS_OFFICER_USER_POOL_ID" not in variables, handler


def test_attempt_counters_expire_from_the_read_model_table(synthesised):
    for template in synthesised.templates.values():
        [table] = [p for id, p in resources(template, "AWS::DynamoDB::Table").items() if id.startswith("ReadModels")]
        assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
