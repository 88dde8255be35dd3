"""API keys: `bops_<key id>_<secret>`. Only the sha256 of the whole key is recorded; the key is shown once."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

KEY_PREFIX = "bops"
_KEY = re.compile(r"bops_(?P<key_id>[0-9a-f]{12})_[A-Za-z0-9_-]{43}")


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key_id: str
    key: str
    key_hash: str
    prefix: str

    def __repr__(self) -> str:  # keeps the key out of logs and tracebacks
        return f"IssuedKey(key_id={self.key_id!r}, prefix={self.prefix!r})"


def new_api_key() -> IssuedKey:
    """A fresh key: 12 hex chars of id (48 random bits) and 32 random bytes of secret."""
    key_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    return IssuedKey(key_id=key_id, key=key, key_hash=hash_api_key(key), prefix=f"{KEY_PREFIX}_{key_id}")


def hash_api_key(key: str) -> str:
    """sha256 is enough here: the secret has 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_key_id(key: str) -> str | None:
    """The key id of a well-formed key, else None."""
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    return match.group("key_id") if match else None


def key_matches(key: str, key_hash: str) -> bool:
    """Constant-time comparison of a presented key with a recorded hash."""
    return hmac.compare_digest(hash_api_key(key), key_hash)
