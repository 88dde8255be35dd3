"""What each service declares once: its HTTP routes, its event subscriptions and its periodic jobs.

The embedded runtime serves, dispatches and runs its timers from these declarations; CDK turns the same declarations
into API Gateway routes, EventBridge rules and EventBridge Scheduler schedules. Nothing lists routes, rules or
schedules by hand anywhere else.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Auth = Literal["public", "api_key", "officer"]
LambdaHandler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class Route:
    """One HTTP route, in API Gateway path syntax (`/api/v2/planning_applications/{reference}`)."""

    method: str
    path: str
    auth: Auth = "public"
    scopes: tuple[str, ...] = ()

    def matches(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when the request is for this route, else None."""
        if method.upper() != self.method and self.method != "ANY":
            return None
        found = _pattern(self.path).fullmatch(path)
        return found.groupdict() if found else None


def _pattern(template: str) -> re.Pattern[str]:
    cached = _patterns.get(template)
    if cached is None:
        parts = re.split(r"\{(\w+\+?)\}", template)  # literal, name, literal, name, ...
        regex = "".join(re.escape(part) if i % 2 == 0 else _parameter(part) for i, part in enumerate(parts))
        cached = _patterns[template] = re.compile(regex)
    return cached


def _parameter(name: str) -> str:
    """One path segment; a greedy `{name+}` (API Gateway's proxy parameter) takes the rest of the path, slashes too."""
    return f"(?P<{name[:-1]}>.+)" if name.endswith("+") else f"(?P<{name}>[^/]+)"


_patterns: dict[str, re.Pattern[str]] = {}


@dataclass(frozen=True)
class HttpFunction:
    """A Lambda function serving some routes (one Powertools resolver).

    It may read and append to the event log and read and write documents. What else it needs is declared, and the stack
    grants exactly that: `secrets` (names under the council's secrets prefix, `{council}` standing for the council's
    code; `writes_secrets`, also listed in `secrets`, may be changed too), the read models it reads (and
    `writes_read_models`, those it changes), the attempt counters it counts in (`shared.attempts`: kept beside the read
    models) and, with `officer_directory`, signing officers in against the council's user pool.
    """

    name: str
    handler: str
    routes: tuple[Route, ...]
    memory_mb: int = 512
    timeout_s: int = 29
    secrets: tuple[str, ...] = ()
    reads_read_models: tuple[str, ...] = ()
    attempt_counters: tuple[str, ...] = ()
    officer_directory: bool = False
    writes_secrets: tuple[str, ...] = ()
    writes_read_models: tuple[str, ...] = ()  # read models it also changes (a command projecting its own events)

    def __post_init__(self) -> None:
        if not set(self.writes_secrets) <= set(self.secrets):
            raise ValueError(f"http function {self.name}: a secret it writes is also listed in `secrets`")


@dataclass(frozen=True)
class Subscription:
    """A Lambda function that reacts to some event types (an EventBridge rule on AWS, the relay locally)."""

    name: str
    handler: str
    event_types: tuple[str, ...]
    projection: str | None = None  # dotted path of the Projection class, for subscribers that build a read model
    memory_mb: int = 512
    timeout_s: int = 120
    # How many streams the embedded relay may deliver at once (events of one stream always go one after another);
    # on AWS, Lambda runs deliveries concurrently anyway.
    concurrency: int = 1
    # What the stack grants besides reading the log: a projection's subscriber writes its read models (and reads the
    # log only); any other subscriber appends to the log and reads and writes documents. Secrets as for HttpFunction.
    secrets: tuple[str, ...] = ()
    reads_read_models: tuple[str, ...] = ()
    writes_read_models: tuple[str, ...] = ()
    # Powertools Idempotency records (a DynamoDB table on AWS, `BOPS_IDEMPOTENCY_TABLE`): a side effect outside the
    # log (an e-mail) happens once per key however often the event is delivered.
    idempotency: bool = False
    # A projection that reads stored documents (the public register converts a submission's original once): it may
    # get objects of the documents store, not put them.
    reads_documents: bool = False

    def __post_init__(self) -> None:
        if self.projection and not self.writes_read_models:
            raise ValueError(f"subscription {self.name}: a projection's subscriber declares the read models it writes")

    @property
    def appends_events(self) -> bool:
        """A projection only reads the log; every other subscriber may append (its side streams)."""
        return self.projection is None


@dataclass(frozen=True)
class Authorizer:
    """The Lambda authorizer of API-key and officer routes: it is given the route table (`route_table`) and reads read
    models."""

    name: str
    handler: str
    reads_read_models: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    attempt_counters: tuple[str, ...] = ()  # counted in or read, as for HttpFunction (signed-out sessions)
    memory_mb: int = 512
    timeout_s: int = 10


LONDON = "Europe/London"  # the time zone of a daily job's time (English councils' working day)
_DAILY_AT = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class ScheduledJob:
    """A Lambda function run every `every_minutes`, or once a day at `daily_at` ("HH:MM", London time, so it keeps its
    hour across the clock changes): an EventBridge Scheduler schedule on AWS, a timer in `bops serve`. `bops serve` also
    runs a periodic job once at start and once at stop, and a daily job once at start (a day missed while it was down).

    It may read the event log; `appends_events` lets it append too. Secrets as for HttpFunction; `writes_secrets` may
    also be written. `writes_audit_checkpoints`: it reads and appends to the audit checkpoint table
    (`BOPS_AUDIT_TABLE`).
    """

    name: str
    handler: str
    every_minutes: int | None = None
    memory_mb: int = 512
    timeout_s: int = 300
    secrets: tuple[str, ...] = ()
    writes_secrets: tuple[str, ...] = ()
    reads_read_models: tuple[str, ...] = ()
    writes_audit_checkpoints: bool = False
    daily_at: str | None = None
    appends_events: bool = False
    writes_read_models: tuple[str, ...] = ()  # read models it also changes (as a subscriber's are granted)

    def __post_init__(self) -> None:
        if (self.every_minutes is None) == (self.daily_at is None):
            raise ValueError(f"scheduled job {self.name}: it runs either every_minutes or daily_at, one of them")
        if self.every_minutes is not None and self.every_minutes < 1:
            raise ValueError(f"scheduled job {self.name}: it runs at most once a minute")
        if self.daily_at is not None and not _DAILY_AT.match(self.daily_at):
            raise ValueError(f"scheduled job {self.name}: daily_at is a 24-hour HH:MM time, not {self.daily_at!r}")
        if not set(self.writes_secrets) <= set(self.secrets):
            raise ValueError(f"scheduled job {self.name}: a secret it writes is also listed in `secrets`")

    @property
    def daily_time(self) -> tuple[int, int] | None:
        """(hour, minute) in London of a daily job, else None."""
        found = _DAILY_AT.match(self.daily_at) if self.daily_at else None
        return (int(found.group(1)), int(found.group(2))) if found else None

    @property
    def schedule_expression(self) -> str:
        """EventBridge Scheduler's expression: `rate(15 minutes)`, or `cron(30 1 * * ? *)` for a daily job (read in
        `schedule_timezone`)."""
        daily = self.daily_time
        if daily is not None:
            hour, minute = daily
            return f"cron({minute} {hour} * * ? *)"
        unit = "minute" if self.every_minutes == 1 else "minutes"
        return f"rate({self.every_minutes} {unit})"

    @property
    def schedule_timezone(self) -> str | None:
        """The time zone a daily job's cron expression is read in (EventBridge Scheduler's
        `ScheduleExpressionTimezone`); None for a rate."""
        return LONDON if self.daily_at is not None else None

    @property
    def schedule_description(self) -> str:
        return f"daily at {self.daily_at} London time" if self.daily_at else f"every {self.every_minutes} minutes"


@dataclass(frozen=True)
class ServiceDeclaration:
    name: str
    http: tuple[HttpFunction, ...] = ()
    subscriptions: tuple[Subscription, ...] = field(default_factory=tuple)
    authorizer: Authorizer | None = None
    scheduled: tuple[ScheduledJob, ...] = ()


def route_table(routes: Iterable[Route]) -> list[dict[str, object]]:
    """The API-key and officer routes as plain data: the authorizer's environment (`BOPS_ROUTE_SCOPES`) on AWS and
    locally. An entry without `auth` is an API-key route; an officer route has no `scopes`."""
    table: list[dict[str, object]] = []
    for route in routes:
        if route.auth in ("api_key", "officer"):
            entry: dict[str, object] = {"method": route.method, "path": route.path}
            if route.auth == "officer":
                entry["auth"] = "officer"  # officer routes have no scopes: left out (the environment's 4 KB limit)
            else:
                entry["scopes"] = list(route.scopes)
            table.append(entry)
    return table


def encode_route_table(routes: Iterable[Route]) -> str:
    """`route_table` as the authorizer's environment carries it, compactly (Lambda's environment is at most 4 KB):
    `{"officer": ["GET /path", ...], "api_key": {"POST /path": [scopes], ...}}`."""
    officer: list[str] = []
    api_key: dict[str, list[str]] = {}
    for entry in route_table(routes):
        key = f"{entry['method']} {entry['path']}"
        if entry.get("auth") == "officer":
            officer.append(key)
        else:
            api_key[key] = list(entry["scopes"])  # type: ignore[call-overload]
    return json.dumps({"officer": officer, "api_key": api_key}, separators=(",", ":"))


def decode_route_table(text: str) -> list[dict[str, object]]:
    """The route table back from `encode_route_table` (a plain `route_table` list is read as it is)."""
    data = json.loads(text or "[]")
    if isinstance(data, list):
        return data
    table: list[dict[str, object]] = []
    for key in data.get("officer", ()):
        method, _, path = key.partition(" ")
        table.append({"method": method, "path": path, "auth": "officer"})
    for key, scopes in data.get("api_key", {}).items():
        method, _, path = key.partition(" ")
        table.append({"method": method, "path": path, "scopes": list(scopes)})
    return table


def load_handler(dotted: str) -> LambdaHandler:
    """Import `package.module.function` lazily (handlers are only imported when first used)."""
    module_name, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)
