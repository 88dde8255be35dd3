"""Structured logs and metrics of every Lambda handler, with Powertools, configured by the stack's environment.

`observed` wraps a handler:
- Powertools Logger puts the Lambda context (function, request id, cold start) into every JSON log line of the
  service (`POWERTOOLS_SERVICE_NAME`, set per function by the stack);
- Powertools Metrics publishes what the handler counted (`count`) as CloudWatch embedded-metric lines in the
  council's namespace (`POWERTOOLS_METRICS_NAMESPACE`), plus a ColdStart metric on a cold start.

The embedded runtime calls the same handlers and sets `POWERTOOLS_METRICS_DISABLED` (`bops/environment.py`), so
`bops serve` prints no metric lines. Called in-process without a Lambda context (tests), a handler logs and counts
without the context fields. The context's fields (function, request id, cold start) and what a handler adds to its
lines (`append_keys`) are kept per thread, not in Powertools' shared keys (`inject_lambda_context`'s): `bops serve`
runs handlers on several threads at once, where a file download's lines were labelled with another subscriber's
function name. Traces come from Lambda's active tracing (the stack), not Powertools Tracer: importing the X-Ray SDK it
needs takes ~300 ms, about a whole cold start of `bench/cold_start.py`. Logger and Metrics cost a handler nearly
nothing: `import aws_lambda_powertools` already imports both.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.lambda_context import build_lambda_context_model
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

DEFAULT_NAMESPACE = "bops"  # when the stack's namespace is not set (tests); the stack sets `bops-<council slug>`

Handler = TypeVar("Handler", bound=Callable[..., Any])

logger = Logger()  # the service's name comes from POWERTOOLS_SERVICE_NAME
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE)
# A request that counted nothing (a GET of the API's docs, say) publishes nothing: not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def append_keys(**keys: object) -> None:
    """Keys for the log lines of the current invocation only. They are kept per thread: `bops serve` runs handlers
    on several threads of one process, where Powertools' shared keys would show in another request's lines."""
    logger.thread_safe_append_keys(**keys)


def count(name: str, value: float = 1) -> None:
    """Add to a metric of this invocation (a CloudWatch Count), published when the handler returns."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def observed(handler: Handler) -> Handler:
    """The handler with its Lambda context in its logs and its metrics published when it returns."""
    # Powertools' switch silences the metric lines but not the ColdStart one: ask for it only when they print.
    with_context = metrics.log_metrics(handler, capture_cold_start_metric=not is_metrics_disabled())
    in_process = metrics.log_metrics(handler)

    @wraps(handler)
    def run(event: Any, context: Any = None) -> Any:
        logger.thread_safe_clear_keys()  # this thread's keys of an earlier invocation
        if context is None:
            return in_process(event, context)
        logger.thread_safe_append_keys(cold_start=_cold_start(), **vars(build_lambda_context_model(context)))
        return with_context(event, context)

    return run  # type: ignore[return-value]


_invoked = False
_invoked_lock = threading.Lock()


def _cold_start() -> bool:
    """Whether this is the process's first invocation (never under provisioned concurrency), as Powertools'
    `inject_lambda_context` reports it."""
    global _invoked
    with _invoked_lock:
        cold = not _invoked and os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "provisioned-concurrency"
        _invoked = True
    return cold
