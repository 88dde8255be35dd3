"""What each service declares once: its HTTP routes, its event subscriptions and its periodic jobs.

The embedded runtime serves, dispatches and runs its timers from these declarations; CDK turns the same declarations
into API Gateway routes, EventBridge rules and EventBridge Scheduler schedules. Nothing lists routes, rules or
schedules by hand anywhere else.
"""

from __future__ import annotations

import importlib
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
        parts = re.split(r"\{(\w+)\+?\}", template)  # literal, name, literal, name, ...
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
        cached = _patterns[template] = re.compile(regex)
    return cached


_patterns: dict[str, re.Pattern[str]] = {}


@dataclass(frozen=True)
class HttpFunction:
    """A Lambda function serving some routes (one Powertools resolver).

    It may read and append to the event log and read and write documents. What else it needs is declared, and the
    stack grants exactly that: `secrets` (names under the council's secrets prefix, `{council}` standing for the
    council's code) and the read models it reads.
    """

    name: str
    handler: str
    routes: tuple[Route, ...]
    memory_mb: int = 512
    timeout_s: int = 29
    secrets: tuple[str, ...] = ()
    reads_read_models: tuple[str, ...] = ()


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

    def __post_init__(self) -> None:
        if self.projection and not self.writes_read_models:
            raise ValueError(f"subscription {self.name}: a projection's subscriber declares the read models it writes")

    @property
    def appends_events(self) -> bool:
        """A projection only reads the log; every other subscriber may append (its side streams)."""
        return self.projection is None


@dataclass(frozen=True)
class Authorizer:
    """The Lambda authorizer of API-key routes: it is given the route table (`route_table`) and reads read models."""

    name: str
    handler: str
    reads_read_models: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    memory_mb: int = 512
    timeout_s: int = 10


@dataclass(frozen=True)
class ScheduledJob:
    """A Lambda function run every `every_minutes` (an EventBridge Scheduler schedule on AWS, a timer in `bops serve`,
    which also runs it once at start and once at stop).

    It may read the event log (never append). Secrets as for HttpFunction; `writes_secrets` may also be written.
    `writes_audit_checkpoints`: it reads and appends to the audit checkpoint table (`BOPS_AUDIT_TABLE`).
    """

    name: str
    handler: str
    every_minutes: int
    memory_mb: int = 512
    timeout_s: int = 300
    secrets: tuple[str, ...] = ()
    writes_secrets: tuple[str, ...] = ()
    reads_read_models: tuple[str, ...] = ()
    writes_audit_checkpoints: bool = False
    writes_read_models: tuple[str, ...] = ()  # read models it also changes (as a subscriber's are granted)

    def __post_init__(self) -> None:
        if self.every_minutes < 1:
            raise ValueError(f"scheduled job {self.name}: it runs at most once a minute")
        if not set(self.writes_secrets) <= set(self.secrets):
            raise ValueError(f"scheduled job {self.name}: a secret it writes is also listed in `secrets`")

    @property
    def schedule_expression(self) -> str:
        """EventBridge Scheduler's rate expression (`rate(15 minutes)`)."""
        unit = "minute" if self.every_minutes == 1 else "minutes"
        return f"rate({self.every_minutes} {unit})"


@dataclass(frozen=True)
class ServiceDeclaration:
    name: str
    http: tuple[HttpFunction, ...] = ()
    subscriptions: tuple[Subscription, ...] = field(default_factory=tuple)
    authorizer: Authorizer | None = None
    scheduled: tuple[ScheduledJob, ...] = ()


def route_table(routes: Iterable[Route]) -> list[dict[str, object]]:
    """The API-key routes as plain data: the authorizer's environment (`BOPS_ROUTE_SCOPES`) on AWS and locally."""
    return [
        {"method": route.method, "path": route.path, "scopes": list(route.scopes)}
        for route in routes
        if route.auth == "api_key"
    ]


def load_handler(dotted: str) -> LambdaHandler:
    """Import `package.module.function` lazily (handlers are only imported when first used)."""
    module_name, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)
