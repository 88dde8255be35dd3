"""Start-up tuning of a Lambda function's process, applied before its handler imports anything heavy.

Starting a function builds hundreds of thousands of long-lived objects (modules, pydantic schemas, botocore models)
and almost no garbage, yet CPython's cyclic collector runs every 700 net allocations and re-scans them each time:
~80 ms of a ~750 ms cold start of the intake API (bench/cold_start.py). On Lambda the young generation's threshold is
raised, so it runs ~70 times less often (the older generations keep their ratios). A Lambda process serves one request
at a time and lives minutes, so the cyclic garbage that waits longer is small. Elsewhere (tests, `bops serve`)
nothing changes.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping

LAMBDA_YOUNG_THRESHOLD = 50_000


def on_lambda(environ: Mapping[str, str]) -> bool:
    return "AWS_LAMBDA_FUNCTION_NAME" in environ  # set by the Lambda runtime in every function


def tune_garbage_collection(environ: Mapping[str, str]) -> None:
    """Raise the young generation's collection threshold on Lambda (idempotent)."""
    young, *older = gc.get_threshold()
    if on_lambda(environ) and 0 < young < LAMBDA_YOUNG_THRESHOLD:
        gc.set_threshold(LAMBDA_YOUNG_THRESHOLD, *older)
