"""One council's stack: the event log and what publishes it, the read-model table, the documents bucket, the
council's secrets, the API and every declared function, rule and alarm. Two councils share nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Aws, Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk.alarms import Alarms
from cdk.event_bus import (
    FUNCTION_MAX_EVENT_AGE,
    FUNCTION_RETRY_ATTEMPTS,
    EventPublishing,
    dead_letter_queue,
)
from cdk.functions import FunctionFactory, construct_id
from cdk.http_api import CouncilApi
from cdk.lambda_code import LAMBDA_AWS_MODELS_DIR, LAMBDA_SCHEMA_DIR, lambda_code
from cdk.nag import acknowledge, arn_pattern
from shared.councils.settings import CouncilDeployment
from shared.declarations import Authorizer, HttpFunction, ServiceDeclaration, Subscription, route_table
from shared.eventstore.dynamodb_table import STREAMS_INDEX, event_table_spec
from shared.projections.dynamodb_store import DOCUMENT_PREFIX, POSITION_PREFIX, read_model_table_spec

Declared = HttpFunction | Subscription | Authorizer

EVENT_READ = ("dynamodb:GetItem", "dynamodb:Query")
EVENT_APPEND = ("dynamodb:PutItem", "dynamodb:ConditionCheckItem")  # the log is append-only: no Update, no Delete
READ_MODEL_READ = ("dynamodb:GetItem", "dynamodb:Query")
READ_MODEL_WRITE = ("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem")


_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def secrets_prefix(council: CouncilDeployment) -> str:
    return f"bops/{council.code}/"


def declared_secrets(council: CouncilDeployment, declarations: Sequence[ServiceDeclaration]) -> set[str]:
    """The names (under the council's prefix) of every secret a declared function reads."""
    functions: list[Declared] = [f for d in declarations for f in d.http]
    functions += [s for d in declarations for s in d.subscriptions]
    functions += [d.authorizer for d in declarations if d.authorizer is not None]
    return {name.format(council=council.code) for function in functions for name in function.secrets}


def table_from_spec(scope: Construct, id: str, spec: dict[str, Any], **props: Any) -> dynamodb.Table:
    """A table built from the same `create_table` arguments the adapter and its tests use."""
    types = {a["AttributeName"]: _ATTRIBUTE_TYPES[a["AttributeType"]] for a in spec["AttributeDefinitions"]}

    def keys(schema: list[dict[str, str]]) -> dict[str, Any]:
        names = {key["KeyType"]: key["AttributeName"] for key in schema}
        found: dict[str, Any] = {"partition_key": dynamodb.Attribute(name=names["HASH"], type=types[names["HASH"]])}
        if "RANGE" in names:
            found["sort_key"] = dynamodb.Attribute(name=names["RANGE"], type=types[names["RANGE"]])
        return found

    if spec["BillingMode"] != "PAY_PER_REQUEST":
        raise ValueError(f"{id}: only on-demand tables are deployed")
    stream = spec.get("StreamSpecification", {})
    table = dynamodb.Table(
        scope,
        id,
        **keys(spec["KeySchema"]),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        stream=dynamodb.StreamViewType(stream["StreamViewType"]) if stream.get("StreamEnabled") else None,
        **props,
    )
    for index in spec.get("GlobalSecondaryIndexes", []):
        table.add_global_secondary_index(
            index_name=index["IndexName"],
            **keys(index["KeySchema"]),
            projection_type=dynamodb.ProjectionType(index["Projection"]["ProjectionType"]),
        )
    return table


class CouncilStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        council: CouncilDeployment,
        lambda_asset_dir: Path,
        odp_schema_dir: Path,
        declarations: Sequence[ServiceDeclaration],
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, description=f"BOPS for {council.name} ({council.code})", **kwargs)
        self.council = council
        Tags.of(self).add("bops:council", council.code)
        authorizers = [(d, d.authorizer) for d in declarations if d.authorizer is not None]
        if len(authorizers) != 1:
            raise ValueError(f"exactly one service must declare the API-key authorizer, not {len(authorizers)}")

        # State: the log, the read models, the documents, the secrets.
        self.event_table = table_from_spec(
            self,
            "EventLog",
            event_table_spec("unused"),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.read_model_table = table_from_spec(
            self,
            "ReadModels",
            read_model_table_spec("unused"),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption S3 server access logging writes to
            enforce_ssl=True,
            minimum_tls_version=1.2,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(400))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.access_logs_bucket,
            "S1",
            "This bucket receives the documents bucket's server access logs; logging it would log the logging.",
        )
        self.documents_bucket = s3.Bucket(
            self,
            "Documents",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="documents/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    noncurrent_version_expiration=Duration.days(90),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.secrets: dict[str, secretsmanager.Secret] = {}  # by name under the council's prefix
        for name in sorted(declared_secrets(council, declarations)):
            secret = secretsmanager.Secret(
                self,
                construct_id(name.replace("/", "-")),
                secret_name=secrets_prefix(council) + name,
                description=f"{council.name}: {name} (a placeholder until the council's value is put)",
            )
            acknowledge(
                secret,
                "SMG4",
                "The value is issued by a third party (e.g. the council's PlanX download credential) and can only "
                "be changed there, so Secrets Manager cannot rotate it; the council puts the new value when the third "
                "party issues one.",
            )
            self.secrets[name] = secret

        # Functions, the API, and the bus.
        self.alarms = Alarms(self, "Alarms", email=council.admin_email)
        factory = FunctionFactory(
            self,
            code=lambda_code(lambda_asset_dir, odp_schema_dir),
            metrics_namespace=f"bops-{council.slug}",
            environment={
                "BOPS_RUNTIME": "aws",
                "BOPS_COUNCIL": council.code,
                "BOPS_COUNCIL_DEPLOYMENT": council.model_dump_json(exclude_none=True),
                "BOPS_EVENT_TABLE": self.event_table.table_name,
                "BOPS_READ_MODEL_TABLE": self.read_model_table.table_name,
                "BOPS_DOCUMENTS_BUCKET": self.documents_bucket.bucket_name,
                "BOPS_SECRETS_PREFIX": secrets_prefix(council),
                "BOPS_ODP_SCHEMA_DIR": LAMBDA_SCHEMA_DIR,
                "BOPS_AWS_MODELS_DIR": LAMBDA_AWS_MODELS_DIR,
                "BOPS_REGION": Aws.REGION,
            },
        )
        self.functions = factory.functions
        routes = [route for d in declarations for f in d.http for route in f.routes]
        [(owner, declared_authorizer)] = authorizers
        authorizer = factory.function(
            declared_authorizer.name,
            handler=declared_authorizer.handler,
            service=owner.name,
            memory_mb=declared_authorizer.memory_mb,
            timeout_s=declared_authorizer.timeout_s,
            description="API Gateway authorizer for API-key routes",
            environment={"BOPS_ROUTE_SCOPES": json.dumps(route_table(routes), separators=(",", ":"))},
            snap_start=True,
        )
        self._grant_declared(declared_authorizer, authorizer)
        self.api = CouncilApi(
            self, "Http", api_name=f"bops-{council.slug}", authorizer_function=factory.invoked(declared_authorizer.name)
        )

        for declaration in declarations:
            for http in declaration.http:
                function = factory.function(
                    http.name,
                    handler=http.handler,
                    service=declaration.name,
                    memory_mb=http.memory_mb,
                    timeout_s=http.timeout_s,
                    description=f"{declaration.name}: {len(http.routes)} HTTP routes",
                    snap_start=True,
                )
                self._grant_events(function, append=True)
                self._grant_documents(function, delete_originals=True)
                self._grant_declared(http, function)
                for route in http.routes:
                    self.api.add_route(route, factory.invoked(http.name))

        self.publishing = EventPublishing(self, "Publishing", table=self.event_table, bus_name=f"bops-{council.slug}")
        self.alarms.dead_letters("Pipe", self.publishing.dead_letters, "The event table's pipe")
        self.dead_letter_queues = [self.publishing.dead_letters]
        for declaration in declarations:
            for subscription in declaration.subscriptions:
                queue = dead_letter_queue(
                    self, f"{construct_id(subscription.name)}DeadLetters", f"the {subscription.name} subscription"
                )
                function = factory.function(
                    subscription.name,
                    handler=subscription.handler,
                    service=declaration.name,
                    memory_mb=subscription.memory_mb,
                    timeout_s=subscription.timeout_s,
                    description=f"{declaration.name}: reacts to {', '.join(subscription.event_types)}",
                    dead_letter_queue=queue,
                    max_event_age=FUNCTION_MAX_EVENT_AGE,
                    retry_attempts=FUNCTION_RETRY_ATTEMPTS,
                )
                self._grant_events(function, append=subscription.appends_events)
                if subscription.appends_events:
                    self._grant_documents(function)
                self._grant_declared(subscription, function)
                self.publishing.subscribe(subscription, function, queue)
                self.dead_letter_queues.append(queue)
                what = f"The {subscription.name} subscription"
                self.alarms.dead_letters(construct_id(subscription.name), queue, what)

        for name, function in self.functions.items():
            self.alarms.errors(construct_id(name), function, f"The {name} function")
        self.alarms.server_errors(self.api.api)

    # Grants: exact actions on exact resources.

    def _grant_events(self, function: lambda_.Function, *, append: bool) -> None:
        table = self.event_table.table_arn
        function.add_to_role_policy(
            iam.PolicyStatement(actions=list(EVENT_READ), resources=[table, f"{table}/index/{STREAMS_INDEX}"])
        )
        if append:
            function.add_to_role_policy(iam.PolicyStatement(actions=list(EVENT_APPEND), resources=[table]))

    def _grant_declared(self, declared: Declared, function: lambda_.Function) -> None:
        """What the declaration says the function needs besides the log and documents: read models and secrets."""
        writes = getattr(declared, "writes_read_models", ())
        reads = tuple(name for name in declared.reads_read_models if name not in writes)
        if reads:
            self._grant_read_models(function, reads, write=False)
        if writes:
            self._grant_read_models(function, writes, write=True)
        for name in declared.secrets:
            self.secrets[name.format(council=self.council.code)].grant_read(function)

    def _grant_read_models(self, function: lambda_.Function, names: Sequence[str], *, write: bool) -> None:
        """Only the items of these read models: their documents' and positions' partition keys."""
        actions = READ_MODEL_READ + (READ_MODEL_WRITE if write else ())
        keys = sorted(prefix + name for name in names for prefix in (DOCUMENT_PREFIX, POSITION_PREFIX))
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=list(actions),
                resources=[self.read_model_table.table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": keys}},
            )
        )

    def _grant_documents(self, function: lambda_.Function, *, delete_originals: bool = False) -> None:
        bucket = self.documents_bucket
        assert function.role is not None  # a function made here always has its own role
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"], resources=[bucket.arn_for_objects("*")])
        )
        if delete_originals:  # intake removes the original of a submission it refused after storing it
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["s3:DeleteObject"], resources=[bucket.arn_for_objects("*/submissions/*")])
            )
            acknowledge(
                function.role,
                f"IAM5[Resource::{arn_pattern(bucket, '/*/submissions/*')}]",
                "Intake deletes the original of a submission it refused after storing it: only submission originals "
                "(COUNCIL/submissions/ID/SHA256.json) of this council's documents bucket.",
            )
        # Without ListBucket a missing key answers 403 instead of 404 and `exists()` cannot tell.
        function.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]))
        acknowledge(
            function.role,
            f"IAM5[Resource::{arn_pattern(bucket, '/*')}]",
            "Document keys are made per application and file at run time; the grant covers objects of this council's "
            "documents bucket only, and only GetObject and PutObject (no ACLs; intake deletes refused originals).",
        )
