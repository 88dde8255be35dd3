"""A synthesised CouncilStack played on moto, using only its CloudFormation template.

moto emulates DynamoDB (with streams), S3, Secrets Manager and EventBridge but runs no Lambda, API Gateway or Pipe.
`StackHarness` plays those parts from what the template says, and nothing else:

- state: every `AWS::DynamoDB::Table` (key schema, attributes, indexes, stream), `AWS::S3::Bucket`,
  `AWS::SecretsManager::Secret` (its generated value), `AWS::Events::EventBus` and Cognito user pool (with its groups,
  app clients, users and their groups) is created on moto under a
  physical name the harness chooses; `Ref` / `Fn::GetAtt` / `Fn::Join` / `Fn::Select` / `Fn::Split` / `Fn::Sub`
  resolve to those names and ARNs;
- functions: a function is its `Handler` and its resolved `Environment.Variables` (plus the variables Lambda sets).
  Invoking one swaps those variables into `os.environ`, calls `shared.wiring.reset()`, imports the handler's module
  from the project (the asset is the project's source; `/var/task` paths point into the synthesised asset) and calls
  it. Lambda permissions are checked: no `AWS::Lambda::Permission` for the caller's ARN, no invocation;
- the API: `AWS::ApiGateway::Resource` parents and path parts make the tree, `AWS::ApiGateway::Method` the methods,
  their `AWS_PROXY` integration URIs the functions (or an `AWS::Lambda::Alias` of one, whose `AWS::Lambda::Version`
  must be of the same function); a `CUSTOM` method runs its `AWS::ApiGateway::Authorizer`
  (REQUEST, identity sources checked first, policy evaluated with `shared.apigateway.policy_allows`) and puts the
  authorizer's context in `requestContext.authorizer`. No method for a request: `RouteNotFound`;
- the Pipe: reads its source stream (the table stream ARN it names) from TRIM_HORIZON with the `dynamodbstreams`
  client, applies its filter criteria, builds each bus event from its target parameters (bus, `detail-type` path,
  source), puts it on the moto bus (checking EventBridge's 256 KB entry limit), matches every enabled
  `AWS::Events::Rule` of that bus and invokes each matching rule's Lambda target. `deliver()` repeats until the
  stream has nothing new (subscribers append events too);
- a schedule: `run_schedule()` plays one run of an `AWS::Scheduler::Schedule` (its role's trust and invoke grant
  checked); time is not emulated, the test says when.

Handler exceptions propagate (the test sees the traceback); wiring problems raise `HarnessError`.
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from shared.apigateway import authorizer_request, policy_allows, proxy_event, response_body, response_headers

Template = dict[str, Any]

ACCOUNT = "123456789012"  # moto's default account
REGION = "eu-west-2"
LAMBDA_TASK_ROOT = "/var/task"
MAX_BUS_ENTRY_BYTES = 256 * 1024  # EventBridge's PutEvents limit per entry
# The variables the Lambda runtime sets beside the function's own; anything else of these prefixes is removed while a
# function runs, so the test process's environment cannot leak into a handler.
_LAMBDA_PREFIXES = ("BOPS_", "POWERTOOLS_", "AWS_", "LAMBDA_", "_HANDLER", "LOG_LEVEL")
_STREAMS_CONFIG = Config(account_id_endpoint_mode="disabled")  # moto serves only the regional streams endpoint
_PROXY_URI = re.compile(r":lambda:path/2015-03-31/functions/(?P<arn>arn:[^/]+)/invocations$")


class HarnessError(AssertionError):
    """The template does not wire what was asked for (or uses something the harness does not emulate)."""


class RouteNotFound(HarnessError):
    """No API Gateway method for the request (API Gateway itself answers 403 "Missing Authentication Token")."""


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    arn: str
    handler: str
    memory_mb: int
    environment: dict[str, str]


@dataclass(frozen=True)
class Invocation:
    function: str  # logical id
    trigger: str  # "api:POST /path", "authorizer:<id>", "rule:<logical id>"
    detail_type: str | None = None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class LambdaContext:
    """What Powertools reads from the Lambda context object."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass(frozen=True)
class _Method:
    logical_id: str
    resource: str  # API Gateway resource path, e.g. /api/v2/planning_applications/{reference}
    http_method: str
    authorizer: str | None  # logical id of the authorizer of a CUSTOM method
    function: str  # logical id of the integration's function
    invoked_arn: str  # the ARN API Gateway invokes: the function's, or one of its aliases'


class StackHarness:
    """Deploy with `with mock_aws(): harness = StackHarness(template, "Bops-demo", task_root=...).deploy()`."""

    def __init__(
        self, template: Template, stack_name: str, *, task_root: Path | None = None, region: str = REGION
    ) -> None:
        self.template = copy.deepcopy(template)
        self.resources: dict[str, dict[str, Any]] = self.template["Resources"]
        self.stack_name = stack_name
        self.task_root = task_root
        self.region = region
        self.invocations: list[Invocation] = []
        self.published_so_far: list[dict[str, Any]] = []  # every message `published` returned, in order
        self._attributes: dict[tuple[str, str], str] = {}
        self._names: dict[str, str] = {}
        self._iterators: dict[tuple[str, str], str] = {}  # (stream arn, shard id) -> next iterator
        self._functions: dict[str, Function] = {}

    # Deployment: the stateful resources on moto

    def deploy(self) -> StackHarness:
        self.dynamodb = boto3.client("dynamodb", region_name=self.region)
        self.streams = boto3.client("dynamodbstreams", region_name=self.region, config=_STREAMS_CONFIG)
        self.s3 = boto3.client("s3", region_name=self.region)
        self.events = boto3.client("events", region_name=self.region)
        secrets = boto3.client("secretsmanager", region_name=self.region)
        for logical_id, props in self._of_type("AWS::DynamoDB::Table").items():
            self._create_table(logical_id, props)
        for logical_id, props in self._of_type("AWS::S3::Bucket").items():
            name = self.physical_name(logical_id)
            self.s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
            if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
                self.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        for logical_id, props in self._of_type("AWS::SecretsManager::Secret").items():
            value = props.get("SecretString")
            if value is None:
                generate = {
                    k: v for k, v in props.get("GenerateSecretString", {}).items() if not k.startswith("Secret")
                }
                generate.pop("GenerateStringKey", None)
                value = secrets.get_random_password(**generate)["RandomPassword"]
            created = secrets.create_secret(Name=self.physical_name(logical_id), SecretString=self.resolve(value))
            self._attributes[(logical_id, "Ref")] = created["ARN"]
        for logical_id in self._of_type("AWS::Events::EventBus"):
            created = self.events.create_event_bus(Name=self.physical_name(logical_id))
            self._attributes[(logical_id, "Arn")] = created["EventBusArn"]
        self._deploy_user_pools()
        return self

    def _deploy_user_pools(self) -> None:
        """Cognito user pools with their groups, app clients, users and group memberships."""
        self.cognito = boto3.client("cognito-idp", region_name=self.region)
        for logical_id, props in self._of_type("AWS::Cognito::UserPool").items():
            keep = ("Policies", "UsernameConfiguration", "AdminCreateUserConfig")
            pool = self.cognito.create_user_pool(
                PoolName=str(self.resolve(props.get("UserPoolName", logical_id))),
                **{name: self.resolve(props[name]) for name in keep if name in props},
            )["UserPool"]
            self._attributes[(logical_id, "Ref")] = pool["Id"]
            self._attributes[(logical_id, "Arn")] = pool["Arn"]
        for props in self._of_type("AWS::Cognito::UserPoolGroup").values():
            self.cognito.create_group(UserPoolId=self.resolve(props["UserPoolId"]), GroupName=props["GroupName"])
        for logical_id, props in self._of_type("AWS::Cognito::UserPoolClient").items():
            client = self.cognito.create_user_pool_client(
                UserPoolId=self.resolve(props["UserPoolId"]),
                ClientName=str(self.resolve(props.get("ClientName", logical_id))),
                ExplicitAuthFlows=props.get("ExplicitAuthFlows", []),
                GenerateSecret=bool(props.get("GenerateSecret", False)),
            )["UserPoolClient"]
            self._attributes[(logical_id, "Ref")] = client["ClientId"]
        for props in self._of_type("AWS::Cognito::UserPoolUser").values():
            self.cognito.admin_create_user(
                UserPoolId=self.resolve(props["UserPoolId"]),
                Username=props["Username"],
                UserAttributes=self.resolve(props.get("UserAttributes", [])),
                MessageAction=props.get("MessageAction", "SUPPRESS"),
            )
        for props in self._of_type("AWS::Cognito::UserPoolUserToGroupAttachment").values():
            self.cognito.admin_add_user_to_group(
                UserPoolId=self.resolve(props["UserPoolId"]), Username=props["Username"], GroupName=props["GroupName"]
            )

    def _create_table(self, logical_id: str, props: dict[str, Any]) -> None:
        spec: dict[str, Any] = {
            "TableName": self.physical_name(logical_id),
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        for name in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "ProvisionedThroughput"):
            if name in props:
                spec[name] = props[name]
        if "StreamSpecification" in props:  # CloudFormation: a view type means the stream is on
            spec["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        table = self.dynamodb.create_table(**spec)["TableDescription"]
        self._attributes[(logical_id, "Arn")] = table["TableArn"]
        if "LatestStreamArn" in table:
            self._attributes[(logical_id, "StreamArn")] = table["LatestStreamArn"]

    # Names and intrinsic functions

    def _of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {id: r.get("Properties", {}) for id, r in self.resources.items() if r["Type"] == kind}

    def _resource(self, logical_id: str) -> dict[str, Any]:
        if logical_id not in self.resources:
            raise HarnessError(f"the template refers to {logical_id}, which it does not define")
        return self.resources[logical_id]

    def physical_name(self, logical_id: str) -> str:
        """The name CloudFormation would give (the template's own name property if it sets one)."""
        if logical_id in self._names:
            return self._names[logical_id]
        resource = self._resource(logical_id)
        kind, props = resource["Type"], resource.get("Properties", {})
        suffix = hashlib.sha256(f"{self.stack_name}/{logical_id}".encode()).hexdigest()[:12]
        named = {
            "AWS::DynamoDB::Table": "TableName",
            "AWS::S3::Bucket": "BucketName",
            "AWS::SecretsManager::Secret": "Name",
            "AWS::Events::EventBus": "Name",
            "AWS::Events::Rule": "Name",
            "AWS::Lambda::Function": "FunctionName",
            "AWS::SQS::Queue": "QueueName",
            "AWS::ApiGateway::Stage": "StageName",
        }
        if kind in named and named[kind] in props:
            name = str(self.resolve(props[named[kind]]))
        elif kind == "AWS::S3::Bucket":
            name = f"{self.stack_name}-{logical_id}-{suffix}".lower()[:63]
        elif kind.startswith("AWS::ApiGateway::"):
            name = suffix[:10]  # API, resource and authorizer ids
        else:
            name = f"{self.stack_name}-{logical_id}-{suffix}"[:64]
        self._names[logical_id] = name
        return name

    def resolve(self, value: Any) -> Any:
        """A template value with every intrinsic function evaluated."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1 or not next(iter(value)).startswith(("Ref", "Fn::")):
            return {key: self.resolve(item) for key, item in value.items()}
        [(function, argument)] = value.items()
        intrinsics: dict[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._fn_get_att,
            "Fn::Join": self._fn_join,
            "Fn::Select": self._fn_select,
            "Fn::Split": self._fn_split,
            "Fn::Sub": self._fn_sub,
        }
        if function not in intrinsics:
            raise HarnessError(f"the harness does not evaluate {function}")
        return intrinsics[function](argument)

    def _fn_get_att(self, argument: Any) -> str:
        logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
        return self._get_att(logical_id, attribute)

    def _fn_join(self, argument: Any) -> str:
        separator, parts = argument
        return separator.join(str(part) for part in self.resolve(parts))

    def _fn_select(self, argument: Any) -> Any:
        index, items = self.resolve(argument)
        return items[int(index)]

    def _fn_split(self, argument: Any) -> list[str]:
        separator, text = self.resolve(argument)
        return text.split(separator)

    def _fn_sub(self, argument: Any) -> str:
        text, names = (argument, {}) if isinstance(argument, str) else (argument[0], self.resolve(argument[1]))

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in names:
                return str(names[name])
            if "." in name:
                return str(self._get_att(*name.split(".", 1)))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
        }
        if name in pseudo:
            return pseudo[name]
        kind = self._resource(name)["Type"]
        if (name, "Ref") in self._attributes:
            return self._attributes[(name, "Ref")]
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT}/{self.physical_name(name)}"
        if kind == "AWS::Lambda::Alias":  # an alias's Ref is its ARN: the function's, qualified by the alias name
            props = self._resource(name)["Properties"]
            return f"{self._function_arn(props['FunctionName'])}:{props['Name']}"
        if kind == "AWS::Lambda::Version":  # the version's ARN; each function has one published version here
            return f"{self._function_arn(self._resource(name)['Properties']['FunctionName'])}:1"
        return self.physical_name(name)

    def _function_arn(self, reference: Any) -> str:
        value = str(self.resolve(reference))
        return value if value.startswith("arn:") else f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{value}"

    def _get_att(self, logical_id: str, attribute: str) -> str:
        if (logical_id, attribute) in self._attributes:
            return self._attributes[(logical_id, attribute)]
        kind = self._resource(logical_id)["Type"]
        name = self.physical_name(logical_id)
        arns = {
            ("AWS::Lambda::Function", "Arn"): f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{name}",
            ("AWS::S3::Bucket", "Arn"): f"arn:aws:s3:::{name}",
            ("AWS::SQS::Queue", "Arn"): f"arn:aws:sqs:{self.region}:{ACCOUNT}:{name}",
            ("AWS::Logs::LogGroup", "Arn"): f"arn:aws:logs:{self.region}:{ACCOUNT}:log-group:{name}:*",
            ("AWS::IAM::Role", "Arn"): f"arn:aws:iam::{ACCOUNT}:role/{name}",
            ("AWS::ApiGateway::RestApi", "RootResourceId"): f"{name}-root",
        }
        if kind == "AWS::Lambda::Version" and attribute == "Version":
            return "1"
        if kind == "AWS::Events::Rule" and attribute == "Arn":
            props = self._resource(logical_id).get("Properties", {})
            bus = str(self.resolve(props.get("EventBusName", "default")))
            bus_name = bus.rsplit("/", 1)[-1]
            path = f"{bus_name}/{name}" if bus_name != "default" else name
            return f"arn:aws:events:{self.region}:{ACCOUNT}:rule/{path}"
        if (kind, attribute) not in arns:
            raise HarnessError(f"the harness cannot resolve Fn::GetAtt {logical_id}.{attribute} ({kind}); deployed?")
        return arns[(kind, attribute)]

    def logical_id_of(self, kind: str, physical: str) -> str:
        """The resource of this type whose name, Ref or ARN is `physical`."""
        for logical_id in self._of_type(kind):
            candidates = {self.physical_name(logical_id), self._ref(logical_id)}
            if kind == "AWS::Lambda::Function":
                candidates.add(self._get_att(logical_id, "Arn"))
            if physical in candidates:
                return logical_id
        raise HarnessError(f"no {kind} in the template is {physical}")

    def function_of(self, arn: str) -> str:
        """The logical id of the function that an invocation of `arn` (a function's ARN or an alias's) runs."""
        for logical_id, props in self._of_type("AWS::Lambda::Alias").items():
            if self._ref(logical_id) == arn:
                function = self.logical_id_of("AWS::Lambda::Function", self._function_arn(props["FunctionName"]))
                version = self._resource(self._version_of(props["FunctionVersion"]))["Properties"]
                if self.logical_id_of("AWS::Lambda::Function", self._function_arn(version["FunctionName"])) != function:
                    raise HarnessError(f"alias {logical_id} points at a version of another function")
                return function
        return self.logical_id_of("AWS::Lambda::Function", arn)

    def _version_of(self, reference: Any) -> str:
        if isinstance(reference, dict) and "Fn::GetAtt" in reference:
            argument = reference["Fn::GetAtt"]
            logical_id = argument[0] if isinstance(argument, list) else argument.split(".", 1)[0]
            if self._resource(logical_id)["Type"] == "AWS::Lambda::Version":
                return logical_id
        raise HarnessError(f"an alias's FunctionVersion is not an AWS::Lambda::Version of the template: {reference}")

    # Functions

    def functions(self) -> dict[str, Function]:
        for logical_id, props in self._of_type("AWS::Lambda::Function").items():
            if logical_id not in self._functions:
                variables = self.resolve(props.get("Environment", {}).get("Variables", {}))
                self._functions[logical_id] = Function(
                    logical_id=logical_id,
                    name=self.physical_name(logical_id),
                    arn=self._get_att(logical_id, "Arn"),
                    handler=props["Handler"],
                    memory_mb=int(props.get("MemorySize", 128)),
                    environment={name: self._in_task(str(value)) for name, value in variables.items()},
                )
        return dict(self._functions)

    def function(self, logical_id: str) -> Function:
        functions = self.functions()
        if logical_id not in functions:
            raise HarnessError(f"no Lambda function {logical_id} in the template")
        return functions[logical_id]

    def functions_with_handler(self, handler: str) -> list[Function]:
        return [f for f in self.functions().values() if f.handler == handler]

    def _in_task(self, value: str) -> str:
        """Paths under the Lambda task root point into the synthesised asset (which holds e.g. the ODP schemas)."""
        if self.task_root is not None and (value == LAMBDA_TASK_ROOT or value.startswith(LAMBDA_TASK_ROOT + "/")):
            return str(self.task_root) + value[len(LAMBDA_TASK_ROOT) :]
        return value

    @contextmanager
    def _role_checked(self, logical_id: str, refused: list[str]) -> Iterator[None]:
        """Every AWS call of a client made meanwhile checked against the function's role (`tests/cdk/iam_check.py`):
        a call AWS would refuse raises AccessDeniedException and is noted in `refused`."""
        from unittest import mock

        from botocore.exceptions import ClientError

        from shared.aws import clients
        from tests.cdk.iam_check import RoleGrants, needs

        role = self._resource(logical_id)["Properties"]["Role"]["Fn::GetAtt"][0]
        grants = RoleGrants(self.template, role, self.resolve)
        made = clients.aws_client

        def check(model: Any, params: dict[str, Any], **_: Any) -> None:
            service = model.service_model.endpoint_prefix
            if service == "secretsmanager" and not str(params.get("SecretId", "")).startswith("arn:"):
                params = {**params, "SecretId": self._secret_arn(str(params.get("SecretId", "")))}
            refusal = grants.refusal(needs(service, model.name, params, self.region, ACCOUNT))
            if refusal is not None:
                refused.append(f"{refusal.action} on {refusal.resource} (keys {sorted(refusal.leading_keys or ())})")
                message = f"{logical_id} may not {refusal.action} on {refusal.resource}"
                raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": message}}, model.name)

        def checked_client(*args: Any, **kwargs: Any) -> Any:
            client = made(*args, **kwargs)
            client.meta.events.register("before-parameter-build", check)
            return client

        with mock.patch.object(clients, "aws_client", checked_client):
            yield

    def _secret_arn(self, name: str) -> str:
        for logical_id in self._of_type("AWS::SecretsManager::Secret"):
            if self.physical_name(logical_id) == name:
                return self._ref(logical_id)
        return name

    @contextmanager
    def running_as(self, logical_id: str) -> Iterator[Function]:
        """`os.environ` as the function sees it on Lambda, and fresh adapters (`shared.wiring.reset()`): what an
        operator's command run with the function's environment sees (`invoke` also checks the role's grants)."""
        from shared import wiring

        function = self.function(logical_id)
        saved = dict(os.environ)
        for name in list(os.environ):
            if name.startswith(_LAMBDA_PREFIXES):
                del os.environ[name]
        os.environ.update(
            {
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
                "AWS_LAMBDA_FUNCTION_NAME": function.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
                "LAMBDA_TASK_ROOT": str(self.task_root or LAMBDA_TASK_ROOT),
                "_HANDLER": function.handler,
                **function.environment,
            }
        )
        wiring.reset()
        try:
            yield function
        finally:
            os.environ.clear()
            os.environ.update(saved)
            wiring.reset()

    def invoke(self, logical_id: str, event: dict[str, Any], trigger: str, detail_type: str | None = None) -> Any:
        from shared.declarations import load_handler

        refused: list[str] = []
        with self._role_checked(logical_id, refused), self.running_as(logical_id) as function:
            if self.task_root is not None:
                module = function.handler.rpartition(".")[0].replace(".", "/")
                if not any((self.task_root / f"{module}{end}").is_file() for end in (".py", "/__init__.py")):
                    raise HarnessError(f"{function.handler}: the module is not in the Lambda asset {self.task_root}")
            handler = load_handler(function.handler)
            self.invocations.append(Invocation(logical_id, trigger, detail_type))
            context = LambdaContext(function.name, function.memory_mb, function.arn)
            try:
                answer = handler(copy.deepcopy(event), context)
            except Exception as error:
                if refused:
                    raise HarnessError(
                        f"{logical_id} made calls its role does not allow: {'; '.join(refused)}"
                    ) from error
                raise
        if refused:  # even if the handler swallowed the refusal
            raise HarnessError(f"{logical_id} made calls its role does not allow: {'; '.join(refused)}")
        return answer

    def _check_permission(
        self, logical_id: str, principal: str, source_arn: str, invoked_arn: str | None = None
    ) -> None:
        """Like Lambda's resource policy: some permission for this principal whose SourceArn matches the caller, on
        exactly what is invoked (a permission on the function does not cover its alias, nor the other way round)."""
        arn = self._get_att(logical_id, "Arn")
        targets = (arn, self.physical_name(logical_id)) if invoked_arn in (None, arn) else (invoked_arn,)
        for props in self._of_type("AWS::Lambda::Permission").values():
            if self.resolve(props["FunctionName"]) not in targets:
                continue
            if props.get("Principal") != principal or props.get("Action") not in ("lambda:InvokeFunction", "lambda:*"):
                continue
            pattern = self.resolve(props["SourceArn"]) if "SourceArn" in props else "*"
            if fnmatch.fnmatchcase(source_arn, pattern):
                return
        raise HarnessError(f"no AWS::Lambda::Permission lets {principal} ({source_arn}) invoke {logical_id}")

    # The REST API

    def _api(self) -> tuple[str, str, str]:
        """(logical id, API id, stage name) of the template's one REST API."""
        apis = self._of_type("AWS::ApiGateway::RestApi")
        if len(apis) != 1:
            raise HarnessError(f"expected one AWS::ApiGateway::RestApi, found {sorted(apis)}")
        [api] = apis
        stages = [
            p
            for p in self._of_type("AWS::ApiGateway::Stage").values()
            if self.resolve(p["RestApiId"]) == self._ref(api)
        ]
        if len(stages) != 1:
            raise HarnessError(f"expected one API stage, found {len(stages)}")
        return api, self._ref(api), str(stages[0]["StageName"])

    def _resource_paths(self, api: str) -> dict[str, str]:
        """API Gateway resource id → path, from the resources' parents and path parts."""
        root = self._get_att(api, "RootResourceId")
        parents = {
            self._ref(id): (self.resolve(p["ParentId"]), p["PathPart"])
            for id, p in self._of_type("AWS::ApiGateway::Resource").items()
            if self.resolve(p["RestApiId"]) == self._ref(api)
        }
        paths = {root: "/"}

        def path(resource_id: str, seen: tuple[str, ...] = ()) -> str:
            if resource_id in paths:
                return paths[resource_id]
            if resource_id not in parents or resource_id in seen:
                raise HarnessError(f"API resource {resource_id} has no parent chain to the root")
            parent, part = parents[resource_id]
            paths[resource_id] = path(parent, (*seen, resource_id)).rstrip("/") + "/" + part
            return paths[resource_id]

        for resource_id in parents:
            path(resource_id)
        return paths

    def methods(self) -> list[_Method]:
        api, api_id, _ = self._api()
        paths = self._resource_paths(api)
        found = []
        for logical_id, props in self._of_type("AWS::ApiGateway::Method").items():
            if self.resolve(props["RestApiId"]) != api_id:
                continue
            integration = props.get("Integration", {})
            if integration.get("Type") != "AWS_PROXY":
                raise HarnessError(f"{logical_id}: only Lambda proxy integrations are emulated")
            uri = _PROXY_URI.search(str(self.resolve(integration["Uri"])))
            if uri is None:
                raise HarnessError(f"{logical_id}: the integration URI names no Lambda function")
            authorizer = None
            if props.get("AuthorizationType") == "CUSTOM":
                authorizer = self.logical_id_of("AWS::ApiGateway::Authorizer", self.resolve(props["AuthorizerId"]))
            elif props.get("AuthorizationType", "NONE") != "NONE":
                raise HarnessError(f"{logical_id}: authorization {props['AuthorizationType']} is not emulated")
            resource = paths.get(self.resolve(props["ResourceId"]))
            if resource is None:
                raise HarnessError(f"{logical_id}: its resource is not part of the API")
            function = self.function_of(uri.group("arn"))
            found.append(_Method(logical_id, resource, props["HttpMethod"], authorizer, function, uri.group("arn")))
        return found

    def _route(self, method: str, path: str) -> tuple[_Method, dict[str, str]]:
        """The method API Gateway would pick: literal path parts before `{param}` before `{proxy+}`."""
        candidates = []
        for found in self.methods():
            if found.http_method not in (method, "ANY"):
                continue
            parameters = _match_resource(found.resource, path)
            if parameters is not None:
                rank = tuple(0 if "{" not in p else 2 if p.endswith("+}") else 1 for p in found.resource.split("/"))
                candidates.append((rank, found.http_method == "ANY", found, parameters))
        if not candidates:
            raise RouteNotFound(f"no API Gateway method for {method} {path} in the template")
        _, _, chosen, parameters = min(candidates, key=lambda c: (c[0], c[1]))
        return chosen, parameters

    def request(
        self,
        method: str,
        path: str,
        body: bytes | dict | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> Response:
        """One HTTP request through API Gateway as the template configures it."""
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        found, parameters = self._route(method.upper(), path)
        _, api_id, stage = self._api()
        event = proxy_event(
            method.upper(), path, found.resource, parameters, headers.items(), (query or {}).items(), body or b""
        )
        api_arn = f"arn:aws:execute-api:{self.region}:{ACCOUNT}:{api_id}"
        event["requestContext"].update(
            {"apiId": api_id, "accountId": ACCOUNT, "stage": stage, "path": f"/{stage}{path}"}
        )
        method_arn = f"{api_arn}/{stage}/{method.upper()}{path}"
        if found.authorizer is not None:
            denied = self._authorize(found.authorizer, event, method_arn, api_arn)
            if denied is not None:
                return denied
        self._check_permission(found.function, "apigateway.amazonaws.com", method_arn, found.invoked_arn)
        result = self.invoke(found.function, event, f"api:{method.upper()} {found.resource}")
        return Response(int(result["statusCode"]), dict(response_headers(result)), response_body(result))

    def _authorize(self, authorizer: str, event: dict[str, Any], method_arn: str, api_arn: str) -> Response | None:
        props = self._resource(authorizer)["Properties"]
        if props.get("Type") != "REQUEST":
            raise HarnessError(f"{authorizer}: only REQUEST authorizers are emulated")
        lowered = {name.lower(): value for name, value in (event["headers"] or {}).items()}
        for source in str(props.get("IdentitySource", "")).replace(",", " ").split():
            prefix = "method.request.header."
            if not source.startswith(prefix):
                raise HarnessError(f"{authorizer}: identity source {source} is not emulated")
            if not lowered.get(source[len(prefix) :].lower()):
                return _message(401, "Unauthorized")  # API Gateway does not even call the authorizer
        uri = _PROXY_URI.search(str(self.resolve(props["AuthorizerUri"])))
        if uri is None:
            raise HarnessError(f"{authorizer}: the authorizer URI names no Lambda function")
        function = self.function_of(uri.group("arn"))
        source = f"{api_arn}/authorizers/{self._ref(authorizer)}"
        self._check_permission(function, "apigateway.amazonaws.com", source, uri.group("arn"))
        try:
            policy = self.invoke(function, authorizer_request(event, method_arn), f"authorizer:{authorizer}")
        except Exception as error:
            if str(error) == "Unauthorized":
                return _message(401, "Unauthorized")
            raise
        if not policy_allows(policy, method_arn):
            return _message(403, "User is not authorized to access this resource")
        event["requestContext"]["authorizer"] = {
            **(policy.get("context") or {}),
            "principalId": policy["principalId"],
            "integrationLatency": 0,
        }
        return None

    # The Pipe and the bus

    def deliver(self, max_rounds: int = 50) -> int:
        """Publish every new stream record as the Pipe does, until the stream has nothing new; the number published."""
        published = 0
        for _ in range(max_rounds):
            batch = 0
            for pipe, props in self._of_type("AWS::Pipes::Pipe").items():
                for record in self._new_records(pipe, props):
                    self._publish(pipe, props, record)
                    batch += 1
            if batch == 0:
                return published
            published += batch
        raise HarnessError(f"subscribers kept appending events after {max_rounds} rounds")

    def _new_records(self, pipe: str, props: dict[str, Any]) -> Iterator[dict[str, Any]]:
        source = str(self.resolve(props["Source"]))
        if ":dynamodb:" not in source or "/stream/" not in source:
            raise HarnessError(f"{pipe}: only DynamoDB stream sources are emulated, not {source}")
        parameters = props.get("SourceParameters", {})
        start = parameters.get("DynamoDBStreamParameters", {}).get("StartingPosition", "LATEST")
        filters = [json.loads(f["Pattern"]) for f in parameters.get("FilterCriteria", {}).get("Filters", [])]
        shards = self.streams.describe_stream(StreamArn=source)["StreamDescription"]["Shards"]
        for shard in shards:
            key = (source, shard["ShardId"])
            if key not in self._iterators:
                self._iterators[key] = self.streams.get_shard_iterator(
                    StreamArn=source, ShardId=shard["ShardId"], ShardIteratorType=start
                )["ShardIterator"]
            while True:
                page = self.streams.get_records(ShardIterator=self._iterators[key])
                self._iterators[key] = page["NextShardIterator"]
                if not page["Records"]:
                    break
                for record in page["Records"]:
                    record = _stream_record_json(record, source)
                    if not filters or any(matches(f, record) for f in filters):
                        yield record

    def published(self) -> list[dict[str, Any]]:
        """The bus messages the Pipe makes of every new stream record, put on the bus but delivered to no rule (for a
        caller that invokes the subscribers itself, e.g. bench/cold_start.py)."""
        new = [
            self._bus_message(pipe, props, record)[1]
            for pipe, props in self._of_type("AWS::Pipes::Pipe").items()
            for record in self._new_records(pipe, props)
        ]
        self.published_so_far += new
        return new

    def _bus_message(self, pipe: str, props: dict[str, Any], record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Put one stream record on the Pipe's target bus: (the bus, the message its rules' targets receive)."""
        target = str(self.resolve(props["Target"]))
        if ":events:" not in target or ":event-bus/" not in target:
            raise HarnessError(f"{pipe}: only event bus targets are emulated, not {target}")
        parameters = props.get("TargetParameters", {}).get("EventBridgeEventBusParameters", {})
        detail_type = _json_path(record, parameters.get("DetailType", ""))
        source = _json_path(record, parameters.get("Source", ""))
        if not detail_type or not source:
            raise HarnessError(f"{pipe}: its target parameters give no detail-type or source for {record['eventID']}")
        detail = json.dumps(record)
        size = sum(len(part.encode()) for part in (source, detail_type, detail)) + 14
        if size > MAX_BUS_ENTRY_BYTES:
            raise HarnessError(f"{pipe}: a {detail_type} record of {size} bytes is over EventBridge's entry limit")
        put = self.events.put_events(
            Entries=[{"Source": source, "DetailType": detail_type, "Detail": detail, "EventBusName": target}]
        )
        if put["FailedEntryCount"]:
            raise HarnessError(f"{pipe}: the bus refused the event: {put['Entries']}")
        message = {
            "version": "0",
            "id": put["Entries"][0]["EventId"],
            "detail-type": detail_type,
            "source": source,
            "account": ACCOUNT,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [],
            "detail": record,
        }
        return target, message

    def _publish(self, pipe: str, props: dict[str, Any], record: dict[str, Any]) -> None:
        target, message = self._bus_message(pipe, props, record)
        for rule, rule_props in self._of_type("AWS::Events::Rule").items():
            if rule_props.get("State", "ENABLED") != "ENABLED":
                continue
            bus = str(self.resolve(rule_props.get("EventBusName", "default")))
            if bus not in (target, target.rsplit("/", 1)[-1]):
                continue
            pattern = rule_props.get("EventPattern")
            pattern = json.loads(pattern) if isinstance(pattern, str) else pattern
            if pattern is None or not matches(pattern, message):
                continue
            for rule_target in rule_props.get("Targets", []):
                self._deliver_to_target(rule, rule_target, message)

    def _deliver_to_target(self, rule: str, target: dict[str, Any], message: dict[str, Any]) -> None:
        arn = str(self.resolve(target["Arn"]))
        if ":lambda:" not in arn:
            raise HarnessError(f"{rule}: only Lambda targets are emulated, not {arn}")
        if "InputTransformer" in target or "InputPath" in target:
            raise HarnessError(f"{rule}: input transformers and paths are not emulated")
        event = json.loads(target["Input"]) if "Input" in target else message
        function = self.logical_id_of("AWS::Lambda::Function", arn)
        self._check_permission(function, "events.amazonaws.com", self._get_att(rule, "Arn"))
        self.invoke(function, event, f"rule:{rule}", message["detail-type"])

    # EventBridge Scheduler

    def run_schedule(self, schedule: str) -> Any:
        """One run of an `AWS::Scheduler::Schedule`: its Lambda target invoked with its `Input`, if the schedule is
        enabled and its role may be assumed by EventBridge Scheduler and allows `lambda:InvokeFunction` on the
        target (identity policies, unlike rules' resource policies)."""
        props = self._resource(schedule)["Properties"]
        if props.get("State", "ENABLED") != "ENABLED":
            raise HarnessError(f"{schedule} is disabled")
        target = props["Target"]
        arn = str(self.resolve(target["Arn"]))
        if ":lambda:" not in arn:
            raise HarnessError(f"{schedule}: only Lambda targets are emulated, not {arn}")
        role = self.logical_id_of("AWS::IAM::Role", str(self.resolve(target["RoleArn"])).rsplit("/", 1)[-1])
        trust = self._resource(role)["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if not any(s.get("Principal", {}).get("Service") == "scheduler.amazonaws.com" for s in trust):
            raise HarnessError(f"{schedule}: its role {role} cannot be assumed by EventBridge Scheduler")
        allowed = [
            statement
            for policy in self._of_type("AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Roles"]
            for statement in policy["PolicyDocument"]["Statement"]
            if statement["Effect"] == "Allow"
            and "lambda:InvokeFunction" in _listed(statement["Action"])
            and arn in {str(self.resolve(resource)) for resource in _listed(statement["Resource"])}
        ]
        if not allowed:
            raise HarnessError(f"{schedule}: its role {role} may not invoke {arn}")
        event = json.loads(target["Input"]) if "Input" in target else {}
        return self.invoke(self.logical_id_of("AWS::Lambda::Function", arn), event, f"schedule:{schedule}")

    # Looking at the state

    def scan(self, table_logical_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"TableName": self.physical_name(table_logical_id)}
        while True:
            page = self.dynamodb.scan(**query)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _message(status: int, message: str) -> Response:
    return Response(status, {"Content-Type": "application/json"}, json.dumps({"message": message}).encode())


def _match_resource(resource: str, path: str) -> dict[str, str] | None:
    """Path parameters when `path` falls under the API Gateway resource path, else None."""
    template = [part for part in resource.split("/") if part]
    actual = [part for part in path.split("/") if part]
    parameters: dict[str, str] = {}
    for index, part in enumerate(template):
        if part.startswith("{") and part.endswith("+}"):
            if index >= len(actual):
                return None
            parameters[part[1:-2]] = "/".join(actual[index:])
            return parameters
        if index >= len(actual):
            return None
        if part.startswith("{") and part.endswith("}"):
            parameters[part[1:-1]] = actual[index]
        elif part != actual[index]:
            return None
    return parameters if len(actual) == len(template) else None


def _stream_record_json(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A stream record as the Pipe sends it (JSON: the creation time as epoch seconds, the stream's ARN)."""
    record = copy.deepcopy(record)
    created = record["dynamodb"].get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
    record["eventSourceARN"] = stream_arn
    return record


def _json_path(document: Any, path: str) -> Any:
    """A Pipes target parameter: `$.a.b.c` is read from the record; anything else is a literal."""
    if not path.startswith("$."):
        return path
    value = document
    for part in path[2:].split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


_MISSING = object()


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """EventBridge (and Pipes filter) pattern matching for what the stack uses: lists of exact values under nested
    keys, and the `prefix`, `exists` and `anything-but` operators. Anything else is a HarnessError."""
    for key, expected in pattern.items():
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if not isinstance(value, dict) or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not any(_matches_value(condition, value) for condition in expected):
                return False
        else:
            raise HarnessError(f"pattern value for {key!r} must be a list or an object, not {expected!r}")
    return True


def _matches_value(condition: Any, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if not isinstance(condition, dict):
        return any(v is not _MISSING and v == condition for v in values)
    [(operator, argument)] = condition.items()
    if operator == "exists":
        return (value is not _MISSING) == bool(argument)
    if operator == "prefix":
        return any(isinstance(v, str) and v.startswith(argument) for v in values)
    if operator == "anything-but":
        excluded = argument if isinstance(argument, list) else [argument]
        return value is not _MISSING and all(v not in excluded for v in values)
    raise HarnessError(f"the harness does not emulate the {operator!r} pattern operator")


def without(template: Template, logical_id: str) -> Template:
    """A copy of the template without one resource, and without what only referred to it (its Lambda permissions;
    CloudFormation would refuse the dangling references), as if the construct had never been added."""
    copied = copy.deepcopy(template)
    resources = copied["Resources"]
    if logical_id not in resources:
        raise HarnessError(f"{logical_id} is not in the template")
    del resources[logical_id]
    for id, resource in list(resources.items()):
        text = json.dumps(resource.get("Properties", {}))
        if resource["Type"] == "AWS::Lambda::Permission" and (
            f'"Ref": "{logical_id}"' in text or f'"Fn::GetAtt": ["{logical_id}"' in text
        ):
            del resources[id]
    for resource in resources.values():
        depends = resource.get("DependsOn")
        if isinstance(depends, list):
            resource["DependsOn"] = [d for d in depends if d in resources]
        elif isinstance(depends, str) and depends not in resources:
            del resource["DependsOn"]
    return copied
