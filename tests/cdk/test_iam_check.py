"""The harness's check of each AWS call against the calling function's role (`tests/cdk/iam_check.py`): what it
allows and refuses, and that a grant taken out of the stack makes the deployed wiring fail as AWS would."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cdk.harness import HarnessError
from tests.cdk.iam_check import RoleGrants, needs
from tests.cdk.test_stack import functions, resources
from tests.cdk.test_wiring import deployed

REGION, ACCOUNT = "eu-west-2", "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/read-models"


def grants(*statements: dict[str, Any]) -> RoleGrants:
    template = {
        "Resources": {
            "Policy": {
                "Type": "AWS::IAM::Policy",
                "Properties": {"Roles": [{"Ref": "Role"}], "PolicyDocument": {"Statement": list(statements)}},
            }
        }
    }
    return RoleGrants(template, "Role", lambda value: value)


def allowed(role: RoleGrants, service: str, operation: str, params: dict[str, Any]) -> bool:
    return role.refusal(needs(service, operation, params, REGION, ACCOUNT)) is None


CASE_LIST_READS = {
    "Effect": "Allow",
    "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
    "Resource": TABLE,
    "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["doc#case-list", "pos#case-list"]}},
}


def test_leading_keys_allow_only_the_read_models_granted():
    role = grants(CASE_LIST_READS)
    query = {
        "TableName": "read-models",
        "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :council)",
        "ExpressionAttributeValues": {":pk": {"S": "doc#case-list"}, ":council": {"S": "DEMO#"}},
    }
    assert allowed(role, "dynamodb", "Query", query)
    assert not allowed(role, "dynamodb", "Query", {**query, "ExpressionAttributeValues": {":pk": {"S": "doc#public"}}})
    assert allowed(role, "dynamodb", "GetItem", {"TableName": "read-models", "Key": {"pk": {"S": "pos#case-list"}}})
    assert not allowed(
        role, "dynamodb", "PutItem", {"TableName": "read-models", "Item": {"pk": {"S": "doc#case-list"}}}
    )
    assert not allowed(role, "dynamodb", "GetItem", {"TableName": "other", "Key": {"pk": {"S": "doc#case-list"}}})
    batch = {"RequestItems": {"read-models": {"Keys": [{"pk": {"S": "doc#case-list"}}, {"pk": {"S": "doc#officers"}}]}}}
    assert not allowed(role, "dynamodb", "BatchGetItem", batch)  # every key of a batch must be granted


def test_each_item_of_a_transaction_needs_its_own_action():
    log = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/events"
    role = grants({"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": log})
    put = {"Put": {"TableName": "events", "Item": {"stream_id": {"S": "council:DEMO"}, "version": {"N": "2"}}}}
    update = {"Update": {"TableName": "events", "Key": {"stream_id": {"S": "council:DEMO"}, "version": {"N": "1"}}}}
    assert allowed(role, "dynamodb", "TransactWriteItems", {"TransactItems": [put, put]})
    assert not allowed(role, "dynamodb", "TransactWriteItems", {"TransactItems": [put, update]})


def test_objects_and_secrets_by_their_arns():
    role = grants(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::documents/*"},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": "arn:secret:demo-key"},
    )
    assert allowed(role, "s3", "GetObject", {"Bucket": "documents", "Key": "DEMO/submissions/a.json"})
    assert allowed(role, "s3", "HeadObject", {"Bucket": "documents", "Key": "DEMO/a.pdf"})  # needs GetObject
    assert not allowed(role, "s3", "PutObject", {"Bucket": "documents", "Key": "DEMO/a.pdf"})
    assert allowed(role, "secretsmanager", "GetSecretValue", {"SecretId": "arn:secret:demo-key"})
    assert not allowed(role, "secretsmanager", "GetSecretValue", {"SecretId": "arn:secret:other-key"})


def test_a_deny_or_an_unmodelled_condition_is_not_taken_for_an_allow():
    denied = grants({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"})
    assert not allowed(denied, "s3", "GetObject", {"Bucket": "b", "Key": "k"})
    unmodelled = grants(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        }
    )
    with pytest.raises(AssertionError, match="does not model"):
        allowed(unmodelled, "s3", "GetObject", {"Bucket": "b", "Key": "k"})


def test_without_its_documents_grant_the_public_register_cannot_make_a_record(synthesised):
    """The projection reads a new record's original from S3: without its role's GetObject (`reads_documents`) the
    deployed wiring fails as AWS would."""
    from tests.cdk.test_wiring_assessment import OFFICER, PASSWORD, SESSION, submitted_with_officers
    from tests.cdk.test_wiring_public import frozen

    def without_documents(template: dict[str, Any]) -> dict[str, Any]:
        template = frozen(template)
        [function] = [f for h, (_, f) in functions(template).items() if h.startswith("services.publication.projection")]
        role = function["Role"]["Fn::GetAtt"][0]
        for policy in resources(template, "AWS::IAM::Policy").values():
            if {"Ref": role} in policy["Roles"]:
                statements = policy["PolicyDocument"]["Statement"]
                statements[:] = [s for s in statements if "s3:GetObject" not in str(s["Action"])]
        return template

    with deployed(synthesised, without_documents) as stack:
        harness = stack.harness
        reference = submitted_with_officers(stack)
        harness.deliver()
        answer = harness.request("POST", SESSION, {"email": "ann@demo.example", "password": PASSWORD})
        ann = {"Authorization": f"Bearer {answer.json()['token']}"}
        application = f"{OFFICER}/{reference}"
        state = harness.request("GET", application, headers=ann).json()
        commands = [
            ("assign", {"officerId": "me"}),
            *((f"documents/{d['id']}/check", {"valid": True}) for d in state["documents"]),
        ]
        for command, body in [*commands, ("validate", {})]:
            answer = harness.request("POST", f"{application}/{command}", {"version": state["version"], **body}, ann)
            assert answer.status == 200, (command, answer.body)
            state = answer.json()
        with pytest.raises(HarnessError, match=r"made calls its role does not allow: s3:GetObject"):
            harness.deliver()
