"""The API-keys read model: one document per key hash, so that the authorizer finds a key in one read."""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from events import RecordedEvent  # noqa: E402
from events.council import ApiKeyCreated, ApiKeyRevoked  # noqa: E402
from services.councils import API_KEYS_READ_MODEL  # noqa: E402
from shared.bus import subscriber  # noqa: E402
from shared.projections.projection import Document  # noqa: E402
from shared.projections.projector import Projector  # noqa: E402

NAME = API_KEYS_READ_MODEL


class ApiKeyProjection:
    name = NAME
    event_types = frozenset({"ApiKeyCreated", "ApiKeyRevoked"})

    def key(self, event: RecordedEvent) -> str | None:
        return event.payload.key_hash  # type: ignore[attr-defined]

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        payload = event.payload
        if isinstance(payload, ApiKeyCreated):
            return {
                "council": event.council,
                "key_id": payload.key_id,
                "name": payload.name,
                "scopes": list(payload.scopes),
                "revoked": False,
            }
        if isinstance(payload, ApiKeyRevoked) and document is not None:
            return {**document, "revoked": True}
        return document


def projector() -> Projector:
    from shared.wiring import dependencies

    deps = dependencies()
    return Projector(ApiKeyProjection(), deps.read_models, lambda: deps.event_store)


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    projector().handle(event)
