"""The officer directory: the port that checks an officer's password, with two adapters.

Embedded: argon2 hashes in the secrets store (`passwords.py`). AWS: the council's Cognito user pool, where each
officer is a user named by their e-mail (lower case) and their role is a group; sign-in calls `AdminInitiateAuth`
(ADMIN_USER_PASSWORD_AUTH), so a council can later federate the pool with its own identity provider. Who the officer
is (id, name, current role, active) always comes from the council's stream (the officers read model), never from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.aws.errors import error_code

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from shared.secrets import SecretStore
    from shared.wiring import Dependencies


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    council: str
    officer_id: str
    email: str
    name: str
    role: str


class OfficerDirectory(Protocol):
    def add(self, officer: DirectoryEntry, password: str | None) -> None:
        """Create the officer's account (without a password it cannot sign in until one is set)."""
        ...

    def set_password(self, officer: DirectoryEntry, password: str) -> None: ...

    def authenticate(self, council: str, officer_id: str | None, email: str, password: str) -> bool:
        """True when this is the active account's password. `officer_id` is None for an e-mail the council does not
        know: the adapter still does the same work, so that the answer takes as long."""
        ...

    def change_role(self, officer: DirectoryEntry) -> None: ...

    def disable(self, officer: DirectoryEntry) -> None:
        """The account can no longer sign in."""
        ...


class LocalOfficerDirectory:
    """Argon2 hashes in the secrets store, under `officer-password/<officer id>`."""

    def __init__(self, secrets: SecretStore, hasher: PasswordHasher) -> None:
        from services.councils.passwords import OfficerPasswords

        self.passwords = OfficerPasswords(secrets, hasher)

    def add(self, officer: DirectoryEntry, password: str | None) -> None:
        if password is not None:
            self.passwords.set(officer.officer_id, password)

    def set_password(self, officer: DirectoryEntry, password: str) -> None:
        self.passwords.set(officer.officer_id, password)

    def authenticate(self, council: str, officer_id: str | None, email: str, password: str) -> bool:
        return self.passwords.verify(officer_id, password)

    def change_role(self, officer: DirectoryEntry) -> None:
        """Roles are read from the log's read model; the hashes know none."""

    def disable(self, officer: DirectoryEntry) -> None:
        from services.councils.passwords import password_secret_name

        self.passwords.secrets.delete(password_secret_name(officer.officer_id))


ROLE_GROUPS = ("assessor", "reviewer", "administrator")
UNKNOWN_USER = "unknown@invalid.invalid"  # asked for when the e-mail is unknown, so the call takes as long


class CognitoOfficerDirectory:
    """One council's Cognito user pool (`client` is a botocore `cognito-idp` client)."""

    def __init__(self, client: Any, council: str, user_pool_id: str, app_client_id: str) -> None:
        self.client = client
        self.council = council
        self.user_pool_id = user_pool_id
        self.app_client_id = app_client_id

    @staticmethod
    def username(email: str) -> str:
        return email.strip().lower()

    def add(self, officer: DirectoryEntry, password: str | None) -> None:
        """The user, or the existing one (the first administrator the stack created from the deployment config)."""
        from botocore.exceptions import ClientError

        self._own(officer.council)
        try:
            self.client.admin_create_user(
                UserPoolId=self.user_pool_id,
                Username=self.username(officer.email),
                UserAttributes=[
                    {"Name": "email", "Value": self.username(officer.email)},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "name", "Value": officer.name},
                ],
                MessageAction="SUPPRESS",  # the council tells the officer their password; Cognito sends nothing
            )
        except ClientError as error:
            if error_code(error) != "UsernameExistsException":
                raise
        if password is not None:
            self.set_password(officer, password)
        self.change_role(officer)

    def set_password(self, officer: DirectoryEntry, password: str) -> None:
        from services.councils.passwords import check_password

        self._own(officer.council)
        self.client.admin_set_user_password(
            UserPoolId=self.user_pool_id,
            Username=self.username(officer.email),
            Password=check_password(password),
            Permanent=True,
        )

    def authenticate(self, council: str, officer_id: str | None, email: str, password: str) -> bool:
        from botocore.exceptions import ClientError

        if council != self.council or not password:
            return False
        try:
            answer = self.client.admin_initiate_auth(
                UserPoolId=self.user_pool_id,
                ClientId=self.app_client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": self.username(email) if officer_id else UNKNOWN_USER, "PASSWORD": password},
            )
        except ClientError as error:
            if error_code(error) in (
                "NotAuthorizedException",
                "UserNotFoundException",
                "UserNotConfirmedException",
                "PasswordResetRequiredException",
                "InvalidParameterException",
            ):
                return False
            raise
        return officer_id is not None and "AuthenticationResult" in answer  # a challenge is not a sign-in

    def change_role(self, officer: DirectoryEntry) -> None:
        self._own(officer.council)
        username = self.username(officer.email)
        groups = self.client.admin_list_groups_for_user(UserPoolId=self.user_pool_id, Username=username)["Groups"]
        for group in groups:
            if group["GroupName"] in ROLE_GROUPS and group["GroupName"] != officer.role:
                self.client.admin_remove_user_from_group(
                    UserPoolId=self.user_pool_id, Username=username, GroupName=group["GroupName"]
                )
        self.client.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=username, GroupName=officer.role)

    def disable(self, officer: DirectoryEntry) -> None:
        self._own(officer.council)
        self.client.admin_disable_user(UserPoolId=self.user_pool_id, Username=self.username(officer.email))

    def _own(self, council: str) -> None:
        if council != self.council:
            raise ValueError(f"this user pool is council {self.council}'s, not {council}'s")


def officer_directory(deps: Dependencies) -> OfficerDirectory:
    """The runtime's directory: Cognito on AWS (the deployment's council's pool), else the local hashes."""
    settings = deps.settings
    if settings.runtime == "aws":
        if not (settings.council and settings.officer_user_pool_id and settings.officer_user_pool_client_id):
            raise RuntimeError(
                "BOPS_COUNCIL, BOPS_OFFICER_USER_POOL_ID and BOPS_OFFICER_USER_POOL_CLIENT_ID must be set when "
                "BOPS_RUNTIME=aws"
            )
        return CognitoOfficerDirectory(
            deps.aws_client("cognito-idp"),
            settings.council,
            settings.officer_user_pool_id,
            settings.officer_user_pool_client_id,
        )
    from argon2 import PasswordHasher

    return LocalOfficerDirectory(deps.secrets, PasswordHasher())
