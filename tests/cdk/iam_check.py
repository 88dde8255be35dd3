"""What a function's role allows, checked for every AWS call it makes while the harness runs it.

moto answers any call, whatever the caller's role; on AWS a call the role does not allow is refused. So that a test
of the stack on moto fails where AWS would (a grant missing from `cdk/stack.py`), `StackHarness.running_as` hands
each client a `before-parameter-build` hook that asks `RoleGrants.refusal` about the call: the IAM actions and
resources it
needs (one per item of a batch or transaction) against the `Allow` statements of the policies attached to the
function's role, with their `dynamodb:LeadingKeys` conditions evaluated on the partition keys the call names.
Deny statements, other condition keys, KMS and resource policies are not modelled (the stack writes none a function
needs).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# An operation whose IAM action has another name than `<prefix>:<operation>`.
ACTIONS = {
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "CopyObject"): "s3:PutObject",
}
PREFIXES = {"cognito-idp": "cognito-idp", "secretsmanager": "secretsmanager", "dynamodb": "dynamodb", "s3": "s3"}
_LEADING_KEY_OPERATORS = ("ForAllValues:StringEquals", "ForAllValues:StringLike")
_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}


@dataclass(frozen=True)
class Need:
    """One IAM action on one resource, and the partition keys it touches (DynamoDB; None: not a keyed call)."""

    action: str
    resource: str
    leading_keys: frozenset[str] | None = None


@dataclass(frozen=True)
class Statement:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: dict[str, Any]

    def allows(self, need: Need) -> bool:
        if not any(fnmatch.fnmatchcase(need.action, action) for action in self.actions):
            return False
        if not any(fnmatch.fnmatchcase(need.resource, resource) for resource in self.resources):
            return False
        for operator, keys in self.condition.items():
            for key, values in keys.items():
                if key != "dynamodb:LeadingKeys" or operator not in _LEADING_KEY_OPERATORS:
                    raise AssertionError(f"the IAM check does not model the condition {operator} {key}")
                if need.leading_keys is None:
                    return False  # a call naming no partition key is not allowed by a statement that limits them
                patterns = values if isinstance(values, list) else [values]
                like = operator.endswith("StringLike")
                for leading in need.leading_keys:
                    if not any(fnmatch.fnmatchcase(leading, p) if like else leading == p for p in patterns):
                        return False
        return True


class RoleGrants:
    """The `Allow` statements of every policy attached to one role, resolved to ARNs by the harness."""

    def __init__(self, template: dict[str, Any], role: str, resolve: Callable[[Any], Any]) -> None:
        self.statements: list[Statement] = []
        for resource in template["Resources"].values():
            if resource["Type"] != "AWS::IAM::Policy" or {"Ref": role} not in resource["Properties"]["Roles"]:
                continue
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                if statement.get("Effect") != "Allow":
                    continue
                actions, resources = _listed(statement["Action"]), _listed(statement["Resource"])
                self.statements.append(
                    Statement(tuple(actions), tuple(str(resolve(r)) for r in resources), statement.get("Condition", {}))
                )

    def refusal(self, needs: list[Need]) -> Need | None:
        """The first need no statement allows (None: the call is allowed)."""
        for need in needs:
            if not any(statement.allows(need) for statement in self.statements):
                return need
        return None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def needs(service: str, operation: str, params: dict[str, Any], region: str, account: str) -> list[Need]:
    """The IAM actions and resources one call needs."""
    if service == "dynamodb":
        return list(_dynamodb_needs(operation, params, region, account))
    if service == "s3":
        action = ACTIONS.get((service, operation), f"s3:{operation}")
        bucket = params.get("Bucket", "")
        return [Need(action, f"arn:aws:s3:::{bucket}/{params['Key']}" if "Key" in params else f"arn:aws:s3:::{bucket}")]
    if service == "secretsmanager":
        return [Need(f"secretsmanager:{operation}", str(params.get("SecretId", "")))]
    if service == "cognito-idp":
        pool = params.get("UserPoolId", "")
        return [Need(f"cognito-idp:{operation}", f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool}")]
    return [Need(f"{service}:{operation}", "*")]


def _dynamodb_needs(operation: str, params: dict[str, Any], region: str, account: str) -> Iterator[Need]:
    def table(name: str) -> str:
        return f"arn:aws:dynamodb:{region}:{account}:table/{name}"

    if operation in ("BatchGetItem", "BatchWriteItem"):
        for name, asked in params["RequestItems"].items():
            items = (
                asked["Keys"]
                if operation == "BatchGetItem"
                else [request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"] for request in asked]
            )
            yield Need(f"dynamodb:{operation}", table(name), frozenset(_partition(item) for item in items))
        return
    if operation in ("TransactWriteItems", "TransactGetItems"):
        for entry in params["TransactItems"]:
            [(kind, op)] = entry.items()
            action = "GetItem" if kind == "Get" else _TRANSACT[kind]
            keyed = op.get("Key") or op.get("Item") or {}
            yield Need(f"dynamodb:{action}", table(op["TableName"]), frozenset({_partition(keyed)}))
        return
    if "TableName" not in params:  # an account-level call (ListTables, DescribeEndpoints...)
        yield Need(f"dynamodb:{operation}", "*")
        return
    resource = table(params["TableName"])
    if "IndexName" in params:
        resource += f"/index/{params['IndexName']}"
    keyed = params.get("Key") or params.get("Item")
    if keyed is not None:
        leading: frozenset[str] | None = frozenset({_partition(keyed)})
    elif operation == "Query":
        leading = _queried_partition(params)
    else:
        leading = None
    yield Need(f"dynamodb:{operation}", resource, leading)


def _partition(item: dict[str, Any]) -> str:
    """The partition key's value of a key or item: the read models' `pk`, the log's `stream_id`, or the first."""
    for name in ("pk", "stream_id", "chain"):
        if name in item:
            return str(next(iter(item[name].values())))
    return str(next(iter(next(iter(item.values())).values())))


def _queried_partition(params: dict[str, Any]) -> frozenset[str] | None:
    """The partition key value a Query's key condition names (`#pk = :pk ...`)."""
    found = re.match(r"\s*(\S+)\s*=\s*(:\w+)", params.get("KeyConditionExpression", ""))
    if found is None:
        return None
    value = params.get("ExpressionAttributeValues", {}).get(found.group(2))
    return frozenset({str(next(iter(value.values())))}) if value else None
