"""The daily job: closes, as accepted, the validation requests left unanswered until their auto-close day (description
and red-line boundary changes after 5 business days, pre-commencement conditions after 10), applying their change.

Run by EventBridge Scheduler on AWS and by `bops serve`'s timer at the declared London time, and by `bops run-daily`.
It folds only the applications the auto-close read model lists with a request due, and each decision is the domain's
(`auto_close_due`), appended at the version it was made on: an officer or applicant acting meanwhile makes it decide
again. Idempotent: a second run finds nothing due; a run that stopped halfway is finished by the next.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from events import Actor, NewEvent, RecordedEvent  # noqa: E402
from events.streams import application_stream  # noqa: E402
from services.assessment import AUTO_CLOSE_READ_MODEL, DAILY_AT  # noqa: E402
from shared.calendar import LONDON  # noqa: E402
from shared.eventstore.port import ConcurrencyError, EventStore  # noqa: E402
from shared.observability import count, observed  # noqa: E402
from shared.projections.store import ReadModelStore  # noqa: E402

DAILY_JOB = Actor(kind="system", id="daily-job", display_name="the daily job")
MAX_ATTEMPTS = 5  # folds of one application when others keep appending to it at the same moment


@dataclass(frozen=True)
class Candidate:
    council: str
    reference: str
    next_due: date


@dataclass
class DailyRun:
    """What one run did: the applications it looked at and the events it appended (per application reference)."""

    day: date
    candidates: int = 0
    appended: dict[str, list[RecordedEvent]] = field(default_factory=dict)
    busy: list[str] = field(default_factory=list)  # references others kept appending to: left for the next run

    @property
    def closed_requests(self) -> list[tuple[str, str]]:
        """(reference, request id) of every request the run closed."""
        return [
            (reference, event.payload.request_id)  # type: ignore[attr-defined]
            for reference, events in self.appended.items()
            for event in events
            if event.event_type == "ValidationRequestAutoClosed"
        ]


class ApplicationsBusy(RuntimeError):
    def __init__(self, references: list[str]) -> None:
        super().__init__(f"the daily job could not act on {', '.join(references)}: they kept changing while it did")
        self.references = references


def due_candidates(read_models: ReadModelStore, day: date) -> Iterator[Candidate]:
    """The applications whose earliest auto-close day is `day` or before, from the read model."""
    for _, document in read_models.documents(AUTO_CLOSE_READ_MODEL):
        next_due = document.get("next_due")
        if next_due and date.fromisoformat(next_due) <= day:
            yield Candidate(document["council"], document["reference"], date.fromisoformat(next_due))


def close_due_requests(
    store: EventStore, council: str, reference: str, day: date, now: datetime
) -> list[RecordedEvent]:
    """Fold the application's main stream, let the domain say what is due on `day`, and append that at the version it
    saw. The requests, their days and the status are all on the main stream: the side streams (files, messages) change
    nothing the auto-close looks at, so they are not read (two queries fewer per application)."""
    from services.assessment.domain.daily import auto_close_due
    from services.assessment.domain.state import fold

    stream = application_stream(council, reference)
    for _ in range(MAX_ATTEMPTS):
        state = fold(store.read(stream))
        payloads = auto_close_due(state, today=day)
        if not payloads:
            return []
        try:
            return store.append(stream, state.version, [NewEvent(p, council, DAILY_JOB, now) for p in payloads])
        except ConcurrencyError:
            continue
    raise ConcurrencyError(stream, state.version)


def run_daily(store: EventStore, read_models: ReadModelStore, day: date, now: datetime) -> DailyRun:
    run = DailyRun(day)
    for candidate in due_candidates(read_models, day):
        run.candidates += 1
        try:
            appended = close_due_requests(store, candidate.council, candidate.reference, day, now)
        except ConcurrencyError:
            run.busy.append(candidate.reference)
            continue
        if appended:
            run.appended[candidate.reference] = appended
    return run


def scheduled_day(now: datetime, hour: int, minute: int) -> date:
    """The London date of the latest `hour:minute` at or before `now`: the day a scheduled run stands for, even when
    it runs late (a retry after midnight) or early (`bops serve` runs it when it starts)."""
    local = now.astimezone(LONDON)
    return local.date() if (local.hour, local.minute) >= (hour, minute) else local.date() - timedelta(days=1)


def todays_run_day(now: datetime) -> date:
    hour, minute = (int(part) for part in DAILY_AT.split(":"))
    return scheduled_day(now, hour, minute)


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from shared.wiring import dependencies

    deps = dependencies()
    now = deps.clock.now()
    run = run_daily(deps.event_store, deps.read_models, todays_run_day(now), now)
    count("ValidationRequestsAutoClosed", len(run.closed_requests))
    if run.busy:  # a failed invocation: retried, then dead-lettered and alarmed; the rest of the run is done
        raise ApplicationsBusy(run.busy)
    return {"day": run.day.isoformat(), "candidates": run.candidates, "closed": len(run.closed_requests)}
