"""The audit checkpoint job's Lambda handler: seals the heads of the streams that changed since the last checkpoint
(those the moved-streams read model noted, `services.assessment.moved_streams`).

Run every 15 minutes by EventBridge Scheduler on AWS and by `bops serve`'s scheduler locally. A log that fails its
audit is not sealed: the invocation fails (the function's errors alarm) after logging each problem.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from typing import Any  # noqa: E402

from shared.observability import count, observed  # noqa: E402


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from services.assessment.moved_streams import NotedMovedStreams
    from shared.audit_trail import periodic_checkpoint
    from shared.wiring import dependencies

    deps = dependencies()
    written = periodic_checkpoint(deps, NotedMovedStreams(deps.read_models))
    count("AuditCheckpointsWritten", len(written))
    return {"checkpoints": [checkpoint.sequence for checkpoint in written]}
