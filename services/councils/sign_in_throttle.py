"""Throttling of sign-in attempts: failures counted per e-mail and per client address in fixed windows.

Five failures for one e-mail or twenty from one address within a 15-minute window refuse further attempts (429)
until the window ends, whichever process answers (the counts are in `shared.attempts`). Keys are hashed: the
counters never hold an e-mail or an address.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from shared.attempts import AttemptCounters
from shared.clock import Clock

COUNTER = "sign-in"  # as declared (`attempt_counters`) by the sign-in function


@dataclass(frozen=True)
class Limit:
    kind: str
    max_failures: int
    window_seconds: int


EMAIL_LIMIT = Limit("email", 5, 15 * 60)
ADDRESS_LIMIT = Limit("address", 20, 15 * 60)


def _hashed(value: str) -> str:
    return hashlib.sha256(value.strip().casefold().encode("utf-8")).hexdigest()


class SignInThrottle:
    def __init__(
        self,
        counters: AttemptCounters,
        clock: Clock,
        email_limit: Limit = EMAIL_LIMIT,
        address_limit: Limit = ADDRESS_LIMIT,
    ) -> None:
        self.counters = counters
        self.clock = clock
        self.limits = (email_limit, address_limit)

    def _keys(self, email: str, address: str) -> list[tuple[Limit, str]]:
        hashed = (_hashed(email), _hashed(address))
        return [(limit, f"{limit.kind}:{key}") for limit, key in zip(self.limits, hashed, strict=True)]

    def retry_after(self, email: str, address: str) -> int | None:
        """Seconds until another attempt is allowed, or None when it is allowed now."""
        now = self.clock.now().timestamp()
        windows = [(limit, key, int(now // limit.window_seconds)) for limit, key in self._keys(email, address)]
        counts = self.counters.counts(COUNTER, [(key, window) for _, key, window in windows])  # one read for both
        waits = [
            max(1, math.ceil((window + 1) * limit.window_seconds - now))
            for (limit, _, window), count in zip(windows, counts, strict=True)
            if count >= limit.max_failures
        ]
        return max(waits) if waits else None

    def failed(self, email: str, address: str) -> None:
        now = self.clock.now().timestamp()
        for limit, key in self._keys(email, address):
            window = int(now // limit.window_seconds)
            self.counters.add(COUNTER, key, window, (window + 1) * limit.window_seconds)
