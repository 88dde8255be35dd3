"""The attempt-counters port: how many attempts a key made in one time window, shared across processes (Lambda
instances on AWS, `bops serve`'s workers locally), so a limit holds whichever instance answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class AttemptCounters(Protocol):
    def count(self, name: str, key: str, window: int) -> int:
        """Attempts recorded for `key` in window number `window` of the counter `name` (0 if none)."""
        ...

    def counts(self, name: str, keys: Sequence[tuple[str, int]]) -> list[int]:
        """`count` of each (key, window), in order, read together (one request on AWS)."""
        ...

    def add(self, name: str, key: str, window: int, expires_at: int) -> int:
        """Record one attempt atomically and return the new count; the record may be dropped after `expires_at`
        (Unix seconds)."""
        ...
