"""One cold start, run by bench/cold_start.py in a fresh interpreter: import a handler and serve its first event.

Everything from interpreter start to the first response counts, against BENCH_SPAWNED_AT (wall clock, taken by the
parent just before spawning). Nothing is imported before the clock that the floor does not import too. The floor
(BENCH_HANDLER=floor) imports boto3, aws_lambda_powertools and pydantic and creates one DynamoDB client.
"""

import time

started = time.time()

import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

PROFILE = os.environ.get("BENCH_PROFILE")  # the whole run after start-up under cProfile: imports and the first call


class Context:
    """The Lambda context's fields the handlers read."""

    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
    invoked_function_arn = f"arn:aws:lambda:{os.environ['AWS_REGION']}:123456789012:function:{function_name}"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def first_response(target: str, event: dict) -> tuple[float, object]:
    if target == "floor":
        import aws_lambda_powertools  # noqa: F401
        import boto3
        import pydantic  # noqa: F401

        imported = time.time()
        boto3.client("dynamodb", region_name=os.environ["AWS_REGION"])
        return imported, {"status": "floor"}
    module, _, name = target.rpartition(".")
    handler = getattr(importlib.import_module(module), name)
    return time.time(), handler(event, Context())


def main() -> None:
    if PROFILE:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    with open(os.environ["BENCH_EVENT"], "rb") as file:
        event = json.load(file)
    imported, result = first_response(os.environ["BENCH_HANDLER"], event)
    done = time.time()
    if PROFILE:
        profile.disable()
        profile.dump_stats(PROFILE)
    spawned = float(os.environ["BENCH_SPAWNED_AT"])
    measured = {
        "total_ms": (done - spawned) * 1000,
        "startup_ms": (started - spawned) * 1000,
        "import_ms": (imported - started) * 1000,
        "call_ms": (done - imported) * 1000,
        "cpu_ms": time.process_time() * 1000,
        "result": result,
    }
    print("BENCH_RESULT " + json.dumps(measured, default=str), flush=True)


main()
