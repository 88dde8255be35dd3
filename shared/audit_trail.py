"""Writing the audit trail's sealed checkpoints with the wiring's adapters: one function for `bops audit checkpoint`,
the timer of `bops serve` and the scheduled Lambda function (services/assessment/audit_checkpoints.py)."""

from __future__ import annotations

import logging

from events.serialization import format_time
from shared.eventstore.audit import AuditFailed, MovedStreams, write_checkpoint
from shared.eventstore.checkpoints import Checkpoint, CheckpointConflict, CheckpointLog
from shared.eventstore.port import CHECKPOINTS, WHOLE_LOG, BadEvent
from shared.wiring import Dependencies

log = logging.getLogger("bops.audit")


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


def take_checkpoint(deps: Dependencies, moved: MovedStreams | None = None) -> list[Checkpoint]:
    """Verify what changed since the last checkpoint and seal the new heads (AuditFailed if anything is wrong);
    `moved`: the streams noted as moved, which spares a store without a global order reading every stream."""
    taken_at = format_time(deps.clock.now())
    return write_checkpoint(deps.event_store, checkpoint_log(deps), deps.secrets, taken_at, moved)


def describe_problem(bad: BadEvent) -> str:
    """One line naming what is wrong and where: the stream and version, the log, or the checkpoint."""
    if bad.stream_id == WHOLE_LOG:
        return f"FAILED: the log: {bad.reason}"
    if bad.stream_id == CHECKPOINTS:
        return f"FAILED: audit checkpoint {bad.version}: {bad.reason}"
    return f"FAILED: stream {bad.stream_id} version {bad.version} event {bad.event_id}: {bad.reason}"


def periodic_checkpoint(deps: Dependencies, moved: MovedStreams | None = None) -> list[Checkpoint]:
    """The periodic job: a checkpoint, logged. A refusal is logged problem by problem and raised again (the job fails:
    an alarm on AWS); a checkpoint written by someone else at the same moment is not a failure (the next run takes
    the heads it missed)."""
    try:
        written = take_checkpoint(deps, moved)
    except AuditFailed as failed:
        for bad in failed.problems:
            log.error("audit checkpoint refused: %s", describe_problem(bad))
        raise
    except CheckpointConflict:
        log.info("audit checkpoint skipped: another writer took the same sequence")
        return []
    for checkpoint in written:
        log.info("audit checkpoint %d written (%d streams)", checkpoint.sequence, len(checkpoint.streams))
    return written
