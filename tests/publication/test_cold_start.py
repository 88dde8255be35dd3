"""The public faces load no pydantic model machinery and no event contracts at their first request on AWS.

Each reads only the public register (dataclasses and JSON, in DynamoDB) and the process settings (a dataclass): a
cold start of the public API would otherwise pay ~40 ms for pydantic's `BaseModel` and the event modules it never
meets. (Embedded, `bops serve` has loaded everything anyway.) Run in a fresh interpreter on moto, which itself loads
neither.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from services.publication import APPLICATIONS, FEED_PATH, ODP_PUBLIC
from shared.apigateway import proxy_event
from tests.module_probe import modules_loaded_after

NEVER = ("pydantic.main", "events", "shared.odp.model", "shared.projections.projector", "shared.eventstore")
TABLE = "public-register"
ON_MOTO = f"""
from moto import mock_aws
import boto3
from shared.projections.dynamodb_store import create_read_model_table
mock_aws().start()
create_read_model_table(boto3.client("dynamodb"), {TABLE!r})
"""
FINGERPRINT = hashlib.sha256(b"").hexdigest()[:16]  # `deployment_fingerprint` of a process without a deployment
ENVIRONMENT = {
    "BOPS_RUNTIME": "aws",
    "BOPS_COUNCIL": "DEMO",
    "BOPS_PUBLIC_REGISTER_TABLE": TABLE,
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


# A published application and its council's facts as the projection keeps them (made with no deployment config, as
# ENVIRONMENT has none): the BOPS-compatible face's links need the council's public base URL.
PUBLISHED = f"""
from services.publication.read_model.port import PublicCouncil
from services.publication.read_model.dynamodb import DynamoDbPublicRegister
from tests.publication.register_contract import application
register = DynamoDbPublicRegister({TABLE!r}, boto3.client("dynamodb"))
register.put(application(1), [])
register.put_council(PublicCouncil("DEMO", "demo", "https://planning.demo.example", 1, {FINGERPRINT!r}))
"""


SEARCH = APPLICATIONS + "/search"


@pytest.mark.parametrize(
    ("handler", "path", "query", "setup", "shows"),
    [
        ("services.publication.feed", FEED_PATH, [], "", '"data":[]'),
        ("services.publication.odp.api", ODP_PUBLIC + "/applications", [("search", "mill lane")], "", '"data":[]'),
        ("services.publication.bops_v2.handler", SEARCH, [("council", "DEMO"), ("q", "extension")], "", '"data":[]'),
        ("services.publication.bops_v2.handler", SEARCH, [("q", "extension")], PUBLISHED, "https://planning.demo."),
    ],
)
def test_a_public_faces_first_request_loads_no_pydantic_models_or_events(tmp_path, handler, path, query, setup, shows):
    (tmp_path / "request.json").write_text(json.dumps(proxy_event("GET", path, path, None, [], query, b"")))
    loaded = modules_loaded_after(
        ON_MOTO + setup + f"from {handler} import lambda_handler\n"
        f"answer = lambda_handler(json.load(open({str(tmp_path / 'request.json')!r})), None)\n"
        f"assert answer['statusCode'] == 200 and {shows!r} in answer['body'], answer",
        {**ENVIRONMENT, "BOPS_DATA_DIR": str(tmp_path / "data")},
    )
    assert "services.publication.read_model.dynamodb" in loaded  # it did read the register
    for module in NEVER:
        assert module not in loaded, module


def test_the_registers_projection_loads_no_declarations():
    """Its handler knows the council event types it takes without defining every service's declarations."""
    loaded = modules_loaded_after("import services.publication.projection", ENVIRONMENT)
    assert "services.publication.projection" in loaded
    assert "shared.declarations" not in loaded
