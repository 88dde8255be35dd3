"""Start-up of a Lambda function's process: one explicit call, `lambda_start(...)`, at the top of each handler module.

On Lambda (and nowhere else: tests and `bops serve` are left alone) it

- raises the young generation's garbage-collection threshold. Starting a function builds hundreds of thousands of
  long-lived objects (modules, pydantic schemas, botocore models) and almost no garbage, yet CPython's cyclic
  collector runs every 700 net allocations and re-scans them each time: ~80 ms of a ~750 ms cold start of the intake
  API (bench/cold_start.py). At 250,000 no collection runs while a handler starts and serves its first request; a
  Lambda process serves one request at a time, so a young collection later costs a pause of a few tens of
  milliseconds now and then. The older generations keep their ratios.
- with `prepare` (the functions API Gateway invokes, which run with SnapStart: cdk/functions.py), registers the
  SnapStart runtime hooks (`snapshot_restore_py`, which the Lambda runtime provides). Before the snapshot, `prepare`
  builds what the first request would otherwise build (clients, compiled schemas, models), then the heap is
  collected once and frozen (`gc.freeze`), so later collections never re-scan it. After each restore, `restored`
  makes what must be unique per execution environment unique again. Lambda calls these hooks only for a published
  version with SnapStart; elsewhere they are registered and never run.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Mapping

LAMBDA_YOUNG_THRESHOLD = 250_000


def on_lambda(environ: Mapping[str, str]) -> bool:
    return "AWS_LAMBDA_FUNCTION_NAME" in environ  # set by the Lambda runtime in every function


def lambda_start(prepare: Callable[[], object] | None = None, environ: Mapping[str, str] = os.environ) -> None:
    """Tune this process's start-up if it is a Lambda function's (see the module docstring)."""
    if not on_lambda(environ):
        return
    tune_garbage_collection()
    if prepare is not None:
        from snapshot_restore_py import register_after_restore, register_before_snapshot

        register_before_snapshot(before_snapshot, prepare)
        register_after_restore(restored)


def tune_garbage_collection() -> None:
    """Raise the young generation's collection threshold (idempotent; a disabled threshold of 0 is left alone)."""
    young, *older = gc.get_threshold()
    if 0 < young < LAMBDA_YOUNG_THRESHOLD:
        gc.set_threshold(LAMBDA_YOUNG_THRESHOLD, *older)


def before_snapshot(prepare: Callable[[], object]) -> None:
    """Do the first request's expensive set-up now, so that it is in the snapshot; then freeze the heap."""
    prepare()
    gc.collect()
    gc.freeze()  # everything built so far lives as long as the process: no collection needs to look at it again


def restored() -> None:
    """After a restore: every environment restored from one snapshot starts with the same memory.

    - `random` is reseeded from the OS (ids and keys come from `secrets`/`uuid4`, i.e. the OS, already; botocore's
      retry jitter uses `random`);
    - the AWS clients drop any pooled connection (a socket from before the snapshot is dead). Their credentials are
      SnapStart's container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI), which botocore refreshes itself.
    """
    import random

    random.seed()
    from shared.aws.clients import close_connections

    close_connections()
