"""The synthesised templates against the declarations: what CDK must generate, and nothing shared between councils."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk.http_api import resource_path
from services.councils.declaration import AUTHORIZER_HANDLER
from shared.bus.messages import BUS_SOURCE
from shared.declarations import decode_route_table, route_table
from shared.eventstore.dynamodb_table import EVENT_TYPE, event_table_spec
from shared.projections.dynamodb_store import read_model_table_spec

# One synthesis per worker: with pytest-xdist, `--dist loadgroup` keeps these tests on one worker.
pytestmark = pytest.mark.xdist_group("cdk")

Template = dict[str, Any]


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {id: r["Properties"] for id, r in template["Resources"].items() if r["Type"] == kind}


def only(template: Template, kind: str) -> tuple[str, dict[str, Any]]:
    found = resources(template, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def event_table(template: Template) -> tuple[str, dict[str, Any]]:
    """The table with a stream (the read-model table has none)."""
    [found] = [(id, p) for id, p in resources(template, "AWS::DynamoDB::Table").items() if "StreamSpecification" in p]
    return found


def functions(template: Template) -> dict[str, tuple[str, dict[str, Any]]]:
    """Lambda functions by handler: (logical id, properties)."""
    return {p["Handler"]: (id, p) for id, p in resources(template, "AWS::Lambda::Function").items()}


def refers_to(value: Any, logical_id: str) -> bool:
    text = json.dumps(value)
    return f'"Ref": "{logical_id}"' in text or f'"Fn::GetAtt": ["{logical_id}"' in text


def live_alias(template: Template, function_id: str) -> str:
    """The logical id of the alias API Gateway invokes for a function (SnapStart: tests/cdk/test_snapstart.py)."""
    [alias] = [
        id for id, p in resources(template, "AWS::Lambda::Alias").items() if refers_to(p["FunctionName"], function_id)
    ]
    return alias


def routes(synthesised) -> list:
    return [route for d in synthesised.declarations for f in d.http for route in f.routes]


def test_two_councils_make_two_stacks_that_share_nothing(synthesised):
    assert len(synthesised.councils) >= 2
    assert len(synthesised.templates) == len(synthesised.councils)
    names = [stack.stack_name for stack in synthesised.stacks]
    assert names == [f"Bops-{council.slug}" for council in synthesised.councils]
    physical_names = []
    for template in synthesised.templates.values():
        text = json.dumps(template)
        assert "Fn::ImportValue" not in text
        assert not any("Export" in output for output in template.get("Outputs", {}).values())
        physical_names += [p["Name"] for p in resources(template, "AWS::Events::EventBus").values()]
        physical_names += [p["Name"] for p in resources(template, "AWS::SecretsManager::Secret").values()]
    assert len(physical_names) == len(set(physical_names))
    for stack in synthesised.stacks:
        assert not stack.dependencies


def test_event_table_is_the_adapters_table(synthesised):
    spec = event_table_spec("events")
    for template in synthesised.templates.values():
        _, table = event_table(template)
        assert table["KeySchema"] == spec["KeySchema"]
        assert sorted(table["AttributeDefinitions"], key=str) == sorted(spec["AttributeDefinitions"], key=str)
        assert table["GlobalSecondaryIndexes"] == spec["GlobalSecondaryIndexes"]
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
        assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert table["DeletionProtectionEnabled"] is True
        assert table["SSESpecification"]["SSEEnabled"] is True


def test_read_model_tables(synthesised):
    """The read models' table, and the public register's own (laid out alike)."""
    spec = read_model_table_spec("read-models")
    for template in synthesised.templates.values():
        tables = {
            id.rstrip("0123456789ABCDEF"): p
            for id, p in resources(template, "AWS::DynamoDB::Table").items()
            if p["KeySchema"] == spec["KeySchema"]
        }
        assert sorted(tables) == ["PublicRegisterTable", "ReadModels"]
        for table in tables.values():
            assert "StreamSpecification" not in table
            assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
            assert table["SSESpecification"]["SSEEnabled"] is True


def test_the_pipe_is_the_only_publisher(synthesised):
    for template in synthesised.templates.values():
        _, pipe = only(template, "AWS::Pipes::Pipe")
        table_id, _ = event_table(template)
        bus_id, _ = only(template, "AWS::Events::EventBus")
        assert pipe["Source"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
        assert pipe["Target"] == {"Fn::GetAtt": [bus_id, "Arn"]}
        assert pipe["TargetParameters"]["EventBridgeEventBusParameters"] == {
            "DetailType": f"$.dynamodb.NewImage.{EVENT_TYPE}.S",
            "Source": BUS_SOURCE,
        }
        stream = pipe["SourceParameters"]["DynamoDBStreamParameters"]
        assert stream["StartingPosition"] in ("LATEST", "TRIM_HORIZON")
        assert 1 <= stream["BatchSize"] <= 10
        assert stream["MaximumRetryAttempts"] >= 1
        dlq_id = stream["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        assert template["Resources"][dlq_id]["Type"] == "AWS::SQS::Queue"
        # Least privilege: the pipe's role names exact resources and nothing else may put events on the bus.
        role_id = pipe["RoleArn"]["Fn::GetAtt"][0]
        statements = [
            s
            for p in resources(template, "AWS::IAM::Policy").values()
            if {"Ref": role_id} in p["Roles"]
            for s in p["PolicyDocument"]["Statement"]
        ]
        assert statements and all("*" not in json.dumps(s["Resource"]) for s in statements)
        publishers = [
            s
            for p in resources(template, "AWS::IAM::Policy").values()
            for s in p["PolicyDocument"]["Statement"]
            if "events:PutEvents" in json.dumps(s["Action"])
        ]
        assert len(publishers) == 1 and refers_to(publishers[0]["Resource"], bus_id)


def test_one_rule_per_declared_subscription(synthesised):
    subscriptions = [s for d in synthesised.declarations for s in d.subscriptions]
    for template in synthesised.templates.values():
        rules = resources(template, "AWS::Events::Rule")
        assert len(rules) == len(subscriptions)
        by_handler = functions(template)
        bus_id, _ = only(template, "AWS::Events::EventBus")
        for subscription in subscriptions:
            function_id, _ = by_handler[subscription.handler]
            [rule] = [r for r in rules.values() if refers_to(r["Targets"], function_id)]
            assert rule["EventBusName"] == {"Ref": bus_id}
            assert rule["EventPattern"] == {"source": [BUS_SOURCE], "detail-type": list(subscription.event_types)}
            [target] = rule["Targets"]
            assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
            assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] > 0
            queue_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
            assert template["Resources"][queue_id]["Type"] == "AWS::SQS::Queue"


def test_every_async_target_has_a_dead_letter_queue_and_retries(synthesised):
    subscriptions = [s for d in synthesised.declarations for s in d.subscriptions]
    for template in synthesised.templates.values():
        by_handler = functions(template)
        configs = resources(template, "AWS::Lambda::EventInvokeConfig")
        for subscription in subscriptions:
            function_id, function = by_handler[subscription.handler]
            queue_id = function["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0]
            assert template["Resources"][queue_id]["Type"] == "AWS::SQS::Queue"
            [config] = [c for c in configs.values() if c["FunctionName"] == {"Ref": function_id}]
            assert config["MaximumRetryAttempts"] >= 1 and config["MaximumEventAgeInSeconds"] > 0
        for queue in resources(template, "AWS::SQS::Queue").values():
            assert queue["SqsManagedSseEnabled"] is True or "KmsMasterKeyId" in queue
        queue_policies = resources(template, "AWS::SQS::QueuePolicy").values()
        for queue_id in resources(template, "AWS::SQS::Queue"):
            assert any(
                refers_to(p["Queues"], queue_id)
                and any(
                    s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s)
                    for s in p["PolicyDocument"]["Statement"]
                )
                for p in queue_policies
            ), f"{queue_id} does not enforce TLS"


def _api_paths(template: Template) -> dict[str, str]:
    """API Gateway resource logical id → its full path."""
    nodes = resources(template, "AWS::ApiGateway::Resource")

    def path(parent: dict[str, Any]) -> str:
        if "Ref" not in parent:
            return ""  # the API's root resource
        node = nodes[parent["Ref"]]
        return f"{path(node['ParentId'])}/{node['PathPart']}"

    return {id: path({"Ref": id}) for id in nodes}


def _method_path(method: dict[str, Any], paths: dict[str, str]) -> str:
    """A method's full path (the console's `/` is on the API's root resource, which has no logical id of its own)."""
    resource = method["ResourceId"]
    return paths[resource["Ref"]] if "Ref" in resource else "/"


def authorizers(template: Template) -> dict[str, tuple[str, dict[str, Any]]]:
    """The API's authorizers by kind: `api_key` (cached on the Authorization header) and `officer` (no cache)."""
    found = resources(template, "AWS::ApiGateway::Authorizer")
    assert len(found) == 2, sorted(found)
    return {
        ("api_key" if properties.get("IdentitySource") else "officer"): (id, properties)
        for id, properties in found.items()
    }


def test_one_method_per_declared_route_with_its_kind_s_authorizer(synthesised):
    declared = routes(synthesised)
    for template in synthesised.templates.values():
        methods = resources(template, "AWS::ApiGateway::Method")
        assert len(methods) == len(declared)
        paths = _api_paths(template)
        by_kind = authorizers(template)
        by_handler = functions(template)
        for http in (f for d in synthesised.declarations for f in d.http):
            function_id, _ = by_handler[http.handler]
            for route in http.routes:
                [method] = [
                    m
                    for m in methods.values()
                    if m["HttpMethod"] == route.method and _method_path(m, paths) == resource_path(route.path)
                ]
                assert method["Integration"]["Type"] == "AWS_PROXY"
                assert refers_to(method["Integration"]["Uri"], live_alias(template, function_id))
                if route.auth in by_kind:
                    assert method["AuthorizationType"] == "CUSTOM"
                    assert method["AuthorizerId"] == {"Ref": by_kind[route.auth][0]}
                else:
                    assert route.auth == "public"
                    assert method["AuthorizationType"] == "NONE"
                    assert "AuthorizerId" not in method
        assert {route.auth for route in declared} == {"public", "api_key", "officer"}


def test_the_authorizer_checks_the_declared_route_scopes_with_a_short_cache(synthesised):
    expected = route_table(routes(synthesised))
    assert any(entry.get("auth") == "officer" for entry in expected)
    for template in synthesised.templates.values():
        by_kind = authorizers(template)
        _, keys = by_kind["api_key"]
        assert keys["IdentitySource"] == "method.request.header.Authorization"
        assert 0 < keys["AuthorizerResultTtlInSeconds"] <= 60
        # Officer routes: the same function, never cached, so a deactivation or role change applies at once and the
        # token may come in the header or in the console's cookie.
        _, officers = by_kind["officer"]
        assert officers["AuthorizerResultTtlInSeconds"] == 0 and "IdentitySource" not in officers
        function_id, function = functions(template)[AUTHORIZER_HANDLER]
        for _, authorizer in by_kind.values():
            assert authorizer["Type"] == "REQUEST"
            assert refers_to(authorizer["AuthorizerUri"], live_alias(template, function_id))
        found = decode_route_table(function["Environment"]["Variables"]["BOPS_ROUTE_SCOPES"])
        assert sorted(found, key=str) == sorted(expected, key=str)


def test_api_stage_logs_traces_and_throttles(synthesised):
    for template in synthesised.templates.values():
        _, stage = only(template, "AWS::ApiGateway::Stage")
        assert stage["StageName"] == "api"
        assert stage["TracingEnabled"] is True
        assert "DestinationArn" in stage["AccessLogSetting"]
        [settings] = stage["MethodSettings"]
        assert settings["LoggingLevel"] == "ERROR" and settings["DataTraceEnabled"] is False
        assert settings["ThrottlingRateLimit"] > 0


def test_functions_run_arm64_on_python_3_12_or_later_with_the_house_settings(synthesised):
    declared = {f.handler: f for d in synthesised.declarations for f in (*d.http, *d.subscriptions, *d.scheduled)}
    for council, template in zip(synthesised.councils, synthesised.templates.values(), strict=True):
        by_handler = functions(template)
        assert set(by_handler) == {*declared, AUTHORIZER_HANDLER}
        for handler, (_, function) in by_handler.items():
            assert function["Architectures"] == ["arm64"]
            family, _, version = function["Runtime"].partition("3.")
            assert family == "python" and int(version) >= 12
            assert function["TracingConfig"] == {"Mode": "Active"}
            variables = function["Environment"]["Variables"]
            assert variables["BOPS_RUNTIME"] == "aws"
            assert variables["BOPS_COUNCIL"] == council.code
            assert variables["BOPS_SECRETS_PREFIX"] == f"bops/{council.code}/"
            assert variables["BOPS_ODP_SCHEMA_DIR"] == "/var/task/odp-schemas"
            assert variables["BOPS_AWS_MODELS_DIR"] == "/var/task/aws-models"
            assert variables["BOPS_BANK_HOLIDAYS"] == "/var/task/bank-holidays.json"
            for name in (
                "BOPS_EVENT_TABLE",
                "BOPS_READ_MODEL_TABLE",
                "BOPS_DOCUMENTS_BUCKET",
                "POWERTOOLS_SERVICE_NAME",
                "POWERTOOLS_METRICS_NAMESPACE",
                "LOG_LEVEL",
            ):
                assert variables.get(name), f"{handler} lacks {name}"
            assert "LoggingConfig" in function and "LogGroup" in function["LoggingConfig"]
            if handler in declared:
                assert function["MemorySize"] == declared[handler].memory_mb
                assert function["Timeout"] == declared[handler].timeout_s


def test_the_event_log_is_append_only_for_every_function(synthesised):
    for template in synthesised.templates.values():
        for policy in resources(template, "AWS::IAM::Policy").values():
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = json.dumps(statement["Action"])
                if "Idempotency" in json.dumps(statement["Resource"]):
                    continue  # Powertools Idempotency records (the notifications sender), not the log
                resource = json.dumps(statement["Resource"])
                if "dynamodb:UpdateItem" in actions and "PublicRegisterTable" not in resource:
                    # only attempt counters (sign-in throttling), in the read models (and the public register's counts)
                    keys = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
                    assert "ReadModels" in resource and "Events" not in actions
                    assert keys and all(key.startswith("count#") for key in keys)
                assert "dynamodb:*" not in actions
                assert (
                    "dynamodb:DeleteItem" not in actions
                    or "ReadModels" in resource
                    or "PublicRegisterTable" in resource
                )
                assert "EventLog" not in resource or not {"dynamodb:UpdateItem", "dynamodb:DeleteItem"} & set(
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )


def test_alarms_watch_every_dead_letter_queue_and_every_function(synthesised):
    for template in synthesised.templates.values():
        alarms = list(resources(template, "AWS::CloudWatch::Alarm").values())
        topic_id, topic = only(template, "AWS::SNS::Topic")
        assert "KmsMasterKeyId" in topic
        for queue_id in resources(template, "AWS::SQS::Queue"):
            assert any(
                a["MetricName"] == "ApproximateNumberOfMessagesVisible" and refers_to(a["Dimensions"], queue_id)
                for a in alarms
            ), f"no alarm on {queue_id}"
        for function_id in resources(template, "AWS::Lambda::Function"):
            assert any(a["MetricName"] == "Errors" and refers_to(a["Dimensions"], function_id) for a in alarms)
        for alarm in alarms:
            assert alarm["AlarmActions"] == [{"Ref": topic_id}]
            assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_documents_bucket_is_private_encrypted_versioned_and_logged(synthesised):
    for template in synthesised.templates.values():
        buckets = resources(template, "AWS::S3::Bucket")
        policies = resources(template, "AWS::S3::BucketPolicy").values()
        for bucket_id, bucket in buckets.items():
            assert bucket["PublicAccessBlockConfiguration"] == {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            }
            assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            [policy] = [p for p in policies if p["Bucket"] == {"Ref": bucket_id}]
            assert any(
                s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                for s in policy["PolicyDocument"]["Statement"]
            )
        [documents] = [b for b in buckets.values() if "LoggingConfiguration" in b]
        assert documents["VersioningConfiguration"] == {"Status": "Enabled"}


def test_the_download_credential_is_readable_by_the_document_fetcher_only(synthesised):
    for council, template in zip(synthesised.councils, synthesised.templates.values(), strict=True):
        name = f"bops/{council.code}/council/{council.code}/download-credential"
        [secret_id] = [id for id, p in resources(template, "AWS::SecretsManager::Secret").items() if p["Name"] == name]
        readers = [
            p
            for p in resources(template, "AWS::IAM::Policy").values()
            if any(refers_to(s["Resource"], secret_id) for s in p["PolicyDocument"]["Statement"])
        ]
        fetcher_role = functions(template)["services.intake.documents.handler.lambda_handler"][1]["Role"]
        assert [p["Roles"] for p in readers] == [[{"Ref": fetcher_role["Fn::GetAtt"][0]}]]


CLOUDFORMATION_RESOURCE_LIMIT = 500  # resources per stack
RESOURCE_MARGIN = 20  # fails here, before CloudFormation refuses a deployment (472 in the DEMO stack at writing)


def test_every_stack_stays_under_cloudformations_resource_limit_with_a_margin(synthesised):
    for name, template in synthesised.templates.items():
        count = len(template["Resources"])
        print(f"{name}: {count} resources")
        assert count <= CLOUDFORMATION_RESOURCE_LIMIT - RESOURCE_MARGIN, (
            f"{name} has {count} resources: CloudFormation takes {CLOUDFORMATION_RESOURCE_LIMIT} at most,"
            f" and this test keeps {RESOURCE_MARGIN} in reserve (one route with a path parameter beats one per action)"
        )
