"""Start-up tuning of a Lambda function's process, applied before its handler imports anything heavy.

Starting a function builds hundreds of thousands of long-lived objects (modules, pydantic schemas, botocore models)
and almost no garbage, yet CPython's cyclic collector runs every 700 net allocations and re-scans them each time:
~80 ms of a ~750 ms cold start of the intake API (bench/cold_start.py). On Lambda the young generation's threshold is
raised so far that no collection runs while a handler starts and serves its first request (at 50,000 the intake API
still ran two, ~35 ms); the older generations keep their ratios. A Lambda process serves one request at a time, so a
young collection every 250,000 net allocations later costs a pause of a few tens of milliseconds now and then, no more
than the full collections of the start-up heap it saves. The source that `@dataclass`, string annotations and
`namedtuple` generate is not compiled: the asset carries its code (`shared.codecache`). Elsewhere (tests, `bops serve`)
nothing changes.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping

LAMBDA_YOUNG_THRESHOLD = 250_000
CODE_CACHE_VARIABLE = "BOPS_CODE_CACHE_DIR"  # the asset's compiled generated code (shared.codecache)
# Packages whose `__init__` imports far more than our handlers use, run only when something needs it
# (`shared.lazy.defer_package_inits`). Powertools' event_handler imports every resolver (AppSync with asyncio, Bedrock,
# VPC Lattice...) where the intake API uses the REST one: ~27 ms of its cold start. Its REST resolver takes five event
# classes from data_classes, whose `__init__` imports all ~45 of them: ~20 ms more.
DEFERRED_PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")


def on_lambda(environ: Mapping[str, str]) -> bool:
    return "AWS_LAMBDA_FUNCTION_NAME" in environ  # set by the Lambda runtime in every function


def tune_lambda_start(environ: Mapping[str, str]) -> None:
    """On Lambda: collect garbage less often, take generated code from the asset's table and defer heavy package
    inits (idempotent; nothing elsewhere)."""
    if not on_lambda(environ):
        return
    tune_garbage_collection()
    code_cache_dir = environ.get(CODE_CACHE_VARIABLE)
    if code_cache_dir:
        from pathlib import Path

        from shared.codecache import install

        install(Path(code_cache_dir))
    from shared.lazy import defer_package_inits

    defer_package_inits(DEFERRED_PACKAGES)


def tune_garbage_collection() -> None:
    """Raise the young generation's collection threshold (idempotent; a disabled threshold of 0 is left alone)."""
    young, *older = gc.get_threshold()
    if 0 < young < LAMBDA_YOUNG_THRESHOLD:
        gc.set_threshold(LAMBDA_YOUNG_THRESHOLD, *older)
