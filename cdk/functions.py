"""Lambda functions as the house runs them: arm64, the latest Python, one shared code asset, Powertools settings,
active tracing, and a role of their own that starts with nothing but writing to the function's own log group.

A function that answers requests (`snap_start=True`: API Gateway's integrations and authorizer) runs with SnapStart:
each deployment publishes a version, Lambda initialises it once and snapshots it (running the handler module's
before-snapshot hook, `shared.startup`), and its cold starts resume from the snapshot. API Gateway invokes the alias
`LIVE_ALIAS`, which always points at the version this deployment published (SnapStart applies to published versions
only, never to `$LATEST`)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk.nag import XRAY_REASON, acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_13  # keep in step with LAMBDA_PYTHON in the Makefile (the bundle's bytecode)
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
LOG_LEVEL = "INFO"
LIVE_ALIAS = "live"
RUNTIME_REASON = (
    "Python 3.13, not the newest 3.14: the bundle ships bytecode, which only an interpreter of the runtime's version "
    "can compile, and the build machines have 3.13 (no 3.14 can be installed offline). Without bytecode every cold "
    "start compiles every module (~1 s). Move LAMBDA_PYTHON and RUNTIME to 3.14 together once a 3.14 is available."
)


def construct_id(name: str) -> str:
    """`intake-documents` → `IntakeDocuments` (construct ids, hence logical ids, from declared names)."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-") if part)


class FunctionFactory:
    """Builds every function of a stack with the same code, environment and defaults."""

    def __init__(
        self, scope: Construct, *, code: lambda_.Code, environment: Mapping[str, str], metrics_namespace: str
    ) -> None:
        self.scope = scope
        self.code = code
        self.environment = dict(environment)
        self.metrics_namespace = metrics_namespace
        self.functions: dict[str, lambda_.Function] = {}  # by declared name
        self.aliases: dict[str, lambda_.Alias] = {}  # by declared name: the SnapStart functions' live aliases

    def function(
        self,
        name: str,
        *,
        handler: str,
        service: str,
        memory_mb: int,
        timeout_s: int,
        description: str,
        environment: Mapping[str, str] | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        max_event_age: Duration | None = None,
        retry_attempts: int | None = None,
        snap_start: bool = False,
    ) -> lambda_.Function:
        scope = Construct(self.scope, construct_id(name))
        log_group = logs.LogGroup(scope, "Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY)
        role = iam.Role(
            scope,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{name}: its own log group; further grants are added per declared need",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        function = lambda_.Function(
            scope,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=self.code,
            handler=handler,
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_s),
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            dead_letter_queue=dead_letter_queue,
            max_event_age=max_event_age,
            retry_attempts=retry_attempts,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            # A replaced version is deleted, not kept: each kept SnapStart version's snapshot is billed while cached.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY)
            if snap_start
            else None,
            environment={
                **self.environment,
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_METRICS_NAMESPACE": self.metrics_namespace,
                # Responses carry applicants' personal data: keep them out of X-Ray traces.
                "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
                "LOG_LEVEL": LOG_LEVEL,
                # No pydantic plugins are used: skip pydantic's scan of every installed package at cold start.
                "PYDANTIC_DISABLE_PLUGINS": "__all__",
                **(environment or {}),
            },
        )
        acknowledge(role, "IAM5[Resource::*]", XRAY_REASON)
        acknowledge(function, "L1", RUNTIME_REASON)
        self.functions[name] = function
        if snap_start:
            # CDK warns on every SnapStart function that SnapStart needs a published version: this one publishes one.
            Annotations.of(function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish", "current_version is published and the live alias uses it"
            )
            self.aliases[name] = lambda_.Alias(
                scope, "Live", alias_name=LIVE_ALIAS, version=function.current_version, description=f"{name}: live"
            )
        return function

    def invoked(self, name: str) -> lambda_.IFunction:
        """What a caller invokes: the live alias of a SnapStart function, else the function itself."""
        return self.aliases.get(name) or self.functions[name]
