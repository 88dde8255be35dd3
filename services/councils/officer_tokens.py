"""Officers' sign-in tokens: the product's own short-lived signed token, one signing key ring per council.

A token is `bopso1.<key id>.<claims>.<signature>`: the claims (council, officer id, a random session id, issued and
expiry times, as base64url JSON) signed with HMAC-SHA256 under the council's current key. It says who signed in and
until when, never the role: the authorizer reads the officer's current role and active flag from the officers read
model on every request. The key ring lives in the secrets store under `{council}/officer-token-key`: created on first
use (on AWS the stack generates the first key), rotated by `bops officers rotate-signing-key`, which keeps the previous
key verifying until the tokens it signed have expired (and no longer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets as random_secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from shared.clock import Clock
from shared.councils.errors import CouncilError
from shared.councils.rules import check_code
from shared.secrets import SecretStore

if TYPE_CHECKING:
    from shared.wiring import Dependencies

TOKEN_PREFIX = "bopso1"
TOKEN_LIFETIME = timedelta(minutes=15)
KEY_SECRET = "{council}/officer-token-key"
KEY_BYTES = 32
MAX_TOKEN_LENGTH = 1024
RING_CACHE_SECONDS = 60.0  # a process re-reads a council's key ring at most this often (sooner for an unknown key id)
UNKNOWN_KEY_REFRESH_SECONDS = 5.0


class InvalidToken(Exception):
    """The token is malformed, forged, expired, or signed with a key this council does not (or no longer) trust."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    council: str
    officer_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SigningKey:
    id: str
    secret: bytes
    retire_at: datetime | None = None  # a previous key verifies until then (its last token's expiry); never signs

    def as_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "secret": _encode(self.secret),
            "retire_at": self.retire_at.isoformat() if self.retire_at else None,
        }


def key_secret_name(council: str) -> str:
    return KEY_SECRET.format(council=council)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    if not text or len(text) % 4 == 1 or not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_key() -> SigningKey:
    secret = random_secrets.token_bytes(KEY_BYTES)
    return SigningKey(f"k{random_secrets.token_hex(4)}", secret)


def parse_ring(value: str) -> list[SigningKey]:
    """A stored key ring (JSON, current key first). A plain string is the first key the deployment generated."""
    try:
        stored = json.loads(value)
    except ValueError:
        stored = None
    if not isinstance(stored, dict):
        digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
        return [SigningKey(f"d{digest[:8]}", value.encode("utf-8"))]
    return [
        SigningKey(
            str(key["id"]),
            _decode(key["secret"]),
            datetime.fromisoformat(key["retire_at"]) if key.get("retire_at") else None,
        )
        for key in stored["keys"]
    ]


def dump_ring(keys: list[SigningKey]) -> str:
    return json.dumps({"keys": [key.as_json() for key in keys]}, separators=(",", ":"))


class OfficerTokens:
    """Issues and verifies tokens; `monotonic` is only for the key ring's cache (tests pass their own).

    `served`: the one council whose tokens this process verifies (a council's stack on AWS, whose role may read no
    other council's key ring): a token naming another is refused without a read. None: every council (embedded)."""

    def __init__(
        self,
        secrets: SecretStore,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
        served: str | None = None,
    ) -> None:
        self.secrets = secrets
        self.clock = clock
        self.monotonic = monotonic
        self.served = served
        self._rings: dict[str, tuple[float, list[SigningKey]]] = {}
        self._lock = threading.Lock()

    # keys

    def _ring(self, council: str, *, create: bool = False, fresh: bool = False) -> list[SigningKey]:
        cached = self._rings.get(council)
        if cached is not None and not fresh and self.monotonic() - cached[0] < RING_CACHE_SECONDS:
            return cached[1]
        stored = self.secrets.get(key_secret_name(council))
        if stored is None:
            if not create:
                return []
            with self._lock:
                stored = self.secrets.get(key_secret_name(council))
                if stored is None:  # another process may make it at the same moment: the stored one wins
                    stored = self.secrets.put_if_absent(key_secret_name(council), dump_ring([_new_key()]))
        ring = parse_ring(stored)
        self._rings[council] = (self.monotonic(), ring)
        return ring

    def rotate(self, council: str) -> SigningKey:
        """A new current key; the previous one keeps verifying for one token lifetime, older ones are dropped."""
        now = self.clock.now()
        ring = self._ring(council, fresh=True)
        kept = [key for key in ring[1:] if key.retire_at is not None and key.retire_at > now]
        # Other processes may sign with the previous key until their cached ring expires: it verifies that long more.
        retire_at = now + TOKEN_LIFETIME + timedelta(seconds=RING_CACHE_SECONDS)
        previous = [SigningKey(ring[0].id, ring[0].secret, retire_at)] if ring else []
        current = _new_key()
        self.secrets.put(key_secret_name(council), dump_ring([current, *previous, *kept]))
        self._rings.pop(council, None)
        return current

    # tokens

    def issue(self, council: str, officer_id: str) -> tuple[str, datetime]:
        key = self._ring(council, create=True)[0]
        issued = self.clock.now()
        expires = issued + TOKEN_LIFETIME
        expires_at = int(expires.timestamp())
        # "s": a random session id, so two sign-ins in one second are two sessions (sign-out revokes one token).
        session = random_secrets.token_urlsafe(9)
        claims = {"c": council, "o": officer_id, "s": session, "iat": int(issued.timestamp()), "exp": expires_at}
        body = _encode(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
        signed = f"{TOKEN_PREFIX}.{key.id}.{body}"
        return f"{signed}.{_encode(_sign(key.secret, signed))}", datetime.fromtimestamp(expires_at, issued.tzinfo)

    def verify(self, token: str) -> TokenClaims:
        """The token's claims, or InvalidToken (the signature is compared in constant time, before any claim is used
        but the council that names the key ring)."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("malformed token")
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != TOKEN_PREFIX:
            raise InvalidToken("malformed token")
        _, key_id, body, signature = parts
        try:
            claims = json.loads(_decode(body))
            given = _decode(signature)
            council, officer_id = claims["c"], claims["o"]
            issued_at, expires_at = int(claims["iat"]), int(claims["exp"])
        except (ValueError, KeyError, TypeError):
            raise InvalidToken("malformed token") from None
        if not isinstance(council, str) or not isinstance(officer_id, str) or not council or not officer_id:
            raise InvalidToken("malformed token")
        key = self._key(council, key_id)
        if key is None or not hmac.compare_digest(_sign(key.secret, f"{TOKEN_PREFIX}.{key_id}.{body}"), given):
            raise InvalidToken("bad signature")
        now = self.clock.now()
        if key.retire_at is not None and now >= key.retire_at:
            raise InvalidToken("retired key")
        if not now.timestamp() < expires_at or expires_at - issued_at > TOKEN_LIFETIME.total_seconds():
            raise InvalidToken("expired token")
        tz = now.tzinfo
        return TokenClaims(
            council, officer_id, datetime.fromtimestamp(issued_at, tz), datetime.fromtimestamp(expires_at, tz)
        )

    def _key(self, council: str, key_id: str) -> SigningKey | None:
        try:
            check_code(council)
        except CouncilError:
            return None
        if self.served is not None and council != self.served:
            return None
        found = next((key for key in self._ring(council) if key.id == key_id), None)
        cached = self._rings.get(council)
        if found is None and cached is not None and self.monotonic() - cached[0] >= UNKNOWN_KEY_REFRESH_SECONDS:
            found = next((key for key in self._ring(council, fresh=True) if key.id == key_id), None)
        return found


def _sign(secret: bytes, signed: str) -> bytes:
    return hmac.new(secret, signed.encode("ascii"), hashlib.sha256).digest()


def process_tokens(deps: Dependencies) -> OfficerTokens:
    """This process's tokens: on AWS its stack's council only (its role may read no other council's key ring)."""
    served = deps.settings.council if deps.settings.runtime == "aws" else None
    return OfficerTokens(deps.secrets, deps.clock, served=served)
