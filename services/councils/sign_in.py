"""Officers sign in: e-mail and password checked by the council's officer directory, throttled, answered with a
token. Every failure (unknown e-mail, wrong password, deactivated officer) gets the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.councils.officer_directory import OfficerDirectory
from services.councils.officer_records import OfficerRecord, OfficerRecords
from services.councils.officer_tokens import OfficerTokens
from services.councils.sign_in_throttle import SignInThrottle
from shared.councils.errors import CouncilError
from shared.councils.rules import check_code

MAX_EMAIL_LENGTH = 320
MAX_PASSWORD_LENGTH = 1024
REFUSED = "The e-mail address or password is not right, or the account cannot sign in"


class SignInRefused(Exception):
    """401, one message for every reason (the reason is logged, never answered)."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSED)
        self.reason = reason


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed sign-in attempts: try again in {retry_after} seconds")
        self.retry_after = retry_after


class InvalidSignIn(Exception):
    """422: the body's fields are wrong (`fields`: field → message)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("The sign-in request is not valid")
        self.fields = fields


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str
    council: str | None


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: datetime
    officer: OfficerRecord

    def body(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "expiresAt": self.expires_at.isoformat().replace("+00:00", "Z"),
            "officer": {
                "id": self.officer.id,
                "name": self.officer.name,
                "role": self.officer.role,
                "council": self.officer.council,
            },
        }


def credentials(body: Any) -> Credentials:
    """The sign-in body's fields, or InvalidSignIn naming each one that is wrong."""
    if not isinstance(body, dict):
        raise InvalidSignIn({"": "the body must be a JSON object with email and password"})
    fields: dict[str, str] = {}
    email, password, council = body.get("email"), body.get("password"), body.get("council")
    if not isinstance(email, str) or not email.strip():
        fields["email"] = "an e-mail address is required"
    elif len(email) > MAX_EMAIL_LENGTH or "@" not in email:
        fields["email"] = f"an e-mail address has an @ and at most {MAX_EMAIL_LENGTH} characters"
    if not isinstance(password, str) or not password:
        fields["password"] = "a password is required"
    elif len(password) > MAX_PASSWORD_LENGTH:
        fields["password"] = f"a password has at most {MAX_PASSWORD_LENGTH} characters"
    if council is not None:
        try:
            check_code(council)
        except CouncilError as error:
            fields["council"] = str(error)
    unknown = sorted(set(body) - {"email", "password", "council"})
    for name in unknown:
        fields[name] = "unknown field"
    if fields:
        raise InvalidSignIn(fields)
    return Credentials(str(email).strip(), str(password), council)


class SignIn:
    """`deployed_council`: on AWS the stack's council (the only one it signs in to); embedded, None."""

    def __init__(
        self,
        directory: OfficerDirectory,
        officers: OfficerRecords,
        tokens: OfficerTokens,
        throttle: SignInThrottle,
        deployed_council: str | None = None,
    ) -> None:
        self.directory = directory
        self.officers = officers
        self.tokens = tokens
        self.throttle = throttle
        self.deployed_council = deployed_council

    def sign_in(self, given: Credentials, address: str) -> Session:
        wait = self.throttle.retry_after(given.email, address)
        if wait is not None:
            raise TooManyAttempts(wait)
        council = given.council or self.deployed_council
        if self.deployed_council and council != self.deployed_council:
            candidates: list[OfficerRecord] = []
        else:
            candidates = self.officers.by_email(given.email, council)
        tries: list[OfficerRecord | None] = [*candidates] or [None]
        for officer in tries:
            # Always one directory check, even for an unknown e-mail: the answer takes as long either way.
            target = officer.council if officer else (council or self.deployed_council or "")
            matches = self.directory.authenticate(
                target, officer.id if officer else None, officer.email if officer else given.email, given.password
            )
            if matches and officer is not None and officer.active:
                token, expires_at = self.tokens.issue(officer.council, officer.id)
                return Session(token, expires_at, officer)
        self.throttle.failed(given.email, address)
        reason = "unknown e-mail" if not candidates else "wrong password or deactivated"
        raise SignInRefused(reason)
