"""An administrator's change applies to the next request: the officers and API-keys read models (what sign-in and the
authorizers read) take a council's new events as they are recorded, by the command that recorded them.

Their subscribers (the relay, or EventBridge) deliver the same events a moment later, and a delivery of a version
already projected changes nothing (`Projector`), so projecting here first only closes the window in which a
deactivated officer, a demoted administrator or a revoked key was still let in. If projecting here fails, the command
has still happened: the delivery projects it, as before."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from events import RecordedEvent
from shared.projections.projector import Projector

if TYPE_CHECKING:
    from shared.wiring import Dependencies

log = logging.getLogger(__name__)


def project_at_once(deps: Dependencies) -> Callable[[Sequence[RecordedEvent]], None]:
    """What `CouncilService` calls with the events it has just appended to a council's stream."""
    from services.councils.api_key_projection import ApiKeyProjection
    from services.councils.officer_projection import OfficerProjection

    projectors = [
        Projector(projection, deps.read_models, lambda: deps.event_store)
        for projection in (OfficerProjection(), ApiKeyProjection())
    ]

    def project(recorded: Sequence[RecordedEvent]) -> None:
        for projector in projectors:
            if projector.projection.event_types.isdisjoint(event.event_type for event in recorded):
                continue  # nothing it takes (a settings change): its delivery, or its next event, moves its position
            try:
                projector.handle(recorded[-1])  # with any version before it not yet projected (read from the log)
            except Exception:
                log.warning("%s: left to its subscriber", projector.projection.name, exc_info=True)

    return project
