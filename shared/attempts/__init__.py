"""Counters of attempts in fixed time windows (sign-in failures), shared by every process of a runtime."""

from shared.attempts.port import AttemptCounters

__all__ = ["AttemptCounters"]
