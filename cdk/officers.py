"""The council's officer directory on AWS: a Cognito user pool whose groups are the officers' roles, the first
administrator from the deployment config, and the app client the sign-in function authenticates through
(ADMIN_USER_PASSWORD_AUTH, server side only). A council can later federate the pool with its own identity provider.

Officers never use Cognito's tokens: sign-in answers the product's own short-lived token (services.councils), which
the Lambda authorizer verifies on officer routes.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from cdk.nag import acknowledge
from shared.councils.settings import CouncilDeployment

ROLE_GROUPS = ("assessor", "reviewer", "administrator")  # services.councils.officer_directory.ROLE_GROUPS
MIN_PASSWORD_LENGTH = 8  # services.councils.passwords.MIN_PASSWORD_LENGTH


class OfficerUserPool(Construct):
    def __init__(self, scope: Construct, id: str, *, council: CouncilDeployment) -> None:
        super().__init__(scope, id)
        self.pool = cognito.UserPool(
            self,
            "Pool",
            user_pool_name=f"bops-{council.slug}-officers",
            self_sign_up_enabled=False,  # officers are created by the council's administrators (`bops officers`)
            sign_in_case_sensitive=False,
            sign_in_aliases=cognito.SignInAliases(username=True),  # the username is the officer's e-mail
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=MIN_PASSWORD_LENGTH,
                require_lowercase=False,
                require_uppercase=False,
                require_digits=False,
                require_symbols=False,
            ),
            account_recovery=cognito.AccountRecovery.NONE,  # administrators set passwords; no self-service reset
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.groups = {
            role: cognito.CfnUserPoolGroup(
                self,
                f"{role.title()}Group",
                user_pool_id=self.pool.user_pool_id,
                group_name=role,
                description=f"Officers with the {role} role",
            )
            for role in ROLE_GROUPS
        }
        self.client = self.pool.add_client(
            "SignIn",
            user_pool_client_name="bops-sign-in",
            auth_flows=cognito.AuthFlow(admin_user_password=True),
            generate_secret=False,  # called by our function with IAM credentials, never by a browser
            prevent_user_existence_errors=True,
        )
        first = council.first_administrator
        if first is not None:
            user = cognito.CfnUserPoolUser(
                self,
                "FirstAdministrator",
                user_pool_id=self.pool.user_pool_id,
                username=first.email.lower(),
                message_action="SUPPRESS",  # `bops officers create ... --password` gives the permanent password
                user_attributes=[
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email", value=first.email.lower()),
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email_verified", value="true"),
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="name", value=first.name),
                ],
            )
            attachment = cognito.CfnUserPoolUserToGroupAttachment(
                self,
                "FirstAdministratorIsAdministrator",
                user_pool_id=self.pool.user_pool_id,
                username=first.email.lower(),
                group_name="administrator",
            )
            attachment.node.add_dependency(user)
            attachment.node.add_dependency(self.groups["administrator"])
        acknowledge(
            self.pool,
            "COG1",
            "Length without composition rules, as the NCSC's password guidance advises (composition rules lead to "
            "predictable passwords); the same minimum as the embedded runtime, and sign-in is throttled per e-mail "
            "and per address.",
        )
        acknowledge(
            self.pool,
            "COG2",
            "Officers sign in through the product's session endpoint (ADMIN_USER_PASSWORD_AUTH), which cannot answer "
            "an MFA challenge yet; councils that need MFA federate the pool with their own identity provider.",
        )
        acknowledge(
            self.pool,
            "COG8",
            "The Plus feature plan is billed per monthly active user for threat protection this pool does not use: "
            "sign-in is throttled by the sign-in function and officers' tokens are the product's own.",
        )
        acknowledge(
            self.pool,
            "COG3",
            "Threat protection (advanced security) needs the Plus feature plan; sign-in attempts are throttled per "
            "e-mail and per client address by the sign-in function itself.",
        )
