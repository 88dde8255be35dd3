"""One council's stack: the event log and what publishes it, the audit checkpoint table, the read-model table, the
documents bucket, the council's secrets, the API and every declared function, rule, schedule and alarm. Two councils
share nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Aws, Duration, RemovalPolicy, SecretValue, Stack, Tags
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
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
from cdk.lambda_code import (
    LAMBDA_AWS_MODELS_DIR,
    LAMBDA_BANK_HOLIDAYS_FILE,
    LAMBDA_COMPILED_TEMPLATES_DIR,
    LAMBDA_SCHEMA_DIR,
    lambda_code,
)
from cdk.nag import acknowledge, arn_pattern
from cdk.officers import OfficerUserPool
from shared.applicant_links import LINK_SECRET
from shared.attempts.dynamodb import COUNTER_PREFIX, EXPIRES_AT
from shared.calendar.bank_holiday_table import BANK_HOLIDAYS_ENV
from shared.councils.settings import CouncilDeployment
from shared.declarations import (
    Authorizer,
    HttpFunction,
    ScheduledJob,
    ServiceDeclaration,
    Subscription,
    encode_route_table,
)
from shared.eventstore.checkpoints import HEAD_SECRET, KEY_SECRET, NO_CHECKPOINT_YET
from shared.eventstore.checkpoints_dynamodb import checkpoint_table_spec
from shared.eventstore.dynamodb_table import STREAMS_INDEX, event_table_spec
from shared.pages.compiled import COMPILED_TEMPLATES_ENV
from shared.projections.dynamodb_store import DOCUMENT_PREFIX, POSITION_PREFIX, read_model_table_spec

Declared = HttpFunction | Subscription | Authorizer | ScheduledJob

EVENT_READ = ("dynamodb:GetItem", "dynamodb:Query")
EVENT_APPEND = ("dynamodb:PutItem", "dynamodb:ConditionCheckItem")  # the log is append-only: no Update, no Delete
READ_MODEL_READ = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem")
READ_MODEL_WRITE = (
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:BatchWriteItem",  # the public register writes its index items in batches
)
# Read models in a table of their own, laid out as the read models' table: its construct id, and the variable naming
# it to the functions that declare the read model. The public register is a search index of tens of items per
# published application read by the public API (services/publication/read_model/dynamodb.py): on its own, the officers'
# read models stay a small table, and a public function's role reaches no other data. It is rebuilt into fresh
# partitions switched by a pointer (generations.py) and keeps its counts with UpdateItem (ADD).
OWN_TABLE_READ_MODELS = {"public": ("PublicRegisterTable", "BOPS_PUBLIC_REGISTER_TABLE")}
OWN_TABLE_WRITE = (*READ_MODEL_WRITE, "dynamodb:UpdateItem")
# Read the chain and the sealed head index, add a record (conditional: never replace) or a stream's sealed head.
AUDIT_CHECKPOINTS = ("dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem")
ATTEMPT_COUNTERS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem")  # read counts, add one (ADD)
OFFICER_SIGN_IN = ("cognito-idp:AdminInitiateAuth",)  # check an officer's password in the council's user pool
OFFICER_TOKEN_KEY = "officer-token-key"  # services.councils.declaration.OFFICER_TOKEN_KEY, under the council's code
LINK_SECRET_KIND = LINK_SECRET.split("/", 1)[1]  # `applicant-link-secret`, under the council's code

# Powertools Idempotency's DynamoDB layer: a record per key (`id`), expiring at `expiration` (time to live).
IDEMPOTENCY_EXPIRY = "expiration"
IDEMPOTENCY_TABLE_SPEC: dict[str, Any] = {
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}
IDEMPOTENCY_RECORDS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")

SCHEDULE_RETRY_ATTEMPTS = 3  # EventBridge Scheduler's retries of an invocation it could not make, then the queue
SCHEDULE_MAX_EVENT_AGE = Duration.minutes(15)  # a periodic run older than its period is superseded by the next one

# Secrets the stack gives a value of its own (the rest are placeholders until the council puts the third party's).
_ROTATION_REASONS = {
    KEY_SECRET: "The audit checkpoint key seals every checkpoint written so far: rotating it would make the stored "
    "checkpoints unverifiable. It is generated once by the deployment and read only by the checkpoint job.",
    HEAD_SECRET: "Not a credential: the newest audit checkpoint's number and seal, rewritten by the checkpoint job "
    "every run (so removing the newest checkpoints is detected).",
    OFFICER_TOKEN_KEY: "Officers' token signing keys, generated by the deployment and rotated by `bops officers "
    "rotate-signing-key`, which keeps the previous key verifying until the tokens it signed expire (15 minutes); a "
    "Secrets Manager rotation function would drop it and sign every officer out.",
    LINK_SECRET_KIND: "The applicant link secret signs every secure link sent to applicants (HMAC of the request): "
    "rotating it would break every link still open. It is generated once by the deployment and read only by the "
    "functions that build or check links.",
}
_THIRD_PARTY_REASON = (
    "The value is issued by a third party (e.g. the council's PlanX download credential) and can only "
    "be changed there, so Secrets Manager cannot rotate it; the council puts the new value when the third "
    "party issues one."
)


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
    functions += [job for d in declarations for job in d.scheduled]
    return {name.format(council=council.code) for function in functions for name in function.secrets}


def _kind(name: str) -> str:
    """A per-council secret's name without its council (`DEMO/officer-token-key` → `officer-token-key`)."""
    return name.split("/", 1)[1] if name.split("/", 1)[0].isupper() else name


def _secret_value(name: str) -> dict[str, Any]:
    """The audit key, the officers' token key and the applicant link secret are generated by the deployment; the
    audit head starts as "no checkpoint yet"; other secrets get a generated placeholder."""
    if name == KEY_SECRET or _kind(name) in (OFFICER_TOKEN_KEY, LINK_SECRET_KIND):
        return {
            "generate_secret_string": secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True)
        }
    if name == HEAD_SECRET:
        return {"secret_string_value": SecretValue.unsafe_plain_text(NO_CHECKPOINT_YET)}
    return {}


def kept_table(
    scope: Construct, id: str, spec: dict[str, Any], *, deletion_protection: bool | None = None, **props: Any
) -> dynamodb.Table:
    """A table of the council's data: point-in-time recovery, AWS-managed encryption, kept when the stack goes."""
    return table_from_spec(
        scope,
        id,
        spec,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=deletion_protection,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        removal_policy=RemovalPolicy.RETAIN,
        **props,
    )


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
        self.event_table = kept_table(self, "EventLog", event_table_spec("unused"), deletion_protection=True)
        # Sealed checkpoints of the log, beside it but not in it: only the checkpoint job writes here.
        self.audit_table = kept_table(
            self, "AuditCheckpointLog", checkpoint_table_spec("unused"), deletion_protection=True
        )
        # Rebuildable. Attempt counters (sign-in throttling) live here too and expire by time to live.
        self.read_model_table = kept_table(
            self, "ReadModels", read_model_table_spec("unused"), time_to_live_attribute=EXPIRES_AT
        )
        self.own_read_model_tables = {
            name: kept_table(self, construct, read_model_table_spec("unused"))
            for name, (construct, _) in OWN_TABLE_READ_MODELS.items()
        }
        # Powertools Idempotency records of the subscriptions that declare them (expiring by time to live).
        self.idempotency_table = self._idempotency_table(declarations)
        self.officers = OfficerUserPool(self, "OfficerDirectory", council=council)
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
                description=f"{council.name}: {name}"
                + ("" if _kind(name) in _ROTATION_REASONS else " (a placeholder until the council's value is put)"),
                **_secret_value(name),
            )
            acknowledge(secret, "SMG4", _ROTATION_REASONS.get(_kind(name), _THIRD_PARTY_REASON))
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
                COMPILED_TEMPLATES_ENV: LAMBDA_COMPILED_TEMPLATES_DIR,
                BANK_HOLIDAYS_ENV: LAMBDA_BANK_HOLIDAYS_FILE,
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
            description="API Gateway authorizer for API-key and officer routes",
            environment={"BOPS_ROUTE_SCOPES": encode_route_table(routes)},
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
                    environment=self._officer_directory_environment() if http.officer_directory else None,
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
                    # Lambda takes at most 256 characters: a long list of event types is cut short
                    description=f"{declaration.name}: reacts to {', '.join(subscription.event_types)}"[:256],
                    dead_letter_queue=queue,
                    max_event_age=FUNCTION_MAX_EVENT_AGE,
                    retry_attempts=FUNCTION_RETRY_ATTEMPTS,
                    environment=self._idempotency(subscription),
                )
                self._grant_events(function, append=subscription.appends_events)
                self._grant_idempotency(subscription, function)
                if subscription.appends_events or subscription.reads_documents:
                    self._grant_documents(function, read_only=not subscription.appends_events)
                self._grant_declared(subscription, function)
                self.publishing.subscribe(subscription, function, queue)
                self.dead_letter_queues.append(queue)
                what = f"The {subscription.name} subscription"
                self.alarms.dead_letters(construct_id(subscription.name), queue, what)

        for declaration in declarations:
            for job in declaration.scheduled:
                self._scheduled_job(factory, declaration.name, job)

        for name, function in self.functions.items():
            self.alarms.errors(construct_id(name), function, f"The {name} function")
        self.alarms.server_errors(self.api.api)

    def _scheduled_job(self, factory: FunctionFactory, service: str, job: ScheduledJob) -> None:
        """The job's function and its EventBridge Scheduler schedule. One dead-letter queue (alarmed) takes both the
        invocations the schedule could not make and the runs that failed after Lambda's retries."""
        queue = dead_letter_queue(self, f"{construct_id(job.name)}DeadLetters", f"the {job.name} schedule")
        function = factory.function(
            job.name,
            handler=job.handler,
            service=service,
            memory_mb=job.memory_mb,
            timeout_s=job.timeout_s,
            description=f"{service}: runs {job.schedule_description}",
            environment={"BOPS_AUDIT_TABLE": self.audit_table.table_name} if job.writes_audit_checkpoints else None,
            dead_letter_queue=queue,
            max_event_age=FUNCTION_MAX_EVENT_AGE,
            retry_attempts=FUNCTION_RETRY_ATTEMPTS,
        )
        self._grant_events(function, append=job.appends_events)
        self._grant_declared(job, function)
        if job.writes_audit_checkpoints:
            function.add_to_role_policy(
                iam.PolicyStatement(actions=list(AUDIT_CHECKPOINTS), resources=[self.audit_table.table_arn])
            )
        role = iam.Role(
            self,
            f"{construct_id(job.name)}ScheduleRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=f"EventBridge Scheduler: invokes {job.name} and dead-letters what it cannot",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn]))
        queue.grant_send_messages(role)
        scheduler.CfnSchedule(
            self,
            f"{construct_id(job.name)}Schedule",
            description=f"{service}: {job.name} {job.schedule_description}",
            schedule_expression=job.schedule_expression,
            schedule_expression_timezone=job.schedule_timezone,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            state="ENABLED",
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function.function_arn,
                role_arn=role.role_arn,
                input=json.dumps({"source": "aws.scheduler", "job": job.name}),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(arn=queue.queue_arn),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=SCHEDULE_RETRY_ATTEMPTS,
                    maximum_event_age_in_seconds=int(SCHEDULE_MAX_EVENT_AGE.to_seconds()),
                ),
            ),
        )
        self.dead_letter_queues.append(queue)
        self.alarms.dead_letters(construct_id(job.name), queue, f"The {job.name} schedule")

    def _idempotency_table(self, declarations: Sequence[ServiceDeclaration]) -> dynamodb.Table | None:
        if not any(s.idempotency for d in declarations for s in d.subscriptions):
            return None
        return kept_table(self, "Idempotency", IDEMPOTENCY_TABLE_SPEC, time_to_live_attribute=IDEMPOTENCY_EXPIRY)

    def _grant_idempotency(self, subscription: Subscription, function: lambda_.Function) -> None:
        if subscription.idempotency and self.idempotency_table is not None:
            statement = iam.PolicyStatement(
                actions=list(IDEMPOTENCY_RECORDS), resources=[self.idempotency_table.table_arn]
            )
            function.add_to_role_policy(statement)

    def _idempotency(self, subscription: Subscription) -> dict[str, str] | None:
        if not subscription.idempotency or self.idempotency_table is None:
            return None
        return {"BOPS_IDEMPOTENCY_TABLE": self.idempotency_table.table_name}

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
        for name in getattr(declared, "writes_secrets", ()):
            self.secrets[name.format(council=self.council.code)].grant_write(function)
        counters = getattr(declared, "attempt_counters", ())
        if counters:
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=list(ATTEMPT_COUNTERS),
                    resources=[self.read_model_table.table_arn],
                    conditions={
                        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [COUNTER_PREFIX + n for n in counters]}
                    },
                )
            )
        if getattr(declared, "officer_directory", False):
            function.add_to_role_policy(
                iam.PolicyStatement(actions=list(OFFICER_SIGN_IN), resources=[self.officers.pool.user_pool_arn])
            )

    def _officer_directory_environment(self) -> dict[str, str]:
        return {
            "BOPS_OFFICER_USER_POOL_ID": self.officers.pool.user_pool_id,
            "BOPS_OFFICER_USER_POOL_CLIENT_ID": self.officers.client.user_pool_client_id,
        }

    def _grant_read_models(self, function: lambda_.Function, names: Sequence[str], *, write: bool) -> None:
        """Only the items of these read models: their documents' and positions' partition keys in the read models'
        table, or the whole table of one that has its own (named to the function by its variable)."""
        for name in names:
            if name in OWN_TABLE_READ_MODELS:
                table = self.own_read_model_tables[name]
                actions = READ_MODEL_READ + (OWN_TABLE_WRITE if write else ())
                function.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[table.table_arn]))
                function.add_environment(OWN_TABLE_READ_MODELS[name][1], table.table_name)
        shared = [name for name in names if name not in OWN_TABLE_READ_MODELS]
        if not shared:
            return
        keys = sorted(prefix + name for name in shared for prefix in (DOCUMENT_PREFIX, POSITION_PREFIX))
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=list(READ_MODEL_READ + (READ_MODEL_WRITE if write else ())),
                resources=[self.read_model_table.table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": keys}},
            )
        )

    def _grant_documents(
        self, function: lambda_.Function, *, delete_originals: bool = False, read_only: bool = False
    ) -> None:
        """Get and put the documents' objects (only get them if `read_only`: a projection that reads originals)."""
        bucket = self.documents_bucket
        assert function.role is not None  # a function made here always has its own role
        actions = ["s3:GetObject"] if read_only else ["s3:GetObject", "s3:PutObject"]
        function.add_to_role_policy(iam.PolicyStatement(actions=actions, resources=[bucket.arn_for_objects("*")]))
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
            "documents bucket only, and only GetObject and PutObject (GetObject alone for a projection that reads "
            "originals; no ACLs; intake deletes refused originals).",
        )
