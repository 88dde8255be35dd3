"""`bops run-daily`: the daily job by hand, on a day of one's choosing (the timer in `bops serve` runs it too).

Locally the auto-close read model is fed by the relay, which only runs inside `bops serve`: the command first brings
that one subscriber up to date (through the relay's own lane and checkpoint, so a running `bops serve` and this command
share it safely), then runs the job. Against a deployed council (`BOPS_RUNTIME=aws`) the bus keeps it up to date.
"""

from __future__ import annotations

from datetime import date

from bops.checkpoints import Checkpoints
from bops.relay import Relay
from services import subscriptions
from services.assessment import AUTO_CLOSE_READ_MODEL
from services.assessment.daily import DailyRun, run_daily, todays_run_day
from shared.eventstore.sqlite import SqliteEventStore
from shared.wiring import dependencies

CATCH_UP_ROUNDS = 10_000  # buffers of the relay's size: far more than any local log needs


def catch_up_auto_close_read_model() -> int:
    """Deliver every event the auto-close subscriber has not had yet; how many log positions it moved."""
    deps = dependencies()
    if not isinstance(deps.event_store, SqliteEventStore):
        return 0
    [subscription] = [s for s in subscriptions() if AUTO_CLOSE_READ_MODEL in s.writes_read_models]
    relay = Relay(deps.event_store, Checkpoints(deps.read_models), [subscription], clock=deps.clock)  # type: ignore[arg-type]
    moved = 0
    try:
        for _ in range(CATCH_UP_ROUNDS):
            if not relay.lag()[subscription.name]:
                break
            moved += relay.run_once(subscription.name)
    finally:
        relay.stop()
    return moved


def run_daily_now(day: date | None = None) -> DailyRun:
    """The job as on `day` (default: the day the last scheduled run stood for, by the runtime's clock)."""
    catch_up_auto_close_read_model()
    deps = dependencies()
    now = deps.clock.now()
    return run_daily(deps.event_store, deps.read_models, day or todays_run_day(now), now)
