"""Applies events to a projection exactly once per stream version, whatever order or how often they arrive."""

from __future__ import annotations

from collections.abc import Callable

from events import RecordedEvent
from shared.eventstore.port import EventStore
from shared.projections.projection import Document, Projection
from shared.projections.store import ReadModelStore

MAX_ATTEMPTS = 20


class ProjectionConflict(RuntimeError):
    """Another worker kept moving the same documents; the delivery should be retried."""


class Projector:
    """Duplicates change nothing (positions per stream); an event ahead of a missing one reads the gap from the log."""

    def __init__(
        self, projection: Projection, store: ReadModelStore, log: EventStore | Callable[[], EventStore]
    ) -> None:
        """`log` may be a function that gives the log: only a gap makes the projector read it, so a Lambda handler
        need not build its event store (an import and a client) before one."""
        self.projection = projection
        self.store = store
        self._log = log

    @property
    def log(self) -> EventStore:
        if callable(self._log):
            self._log = self._log()
        return self._log

    def handle(self, event: RecordedEvent) -> None:
        name = self.projection.name
        for _ in range(MAX_ATTEMPTS):
            # The position and the event's own document in one read: all a delivery without a gap needs.
            key = self._key(event)
            position, read = self.store.position_and_get(name, event.stream_id, [] if key is None else [key])
            if event.version <= position:
                return
            if event.version == position + 1:
                batch = [event]
            else:
                batch = self.log.read(event.stream_id, from_version=position + 1, to_version=event.version)
            documents = self._apply(batch, read)
            if self.store.commit(name, event.stream_id, position, batch[-1].version, documents):
                return
        raise ProjectionConflict(f"{name}: could not apply {event.stream_id} v{event.version}")

    def _key(self, event: RecordedEvent) -> str | None:
        """The key of the document the event changes, if the projection takes it."""
        return self.projection.key(event) if event.event_type in self.projection.event_types else None

    def _apply(
        self, batch: list[RecordedEvent], read: dict[str, tuple[Document | None, int]]
    ) -> dict[str, tuple[Document | None, int]]:
        """The batch's documents (each with the revision it was read at); those not in `read` are read together."""
        keys = [key for key in dict.fromkeys(map(self._key, batch)) if key is not None and key not in read]
        if keys:
            read = {**read, **self.store.position_and_get(self.projection.name, batch[0].stream_id, keys)[1]}
        documents: dict[str, tuple[Document | None, int]] = {}
        for event in batch:
            key = self._key(event)
            if key is None:
                continue
            current, revision = documents[key] if key in documents else read[key]
            documents[key] = (self.projection.apply(current, event), revision)
        return documents
