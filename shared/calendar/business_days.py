"""Business days: Monday to Friday, except England and Wales bank holidays (from the `holidays` package)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
OPENS, CLOSES = time(9, 0), time(17, 0)  # a council's business hours: received-at rolls forward into them
ONE_DAY = timedelta(days=1)


def london_date(moment: datetime) -> date:
    """The date in England and Wales at `moment` (timezone-aware)."""
    return moment.astimezone(LONDON).date()


@lru_cache(maxsize=64)
def england_and_wales_bank_holidays(year: int) -> frozenset[date]:
    """The year's bank holidays: from the table the Lambda bundle holds when it has the year, else from `holidays`
    (imported on first need: `shared.calendar.bank_holiday_table`)."""
    from shared.calendar.bank_holiday_table import from_holidays, from_table  # not at import: it is also a `-m` tool

    found = from_table(year)
    return from_holidays(year) if found is None else found


@dataclass(frozen=True)
class BusinessCalendar:
    """Counts business days. `bank_holidays` gives a year's bank holidays (tests may pass their own)."""

    bank_holidays: Callable[[int], frozenset[date]] = field(default=england_and_wales_bank_holidays)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays(day.year)

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        day += ONE_DAY
        while not self.is_business_day(day):
            day += ONE_DAY
        return day

    def add_business_days(self, day: date, count: int) -> date:
        """The `count`-th business day after `day` (`day` itself when count is 0)."""
        if count < 0:
            raise ValueError(f"cannot add {count} business days: count back with business_days_between")
        for _ in range(count):
            day = self.next_business_day(day)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end`; negative when `end` is before `start`."""
        if end < start:
            return -self.business_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_business_day(day)
        return count

    def received_date(self, moment: datetime) -> date:
        """The London date of the first business moment (09:00 to 17:00 on a business day) at or after `moment`."""
        if moment.tzinfo is None:
            raise ValueError("received-at must be timezone-aware")
        local = moment.astimezone(LONDON)
        if self.is_business_day(local.date()) and local.time() < CLOSES:
            return local.date()
        return self.next_business_day(local.date())


ENGLAND_AND_WALES = BusinessCalendar()
