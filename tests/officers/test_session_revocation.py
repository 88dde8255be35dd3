"""Signed-out sessions (`services.councils.session_revocation`): a revoked token stays revoked until its expiry
whatever is revoked after it, other tokens are not, and the records of expired tokens are dropped (bounded)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.councils.declaration import REVOKED_SESSIONS
from services.councils.session_revocation import SessionRevocations
from shared.attempts.sqlite import SqliteAttemptCounters

T0 = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=15)


def rows(counters: SqliteAttemptCounters) -> int:
    names = ",".join("?" * len(REVOKED_SESSIONS))
    query = f"SELECT COUNT(*) FROM attempt_counters WHERE name IN ({names})"
    return counters.connection().execute(query, REVOKED_SESSIONS).fetchone()[0]


def test_a_revoked_token_stays_revoked_until_its_expiry_and_old_records_are_dropped(tmp_path):
    counters = SqliteAttemptCounters(tmp_path / "counters.sqlite")
    revocations = SessionRevocations(counters)
    # Tokens signed out one after another, a minute apart, over an hour: each expiring 15 minutes after its issue.
    tokens = [(f"token-{minute}", T0 + timedelta(minutes=minute) + LIFETIME) for minute in range(0, 60)]
    for index, (token, expires_at) in enumerate(tokens):
        revocations.revoke(token, expires_at)
        now = expires_at - LIFETIME  # signed out as soon as issued: the worst case for the buckets
        for earlier, earlier_expiry in tokens[: index + 1]:
            if earlier_expiry > now:  # still valid: it must still be refused
                assert revocations.revoked(earlier, earlier_expiry), (earlier, now)
        assert not revocations.revoked(f"never-{index}", expires_at)
    assert rows(counters) <= 3 * 15 + 1  # about three buckets of tokens at most, however long it runs
    revocations.revoke(*tokens[-1])  # twice: still one record
    assert revocations.revoked(*tokens[-1])
