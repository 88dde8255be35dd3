"""An emulated council user pool (moto's cognito-idp) shaped as the stack makes it: the role groups and an app client
that allows ADMIN_USER_PASSWORD_AUTH."""

from __future__ import annotations

from typing import Any

from services.councils.officer_directory import ROLE_GROUPS


def create_officer_pool(client: Any, council: str) -> tuple[str, str]:
    """(user pool id, app client id)."""
    pool = client.create_user_pool(
        PoolName=f"bops-{council}-officers",
        UsernameConfiguration={"CaseSensitive": False},
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": False,
                "RequireLowercase": False,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        },
    )["UserPool"]["Id"]
    for group in ROLE_GROUPS:
        client.create_group(GroupName=group, UserPoolId=pool)
    app = client.create_user_pool_client(
        UserPoolId=pool, ClientName="sign-in", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    return pool, app
