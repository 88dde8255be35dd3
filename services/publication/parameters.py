"""The query values both public faces take alike (ODP `@next` and BOPS-compatible v2): a request either face refuses,
the other refuses too, each in its own error shape with the same reasons.

- a day is `YYYY-MM-DD` only: a date and time (`2026-01-01T10:00Z`) or another ISO form (`20260101`) is refused, not
  cut to a day (which day a moment falls on depends on a time zone the request did not say);
- a date range that ends before it starts is refused (it can match nothing: a mistake, not a question);
- a page holds at least one result (`resultsPerPage=0` is refused; larger than a face's cap is capped);
- a path parameter (a reference, a document id) is the one API Gateway decodes (`path_parameter`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

MIN_RESULTS_PER_PAGE = 1
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def calendar_day(text: str) -> date | None:
    """The day `text` writes as `YYYY-MM-DD` (surrounding spaces allowed), else None."""
    text = text.strip()
    if not _DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return None


def day_reason(name: str, raw: str) -> str:
    return f"{name} must be a date (YYYY-MM-DD), not {raw[:40]!r}"


def range_reason(prefix: str, start: date | None, end: date | None) -> str | None:
    """Why `<prefix>From`..`<prefix>To` is refused (None: it is not)."""
    if start is not None and end is not None and start > end:
        return f"{prefix}From ({start.isoformat()}) is after {prefix}To ({end.isoformat()})"
    return None


def path_parameter(path_parameters: Mapping[str, str] | None, name: str, matched: str) -> str:
    """A path parameter as API Gateway's REST proxy decodes it into `pathParameters` (`26-00001%2DHAPP` is
    `26-00001-HAPP`; the embedded runtime decodes them alike). The resolver's own match (`matched`) comes from the
    event's `path`, which API Gateway passes as the request spelt it, still percent-encoded."""
    return (path_parameters or {}).get(name) or matched
