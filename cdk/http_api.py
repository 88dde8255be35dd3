"""The council's REST API: one method per declared route, each a Lambda proxy integration of the function that
declared it; API-key routes go through one REQUEST authorizer (the Authorization header, cached for at most a
minute, so a revoked key stops working within a minute); officer routes go through the same function as a second,
uncached REQUEST authorizer (officer tokens)."""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk.functions import LOG_RETENTION
from cdk.nag import acknowledge
from shared.apigateway import STAGE
from shared.declarations import Route

AUTHORIZER_CACHE_TTL = Duration.seconds(60)
OFFICER_AUTHORIZER_CACHE_TTL = Duration.seconds(0)  # at most a minute; none, so the cookie can carry the token
THROTTLING_RATE_LIMIT = 50  # requests per second across the stage; a council's traffic is far below this
THROTTLING_BURST_LIMIT = 100
_PATH_PARAMETER = re.compile(r"\{(\w+)\+?\}")
# What API Gateway allows in a resource's path part; a literal segment with anything else (ODP's `@next`) becomes a
# path variable there, and the function's resolver, which routes on the request's real path, matches it exactly.
_RESOURCE_PART = re.compile(r"^(\{\w+\+?\}|[a-zA-Z0-9:._$-]+)$")


def resource_path(path: str) -> str:
    """The API Gateway resource path of a declared route (`/api/@next/public/feed` → `/api/{literal2}/public/feed`)."""
    parts = path.split("/")
    return "/".join(
        part if not part or _RESOURCE_PART.match(part) else f"{{literal{index}}}" for index, part in enumerate(parts)
    )


class CouncilApi(Construct):
    def __init__(self, scope: Construct, id: str, *, api_name: str, authorizer_function: lambda_.IFunction) -> None:
        super().__init__(scope, id)
        access_logs = logs.LogGroup(self, "AccessLogs", retention=LOG_RETENTION)
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=api_name,
            description="The council's planning APIs, generated from the services' declared routes",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Every body reaches the functions as sent (base64, `isBase64Encoded`), and a function's base64 answer
            # reaches the client as bytes: uploads (multipart forms, PDFs, images) and the pages' fonts and images
            # would otherwise be mangled as text. The handlers decode base64 bodies, as `bops serve` sends some too.
            binary_media_types=["*/*"],
            cloud_watch_role=True,  # API Gateway needs the account-level role to write access and execution logs
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request bodies hold personal data: never log them
                throttling_rate_limit=THROTTLING_RATE_LIMIT,
                throttling_burst_limit=THROTTLING_BURST_LIMIT,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
            ),
        )
        self.authorizer_function = authorizer_function
        self._authorizer: apigw.RequestAuthorizer | None = None
        self._officer_authorizer: apigw.RequestAuthorizer | None = None
        self._invocable: set[str] = set()  # functions the API may already invoke (one permission each)
        # Checks the declared path parameters are present; bodies have no API Gateway model (the handlers validate
        # ODP submissions against the full JSON schemas, which API Gateway's draft-04 models cannot express).
        self.validator = self.api.add_request_validator(
            "Basic", validate_request_parameters=True, validate_request_body=True
        )
        acknowledge(
            self.api,
            "APIG3",
            "No WAF web ACL: the AWS managed common rule set blocks request bodies over 8 KB and ODP submissions are "
            "larger; API-key routes are authorised by the Lambda authorizer and the stage is throttled.",
        )
        acknowledge(
            self.api,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level logging role: AWS's policy for exactly this role, granting log delivery only.",
        )

    @property
    def authorizer(self) -> apigw.RequestAuthorizer:
        """The one authorizer of every API-key route (created with the first such route)."""
        if self._authorizer is None:
            self._authorizer = apigw.RequestAuthorizer(
                self,
                "ApiKeyAuthorizer",
                handler=self.authorizer_function,
                identity_sources=[apigw.IdentitySource.header("Authorization")],
                results_cache_ttl=AUTHORIZER_CACHE_TTL,
            )
        return self._authorizer

    @property
    def officer_authorizer(self) -> apigw.RequestAuthorizer:
        """The same function, for officer routes: not cached (no identity source), because the token may come in the
        Authorization header or in the console's cookie, and a deactivation or role change applies at once."""
        if self._officer_authorizer is None:
            self._officer_authorizer = apigw.RequestAuthorizer(
                self,
                "OfficerAuthorizer",
                handler=self.authorizer_function,
                identity_sources=[],
                results_cache_ttl=OFFICER_AUTHORIZER_CACHE_TTL,
            )
            # No identity source at all (CDK writes an empty one): API Gateway calls the authorizer on every request.
            cfn = self._officer_authorizer.node.default_child
            assert isinstance(cfn, apigw.CfnAuthorizer)
            cfn.add_property_deletion_override("IdentitySource")
        return self._officer_authorizer

    def _integration(self, function: lambda_.IFunction) -> apigw.Integration:
        """A Lambda proxy integration, with one invoke permission per function for the whole API.

        CDK's `LambdaIntegration` adds a permission per method: with a hundred routes that alone would take the stack
        past CloudFormation's 500 resources, so the permission is granted once per function instead (scoped to this
        API's stage, any method and path)."""
        key = function.node.path
        if key not in self._invocable:
            self._invocable.add(key)
            function.add_permission(
                f"Api{len(self._invocable)}Invoke",
                principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
                source_arn=self.api.arn_for_execute_api(stage=STAGE),
            )
        uri = Stack.of(self).format_arn(
            service="apigateway",
            account="lambda",
            resource="path/2015-03-31/functions",
            resource_name=f"{function.function_arn}/invocations",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        return apigw.Integration(type=apigw.IntegrationType.AWS_PROXY, integration_http_method="POST", uri=uri)

    def add_route(self, route: Route, function: lambda_.IFunction) -> apigw.Method:
        resource = self.api.root.resource_for_path(resource_path(route.path))
        parameters = {f"method.request.path.{name}": True for name in _PATH_PARAMETER.findall(route.path)}
        integration = self._integration(function)
        validation: dict[str, Any] = {"request_parameters": parameters, "request_validator": self.validator}
        if route.auth == "api_key":
            method = resource.add_method(
                route.method,
                integration,
                authorizer=self.authorizer,
                authorization_type=apigw.AuthorizationType.CUSTOM,
                **(validation if parameters else {}),
            )
            acknowledge(
                method,
                "COG4",
                "API clients authenticate with per-council API keys checked by the Lambda REQUEST authorizer "
                "(hashed keys in the read model, scopes per route); there are no Cognito users for machine clients.",
            )
        elif route.auth == "officer":
            method = resource.add_method(
                route.method,
                integration,
                authorizer=self.officer_authorizer,
                authorization_type=apigw.AuthorizationType.CUSTOM,
                **(validation if parameters else {}),
            )
            acknowledge(
                method,
                "COG4",
                "Officers sign in against the council's Cognito user pool, but the API takes the product's own "
                "short-lived token, checked by the Lambda REQUEST authorizer with the officer's current role and "
                "active flag from the officers read model (so deactivation applies at the next request).",
            )
        elif route.auth == "public":
            method = resource.add_method(route.method, integration, **(validation if parameters else {}))
            acknowledge(
                method,
                "APIG4",
                f"{route.method} {route.path} is public by declaration (auth='public'): published planning "
                "information and API documentation that anyone may read.",
            )
            acknowledge(
                method,
                "COG4",
                f"{route.method} {route.path} is public by declaration (auth='public'); nobody signs in to read it.",
            )
        else:
            raise ValueError(f"{route.method} {route.path}: auth {route.auth!r} has no API Gateway wiring yet")
        return method
