"""The public faces load no pydantic model machinery and no event contracts at their first request on AWS.

Each reads only the public register (dataclasses and JSON, in DynamoDB) and the process settings (a dataclass): a
cold start of the public API would otherwise pay ~40 ms for pydantic's `BaseModel` and the event modules it never
meets. (Embedded, `bops serve` has loaded everything anyway.) Run in a fresh interpreter on moto, which itself loads
neither.
"""

from __future__ import annotations

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
ENVIRONMENT = {
    "BOPS_RUNTIME": "aws",
    "BOPS_COUNCIL": "DEMO",
    "BOPS_PUBLIC_REGISTER_TABLE": TABLE,
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


@pytest.mark.parametrize(
    ("handler", "path", "query"),
    [
        ("services.publication.feed", FEED_PATH, []),
        ("services.publication.odp.api", ODP_PUBLIC + "/applications", [("search", "mill lane")]),
        ("services.publication.bops_v2.handler", APPLICATIONS + "/search", [("council", "DEMO"), ("q", "extension")]),
    ],
)
def test_a_public_faces_first_request_loads_no_pydantic_models_or_events(tmp_path, handler, path, query):
    (tmp_path / "request.json").write_text(json.dumps(proxy_event("GET", path, path, None, [], query, b"")))
    loaded = modules_loaded_after(
        ON_MOTO + f"from {handler} import lambda_handler\n"
        f"answer = lambda_handler(json.load(open({str(tmp_path / 'request.json')!r})), None)\n"
        "assert answer['statusCode'] == 200, answer",
        {**ENVIRONMENT, "BOPS_DATA_DIR": str(tmp_path / "data")},
    )
    assert "services.publication.read_model.dynamodb" in loaded  # it did read the register
    for module in NEVER:
        assert module not in loaded, module
