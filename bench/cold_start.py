"""Cold starts of every Lambda function of the synthesised stack against moto, against a floor (no arguments).

    uv run python bench/cold_start.py

The DEMO council's stack is synthesised (`cdk/app.py`'s `build`, from a bundle of the source packages, the lean
botocore data, the compiled page templates and the bank holiday table as `make lambda-bundle` writes them) and played
on moto by `tests/cdk/harness.py`: its tables, bucket, secret and bus exist, and every function's environment is the
template's, resolved (`/var/task` paths point into the synthesised asset, which holds the compacted ODP schemas, the
compiled templates and the bank holidays). For each function of the template a FRESH interpreter
(`bench/cold_start_child.py`) imports its handler and serves its first real sample event; the time is taken from just
before the parent spawns the child to just after the first response inside the child (interpreter start-up included,
process exit not). The floor is the same fresh-interpreter time for importing boto3, aws_lambda_powertools and
pydantic and creating one DynamoDB client. The runs are interleaved: RUNS rounds, each running every handler once with
the floor right before and right after it (floor, a, floor, b, floor, ...). This machine's speed changes from one second
to the next, so each run of a handler is compared with the mean of the two floor runs beside it, and a handler's ratio
is the median of its runs' ratios. This is a plain cold start: what SnapStart saves on top (cdk/functions.py) is not
measured here.

moto runs in this (the parent) process, and a small HTTP front (standard library, since moto's own server needs Flask)
hands each request of a child to moto's dispatcher, so a child imports nothing of moto and finds AWS at
`AWS_ENDPOINT_URL`.

Sample events, fresh for each run so that no run finds its work already done: an API Gateway REST proxy POST of an
ODP householder submission with the authorizer context filled (intake API), a REQUEST authorizer event with a valid
key (authorizer), the Pipe's bus messages (`StackHarness.published`) of a new PlanningApplicationSubmitted (intake
documents, whose files a local file server serves; case list), a new ApiKeyCreated (API-keys projection, moved-streams
notes), a new OfficerCreated (officers projection) and a new ValidationRequestSent (auto-close-due projection); an
officer's sign-in POST (officer sign-in), an officer's GET of the case list with the authorizer context filled (officer
API), an applicant's GET of their request's page with its link's token (applicant pages), and the schedules' empty
events after one more event was noted (audit checkpoints) or one more request past its auto-close day reached the read
model (daily job); a case officer's dashboard over the case list and an application's documents page (its files
fetched), an administrator's officers page, a newly validated application's PlanningApplicationValidated (public
register projection), a CouncilSettingsChanged turning applicants' names on or off (the refresh of the council's public
records), and public GETs of the ODP search, the BOPS-compatible search and the feed over a few published
applications. A declared function without a sample stops the bench.

Prints progress lines, then as its last line one JSON object: for each handler `<handler>_ms` (its median time),
`<handler>_ratio` (the median of its runs' ratios to the floor beside them), `<handler>_cpu_ratio` (the same with the
children's CPU times) and `<handler>_moto_ms` (the median of moto's time answering it); and `floor_ms` (the floor's
median time). Target: every ratio <= 1.3. For a handler over the target, the heaviest imports
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
CHILD = PROJECT / "bench" / "cold_start_child.py"

from shared import reference_data  # noqa: E402

EXAMPLE = reference_data.odp_examples_dir() / "application" / "planningPermission" / "fullHouseholder.json"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# BENCH_ONLY=console,daily measures only these handlers (every function still needs its sample).
ONLY = {key for key in os.environ.get("BENCH_ONLY", "").split(",") if key}
# BENCH_TRACE_MOTO=1 prints every AWS request a child makes, with moto's time answering it.
TRACE_MOTO = os.environ.get("BENCH_TRACE_MOTO") == "1"
# BENCH_EXPLAIN_ALL=1 prints the imports and profile of every measured handler, not only of those over the target.
EXPLAIN_ALL = os.environ.get("BENCH_EXPLAIN_ALL") == "1"
# By default children cache bytecode (under a temporary PYTHONPYCACHEPREFIX, after one uncounted warm-up run each):
# what a bundle shipped with its .pyc files costs. BENCH_NO_BYTECODE=1 compiles every module from source in every run.
NO_BYTECODE = os.environ.get("BENCH_NO_BYTECODE") == "1"
TARGET_RATIO = 1.3
COUNCIL = "DEMO"
REGION = "eu-west-2"
RESULT = "BENCH_RESULT "
SCOPES = ("planning_application:read", "planning_application:write")
KEYS = {  # JSON key of each handler's figures
    "services.intake.api.lambda_handler": "intake_api",
    "services.intake.documents.handler.lambda_handler": "intake_documents",
    "services.councils.api_key_projection.lambda_handler": "api_keys",
    "services.councils.authorizer.lambda_handler": "authorizer",
    "services.assessment.audit_checkpoints.lambda_handler": "audit_checkpoints",
    "services.assessment.moved_streams.lambda_handler": "moved_streams",
    "services.councils.officer_api.lambda_handler": "officer_sign_in",
    "services.councils.officer_projection.lambda_handler": "officers",
    "services.assessment.officer_api.handler.lambda_handler": "officer_api",
    "services.assessment.applicant.pages.lambda_handler": "applicant_pages",
    "services.assessment.case_list.projection.lambda_handler": "case_list",
    "services.assessment.auto_close_projection.lambda_handler": "auto_close_due",
    "services.assessment.daily.lambda_handler": "daily",
    "services.notifications.callback.lambda_handler": "notify_callback",
    "services.notifications.outstanding.lambda_handler": "notifications_outstanding",
    "services.notifications.handler.lambda_handler": "notifications_sender",
    "services.notifications.status_poller.lambda_handler": "notify_status",
    "services.assessment.console.handler.lambda_handler": "console",
    "services.assessment.console.documents.lambda_handler": "console_documents",
    "services.councils.admin_pages.lambda_handler": "admin_pages",
    "services.publication.projection.lambda_handler": "public_register",
    "services.publication.refresh.lambda_handler": "public_refresh",
    "services.publication.odp.api.lambda_handler": "public_odp",
    "services.publication.bops_v2.handler.lambda_handler": "public_bops_v2",
    "services.publication.feed.lambda_handler": "public_feed",
}
OFFICER_PASSWORD = "a long enough password"

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
            if TRACE_MOTO:
                target = self.headers.get("X-Amz-Target") or self.path[:60]
                if service == "dynamodb" and body:
                    asked = json.loads(body)
                    named = ("TableName", "IndexName", "KeyConditionExpression")
                    target += " " + " ".join(str(asked[name]) for name in named if name in asked)
                progress(f"  moto {service} {self.command} {target} {(time.perf_counter() - began) * 1000:.1f} ms")
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


def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}"  # the council rules refuse IP literals on loopback
    finally:
        server.shutdown()
        server.server_close()


# The deployment: the synthesised stack on moto


@dataclass(frozen=True)
class Handler:
    key: str  # the JSON key prefix
    handler: str  # dotted path
    memory_mb: int
    environment: dict[str, str]  # the function's, from the template, plus what the Lambda runtime sets
    sample: Callable[[], dict[str, Any]]  # a fresh sample event per run
    check: Callable[[Any], bool]  # the first response is what a working handler answers


def synthesise(work: Path) -> tuple[dict[str, Any], str, Path]:
    """The DEMO council's template, stack name and Lambda asset (what `/var/task` holds)."""
    from aws_cdk import App

    from cdk.app import COUNCILS_FILE, build, feature_flags
    from cdk.lambda_code import AWS_MODELS_FOLDER, BANK_HOLIDAYS_FILE, COMPILED_TEMPLATES_FOLDER, SOURCE_PACKAGES
    from services import declarations
    from shared.aws.models import write_lean_models
    from shared.calendar.bank_holiday_table import write_table
    from shared.councils.settings import load_deployments
    from shared.pages.compiled import compile_all

    bundle = work / "bundle"
    for package in SOURCE_PACKAGES:
        shutil.copytree(PROJECT / package, bundle / package, ignore=shutil.ignore_patterns("__pycache__"))
    write_lean_models(bundle / AWS_MODELS_FOLDER)
    compile_all(bundle / COMPILED_TEMPLATES_FOLDER)
    write_table(bundle / BANK_HOLIDAYS_FILE)
    app = App(outdir=str(work / "cdk.out"), context=feature_flags())
    council = load_deployments(COUNCILS_FILE)[COUNCIL]
    [stack] = build(
        app,
        councils=[council],
        lambda_asset_dir=bundle,
        odp_schema_dir=reference_data.odp_schema_dir(),
        declarations=declarations(),
        nag=False,
    )
    artifact = app.synth().get_stack_by_name(stack.stack_name)
    template = json.loads(Path(artifact.template_full_path).read_text())
    [code] = {
        json.dumps(r["Properties"]["Code"])
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    asset = Path(artifact.template_full_path).parent / f"asset.{json.loads(code)['S3Key'].removesuffix('.zip')}"
    return template, stack.stack_name, asset


def handlers(harness: Any, file_base: str) -> list[Handler]:
    """Every function of the template with its environment and a way to make a fresh sample event."""
    functions = {f.handler: f for f in harness.functions().values()}
    unknown = set(functions) - set(KEYS)
    if unknown:
        raise SystemExit(f"no sample event for {', '.join(sorted(unknown))}: add one to the bench")
    writer = functions["services.intake.api.lambda_handler"].logical_id  # a function that may append events
    key_id, key = create_bench_key(harness, writer, file_base)
    project_api_keys(harness, functions["services.councils.api_key_projection.lambda_handler"].logical_id)
    ids = {KEYS[f.handler]: f.logical_id for f in functions.values()}
    samples = sample_events(harness, writer, ids, file_base, key_id, key)
    return [
        Handler(KEYS[f.handler], f.handler, f.memory_mb, lambda_environment(f), *samples[KEYS[f.handler]])
        for f in sorted(functions.values(), key=lambda f: KEYS[f.handler])
        if not ONLY or KEYS[f.handler] in ONLY
    ]


@contextmanager
def dependencies_as(harness: Any, logical_id: str) -> Iterator[Any]:
    """The wiring's dependencies while running as the function `logical_id`."""
    from shared import wiring

    with harness.running_as(logical_id):
        yield wiring.dependencies()


def create_bench_key(harness: Any, writer: str, file_base: str) -> tuple[str, str]:
    """The DEMO council, allowed to download from `file_base`, and its API key for the bench: (key id, key)."""
    from events.council import CouncilSettingsChanges
    from services.councils.service import CouncilService

    with dependencies_as(harness, writer) as deps:
        councils = CouncilService(deps.event_store, deps.clock)
        councils.create_council(COUNCIL, "Demo Council", "demo")
        councils.change_settings(
            COUNCIL, CouncilSettingsChanges(allow_download_hosts=(file_base.removeprefix("http://"),))
        )
        key_view, key = councils.create_api_key(COUNCIL, "bench", SCOPES)
    return key_view.id, key


def project_api_keys(harness: Any, projection: str) -> None:
    """The authorizer reads the key from the read model: project every ApiKeyCreated published so far."""
    for message in harness.published():
        if message["detail-type"] == "ApiKeyCreated":
            harness.invoke(projection, message, "bench")


def newest_message(harness: Any, event_type: str) -> dict[str, Any]:
    """The Pipe's message of the newest event of this type (children's events are on the stream too)."""
    return [m for m in harness.published() if m["detail-type"] == event_type][-1]


def allowed(policy: Any) -> bool:
    """Whether the authorizer's policy allows the request."""
    return any(s["Effect"] == "Allow" for s in policy.get("policyDocument", {}).get("Statement", []))


def sample_events(
    harness: Any, writer: str, ids: dict[str, str], file_base: str, key_id: str, key: str
) -> dict[str, tuple[Callable[[], dict[str, Any]], Callable[[Any], bool]]]:
    """For each handler's key: a way to make a fresh sample event and the check of the first response (`ids`: each
    handler key's function, to run as while making samples or to deliver the bus messages a sample needs first)."""
    from events import Actor
    from services.councils.service import CouncilService
    from services.intake.api import build_intake
    from shared.apigateway import authorizer_request, method_arn, proxy_event

    example = json.loads(EXAMPLE.read_text())
    context = {"council": COUNCIL, "key_id": key_id, "key_name": "bench", "scopes": " ".join(SCOPES)}
    path = "/api/v2/planning_applications"

    def submission() -> dict[str, Any]:
        payload = json.loads(json.dumps(example))
        payload["metadata"].update(id=str(uuid.uuid4()), organisation=COUNCIL)
        for index, item in enumerate(payload.get("files", [])):
            item["name"] = f"{file_base}/files/{uuid.uuid4()}-{index}.pdf"
        return payload

    def api_event() -> dict[str, Any]:
        headers = [("Content-Type", "application/json"), ("Authorization", f"Bearer {key}")]
        event = proxy_event("POST", path, path, None, headers, [], json.dumps(submission()).encode())
        event["requestContext"]["authorizer"] = {**context, "principalId": f"api-key:{key_id}"}
        return event

    def authorizer_event() -> dict[str, Any]:
        event = proxy_event("POST", path, path, None, [("Authorization", f"Bearer {key}")], [], b"{}")
        return authorizer_request(event, method_arn("POST", path))

    def submitted_message() -> dict[str, Any]:
        with dependencies_as(harness, writer) as deps:
            payload = submission()
            actor = Actor(kind="api_client", id="bench")
            assert build_intake(deps).submit(COUNCIL, json.dumps(payload).encode(), payload, actor).created
        return newest_message(harness, "PlanningApplicationSubmitted")

    def key_created_message() -> dict[str, Any]:
        with dependencies_as(harness, writer) as deps:
            CouncilService(deps.event_store, deps.clock).create_api_key(COUNCIL, "another", SCOPES)
        return newest_message(harness, "ApiKeyCreated")

    def scheduled_run() -> dict[str, Any]:
        """What EventBridge Scheduler sends, after one more event (noted as the bus delivers it to the moved-streams
        subscriber), so that every run seals a checkpoint."""
        harness.invoke(ids["moved_streams"], key_created_message(), "bench")
        return {}

    return {
        "case_list": (submitted_message, handled),
        "audit_checkpoints": (scheduled_run, lambda r: len(r.get("checkpoints", [])) == 1),
        "intake_api": (api_event, status(201)),
        "intake_documents": (submitted_message, handled),
        "notifications_sender": (submitted_message, handled),
        "notify_status": (dict, lambda r: "asked" in r),
        **notification_samples(harness, ids, submitted_message),
        "api_keys": (key_created_message, handled),
        "moved_streams": (key_created_message, handled),
        "authorizer": (authorizer_event, allowed),
        **officer_samples(harness, writer, ids, submission),
    }


def notification_samples(
    harness: Any, ids: dict[str, str], submitted_message: Callable[[], dict[str, Any]]
) -> dict[str, tuple[Callable[[], dict[str, Any]], Callable[[Any], bool]]]:
    """Notify's delivery-status callback (the council's token, a message the read model does not await: 404) and the
    notifications-outstanding projection (a new message's outcome: the bench's council has no Notify key)."""
    from services.notifications.declaration import CALLBACK_PATH, NOTIFY_CALLBACK_TOKEN_SECRET
    from shared.apigateway import proxy_event

    with dependencies_as(harness, ids["notify_callback"]) as deps:
        token = deps.secrets.get(NOTIFY_CALLBACK_TOKEN_SECRET.format(council=COUNCIL))
    path = CALLBACK_PATH.replace("{council}", COUNCIL)

    def callback_event() -> dict[str, Any]:
        body = {"id": str(uuid.uuid4()), "reference": f"{uuid.uuid4()}:applicant", "status": "delivered"}
        headers = [("Content-Type", "application/json"), ("Authorization", f"Bearer {token}")]
        return proxy_event("POST", path, CALLBACK_PATH, {"council": COUNCIL}, headers, [], json.dumps(body).encode())

    def outcome_message() -> dict[str, Any]:
        harness.invoke(ids["notifications_sender"], submitted_message(), "bench")
        return newest_message(harness, "NotificationFailed")

    return {"notify_callback": (callback_event, status(404)), "notifications_outstanding": (outcome_message, handled)}


DELIVERED: dict[str, int] = {}  # per function: how many of the harness's `published_so_far` `deliver_new` went over


def deliver_new(harness: Any, function: str, event_types: tuple[str, ...]) -> None:
    """Deliver to a function the bus messages of these types it has not been offered yet (other samples' calls of
    `published()` may have taken them first)."""
    harness.published()
    for message in harness.published_so_far[DELIVERED.get(function, 0) :]:
        if message["detail-type"] in event_types:
            harness.invoke(function, message, "bench")
    DELIVERED[function] = len(harness.published_so_far)


def status(code: int) -> Callable[[Any], bool]:
    return lambda r: r.get("statusCode") == code


def handled(r: Any) -> bool:
    return r.get("status") == "handled"


def officer_samples(
    harness: Any, writer: str, ids: dict[str, str], submission: Callable[[], dict[str, Any]]
) -> dict[str, tuple[Callable[[], dict[str, Any]], Callable[[Any], bool]]]:
    """The samples of officers' and applicants' functions: sign-in, the officers read model, the case list, the
    applicant's page, the auto-close read model and the daily job (officers' commands appended as the officer API
    would)."""
    from events import Actor
    from services.assessment.declaration import APPLICANT_PAGE, COLLECTION
    from services.councils.service import CouncilService
    from services.intake.api import build_intake
    from shared.apigateway import proxy_event
    from shared.officer_identity import SignedInOfficer

    def officer_created_message() -> dict[str, Any]:
        with dependencies_as(harness, ids["officer_sign_in"]) as deps:
            from services.councils.officer_directory import officer_directory

            email = f"{uuid.uuid4().hex[:12]}@demo.example"
            officers = CouncilService(deps.event_store, deps.clock)
            officers.create_officer(
                COUNCIL, email, "Ann Assessor", "assessor", OFFICER_PASSWORD, directory=officer_directory(deps)
            )
        return newest_message(harness, "OfficerCreated") | {"email": email}

    signing_in = officer_created_message()  # the officer who signs in, in the officers read model
    harness.invoke(ids["officers"], {k: v for k, v in signing_in.items() if k != "email"}, "bench")

    def sign_in_event() -> dict[str, Any]:
        body = json.dumps({"email": signing_in["email"], "password": OFFICER_PASSWORD}).encode()
        session = "/api/officer/v1/session"
        return proxy_event("POST", session, session, None, [("Content-Type", "application/json")], [], body)

    officer = SignedInOfficer(COUNCIL, "officer-bench", "Bea Bench", "assessor")

    def case_list_event() -> dict[str, Any]:
        event = proxy_event("GET", COLLECTION, COLLECTION, None, [], [], b"")
        event["requestContext"]["authorizer"] = {**officer.context(), "principalId": f"officer:{officer.id}"}
        return event

    def submitted() -> str:
        """A new application, submitted as the intake API would: its reference."""
        with dependencies_as(harness, writer) as deps:
            payload = submission()
            actor = Actor(kind="api_client", id="bench")
            return build_intake(deps).submit(COUNCIL, json.dumps(payload).encode(), payload, actor).reference

    def decided(reference: str, steps: list[tuple[Callable[..., Any], dict[str, Any]]], days_ago: int) -> None:
        """An officer's commands on the application, appended `days_ago` days ago as the officer API would (on that
        day, or with `today="received"` on the application's received date)."""
        from datetime import UTC, datetime, timedelta

        from events import NewEvent
        from events.streams import application_stream, application_streams
        from services.assessment.domain import fold
        from shared.eventstore.port import read_merged

        with dependencies_as(harness, ids["daily"]) as deps:
            store = deps.event_store
            when = datetime.now(UTC) - timedelta(days=days_ago)
            for command, inputs in steps:
                state = fold(read_merged(store, application_streams(COUNCIL, reference)))
                on = state.received_date if inputs.get("today") == "received" else when.date()
                payloads = command(state, officer, **{**inputs, "today": on})
                events = [NewEvent(p, COUNCIL, officer.actor(), when) for p in payloads]
                store.append(application_stream(COUNCIL, reference), state.version, events)

    def sent_request(days_ago: int) -> tuple[str, str]:
        """A submitted application with a description change request sent `days_ago` days ago: its reference and the
        request's id."""
        from services.assessment.domain import draft_validation_request, invalidate

        reference, request_id = submitted(), str(uuid.uuid4())
        change = {"request_type": "description_change", "reason": "clearer", "proposed_description": "Clearer"}
        steps = [(draft_validation_request, {"request_id": request_id, **change}), (invalidate, {})]
        decided(reference, steps, days_ago)
        return reference, request_id

    def request_sent_message() -> dict[str, Any]:
        sent_request(days_ago=0)
        return newest_message(harness, "ValidationRequestSent")

    def daily_run() -> dict[str, Any]:
        """What EventBridge Scheduler sends, after a request long past its auto-close day reached the read model (as
        the bus delivers it), so that every run closes one; the requests earlier runs closed have left the read model
        (their ValidationRequestAutoClosed delivered, as the bus does), so that no run reads them again."""
        from services.assessment import AUTO_CLOSE_EVENT_TYPES

        deliver_new(harness, ids["auto_close_due"], AUTO_CLOSE_EVENT_TYPES)
        sent_request(days_ago=30)
        harness.invoke(ids["auto_close_due"], newest_message(harness, "ValidationRequestSent"), "bench")
        return {}

    with dependencies_as(harness, ids["applicant_pages"]) as deps:
        from shared.applicant_links import applicant_path, applicant_token, link_secret

        secret = link_secret(deps.secrets, COUNCIL)
    answered = sent_request(days_ago=0)  # the applicant's request, read on each run

    def applicant_event() -> dict[str, Any]:
        reference, request_id = answered
        path = applicant_path(COUNCIL, reference, request_id)  # the applicant's page (HTML)
        parameters = {"council": COUNCIL, "reference": reference, "request_id": request_id}
        query = [("token", applicant_token(secret, COUNCIL, reference, request_id))]
        return proxy_event("GET", path, APPLICANT_PAGE, parameters, [], query, b"")

    return {
        "officer_sign_in": (sign_in_event, status(200)),
        "officers": (lambda: {k: v for k, v in officer_created_message().items() if k != "email"}, handled),
        "officer_api": (case_list_event, status(200)),
        "applicant_pages": (applicant_event, status(200)),
        "auto_close_due": (request_sent_message, handled),
        "daily": (daily_run, lambda r: r.get("closed") == 1),
        **console_and_public_samples(harness, ids, submitted, decided),
    }


def console_and_public_samples(
    harness: Any,
    ids: dict[str, str],
    submitted: Callable[[], str],
    decided: Callable[[str, list[tuple[Callable[..., Any], dict[str, Any]]], int], None],
) -> dict[str, tuple[Callable[[], dict[str, Any]], Callable[[Any], bool]]]:
    """The samples of the officers' console (a case officer's dashboard over the case list, an application's documents
    page, an administrator's officers page), the public register's projection, the refresh of a council's records
    when it turns names on or off, and the public faces (a search of the ODP and the BOPS-compatible APIs, the first
    page of the change feed) over a few published applications."""
    from services.assessment.declaration import APPLICATION_DOCUMENTS_PAGE
    from services.assessment.domain import validate
    from services.publication.declaration import APPLICATIONS, COUNCIL_EVENT_TYPES, FEED_PATH, ODP_PUBLIC
    from shared.apigateway import proxy_event
    from shared.officer_identity import SignedInOfficer

    def deliver(messages: list[dict[str, Any]], *functions: str) -> None:
        for message in messages:
            for function in functions:
                harness.invoke(ids[function], message, "bench")

    def published_application() -> list[dict[str, Any]]:
        """A new application, validated (public: the register's projection and the feed take it): its messages."""
        reference = submitted()
        # on the day it counts as received (the next working day when it came out of hours)
        decided(reference, [(validate, {"determination_period_days": 56, "today": "received"})], 0)
        return harness.published()  # (each call gives the messages of the records new since the last)

    def validated_message() -> dict[str, Any]:
        return [m for m in published_application() if m["detail-type"] == "PlanningApplicationValidated"][-1]

    # The council's own events, as the bus delivered them to the register's projection: what the faces show of it.
    deliver_new(harness, ids["public_register"], COUNCIL_EVENT_TYPES)
    for _ in range(3):  # what the dashboard, the searches and the feed show
        deliver(published_application(), "case_list", "public_register")
    with_documents = submitted()
    messages = harness.published()
    deliver(messages, "case_list")
    fetch_documents(harness, ids["intake_documents"], messages)
    case_officer = SignedInOfficer(COUNCIL, "officer-bench", "Bea Bench", "assessor")
    administrator = SignedInOfficer(COUNCIL, "officer-admin", "Ada Admin", "administrator")

    def page(path: str, resource: str, signed_in: SignedInOfficer, **parameters: str) -> Callable[[], dict[str, Any]]:
        def event() -> dict[str, Any]:
            made = proxy_event("GET", path, resource, parameters or None, [("Accept", "text/html")], [], b"")
            made["requestContext"]["authorizer"] = {**signed_in.context(), "principalId": f"officer:{signed_in.id}"}
            return made

        return event

    def public(path: str, query: list[tuple[str, str]]) -> Callable[[], dict[str, Any]]:
        return lambda: proxy_event("GET", path, path, None, [("Accept", "application/json")], query, b"")

    names_shown = [False]

    def names_changed() -> dict[str, Any]:
        """A council turning applicants' names on or off (each run the other way): the refresh of its records."""
        from events.council import CouncilSettingsChanges
        from services.councils.service import CouncilService

        names_shown[0] = not names_shown[0]
        with dependencies_as(harness, ids["public_refresh"]) as deps:
            changes = CouncilSettingsChanges(publish_applicant_names=names_shown[0])
            CouncilService(deps.event_store, deps.clock).change_settings(COUNCIL, changes)
        return newest_message(harness, "CouncilSettingsChanged")

    documents = APPLICATION_DOCUMENTS_PAGE.replace("{reference}", with_documents)
    return {
        "public_refresh": (names_changed, handled),
        "console": (page("/", "/", case_officer), status(200)),
        "console_documents": (
            page(documents, APPLICATION_DOCUMENTS_PAGE, case_officer, reference=with_documents),
            status(200),
        ),
        "admin_pages": (page("/admin/officers", "/admin/officers", administrator), status(200)),
        "public_register": (validated_message, handled),
        "public_odp": (public(f"{ODP_PUBLIC}/applications", [("council", COUNCIL)]), status(200)),
        "public_bops_v2": (public(f"{APPLICATIONS}/search", [("q", "extension")]), status(200)),
        "public_feed": (public(FEED_PATH, []), status(200)),
    }


def fetch_documents(harness: Any, fetcher: str, messages: list[dict[str, Any]]) -> None:
    """The document fetcher's work on these messages, in this process, with the children's environment."""
    from shared import wiring
    from shared.declarations import load_handler
    from tests.cdk.harness import LambdaContext

    with harness.running_as(fetcher) as function:
        os.environ.update(lambda_environment(function))
        wiring.reset()
        handler = load_handler(function.handler)
        for message in messages:
            handler(message, LambdaContext(function.name, function.memory_mb, function.arn))


def lambda_environment(function: Any) -> dict[str, str]:
    """The function's variables and those the Lambda runtime sets beside them."""
    return {
        **function.environment,
        "BOPS_ALLOW_LOOPBACK_DOWNLOADS": "true",  # the bench's file server is `localhost` (never set by the stack)
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
    }


def table_sizes(harness: Any) -> None:
    """Each table's items by their partition key's kind (moto's Query reads a whole table: its size is moto's time)."""
    for id, resource in harness.resources.items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        [hash_key] = [k["AttributeName"] for k in resource["Properties"]["KeySchema"] if k["KeyType"] == "HASH"]
        kinds: dict[str, int] = {}
        for item in harness.scan(id):
            value = next(iter(item[hash_key].values()))
            kind = re.sub(r"[0-9a-f-]{8,}|\d+", "*", str(value))[:60]
            kinds[kind] = kinds.get(kind, 0) + 1
        top = sorted(kinds.items(), key=lambda pair: -pair[1])[:8]
        progress(f"  table {id}: {sum(kinds.values())} items; " + ", ".join(f"{k} {n}" for k, n in top))


def document_outcomes(harness: Any) -> dict[str, int]:
    """How many DocumentReceived and DocumentFetchFailed events the log holds."""
    [table] = [
        id
        for id, r in harness.resources.items()
        if r["Type"] == "AWS::DynamoDB::Table" and "StreamSpecification" in r["Properties"]
    ]
    counts: dict[str, int] = {}
    for item in harness.scan(table):
        if item["event_type"]["S"].startswith("Document"):
            counts[item["event_type"]["S"]] = counts.get(item["event_type"]["S"], 0) + 1
    return counts


# Children


def run_child(
    handler: Handler, event: dict[str, Any], endpoint: str, work: Path, options: tuple[str, ...] = (), **extra: str
) -> tuple[dict[str, Any], str]:
    event_file = work / f"{uuid.uuid4()}.json"
    event_file.write_text(json.dumps(event))
    env = {name: value for name, value in os.environ.items() if not name.startswith(("BOPS_", "AWS_", "POWERTOOLS_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(PYTHONPATH=str(PROJECT), PYTHONPYCACHEPREFIX=str(work / "pycache"))
    if NO_BYTECODE:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(handler.environment)
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        BENCH_HANDLER=handler.handler,
        BENCH_EVENT=str(event_file),
        **extra,
    )
    with MOTO_LOCK:
        MOTO.update(requests=0, ms=0.0)
    env["BENCH_SPAWNED_AT"] = repr(time.time())
    child = subprocess.run(
        [sys.executable, *options, str(CHILD)], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
    lines = [line for line in child.stdout.splitlines() if line.startswith(RESULT)]
    if child.returncode != 0 or not lines:
        raise SystemExit(f"{handler.key} failed ({child.returncode}):\n{child.stdout[-3000:]}\n{child.stderr[-3000:]}")
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
    _, stderr = run_child(handler, handler.sample(), endpoint, work, ("-X", "importtime"))
    profiles = Path(os.environ.get("BENCH_PROFILES") or work)  # BENCH_PROFILES keeps them (and the import times)
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / f"{handler.key}.importtime").write_text(stderr)
    profile = profiles / f"{handler.key}.prof"
    run_child(handler, handler.sample(), endpoint, work, BENCH_PROFILE=str(profile))
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
        raise SystemExit(reference_data.missing_message(EXAMPLE))
    for name in [n for n in os.environ if n.startswith(("BOPS_", "AWS_ENDPOINT_URL"))]:
        del os.environ[name]
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    # Handlers called here to set up the samples print no metric lines (children get the stack's environment only).
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    from moto import mock_aws

    from tests.cdk.harness import StackHarness
    from tests.intake.support import serve_files

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        template, stack_name, asset = synthesise(work)
        with mock_aws(), contextmanager(serve_moto)() as endpoint, contextmanager(serve_files)() as file_base:
            harness = StackHarness(template, stack_name, region=REGION, task_root=asset).deploy()
            found = handlers(harness, file_base)
            measure(found, endpoint, work)
            if TRACE_MOTO:
                table_sizes(harness)
            outcomes = document_outcomes(harness)
            progress(f"documents the intake-documents runs recorded: {outcomes}")
            if outcomes.get("DocumentFetchFailed") or not outcomes.get("DocumentReceived"):
                raise SystemExit("the document fetcher did not store the submitted files")


def measure(found: list[Handler], endpoint: str, work: Path) -> None:
    progress(
        f"moto at {endpoint}; {len(found)} handlers; {RUNS} rounds, in each a fresh interpreter per handler with one"
        " for the floor before and after it"
    )
    floor = Handler("floor", "floor", 512, found[0].environment, dict, lambda r: True)
    for handler in (floor, *found):  # warm-up, not counted: fills the bytecode cache
        run_child(handler, handler.sample(), endpoint, work)
    progress("warm-up runs done" + (" (no bytecode cache: every run compiles from source)" if NO_BYTECODE else ""))
    runs: dict[str, list[Run]] = {h.key: [] for h in found}
    floors: list[dict[str, Any]] = []
    for number in range(1, RUNS + 1):
        # A round's samples are made before its first child starts, so that no child runs right after the parent
        # has worked (making a document-fetcher sample submits an application in-process).
        samples = {handler.key: handler.sample() for handler in found}
        before = run_measured(floor, {}, endpoint, work, number)
        floors.append(before)
        for handler in found:
            measured = run_measured(handler, samples[handler.key], endpoint, work, number)
            after = run_measured(floor, {}, endpoint, work, number)
            floors.append(after)
            runs[handler.key].append(Run(measured, before, after))
            before = after
    result = summarise(found, runs, floors)
    over = [h for h in found if result[f"{h.key}_ratio"] > TARGET_RATIO or EXPLAIN_ALL]
    if over:
        baseline = Baseline(*diagnose(floor, endpoint, work))
    for handler in over:
        progress(f"{handler.key} at {result[f'{handler.key}_ratio']} x the floor (target {TARGET_RATIO}):")
        explain(handler, baseline, endpoint, work)
    print(json.dumps(result), flush=True)


@dataclass(frozen=True)
class Run:
    """One run of a handler between two runs of the floor: this machine's speed changes from one second to the next,
    so a handler is compared with the floor measured right before and right after it, not with a median taken minutes
    apart."""

    handler: dict[str, Any]
    floor_before: dict[str, Any]
    floor_after: dict[str, Any]

    def ratio(self, figure: str) -> float:
        return self.handler[figure] / statistics.mean((self.floor_before[figure], self.floor_after[figure]))


def run_measured(handler: Handler, event: dict[str, Any], endpoint: str, work: Path, number: int) -> dict[str, Any]:
    """One run of a handler (or the floor), its first response checked, its figures printed."""
    measured, _ = run_child(handler, event, endpoint, work)
    if not handler.check(measured["result"]):
        raise SystemExit(f"{handler.handler} answered {measured['result']!r}")
    progress(
        f"run {number} {handler.key}: {measured['total_ms']:.0f} ms (start-up {measured['startup_ms']:.0f},"
        f" import {measured['import_ms']:.0f}, first call {measured['call_ms']:.0f}, of which moto"
        f" answering {measured['moto_requests']} requests {measured['moto_ms']:.0f}; the child's CPU time"
        f" {measured['cpu_ms']:.0f})"
    )
    return measured


def summarise(found: list[Handler], runs: dict[str, list[Run]], floors: list[dict[str, Any]]) -> dict[str, float]:
    """Per handler: the median of its times, of moto's time answering it, and of its runs' ratios to the floor
    around them (wall time; the child's CPU time). The floor's median time for reference."""
    result: dict[str, float] = {}
    for handler in found:
        measured = runs[handler.key]
        result[f"{handler.key}_ms"] = round(statistics.median(r.handler["total_ms"] for r in measured), 1)
        result[f"{handler.key}_ratio"] = round(statistics.median(r.ratio("total_ms") for r in measured), 2)
        result[f"{handler.key}_moto_ms"] = round(statistics.median(r.handler["moto_ms"] for r in measured), 1)
        result[f"{handler.key}_cpu_ratio"] = round(statistics.median(r.ratio("cpu_ms") for r in measured), 2)
    result["floor_ms"] = round(statistics.median(f["total_ms"] for f in floors), 1)
    return result


if __name__ == "__main__":
    main()
