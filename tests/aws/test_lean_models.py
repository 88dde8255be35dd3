"""The lean botocore data: it covers every call the adapters make, and clients built from it behave like boto3's."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from botocore import xform_name

from shared.aws.clients import aws_client
from shared.aws.models import OPERATIONS, botocore_data, lean_service_model, read_json, write_lean_models
from tests.aws_support import lean_models_dir

PROJECT = Path(__file__).resolve().parents[2]
# The adapters that run on Lambda and the service of the client each holds as `self.client`.
ADAPTERS = {
    "shared/eventstore/dynamodb.py": "dynamodb",
    "shared/eventstore/checkpoints_dynamodb.py": "dynamodb",
    "shared/projections/dynamodb_store.py": "dynamodb",
    "shared/documents/s3.py": "s3",
    "shared/secrets/aws.py": "secretsmanager",
    "shared/attempts/dynamodb.py": "dynamodb",
    "services/councils/officer_directory.py": "cognito-idp",
    "services/assessment/case_list/dynamodb.py": "dynamodb",
    "services/publication/read_model/dynamodb.py": "dynamodb",
    "services/publication/read_model/generations.py": "dynamodb",
}
# Client methods that sign locally and send nothing (no operation of the service's model).
LOCAL_CALLS = {"generate_presigned_url"}
# Modules whose `self.client` is no AWS client (GOV.UK Notify's own client).
NOT_AWS = {"shared/notify/client.py"}


def client_calls(path: Path) -> set[str]:
    """Names of the methods called on `self.client` in a module (for a presigned URL: the operation it signs)."""
    calls = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "client" and isinstance(owner.value, ast.Name):
                first = node.args[0] if node.args else None
                if node.func.attr == "generate_presigned_url" and isinstance(first, ast.Constant):
                    calls.add(str(first.value))
                else:
                    calls.add(node.func.attr)
    return calls


@pytest.mark.parametrize("module", sorted(ADAPTERS))
def test_every_call_an_adapter_makes_is_in_the_lean_data(module):
    service = ADAPTERS[module]
    calls = client_calls(PROJECT / module) - LOCAL_CALLS
    assert calls, f"{module} calls nothing on self.client: is the table above stale?"
    kept = {xform_name(operation) for operation in OPERATIONS[service]}
    assert calls <= kept, f"add {sorted(calls - kept)} to OPERATIONS[{service!r}] in shared/aws/models.py"


def test_the_calls_of_powertools_idempotency_layer_are_in_the_lean_data():
    """The notifications sender's idempotency records: Powertools' own DynamoDB layer on the stack's table."""
    from aws_lambda_powertools.utilities.idempotency.persistence import dynamodb

    calls = client_calls(Path(dynamodb.__file__))
    assert {"get_item", "put_item", "update_item", "delete_item"} <= calls
    assert calls <= {xform_name(operation) for operation in OPERATIONS["dynamodb"]}


def test_every_module_that_holds_a_client_is_checked():
    holders = {
        str(path.relative_to(PROJECT))
        for folder in ("shared", "services", "events")
        for path in (PROJECT / folder).rglob("*.py")
        if client_calls(path)
    }
    assert holders - NOT_AWS == set(ADAPTERS)


def test_a_lean_model_keeps_the_operations_and_every_shape_they_reach_without_documentation():
    version = sorted(p.name for p in (botocore_data() / "s3").iterdir())[-1]
    model = read_json(botocore_data() / "s3" / version / "service-2.json")
    lean = lean_service_model(model, ["PutObject"])
    assert list(lean["operations"]) == ["PutObject"]
    assert {"PutObjectRequest", "PutObjectOutput"} <= set(lean["shapes"])
    assert "GetObjectOutput" not in lean["shapes"]
    for shape in lean["shapes"].values():
        for member in shape.get("members", {}).values():
            assert member["shape"] in lean["shapes"]
            assert "documentation" not in member
    assert "documentation" not in json.dumps(lean["operations"])
    with pytest.raises(KeyError, match="NoSuchOperation"):
        lean_service_model(model, ["NoSuchOperation"])


def test_the_folder_is_small_and_endpoints_name_only_our_services(tmp_path):
    folder = write_lean_models(tmp_path / "aws-models")
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) < 400_000
    endpoints = json.loads((folder / "endpoints.json").read_text())
    aws = next(p for p in endpoints["partitions"] if p["partition"] == "aws")
    assert set(aws["services"]) <= {"dynamodb", "s3", "secretsmanager", "cognito-idp"}
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == sorted(OPERATIONS)


def test_every_file_is_plain_json_with_the_endpoint_rules_whole(tmp_path):
    folder = write_lean_models(tmp_path / "aws-models")
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert all(name.endswith(".json") for name in files), files  # no .gz: parsed by orjson, nothing to inflate
    version = next((folder / "s3").iterdir()).name
    rules = f"s3/{version}/endpoint-rule-set-1.json"
    assert rules in files
    assert json.loads((folder / rules).read_text()) == read_json(botocore_data() / rules)


def test_a_lean_client_has_only_the_kept_operations_and_resolves_the_regional_endpoint():
    client = aws_client("s3", "eu-west-2", lean_models_dir())
    assert hasattr(client, "put_object") and not hasattr(client, "list_buckets")
    assert client.meta.region_name == "eu-west-2"
    assert "eu-west-2" in aws_client("dynamodb", "eu-west-2", lean_models_dir()).meta.endpoint_url


def test_services_and_files_the_folder_lacks_come_from_botocore(aws):
    sqs = aws_client("sqs", "eu-west-2", lean_models_dir())  # not in the lean data at all
    assert sqs.create_queue(QueueName="q")["QueueUrl"]
    dynamodb = aws_client("dynamodb", "eu-west-2", lean_models_dir())
    assert dynamodb.can_paginate("query")  # paginators are not in the lean data either


def test_without_the_folder_clients_are_botocore_s_own(tmp_path):
    client = aws_client("s3", "eu-west-2", tmp_path / "absent")
    assert hasattr(client, "list_buckets")
