"""The synthesised stack, played on moto from its template alone: an ODP submission goes in through the API route and
its authorizer, lands in the DynamoDB log, travels the Pipe and the rules, and its documents land in the bucket.

Removing a rule or an API method from the template breaks the flow, which shows that the template (not the test)
is what wires it. See `harness.py` for what is read from the template and how each part is played.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from services.assessment.declaration import AUDIT_CHECKPOINTS_HANDLER
from services.councils.declaration import AUTHORIZER_HANDLER
from shared import reference_data
from tests.cdk.harness import HarnessError, RouteNotFound, StackHarness, without

pytestmark = pytest.mark.xdist_group("cdk")

EXAMPLE = reference_data.odp_examples_dir() / "application" / "planningPermission" / "fullHouseholder.json"
COLLECTION = "/api/v2/planning_applications"
SCOPES = ("planning_application:read", "planning_application:write")


@dataclass
class Deployed:
    harness: StackHarness
    council: str
    key: str
    revoked_key: str
    file_base: str
    event_table: str  # logical id
    documents_bucket: str  # physical name

    def events(self, event_type: str) -> list[dict[str, Any]]:
        """The event table's items of one type."""
        items = self.harness.scan(self.event_table)
        return [item for item in items if item["event_type"]["S"] == event_type]


def task_root(synthesised, stack_name: str, template: dict[str, Any]) -> Path:
    """The Lambda asset in the cloud assembly (what `/var/task` holds on Lambda)."""
    codes = {
        json.dumps(r["Properties"]["Code"])
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    assert len(codes) == 1, "every function runs the one code asset"
    asset_hash = json.loads(codes.pop())["S3Key"].removesuffix(".zip")
    root = Path(synthesised.template_files[stack_name]).parent / f"asset.{asset_hash}"
    assert root.is_dir(), f"the asset {root} is not in the cloud assembly"
    return root


@contextlib.contextmanager
def deployed(synthesised, change=None) -> Iterator[Deployed]:
    """The first council's stack on moto (its template optionally changed), with the council created, its
    allowlist set to a local file server, one API key and one revoked key, as an administrator would."""
    from tests.intake.support import serve_files

    council = synthesised.councils[0]
    stack_name = next(s.stack_name for s in synthesised.stacks if s.council == council)
    template = synthesised.templates[stack_name]
    root = task_root(synthesised, stack_name, template)
    if change is not None:
        template = change(template)
    template = allowing_loopback_downloads(template)
    with mock_aws(), contextlib.contextmanager(serve_files)() as file_base:
        harness = StackHarness(template, stack_name, task_root=root).deploy()
        # An administrator records the council's settings and keys with the environment of a function that appends.
        first_http = next(f for d in synthesised.declarations for f in d.http)
        [admin] = harness.functions_with_handler(first_http.handler)
        with harness.running_as(admin.logical_id):
            from events.council import CouncilSettingsChanges
            from services.councils.service import CouncilService
            from shared.wiring import dependencies

            code = admin.environment["BOPS_COUNCIL"]
            assert code == council.code
            deps = dependencies()
            service = CouncilService(deps.event_store, deps.clock)
            service.create_council(code, council.name, council.slug)
            hosts = (*council.allow_download_hosts, file_base.removeprefix("http://"))
            service.change_settings(code, CouncilSettingsChanges(allow_download_hosts=hosts))
            if council.first_administrator is not None:  # the user the stack made, recorded as an officer
                from services.councils.officer_directory import officer_directory

                first = council.first_administrator
                service.create_officer(
                    code, first.email, first.name, "administrator", directory=officer_directory(deps)
                )
            _, key = service.create_api_key(code, "PlanX", SCOPES)
            revoked, revoked_key = service.create_api_key(code, "old PlanX", SCOPES)
            service.revoke_api_key(code, revoked.id)
        harness.deliver()
        table = harness.logical_id_of("AWS::DynamoDB::Table", admin.environment["BOPS_EVENT_TABLE"])
        yield Deployed(harness, code, key, revoked_key, file_base, table, admin.environment["BOPS_DOCUMENTS_BUCKET"])


def allowing_loopback_downloads(template: dict[str, Any]) -> dict[str, Any]:
    """The test's file server is on this machine: let the functions download from `localhost`, which the stack never
    does (on Lambda, loopback is the runtime API)."""
    template = copy.deepcopy(template)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            variables = resource["Properties"].setdefault("Environment", {}).setdefault("Variables", {})
            variables["BOPS_ALLOW_LOOPBACK_DOWNLOADS"] = "true"
    return template


def submission(deployed: Deployed) -> dict[str, Any]:
    from tests.intake.support import prepared

    return prepared(EXAMPLE, deployed.council, deployed.file_base)


def post(deployed: Deployed, payload: dict[str, Any], key: str | None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return deployed.harness.request("POST", COLLECTION, payload, headers)


def subscription_functions(synthesised, harness: StackHarness) -> dict[str, tuple[str, set[str]]]:
    """Each declared subscription's function in the template: name → (logical id, declared event types)."""
    from cdk.functions import construct_id

    found = {}
    for declaration in synthesised.declarations:
        for subscription in declaration.subscriptions:
            [function] = [
                f
                for f in harness.functions_with_handler(subscription.handler)
                if f.logical_id.startswith(construct_id(subscription.name) + "Function")
            ]
            found[subscription.name] = (function.logical_id, set(subscription.event_types))
    return found


def test_a_submission_travels_the_deployed_wiring(synthesised):
    with deployed(synthesised) as stack:
        harness = stack.harness
        payload = submission(stack)
        response = post(stack, payload, stack.key)
        assert response.status == 201, response.body
        reference = response.json()["reference"]
        [submitted] = stack.events("PlanningApplicationSubmitted")
        assert submitted["council"]["S"] == stack.council
        assert json.loads(submitted["data"]["S"])["payload"]["reference"] == reference

        harness.deliver()

        received = [json.loads(i["data"]["S"])["payload"] for i in stack.events("DocumentReceived")]
        assert len(received) == len(payload["files"]) > 0
        assert not stack.events("DocumentFetchFailed")
        for document in received:
            body = harness.s3.get_object(Bucket=stack.documents_bucket, Key=document["key"])["Body"].read()
            assert hashlib.sha256(body).hexdigest() == document["sha256"]

        delivered: dict[str, set[str]] = {}
        for invocation in harness.invocations:
            if invocation.detail_type is not None:
                delivered.setdefault(invocation.function, set()).add(invocation.detail_type)
        # every subscriber received exactly the types it declared of those this submission put in the log
        logged = {item["event_type"]["S"] for item in harness.scan(stack.event_table)}
        for name, (function, event_types) in subscription_functions(synthesised, harness).items():
            assert delivered.get(function, set()) == event_types & logged, f"{name} received {delivered.get(function)}"
        assert delivered  # the submission's events were delivered to someone
        [case_list] = harness.functions_with_handler("services.assessment.case_list.projection.lambda_handler")
        read_models = harness.logical_id_of("AWS::DynamoDB::Table", case_list.environment["BOPS_READ_MODEL_TABLE"])
        rows = [i for i in harness.scan(read_models) if i["pk"]["S"] == "doc#case-list"]
        assert [(row["sk"]["S"], row["version"]["N"]) for row in rows] == [(f"{stack.council}#{reference}", "1")]
        [authorizer] = harness.functions_with_handler(AUTHORIZER_HANDLER)
        assert any(i.function == authorizer.logical_id for i in harness.invocations)

        shown = harness.request("GET", f"{COLLECTION}/{reference}", headers={"Authorization": f"Bearer {stack.key}"})
        assert shown.status == 200, shown.body
        assert harness.request("GET", "/api/v2/openapi.json").status == 200


def test_without_a_valid_key_the_api_answers_401_and_stores_nothing(synthesised):
    with deployed(synthesised) as stack:
        payload = submission(stack)
        assert post(stack, payload, None).status == 401
        assert post(stack, payload, stack.revoked_key).status == 401
        assert post(stack, payload, "bops_unknown_key").status == 401
        assert not stack.events("PlanningApplicationSubmitted")


def rule_targeting(template: dict[str, Any], handler: str) -> str:
    functions = [
        id
        for id, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == handler
    ]
    [rule] = [
        id
        for id, r in template["Resources"].items()
        if r["Type"] == "AWS::Events::Rule"
        and any(t["Arn"] == {"Fn::GetAtt": [f, "Arn"]} for t in r["Properties"]["Targets"] for f in functions)
    ]
    return rule


def test_without_the_documents_rule_no_document_arrives(synthesised):
    [documents] = [s for d in synthesised.declarations for s in d.subscriptions if s.name == "intake-documents"]

    def remove_rule(template):
        return without(template, rule_targeting(template, documents.handler))

    with deployed(synthesised, remove_rule) as stack:
        payload = submission(stack)
        assert post(stack, payload, stack.key).status == 201
        stack.harness.deliver()
        assert stack.events("PlanningApplicationSubmitted")
        assert not stack.events("DocumentReceived")
        stored = stack.harness.s3.list_objects_v2(Bucket=stack.documents_bucket).get("Contents", [])
        assert all(o["Key"].endswith(".json") for o in stored)  # only the submission itself
        assert stack.harness.functions_with_handler(documents.handler)[0].logical_id not in {
            i.function for i in stack.harness.invocations
        }


def resource_path_part(template: dict[str, Any], method: dict[str, Any]) -> str | None:
    """The last path part of a method's resource (other services declare POST routes too)."""
    reference = method["Properties"]["ResourceId"]
    resource = template["Resources"].get(reference.get("Ref", "")) if isinstance(reference, dict) else None
    return resource["Properties"]["PathPart"] if resource else None


def test_without_the_post_method_the_route_is_not_found(synthesised):
    def remove_post(template):
        [method] = [
            id
            for id, r in template["Resources"].items()
            if r["Type"] == "AWS::ApiGateway::Method"
            and r["Properties"]["HttpMethod"] == "POST"
            and resource_path_part(template, r) == COLLECTION.rsplit("/", 1)[1]
        ]
        return without(template, method)

    with deployed(synthesised, remove_post) as stack:
        with pytest.raises(RouteNotFound, match=f"POST {COLLECTION}"):
            post(stack, submission(stack), stack.key)
        assert not stack.events("PlanningApplicationSubmitted")


def checkpoint_schedule(template: dict[str, Any]) -> str:
    """The schedule whose target is the audit checkpoint job's function."""
    [function] = [
        id
        for id, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == AUDIT_CHECKPOINTS_HANDLER
    ]
    [schedule] = [
        id
        for id, r in template["Resources"].items()
        if r["Type"] == "AWS::Scheduler::Schedule"
        and r["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [function, "Arn"]}
    ]
    return schedule


def test_the_schedule_seals_a_checkpoint_of_the_deployed_log_that_the_audit_verifies(synthesised):
    with deployed(synthesised) as stack:
        harness = stack.harness
        assert post(stack, submission(stack), stack.key).status == 201
        harness.deliver()
        schedule = checkpoint_schedule(harness.template)

        assert harness.run_schedule(schedule) == {"checkpoints": [1]}

        [job] = harness.functions_with_handler(AUDIT_CHECKPOINTS_HANDLER)
        assert harness.invocations[-1].function == job.logical_id
        audit_table = harness.logical_id_of("AWS::DynamoDB::Table", job.environment["BOPS_AUDIT_TABLE"])
        items = harness.scan(audit_table)
        [record] = [item for item in items if item["chain"]["S"] == "checkpoints"]
        assert '"application:' in record["body"]["S"] and '"council:' in record["body"]["S"]
        sealed_heads = {item["chain"]["S"] for item in items} - {"checkpoints"}  # the index the next run starts from
        assert sealed_heads == {f"head:{stream_id}" for stream_id in json.loads(record["body"]["S"])["streams"]}
        with harness.running_as(job.logical_id):  # what `bops verify-audit` does, with the job's environment
            from shared.audit_trail import checkpoint_log
            from shared.eventstore.audit import audit
            from shared.eventstore.checkpoints import HEAD_SECRET
            from shared.wiring import dependencies

            deps = dependencies()
            report = audit(deps.event_store, checkpoint_log(deps), deps.secrets)
            head = deps.secrets.get(HEAD_SECRET)
        assert report.ok, report.problems
        assert report.checkpoints == 1 and report.streams_checked >= 2
        assert head == f"1:{record['seal']['S']}"
        assert harness.run_schedule(schedule) == {"checkpoints": []}  # nothing changed since


def test_without_the_schedule_roles_invoke_grant_the_job_does_not_run(synthesised):
    def remove_grant(template):
        role = template["Resources"][checkpoint_schedule(template)]["Properties"]["Target"]["RoleArn"]["Fn::GetAtt"][0]
        [policy] = [
            id
            for id, r in template["Resources"].items()
            if r["Type"] == "AWS::IAM::Policy" and {"Ref": role} in r["Properties"]["Roles"]
        ]
        return without(template, policy)

    with deployed(synthesised, remove_grant) as stack, pytest.raises(HarnessError, match="may not invoke"):
        stack.harness.run_schedule(checkpoint_schedule(stack.harness.template))
