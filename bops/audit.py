"""The audit of the log: which streams to check, where the sealed checkpoints live, and checkpoints on a timer."""

from __future__ import annotations

import logging
import os
import threading

from events.serialization import format_time
from events.streams import parse_application_stream
from shared.eventstore import EventStore
from shared.eventstore.audit import AuditFailed, AuditReport, audit, write_checkpoint
from shared.eventstore.checkpoints import (
    Checkpoint,
    CheckpointConflict,
    CheckpointLog,
    anchors,
    verified_checkpoints,
)
from shared.eventstore.port import CHECKPOINTS, WHOLE_LOG, BadEvent
from shared.wiring import Dependencies

log = logging.getLogger("bops.audit")

DEFAULT_CHECKPOINT_INTERVAL = 900.0  # seconds between the checkpoints `bops serve` writes


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


def describe_problem(bad: BadEvent) -> str:
    """One line naming what is wrong and where: the stream and version, the log, or the checkpoint."""
    if bad.stream_id == WHOLE_LOG:
        return f"FAILED: the log: {bad.reason}"
    if bad.stream_id == CHECKPOINTS:
        return f"FAILED: audit checkpoint {bad.version}: {bad.reason}"
    return f"FAILED: stream {bad.stream_id} version {bad.version} event {bad.event_id}: {bad.reason}"


def checkpoint_log(deps: Dependencies) -> CheckpointLog:
    """Beside the log but not in it: `audit.sqlite` in the data folder, or the stack's audit table on AWS."""
    settings = deps.settings
    if settings.runtime == "aws":
        from shared.eventstore.checkpoints_dynamodb import DynamoDbCheckpointLog

        if not settings.audit_table:
            raise RuntimeError("BOPS_AUDIT_TABLE must be set when BOPS_RUNTIME=aws")
        return DynamoDbCheckpointLog(settings.audit_table, deps.aws_client("dynamodb"))
    from shared.eventstore.checkpoints_sqlite import SqliteCheckpointLog

    return SqliteCheckpointLog(settings.audit_checkpoints_path)


def run_audit(deps: Dependencies, reference: str | None) -> AuditReport | None:
    """Audit the whole log, or one application's streams (None when no such application is found)."""
    store, checkpoints = deps.event_store, checkpoint_log(deps)
    if not reference:
        return audit(store, checkpoints, deps.secrets)
    trail, _ = verified_checkpoints(checkpoints, deps.secrets)
    streams = streams_to_verify(store, reference, set(anchors(trail)[0]))
    return audit(store, checkpoints, deps.secrets, streams) if streams else None


def take_checkpoint(deps: Dependencies) -> list[Checkpoint]:
    """Verify what changed since the last checkpoint and seal the new heads (AuditFailed if anything is wrong)."""
    return write_checkpoint(deps.event_store, checkpoint_log(deps), deps.secrets, format_time(deps.clock.now()))


class CheckpointTimer:
    """`bops serve`'s checkpoints: one at start, one every `interval` seconds and one at stop."""

    def __init__(self, deps: Dependencies, interval: float = DEFAULT_CHECKPOINT_INTERVAL) -> None:
        self.deps = deps
        self.interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bops-audit-checkpoints", daemon=True)
        # `bops serve --workers` forks HTTP workers after this starts: a fork waits for a checkpoint in progress to
        # end, so no child inherits a lock or a connection this thread was using
        self._busy = threading.Lock()
        os.register_at_fork(
            before=self._busy.acquire, after_in_parent=self._busy.release, after_in_child=self._busy.release
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._busy:
                self.checkpoint()
            if self._stopping.wait(self.interval):
                with self._busy:
                    self.checkpoint()
                return

    def checkpoint(self) -> None:
        try:
            for written in take_checkpoint(self.deps):
                log.info("audit checkpoint %d written (%d streams)", written.sequence, len(written.streams))
        except AuditFailed as failed:
            for bad in failed.problems:
                log.error("audit checkpoint refused: %s", describe_problem(bad))
        except CheckpointConflict:
            pass  # another process wrote one at the same moment: the next tick takes the heads it missed
