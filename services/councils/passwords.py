"""Officers' passwords: argon2 hashes in the secret store under `officer-password/<officer id>`, never in the log."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.councils.errors import InvalidCouncilInput
from shared.secrets import SecretStore

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


def password_secret_name(officer_id: str) -> str:
    return f"officer-password/{officer_id}"


def check_password(password: str) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidCouncilInput(f"a password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")
    return password


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not a password: verified against so unknown accounts take as long as known ones")


class OfficerPasswords:
    def __init__(self, secrets: SecretStore, hasher: PasswordHasher) -> None:
        self.secrets = secrets
        self.hasher = hasher

    def set(self, officer_id: str, password: str) -> None:
        self.secrets.put(password_secret_name(officer_id), self.hasher.hash(check_password(password)))

    def verify(self, officer_id: str | None, password: str) -> bool:
        """True when the password matches; always runs one argon2 verification, even without an account or hash."""
        stored = self.secrets.get(password_secret_name(officer_id)) if officer_id else None
        try:
            self.hasher.verify(stored or _dummy_hash(self.hasher), password)
        except (VerificationError, InvalidHashError):
            return False
        if stored is None or officer_id is None:
            return False
        if self.hasher.check_needs_rehash(stored):
            self.secrets.put(password_secret_name(officer_id), self.hasher.hash(password))
        return True
