"""The audit of the log from the command line: which streams to check (checkpoints are written by
shared.audit_trail, on a timer by `bops serve`'s scheduler)."""

from __future__ import annotations

from events.streams import parse_application_stream
from shared.audit_trail import checkpoint_log
from shared.eventstore import EventStore
from shared.eventstore.audit import AuditReport, audit
from shared.eventstore.checkpoints import anchors, verified_checkpoints
from shared.wiring import Dependencies


def streams_to_verify(store: EventStore, reference: str, known: set[str] | None = None) -> list[str]:
    """One application's streams, by reference or CODE-reference. `known` adds stream ids found elsewhere (the
    checkpoints), so an application whose first events were removed is still found."""
    candidates = set(store.stream_ids("application:")) | {s for s in known or () if s.startswith("application:")}
    found = []
    for stream_id in sorted(candidates):
        parsed = parse_application_stream(stream_id)
        if parsed and reference in (parsed[1], f"{parsed[0]}-{parsed[1]}"):
            found.append(stream_id)
    return found


def run_audit(deps: Dependencies, reference: str | None) -> AuditReport | None:
    """Audit the whole log, or one application's streams (None when no such application is found)."""
    store, checkpoints = deps.event_store, checkpoint_log(deps)
    if not reference:
        return audit(store, checkpoints, deps.secrets)
    trail, _ = verified_checkpoints(checkpoints, deps.secrets)
    streams = streams_to_verify(store, reference, set(anchors(trail)[0]))
    return audit(store, checkpoints, deps.secrets, streams) if streams else None
