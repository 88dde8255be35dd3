"""Declared scheduled jobs in the template: the audit checkpoint table, each job's function, its EventBridge Scheduler
schedule at the declared rate (role, retries, alarmed dead-letter queue), and exactly the grants it needs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk.stack import AUDIT_CHECKPOINTS, EVENT_APPEND, EVENT_READ
from services.assessment import AUTO_CLOSE_READ_MODEL
from services.assessment.declaration import AUDIT_CHECKPOINTS_HANDLER, DAILY_AT, DAILY_HANDLER
from services.notifications.declaration import STATUS_POLLER_HANDLER
from shared.eventstore.checkpoints import HEAD_SECRET, KEY_SECRET, NO_CHECKPOINT_YET
from shared.eventstore.checkpoints_dynamodb import checkpoint_table_spec
from shared.eventstore.dynamodb_table import STREAMS_INDEX
from tests.cdk.test_stack import event_table, functions, refers_to, resources

pytestmark = pytest.mark.xdist_group("cdk")

Template = dict[str, Any]


def audit_table(template: Template) -> tuple[str, dict[str, Any]]:
    spec = checkpoint_table_spec("unused")
    [found] = [
        (id, p)
        for id, p in resources(template, "AWS::DynamoDB::Table").items()
        if p["KeySchema"] == spec["KeySchema"] and "StreamSpecification" not in p
    ]
    return found


def jobs(synthesised) -> list:
    return [job for d in synthesised.declarations for job in d.scheduled]


def role_statements(template: Template, role: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Roles"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_audit_checkpoint_table_is_the_adapters_table_kept_like_the_log(synthesised):
    spec = checkpoint_table_spec("unused")
    for template in synthesised.templates.values():
        id, table = audit_table(template)
        assert table["AttributeDefinitions"] == spec["AttributeDefinitions"]
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert table["DeletionProtectionEnabled"] is True
        assert table["SSESpecification"] == {"SSEEnabled": True}
        assert template["Resources"][id]["DeletionPolicy"] == "Retain"


def test_each_declared_job_runs_on_a_schedule_at_its_rate(synthesised):
    handlers = [AUDIT_CHECKPOINTS_HANDLER, DAILY_HANDLER, STATUS_POLLER_HANDLER]
    assert sorted(job.handler for job in jobs(synthesised)) == sorted(handlers)
    for template in synthesised.templates.values():
        schedules = resources(template, "AWS::Scheduler::Schedule")
        alarms = resources(template, "AWS::CloudWatch::Alarm")
        for job in jobs(synthesised):
            function_id, _ = functions(template)[job.handler]
            [schedule] = [s for s in schedules.values() if refers_to(s["Target"]["Arn"], function_id)]
            assert schedule["ScheduleExpression"] == job.schedule_expression
            assert schedule["State"] == "ENABLED" and schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
            target = schedule["Target"]
            assert json.loads(target["Input"])["job"] == job.name
            assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
            queue = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
            assert any(refers_to(alarm["Dimensions"], queue) for alarm in alarms.values() if "Dimensions" in alarm)
            role = target["RoleArn"]["Fn::GetAtt"][0]
            [trust] = template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
            statements = role_statements(template, role)
            invoke = [s for s in statements if s["Action"] == "lambda:InvokeFunction"]
            assert invoke and all(refers_to(s["Resource"], function_id) for s in invoke)
            assert any(refers_to(s["Resource"], queue) and "sqs:SendMessage" in listed(s["Action"]) for s in statements)


def test_the_checkpoint_job_reads_the_log_writes_the_audit_table_and_uses_the_audit_secrets(synthesised):
    for template in synthesised.templates.values():
        table_id, _ = audit_table(template)
        events_id, _ = event_table(template)
        _, function = functions(template)[AUDIT_CHECKPOINTS_HANDLER]
        assert refers_to(function["Environment"]["Variables"]["BOPS_AUDIT_TABLE"], table_id)
        statements = role_statements(template, function["Role"]["Fn::GetAtt"][0])
        [on_audit] = [s for s in statements if refers_to(s["Resource"], table_id)]
        assert sorted(listed(on_audit["Action"])) == sorted(AUDIT_CHECKPOINTS)
        on_log = [s for s in statements if refers_to(s["Resource"], events_id)]
        assert [sorted(listed(s["Action"])) for s in on_log] == [sorted(EVENT_READ)]  # reads, never appends
        assert STREAMS_INDEX in json.dumps(on_log[0]["Resource"])
        assert not set(EVENT_APPEND) & {a for s in on_log for a in listed(s["Action"])}
        secrets = resources(template, "AWS::SecretsManager::Secret")
        by_name = {p["Name"].split("/", 2)[2]: id for id, p in secrets.items()}
        key, head = by_name[KEY_SECRET], by_name[HEAD_SECRET]
        actions = {
            name: {a for s in statements if refers_to(s["Resource"], id) for a in listed(s["Action"])}
            for name, id in ((KEY_SECRET, key), (HEAD_SECRET, head))
        }
        assert "secretsmanager:GetSecretValue" in actions[KEY_SECRET]
        assert "secretsmanager:PutSecretValue" not in actions[KEY_SECRET]
        assert {"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"} <= actions[HEAD_SECRET]
        assert secrets[head]["SecretString"] == NO_CHECKPOINT_YET
        assert secrets[key]["GenerateSecretString"]["PasswordLength"] >= 64


def test_only_the_checkpoint_job_may_touch_the_audit_table(synthesised):
    for template in synthesised.templates.values():
        table_id, _ = audit_table(template)
        job_id, job = functions(template)[AUDIT_CHECKPOINTS_HANDLER]
        job_role = job["Role"]["Fn::GetAtt"][0]
        for function_id, function in resources(template, "AWS::Lambda::Function").items():
            if function_id == job_id:
                continue
            assert "BOPS_AUDIT_TABLE" not in function.get("Environment", {}).get("Variables", {}), function_id
        for policy in resources(template, "AWS::IAM::Policy").values():
            if refers_to(policy["PolicyDocument"], table_id):
                assert policy["Roles"] == [{"Ref": job_role}]


def test_the_checkpoint_job_runs_every_15_minutes_and_the_daily_job_daily_at_its_london_time(synthesised):
    for template in synthesised.templates.values():
        by_handler = {
            handler: next(s for s in resources(template, "AWS::Scheduler::Schedule").values() if refers_to(s, id))
            for handler, (id, _) in functions(template).items()
            if handler in (AUDIT_CHECKPOINTS_HANDLER, DAILY_HANDLER)
        }
        assert by_handler[AUDIT_CHECKPOINTS_HANDLER]["ScheduleExpression"] == "rate(15 minutes)"
        assert "ScheduleExpressionTimezone" not in by_handler[AUDIT_CHECKPOINTS_HANDLER]
        hour, minute = DAILY_AT.split(":")
        daily = by_handler[DAILY_HANDLER]
        assert daily["ScheduleExpression"] == f"cron({int(minute)} {int(hour)} * * ? *)" == "cron(30 23 * * ? *)"
        assert daily["ScheduleExpressionTimezone"] == "Europe/London"


def test_the_daily_job_appends_to_the_log_and_reads_only_the_auto_close_read_model(synthesised):
    for template in synthesised.templates.values():
        events_id, _ = event_table(template)
        [read_models] = [id for id in resources(template, "AWS::DynamoDB::Table") if id.startswith("ReadModels")]
        _, function = functions(template)[DAILY_HANDLER]
        assert "BOPS_AUDIT_TABLE" not in function["Environment"]["Variables"]
        statements = role_statements(template, function["Role"]["Fn::GetAtt"][0])
        on_log = sorted(sorted(listed(s["Action"])) for s in statements if refers_to(s["Resource"], events_id))
        assert on_log == sorted([sorted(EVENT_READ), sorted(EVENT_APPEND)])
        [on_read_models] = [s for s in statements if refers_to(s["Resource"], read_models)]
        assert not {"dynamodb:PutItem", "dynamodb:DeleteItem"} & set(listed(on_read_models["Action"]))
        keys = on_read_models["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
        assert AUTO_CLOSE_READ_MODEL in json.dumps(keys)
        assert not any("secretsmanager" in json.dumps(s["Action"]) for s in statements)
