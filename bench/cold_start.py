"""Cold starts of every Lambda handler against moto, against a floor (no arguments).

    uv run python bench/cold_start.py

For each declared handler (every HttpFunction, every Subscription, and the authorizer) a FRESH interpreter imports it
and serves its first real sample event; the time is taken from just before the parent spawns the child to just after
the first response inside the child (interpreter start-up included, process exit not). The floor is the same
fresh-interpreter time for importing boto3, aws_lambda_powertools and pydantic and creating one DynamoDB client.
Each is the median of RUNS runs, interleaved.

moto runs in this (the parent) process: `mock_aws()` holds the tables, bucket and secret, and a small HTTP front
(standard library, since moto's own server needs Flask) hands each request of a child to moto's dispatcher, so a
child imports nothing of moto and finds AWS at `AWS_ENDPOINT_URL`. A child's environment is its function's, as
the stack sets it (BOPS_RUNTIME=aws, BOPS_EVENT_TABLE, ...; BOPS_ODP_SCHEMA_DIR is a copy of the local ODP schemas
with their compacted copies, BOPS_AWS_MODELS_DIR the lean botocore data and BOPS_CODE_CACHE_DIR the compiled generated
code (shared/codecache.py), written as the build writes them into the Lambda asset). The floor uses plain boto3.

Sample events, fresh for each run so that no run finds its work already done: an API Gateway REST proxy POST of an
ODP householder submission with the authorizer context filled (intake API), a REQUEST authorizer event with a valid
key (authorizer), and bus messages built with `shared.bus.messages.bus_message` from the stored items of a new
PlanningApplicationSubmitted (intake documents, whose files a local file server serves) and a new ApiKeyCreated
(API-keys projection).

Prints progress lines, then as its last line one JSON object: `<handler>_ms` and `<handler>_ratio` (to the floor)
for each handler, and `floor_ms`. Target: every ratio <= 1.3. For a handler over the target, the heaviest imports
(`-X importtime`) and the heaviest calls of its first invocation (cProfile) are printed as progress lines.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
ODP = Path(os.environ.get("BOPS_ODP_DIR", PROJECT.parent / "shared" / "odp"))
EXAMPLE = ODP / "examples" / "application" / "planningPermission" / "fullHouseholder.json"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# By default children cache bytecode (under a temporary PYTHONPYCACHEPREFIX, after one uncounted warm-up run each):
# what a bundle shipped with its .pyc files costs. BENCH_NO_BYTECODE=1 compiles every module from source in every
# run, as the current Lambda bundle (built without bytecode, on a read-only /var/task) does.
NO_BYTECODE = os.environ.get("BENCH_NO_BYTECODE") == "1"
TARGET_RATIO = 1.3
REGION = "eu-west-2"
COUNCIL = "DEMO"
EVENT_TABLE = "bops-bench-events"
READ_MODEL_TABLE = "bops-bench-read-models"
BUCKET = "bops-bench-documents"
SECRETS_PREFIX = f"bops/{COUNCIL}/"
RESULT = "BENCH_RESULT "

# The child: everything from interpreter start to the first response counts, against BENCH_SPAWNED_AT (wall clock,
# taken by the parent just before spawning). Nothing is imported before the clock that the floor does not import too.
CHILD = r"""
import time
started = time.time()
import importlib, json, os
if os.environ.get("BENCH_PROFILE"):  # the whole run after start-up: imports and the first call
    import cProfile
    profile = cProfile.Profile()
    profile.enable()
with open(os.environ["BENCH_EVENT"], "rb") as file:
    event = json.load(file)
target = os.environ["BENCH_HANDLER"]
class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:" + function_name
    aws_request_id = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
if target == "floor":
    import boto3, aws_lambda_powertools, pydantic
    imported = time.time()
    boto3.client("dynamodb", region_name=os.environ["AWS_REGION"])
    result = {"status": "floor"}
else:
    module, _, name = target.rpartition(".")
    handler = getattr(importlib.import_module(module), name)
    imported = time.time()
    result = handler(event, Context())
done = time.time()
if os.environ.get("BENCH_PROFILE"):
    profile.disable()
    profile.dump_stats(os.environ["BENCH_PROFILE"])
spawned = float(os.environ["BENCH_SPAWNED_AT"])
print("BENCH_RESULT " + json.dumps({
    "total_ms": (done - spawned) * 1000, "startup_ms": (started - spawned) * 1000,
    "import_ms": (imported - started) * 1000, "call_ms": (done - imported) * 1000, "result": result,
    "cpu_ms": time.process_time() * 1000,
}, default=str), flush=True)
"""


MOTO = {"requests": 0, "ms": 0.0}  # what moto itself spent answering the current child (server side)
MOTO_LOCK = threading.Lock()


def progress(message: str) -> None:
    print(message, flush=True)


# moto behind a standard-library HTTP front


def serve_moto() -> Iterator[str]:
    """An endpoint for children: each request goes to moto's in-process dispatcher (the parent's `mock_aws`)."""
    from botocore.awsrequest import AWSPreparedRequest
    from moto.core.models import botocore_stubber

    credential = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/")

    class Front(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each answer's body waits for the client's delayed ACK (40 ms)

        def log_message(self, *args: Any) -> None:
            pass

        def handle_any(self) -> None:
            found = credential.search(self.headers.get("Authorization", ""))
            if found is None:
                self.answer(400, {}, b"unsigned request")
                return
            region, service = found.groups()
            host = f"{service}.{region}.amazonaws.com"
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name: value for name, value in self.headers.items() if name.lower() != "host"}
            headers["Host"] = host
            request = AWSPreparedRequest(
                method=self.command, url=f"https://{host}{self.path}", headers=headers, body=body, stream_output=False
            )
            began = time.perf_counter()
            answered = botocore_stubber.process_request(request)
            with MOTO_LOCK:
                MOTO["requests"] += 1
                MOTO["ms"] += (time.perf_counter() - began) * 1000
            if answered is None:
                self.answer(404, {}, f"moto does not serve {service}".encode())
                return
            status, response_headers, response = answered
            self.answer(status, response_headers, response.encode() if isinstance(response, str) else response or b"")

        def answer(self, status: int, headers: dict[str, Any], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                    self.send_header(name, str(value))
            self.send_header("Content-Length", str(0 if self.command == "HEAD" else len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

    yield from _serving(Front)


class Files(BaseHTTPRequestHandler):
    """The submitted files (a small PDF each), as a council's online service would serve them."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    PDF = b"%PDF-1.4\n" + b"0" * 2048 + b"\n%%EOF\n"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(self.PDF)))
        self.end_headers()
        self.wfile.write(self.PDF)


def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}"  # download allowlists refuse loopback addresses
    finally:
        server.shutdown()
        server.server_close()


# The deployment: the stack's resources and each function's environment


@dataclass(frozen=True)
class Handler:
    key: str  # the JSON key prefix
    name: str  # the declared function name
    handler: str  # dotted path
    service: str
    memory_mb: int
    sample: Callable[[], dict[str, Any]]  # a fresh sample event per run
    check: Callable[[dict[str, Any]], bool]  # the first response is what a working handler answers
    environment: dict[str, str]


def lambda_files(work: Path) -> Path:
    """What the Lambda asset holds beside the code, written into `work` as the build writes it (Makefile,
    cdk/lambda_code.py): the lean botocore data, the ODP schemas with their compacted copies, and the compiled generated
    code."""
    from shared.aws.models import write_lean_models
    from shared.odp.compaction import write_compacted

    write_lean_models(work / "aws-models")
    shutil.copytree(ODP / "schemas", work / "odp-schemas")
    write_compacted(work / "odp-schemas")
    # Recorded by a fresh interpreter of the children's Python, as `make lambda-bundle` records it with the runtime's.
    subprocess.run([sys.executable, "-m", "shared.codecache", str(work / "code-cache")], cwd=PROJECT, check=True)
    return work


def base_environment(work: Path) -> dict[str, str]:
    """What the stack gives every function (cdk/stack.py, cdk/functions.py), with local names (`lambda_files`)."""
    from shared.councils.settings import load_deployments

    deployment = load_deployments(PROJECT / "cdk" / "councils.json")[COUNCIL]
    return {
        "BOPS_AWS_MODELS_DIR": str(work / "aws-models"),
        "BOPS_CODE_CACHE_DIR": str(work / "code-cache"),
        "BOPS_RUNTIME": "aws",
        "BOPS_COUNCIL": COUNCIL,
        "BOPS_COUNCIL_DEPLOYMENT": deployment.model_dump_json(exclude_none=True),
        "BOPS_EVENT_TABLE": EVENT_TABLE,
        "BOPS_READ_MODEL_TABLE": READ_MODEL_TABLE,
        "BOPS_DOCUMENTS_BUCKET": BUCKET,
        "BOPS_SECRETS_PREFIX": SECRETS_PREFIX,
        "BOPS_ODP_SCHEMA_DIR": str(work / "odp-schemas"),
        "BOPS_REGION": REGION,
        "BOPS_ALLOW_LOOPBACK_DOWNLOADS": "true",  # the bench's file server is `localhost` (never set by the stack)
        "POWERTOOLS_METRICS_NAMESPACE": "bops-demo",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "LOG_LEVEL": "INFO",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


def deploy() -> None:
    import boto3

    from services.intake.documents.credentials import download_credential_name
    from shared.eventstore.dynamodb_table import create_event_table
    from shared.projections.dynamodb_store import create_read_model_table

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_event_table(dynamodb, EVENT_TABLE)
    create_read_model_table(dynamodb, READ_MODEL_TABLE)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secrets.create_secret(Name=SECRETS_PREFIX + download_credential_name(COUNCIL), SecretString="bench-credential")


@contextmanager
def as_function(environment: dict[str, str]) -> Iterator[Any]:
    """The parent acting with a function's environment (in-process moto), e.g. to prepare samples."""
    from shared import wiring

    saved = dict(os.environ)
    os.environ.update(environment)
    wiring.reset()
    try:
        yield wiring.dependencies()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        wiring.reset()


@dataclass
class Stored:
    """A stored event item as `shared.bus.messages.StoredItem`."""

    stream_id: str
    version: int
    event_type: str
    data: bytes
    prev_hash: str
    hash: str


def bus_message_for(event: Any, sequence: int) -> dict[str, Any]:
    """The bus message the Pipe makes of one recorded event, from its item in the event table."""
    import boto3

    from shared.bus.messages import bus_message

    item = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=EVENT_TABLE,
        Key={"stream_id": {"S": event.stream_id}, "version": {"N": str(event.version)}},
        ConsistentRead=True,
    )["Item"]
    stored = Stored(
        item["stream_id"]["S"],
        int(item["version"]["N"]),
        item["event_type"]["S"],
        item["data"]["S"].encode(),
        item["prev_hash"]["S"],
        item["hash"]["S"],
    )
    message = bus_message(stored, sequence, REGION)
    message["account"] = "123456789012"
    return message


def handlers(file_base: str, work: Path) -> list[Handler]:
    """Every declared Lambda handler with its environment and a way to make a fresh sample event."""
    from bops.services import declarations
    from events import Actor
    from events.council import CouncilSettingsChanges
    from events.streams import application_stream
    from services.intake.api import build_intake
    from shared.apigateway import authorizer_request, method_arn, proxy_event
    from shared.auth.api_key_projection import lambda_handler as project_api_keys
    from shared.auth.scopes import route_table
    from shared.councils.service import CouncilService
    from shared.platform import AUTHORIZER_HANDLER, PLATFORM

    base = base_environment(work)
    example = json.loads(EXAMPLE.read_text())
    sequence = iter(range(1, 1_000_000))
    admin = {**base, "POWERTOOLS_SERVICE_NAME": "bench"}
    with as_function(admin) as deps:
        councils = CouncilService(deps.event_store, deps.clock)
        councils.create_council(COUNCIL, "Demo Council", "demo")
        host = file_base.removeprefix("http://")
        councils.change_settings(COUNCIL, CouncilSettingsChanges(allow_download_hosts=(host,)))
        scopes = ("planning_application:read", "planning_application:write")
        key_view, key = councils.create_api_key(COUNCIL, "bench", scopes)
        [created] = key_created(deps, key_view.id)
        project_api_keys(bus_message_for(created, next(sequence)))
    context = {"council": COUNCIL, "key_id": key_view.id, "key_name": "bench", "scopes": " ".join(scopes)}

    def submission() -> dict[str, Any]:
        payload = json.loads(json.dumps(example))
        payload["metadata"]["id"] = str(uuid.uuid4())
        payload["metadata"]["organisation"] = COUNCIL
        for index, item in enumerate(payload.get("files", [])):
            item["name"] = f"{file_base}/files/{uuid.uuid4()}-{index}.pdf"
        return payload

    def api_event() -> dict[str, Any]:
        body = json.dumps(submission()).encode()
        headers = [("Content-Type", "application/json"), ("Authorization", f"Bearer {key}")]
        event = proxy_event(
            "POST", "/api/v2/planning_applications", "/api/v2/planning_applications", None, headers, [], body
        )
        event["requestContext"]["authorizer"] = {**context, "principalId": f"api-key:{key_view.id}"}
        return event

    def authorizer_event() -> dict[str, Any]:
        event = proxy_event(
            "POST",
            "/api/v2/planning_applications",
            "/api/v2/planning_applications",
            None,
            [("Authorization", f"Bearer {key}")],
            [],
            b"{}",
        )
        return authorizer_request(event, method_arn("POST", "/api/v2/planning_applications"))

    def submitted_message() -> dict[str, Any]:
        with as_function(admin) as deps:
            payload = submission()
            body = json.dumps(payload).encode()
            accepted = build_intake(deps).submit(COUNCIL, body, payload, Actor(kind="api_client", id="bench"))
            assert accepted.created
            [event] = deps.event_store.read(application_stream(COUNCIL, accepted.reference), to_version=1)
            return bus_message_for(event, next(sequence))

    def key_created_message() -> dict[str, Any]:
        with as_function(admin) as deps:
            view, _ = CouncilService(deps.event_store, deps.clock).create_api_key(COUNCIL, "another", scopes)
            [event] = key_created(deps, view.id)
            return bus_message_for(event, next(sequence))

    samples: dict[str, tuple[str, Callable[[], dict[str, Any]], Callable[[dict[str, Any]], bool]]] = {
        "intake-api": ("intake_api", api_event, lambda r: r.get("statusCode") == 201),
        "intake-documents": ("intake_documents", submitted_message, lambda r: r.get("status") == "handled"),
        "api-keys": ("api_keys", key_created_message, lambda r: r.get("status") == "handled"),
    }
    found = []
    for declaration in declarations():
        for function in (*declaration.http, *declaration.subscriptions):
            if function.name not in samples:
                raise SystemExit(f"no sample event for the declared function {function.name}: add one to the bench")
            key_name, sample, check = samples[function.name]
            env = {**base, "POWERTOOLS_SERVICE_NAME": declaration.name}
            found.append(
                Handler(
                    key_name, function.name, function.handler, declaration.name, function.memory_mb, sample, check, env
                )
            )
    routes = [route for d in declarations() for f in d.http for route in f.routes]
    scopes_env = json.dumps(route_table(routes), separators=(",", ":"))
    found.append(
        Handler(
            "authorizer",
            "api-key-authorizer",
            AUTHORIZER_HANDLER,
            PLATFORM.name,
            512,
            authorizer_event,
            lambda r: any(s["Effect"] == "Allow" for s in r.get("policyDocument", {}).get("Statement", [])),
            {**base, "POWERTOOLS_SERVICE_NAME": PLATFORM.name, "BOPS_ROUTE_SCOPES": scopes_env},
        )
    )
    return found


def key_created(deps: Any, key_id: str) -> list[Any]:
    """The ApiKeyCreated event of one key in the council's stream."""
    from events.streams import council_stream

    events = deps.event_store.read(council_stream(COUNCIL))
    return [e for e in events if e.event_type == "ApiKeyCreated" and e.payload.key_id == key_id]


def document_outcomes() -> dict[str, int]:
    """How many DocumentReceived and DocumentFetchFailed events the log holds."""
    import boto3

    counts: dict[str, int] = {}
    pages = boto3.client("dynamodb", region_name=REGION).get_paginator("scan").paginate(TableName=EVENT_TABLE)
    for item in (item for page in pages for item in page["Items"]):
        event_type = item["event_type"]["S"]
        if event_type.startswith("Document"):
            counts[event_type] = counts.get(event_type, 0) + 1
    return counts


# Children


def run_child(
    handler: str,
    environment: dict[str, str],
    memory_mb: int,
    event: dict[str, Any],
    endpoint: str,
    work: Path,
    options: tuple[str, ...] = (),
    extra: dict[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    event_file = work / f"{uuid.uuid4()}.json"
    event_file.write_text(json.dumps(event))
    env = {name: value for name, value in os.environ.items() if not name.startswith(("BOPS_", "AWS_", "POWERTOOLS_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    if NO_BYTECODE:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(environment)
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": handler.rpartition(".")[0] or "floor",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
            "BENCH_HANDLER": handler,
            "BENCH_EVENT": str(event_file),
            **(extra or {}),
        }
    )
    with MOTO_LOCK:
        MOTO.update(requests=0, ms=0.0)
    env["BENCH_SPAWNED_AT"] = repr(time.time())
    child = subprocess.run(
        [sys.executable, *options, "-c", CHILD], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
    lines = [line for line in child.stdout.splitlines() if line.startswith(RESULT)]
    if child.returncode != 0 or not lines:
        raise SystemExit(f"{handler} failed ({child.returncode}):\n{child.stdout[-3000:]}\n{child.stderr[-3000:]}")
    measured = json.loads(lines[-1][len(RESULT) :])
    with MOTO_LOCK:
        measured.update(moto_requests=MOTO["requests"], moto_ms=MOTO["ms"])
    return measured, child.stderr


# Packages counted together: a library and what only it brings in.
IMPORT_GROUPS = {
    "botocore": "boto3", "s3transfer": "boto3", "urllib3": "boto3", "jmespath": "boto3", "dateutil": "boto3",
    "pydantic_core": "pydantic", "annotated_types": "pydantic", "typing_inspection": "pydantic",
    "dotenv": "pydantic_settings",
}  # fmt: skip


def package_of(module_or_path: str) -> str:
    """`botocore.client` or `.../site-packages/botocore/client.py` or `/project/shared/x.py` → its (grouped) package."""
    if "/" in module_or_path:
        path = Path(module_or_path)
        if "site-packages" in path.parts:
            name = path.parts[path.parts.index("site-packages") + 1]
        elif PROJECT in path.parents:
            name = path.relative_to(PROJECT).parts[0]
        elif re.search(r"/lib/python3\.\d+/", module_or_path):
            name = "stdlib"
        else:
            name = module_or_path
    else:
        name = module_or_path.split(".")[0]
    name = name.removesuffix(".py")
    return IMPORT_GROUPS.get(name, name)


def import_times(stderr: str) -> dict[str, float]:
    """Self time of every import (`-X importtime`), summed per package, in ms."""
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0].rsplit(":", 1)[-1].strip().isdigit():
            package = package_of(parts[2].strip())
            totals[package] = totals.get(package, 0.0) + int(parts[0].rsplit(":", 1)[-1]) / 1000
    return totals


def profile_times(path: Path) -> dict[str, float]:
    """Own time (cProfile) of everything after start-up, summed per package (built-ins by name), in ms."""
    import pstats

    totals: dict[str, float] = {}
    for (file, _, function), (_, _, own, _, _) in pstats.Stats(str(path)).stats.items():  # type: ignore[attr-defined]
        if file == "~":  # a built-in: name it, e.g. "socket recv_into", "builtins.compile"
            found = re.search(r"method '(\w+)' of '(\w+)", function)
            name = f"{found.group(2)}.{found.group(1)}" if found else function.strip("<>{}")
            name = re.sub(r" at 0x[0-9a-f]+", "", name.replace("built-in method ", ""))
        else:
            name = package_of(file)
        totals[name] = totals.get(name, 0.0) + own * 1000
    return totals


@dataclass
class Baseline:
    """The floor's imports and profile, to compare a handler with."""

    imports: dict[str, float]
    profile: dict[str, float]


def diagnose(handler: Handler, endpoint: str, work: Path) -> tuple[dict[str, float], dict[str, float]]:
    """One run with `-X importtime` and one under cProfile: per-package import self times and own times."""
    _, stderr = run_child(
        handler.handler, handler.environment, handler.memory_mb, handler.sample(), endpoint, work, ("-X", "importtime")
    )
    profile = work / f"{handler.key}.prof"
    extra = {"BENCH_PROFILE": str(profile)}
    run_child(handler.handler, handler.environment, handler.memory_mb, handler.sample(), endpoint, work, extra=extra)
    return import_times(stderr), profile_times(profile)


def explain(handler: Handler, floor: Baseline, endpoint: str, work: Path) -> None:
    """Why one handler is over the target: per package, the import time and the own time (imports and first call,
    under cProfile) it spends beyond the floor's."""
    imports, profile = diagnose(handler, endpoint, work)
    for title, found, base in (("imports", imports, floor.imports), ("profiled own time", profile, floor.profile)):
        extra = {name: ms - base.get(name, 0.0) for name, ms in found.items()}
        top = sorted(extra.items(), key=lambda item: -item[1])[:8]
        progress(f"    {title} beyond the floor's: " + ", ".join(f"{name} +{ms:.0f} ms" for name, ms in top))


def main() -> None:
    if not EXAMPLE.is_file():
        raise SystemExit(f"the ODP example {EXAMPLE} is missing (set BOPS_ODP_DIR)")
    for name in [n for n in os.environ if n.startswith(("BOPS_", "AWS_ENDPOINT_URL"))]:
        del os.environ[name]
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    # Handlers called here to set up the samples print no metric lines (children get the stack's environment only).
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    from moto import mock_aws

    with (
        mock_aws(),
        contextmanager(serve_moto)() as endpoint,
        contextmanager(_serving)(Files) as file_base,
        tempfile.TemporaryDirectory() as folder,
    ):
        work = Path(folder)
        deploy()
        found = handlers(file_base, lambda_files(work))
        progress(f"moto at {endpoint}; {len(found)} handlers; {RUNS} fresh interpreters each, interleaved")
        floor = Handler("floor", "floor", "floor", "", 512, dict, lambda r: True, base_environment(work))
        times: dict[str, list[float]] = {h.key: [] for h in (floor, *found)}
        moto_times: dict[str, list[float]] = {h.key: [] for h in (floor, *found)}
        for handler in (floor, *found):  # warm-up, not counted: fills the bytecode cache
            run_child(handler.handler, handler.environment, handler.memory_mb, handler.sample(), endpoint, work)
        progress("warm-up runs done" + (" (no bytecode cache: every run compiles from source)" if NO_BYTECODE else ""))
        for run in range(1, RUNS + 1):
            # A round's samples are made before its first child starts, so that no child runs right after the parent
            # has worked (making a document-fetcher sample submits an application in-process).
            samples = {handler.key: handler.sample() for handler in (floor, *found)}
            for handler in (floor, *found):
                measured, _ = run_child(
                    handler.handler, handler.environment, handler.memory_mb, samples[handler.key], endpoint, work
                )
                if not handler.check(measured["result"]):
                    raise SystemExit(f"{handler.handler} answered {measured['result']!r}")
                times[handler.key].append(measured["total_ms"])
                moto_times[handler.key].append(measured["moto_ms"])
                progress(
                    f"run {run} {handler.key}: {measured['total_ms']:.0f} ms (start-up {measured['startup_ms']:.0f},"
                    f" import {measured['import_ms']:.0f}, first call {measured['call_ms']:.0f}, of which moto"
                    f" answering {measured['moto_requests']} requests {measured['moto_ms']:.0f}; the child's CPU time"
                    f" {measured['cpu_ms']:.0f})"
                )
        outcomes = document_outcomes()
        progress(f"documents the intake-documents runs recorded: {outcomes}")
        if outcomes.get("DocumentFetchFailed") or not outcomes.get("DocumentReceived"):
            raise SystemExit("the document fetcher did not store the submitted files")
        floor_ms = statistics.median(times["floor"])
        result: dict[str, float] = {}
        for handler in found:
            ms = statistics.median(times[handler.key])
            result[f"{handler.key}_ms"] = round(ms, 1)
            result[f"{handler.key}_ratio"] = round(ms / floor_ms, 2)
            result[f"{handler.key}_moto_ms"] = round(statistics.median(moto_times[handler.key]), 1)
        result["floor_ms"] = round(floor_ms, 1)
        over = [h for h in found if result[f"{h.key}_ratio"] > TARGET_RATIO]
        if over:
            baseline = Baseline(*diagnose(floor, endpoint, work))
        for handler in over:
            progress(f"{handler.key} is over {TARGET_RATIO} x the floor ({result[f'{handler.key}_ratio']}):")
            explain(handler, baseline, endpoint, work)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
