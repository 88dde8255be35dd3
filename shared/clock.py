"""Time is passed in, never read directly: a clock that tests and `bops serve --now` can freeze or shift."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        ...


@dataclass(frozen=True)
class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """Always the same moment until moved (tests)."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment = self.moment + delta


@dataclass(frozen=True)
class OffsetClock:
    """The real time shifted by a fixed offset (e.g. `--time-offset 30` to see deadlines pass)."""

    offset: timedelta

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def parse_moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def clock_from(now: str | None = None, offset_days: float | None = None) -> Clock:
    if now:
        return FrozenClock(parse_moment(now))
    if offset_days:
        return OffsetClock(timedelta(days=offset_days))
    return SystemClock()


def clock_from_environment(environ: Mapping[str, str]) -> Clock:
    """`BOPS_NOW` (an ISO moment) freezes time; `BOPS_TIME_OFFSET_DAYS` shifts it."""
    offset = environ.get("BOPS_TIME_OFFSET_DAYS")
    return clock_from(environ.get("BOPS_NOW"), float(offset) if offset else None)
