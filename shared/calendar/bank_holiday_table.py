"""England and Wales bank holidays as a table written ahead of time from the `holidays` package.

Importing `holidays` and computing a year from its rules costs a cold start about 200 ms of CPU. The Lambda bundle
step (`make lambda-bundle`) writes what `holidays` says for YEARS once:

    python -m shared.calendar.bank_holiday_table build/lambda/bank-holidays.json

and the stack points `BOPS_BANK_HOLIDAYS` at it. `shared.calendar.business_days` reads a year from the table when the
variable names one holding that year, else asks `holidays` (tests, `bops serve`, a year outside the table): `holidays`
stays the source of truth, and the bundle is rebuilt whenever the locked dependencies change (`cdk/bundle.py`).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from functools import lru_cache
from pathlib import Path

BANK_HOLIDAYS_ENV = "BOPS_BANK_HOLIDAYS"
YEARS = range(2000, 2061)  # fixed, so that the same dependencies always make the same bundle


def from_holidays(year: int) -> frozenset[date]:
    """England and Wales share their bank holidays (the `ENG` subdivision of `GB`). `holidays` is imported on first
    need: a handler that never counts days (or whose year is in the table) does not pay for it."""
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def write_table(path: Path, years: range = YEARS) -> None:
    """What `holidays` says for each of `years`, as {"years": {"2026": ["2026-01-01", ...], ...}}."""
    import holidays

    table = {str(year): sorted(day.isoformat() for day in from_holidays(year)) for year in years}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"holidays_version": holidays.__version__, "years": table}, indent=0) + "\n")


@lru_cache(maxsize=4)
def _read(path: str) -> dict[str, list[str]]:
    if not Path(path).is_file():  # a bundle built before the table existed: `holidays` answers
        return {}
    years: dict[str, list[str]] = json.loads(Path(path).read_text())["years"]
    return years


def from_table(year: int) -> frozenset[date] | None:
    """The year's bank holidays from the table `BOPS_BANK_HOLIDAYS` names, or None when there is none (no variable, no
    file) or it does not hold the year."""
    path = os.environ.get(BANK_HOLIDAYS_ENV)
    days = _read(path).get(str(year)) if path else None
    return None if days is None else frozenset(map(date.fromisoformat, days))


if __name__ == "__main__":
    write_table(Path(sys.argv[1]))
    print(f"wrote the bank holidays of {YEARS.start} to {YEARS.stop - 1} into {sys.argv[1]}")
