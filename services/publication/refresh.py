"""A council's change of `publish_applicant_names` asks for every one of its public records to be made again, in
chunks, rather than in one delivery: re-projecting a large council's 200,000 applications in one Lambda invocation
would take hours, far past its timeout, and the delivery would fail again at every retry.

This subscriber lists the council's applications and appends `PublicRecordsRefreshRequested` events of at most
`REFRESH_CHUNK` references each to the change's own stream (`public_refresh_stream`); the register's projection
subscriber re-projects each chunk in its own delivery (`projection.lambda_handler`), several at once on AWS. A
redelivery (a retry after a timeout, a duplicate) continues where the last one stopped: references already in the
stream are not asked again; a concurrent delivery that appended first makes this one stop (it carries on).
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from typing import TYPE_CHECKING  # noqa: E402

from events import Actor, NewEvent, RecordedEvent  # noqa: E402
from events.streams import public_refresh_stream  # noqa: E402
from shared.bus import subscriber  # noqa: E402

if TYPE_CHECKING:
    from datetime import datetime

    from shared.eventstore.port import EventStore

APPEND_BATCH = 20  # events per append: one transaction each on DynamoDB (at most 100 items)


def ask_refresh(log: EventStore, council: str, settings_version: int, now: datetime) -> int:
    """Append the chunks of the council's applications not asked yet for this settings change; how many events."""
    from events.publication import REFRESH_CHUNK, PublicRecordsRefreshRequested
    from services.publication.projection import application_references
    from shared.eventstore.port import ConcurrencyError

    stream = public_refresh_stream(council, settings_version)
    asked: set[str] = set()
    version = 0
    for recorded in log.read(stream):
        asked.update(recorded.payload.references)  # type: ignore[attr-defined]
        version = recorded.version
    remaining = sorted(reference for _, reference in application_references(log, council) if reference not in asked)
    chunks = [tuple(remaining[i : i + REFRESH_CHUNK]) for i in range(0, len(remaining), REFRESH_CHUNK)]
    actor = Actor.system("publication")
    appended = 0
    for start in range(0, len(chunks), APPEND_BATCH):
        events = [
            NewEvent(
                PublicRecordsRefreshRequested(
                    references=chunk, reason="publish_applicant_names", settings_version=settings_version
                ),
                council,
                actor,
                now,
            )
            for chunk in chunks[start : start + APPEND_BATCH]
        ]
        try:
            log.append(stream, version, events)
        except ConcurrencyError:  # another delivery of the same change is appending: it carries on
            return appended
        version += len(events)
        appended += len(events)
    return appended


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    from shared.wiring import dependencies

    if getattr(event.payload.changes, "publish_applicant_names", None) is None:  # type: ignore[attr-defined]
        return  # a change that does not touch what public records show
    deps = dependencies()
    ask_refresh(deps.event_store, event.council, event.version, deps.clock.now())
