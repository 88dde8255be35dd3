"""The streams whose head moved since the audit checkpoint job last sealed them: a read model of every event.

One small document per stream (`{"version": newest version seen}`), written by this subscriber and taken away by the
job once it has sealed that version (`shared.eventstore.audit.write_checkpoint`). So the job reads only the streams
that moved, never every stream's head (DynamoDB has no global order to scan instead; SQLite's log-wide chain has).
The subscriber writes a note with one conditional write per event (`note`), not through a `Projector`: a note only
ever says the newest version seen, so neither a duplicate, a late delivery nor a gap can make it wrong, and it needs
no stream positions, no read of the log and no transaction (`MovedStreamsProjection` is the same read model as a
projection, for rebuilds).
A note is only a hint of where to look: the job verifies each noted stream from its last sealed head to its newest
event, whatever the note says; a lost note leaves that head unsealed until the stream moves again.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from collections.abc import Mapping  # noqa: E402

from events import RecordedEvent  # noqa: E402
from services.assessment import MOVED_STREAMS_READ_MODEL, every_event_type  # noqa: E402
from shared.bus import subscriber  # noqa: E402
from shared.projections.projection import Document  # noqa: E402
from shared.projections.store import ReadModelStore  # noqa: E402


class MovedStreamsProjection:
    name = MOVED_STREAMS_READ_MODEL
    event_types = frozenset(every_event_type())

    def key(self, event: RecordedEvent) -> str | None:
        return event.stream_id

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        return {"version": event.version}


class NotedMovedStreams:
    """What the checkpoint job reads and clears (`shared.eventstore.audit.MovedStreams`)."""

    def __init__(self, read_models: ReadModelStore) -> None:
        self.read_models = read_models
        self._noted: dict[str, Document] = {}

    def noted(self) -> dict[str, int]:
        self._noted = dict(self.read_models.documents(MOVED_STREAMS_READ_MODEL))
        return {stream_id: int(note["version"]) for stream_id, note in self._noted.items()}

    def forget(self, sealed: Mapping[str, int]) -> None:
        """Drop the notes at or below the versions now sealed; a note that moved on since it was read stays."""
        for stream_id, note in self._noted.items():
            if stream_id in sealed and int(note["version"]) <= sealed[stream_id]:
                self.read_models.discard(MOVED_STREAMS_READ_MODEL, stream_id, note)


def note(read_models: ReadModelStore, event: RecordedEvent) -> None:
    """Note the event's stream at its version, unless a note at that version or a later one is there (a note the job
    took away since is written again by a late delivery: the job then finds that version sealed already)."""
    read_models.put_newer(MOVED_STREAMS_READ_MODEL, event.stream_id, {"version": event.version}, event.version)


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    from shared.wiring import dependencies

    note(dependencies().read_models, event)
