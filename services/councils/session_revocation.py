"""Signed-out sessions: a token revoked at sign-out stops opening officer routes at once, though it has not expired.

The token is stateless (`officer_tokens`), so sign-out records its digest (never the token) as revoked, in the attempt
counters shared by every process (`shared.attempts`: SQLite beside the read models locally, the read-model table with
DynamoDB's time to live on AWS), until the token's own expiry; the authorizer looks it up by that digest after
verifying the signature (one keyed read per request). It stays bounded: a record lives at most one token lifetime.

Counters drop earlier windows of their counter when a new window starts (`shared.attempts.sqlite`). A record's window
is its token's expiry in token-lifetime buckets; the buckets alternate between two counters, so a write only drops
buckets at least two lifetimes older than its own, whose tokens have all expired.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from services.councils.declaration import REVOKED_SESSIONS
from services.councils.officer_tokens import TOKEN_LIFETIME
from shared.attempts import AttemptCounters

_BUCKET_SECONDS = int(TOKEN_LIFETIME.total_seconds())


def _record(token: str, expires_at: datetime) -> tuple[str, str, int]:
    bucket = int(expires_at.timestamp()) // _BUCKET_SECONDS
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    return REVOKED_SESSIONS[bucket % 2], digest, bucket


class SessionRevocations:
    def __init__(self, counters: AttemptCounters) -> None:
        self.counters = counters

    def revoke(self, token: str, expires_at: datetime) -> None:
        """Revoke a verified token until its expiry (revoking it twice changes nothing)."""
        name, key, window = _record(token, expires_at)
        self.counters.add(name, key, window, int(expires_at.timestamp()) + 1)

    def revoked(self, token: str, expires_at: datetime) -> bool:
        name, key, window = _record(token, expires_at)
        return self.counters.count(name, key, window) > 0
