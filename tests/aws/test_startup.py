"""A Lambda handler module tunes its process's start-up with one explicit call at its top; importing `shared` or
`services` changes nothing; the SnapStart hooks prepare before the snapshot and make each restore unique."""

from __future__ import annotations

import ast
import json
import os
import random
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shared.declarations import ServiceDeclaration

PROJECT = Path(__file__).resolve().parents[2]


def api_handler_modules() -> list[str]:
    """The modules of every function behind API Gateway (SnapStart: cdk/functions.py), from the declarations."""
    from services import declarations
    from services.councils.declaration import AUTHORIZER_HANDLER

    handlers = [f.handler for d in declarations() for f in d.http] + [AUTHORIZER_HANDLER]
    return sorted({handler.rpartition(".")[0] for handler in handlers})


API_HANDLERS = api_handler_modules()
PROBE = """
import gc, json, sys
before = gc.get_threshold(), list(sys.meta_path)
import {module}
import snapshot_restore_py as hooks
print(json.dumps({{
    "threshold_before": before[0], "threshold_after": gc.get_threshold(), "meta_path_same": before[1] == sys.meta_path,
    "before_snapshot": len(hooks.get_before_snapshot()), "after_restore": len(hooks.get_after_restore()),
    "declarations": "shared.declarations" in sys.modules,
}}))
"""


def declared_handler_modules() -> list[str]:
    from services import declarations
    from services.councils.declaration import AUTHORIZER_HANDLER

    found: list[ServiceDeclaration] = declarations()
    handlers = [f.handler for d in found for f in (*d.http, *d.subscriptions, *d.scheduled)] + [AUTHORIZER_HANDLER]
    return sorted({handler.rpartition(".")[0] for handler in handlers})


def probe(module: str, on_lambda: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOPS_"))}
    if on_lambda:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "bops-demo-function"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("package", ["shared", "services"])
def test_importing_a_package_patches_nothing_even_on_lambda(package):
    found = probe(package, on_lambda=True)
    assert found["threshold_after"] == found["threshold_before"] and found["meta_path_same"]
    assert found["before_snapshot"] == found["after_restore"] == 0


@pytest.mark.parametrize("module", declared_handler_modules())
def test_every_handler_module_starts_with_the_one_start_up_call(module):
    tree = ast.parse((PROJECT / (module.replace(".", "/") + ".py")).read_text())
    body = [s for s in tree.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    body = [s for s in body if not (isinstance(s, ast.ImportFrom) and s.module == "__future__")]
    assert isinstance(body[0], ast.ImportFrom) and body[0].module == "shared.startup"
    call = body[1]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert ast.unparse(call.value.func) == "lambda_start"


@pytest.mark.parametrize("module", declared_handler_modules())
def test_on_lambda_a_handler_raises_the_young_threshold_and_api_handlers_register_snapstart_hooks(module):
    found = probe(module, on_lambda=True)
    assert found["threshold_after"][0] == 250_000 and found["meta_path_same"]
    assert found["before_snapshot"] == found["after_restore"]
    # an API handler registers its hook (the console's documents pages also get the console handler's, which they join)
    assert (found["before_snapshot"] >= 1) if module in API_HANDLERS else (found["before_snapshot"] == 0)
    # a cold start defines no service's declarations (the authorizer's route table is made of their `Route`s)
    assert found["declarations"] == (module == "services.councils.authorizer")


def test_elsewhere_a_handler_module_leaves_the_process_alone():
    found = probe("services.intake.api", on_lambda=False)
    assert found["threshold_after"][0] == found["threshold_before"][0]
    assert found["before_snapshot"] == found["after_restore"] == 0


RUNTIME = """
import gc, json, random, sys
import snapshot_restore_py as hooks
from shared.startup import lambda_start
prepared = []
lambda_start(prepare=lambda: prepared.append("done"))
for function, args, kwargs in hooks.get_before_snapshot():  # what the Lambda runtime does before the snapshot
    function(*args, **kwargs)
frozen = gc.get_freeze_count()
random.seed(7)
expected = random.random()
random.seed(7)
for function, args, kwargs in hooks.get_after_restore():  # and after each restore
    function(*args, **kwargs)
print(json.dumps({"prepared": prepared, "frozen": frozen, "same_random": random.random() == expected}))
"""


def test_the_hooks_prepare_and_freeze_before_the_snapshot_and_reseed_after_a_restore():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOPS_"))}
    env["AWS_LAMBDA_FUNCTION_NAME"] = "bops-demo-intake-api"
    done = subprocess.run([sys.executable, "-c", RUNTIME], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["prepared"] == ["done"]
    assert found["frozen"] > 1_000  # the modules and objects built so far are out of the collector's sight
    assert not found["same_random"]


class _Tables(BaseHTTPRequestHandler):
    """A DynamoDB endpoint that has no tables and remembers each connection's client port."""

    protocol_version = "HTTP/1.1"
    ports: set[int] = set()

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.ports.add(self.client_address[1])
        body = b'{"TableNames": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_after_a_restore_the_clients_open_new_connections(monkeypatch):
    from shared.aws.clients import aws_client, close_connections, forget_sessions

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tables)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name, value in {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{server.server_address[1]}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    forget_sessions()
    try:
        client = aws_client("dynamodb", "eu-west-2")
        client.list_tables()
        client.list_tables()
        assert len(_Tables.ports) == 1  # one pooled connection
        close_connections()
        assert client.list_tables()["TableNames"] == []  # still usable
        assert len(_Tables.ports) == 2
    finally:
        server.shutdown()
        server.server_close()
        forget_sessions()


def test_the_intake_api_compiles_every_odp_schema_before_the_snapshot(tmp_path, monkeypatch):
    from services.intake import api
    from shared import wiring
    from shared.odp import validation

    schemas = PROJECT.parent / "shared" / "odp" / "schemas"
    monkeypatch.setenv("BOPS_RUNTIME", "embedded")
    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BOPS_ODP_SCHEMA_DIR", str(schemas))
    wiring.reset()
    try:
        api.prepare_snapshot()
        key = str(schemas.resolve())
        compiled = {(name, branch) for (folder, name, branch) in validation._VALIDATORS if folder == key}
        assert ("application.json", None) in compiled and ("preApplication.json", None) in compiled
        branches = validation.prototype_branches(key)
        assert {("prototypeApplication.json", code) for code in branches} <= compiled
    finally:
        wiring.reset()


@pytest.mark.parametrize("module", API_HANDLERS)
def test_every_api_handlers_before_snapshot_hook_runs(module, tmp_path, monkeypatch):
    """What each hook builds (clients, services, compiled schemas, templates) is built without a request."""
    import importlib

    from shared import wiring
    from shared.reference_data import odp_schema_dir

    monkeypatch.setenv("BOPS_RUNTIME", "embedded")
    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BOPS_ODP_SCHEMA_DIR", str(odp_schema_dir()))
    wiring.reset()
    try:
        importlib.import_module(module).prepare_snapshot()
    finally:
        wiring.reset()


def test_restored_reseeds_random_in_this_process():
    from shared.startup import restored

    random.seed(3)
    expected = random.random()
    random.seed(3)
    restored()
    assert random.random() != expected


def test_the_officer_api_builds_its_body_validators_before_the_snapshot_not_at_import():
    from tests.module_probe import modules_loaded_after

    models = "b.Assign, b.UploadDocument, b.DraftValidationRequest, b.ProposedCondition"
    built = f"all(m.__pydantic_complete__ for m in ({models}))"
    code = (
        "from services.assessment.officer_api import handler, bodies as b\n"
        "assert not b.Assign.__pydantic_complete__ and not b.UploadDocument.__pydantic_complete__\n"
        f"b.build_all()\nassert {built}"
    )
    modules_loaded_after(code)
