"""The officers read model: one document per officer (`{council}/{officer id}`) with their current name, e-mail, role
and active flag, so that the authorizer checks a signed-in officer in one read and sign-in finds an e-mail."""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from events import RecordedEvent  # noqa: E402
from events.council import OfficerCreated, OfficerDeactivated, OfficerRoleChanged  # noqa: E402
from services.councils import OFFICERS_READ_MODEL  # noqa: E402
from shared.bus import subscriber  # noqa: E402
from shared.projections.projection import Document  # noqa: E402
from shared.projections.projector import Projector  # noqa: E402

NAME = OFFICERS_READ_MODEL
EVENT_TYPES = ("OfficerCreated", "OfficerDeactivated", "OfficerRoleChanged")


def officer_key(council: str, officer_id: str) -> str:
    return f"{council}/{officer_id}"


class OfficerProjection:
    name = NAME
    event_types = frozenset(EVENT_TYPES)

    def key(self, event: RecordedEvent) -> str | None:
        return officer_key(event.council, event.payload.officer_id)  # type: ignore[attr-defined]

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        payload = event.payload
        if isinstance(payload, OfficerCreated):
            return {
                "council": event.council,
                "officer_id": payload.officer_id,
                "email": payload.email,
                "name": payload.name,
                "role": payload.role,
                "active": True,
            }
        if document is None:
            return None
        if isinstance(payload, OfficerDeactivated):
            return {**document, "active": False}
        if isinstance(payload, OfficerRoleChanged):
            return {**document, "role": payload.role}
        return document


def projector() -> Projector:
    from shared.wiring import dependencies

    deps = dependencies()
    return Projector(OfficerProjection(), deps.read_models, lambda: deps.event_store)


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    projector().handle(event)
