"""cdk-nag acknowledgements: every one names the rule (and the finding, for IAM5) and says why it does not apply."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnResource, Stack, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one AwsSolutions rule (e.g. `APIG4`, or `IAM5[Resource::*]`) on a construct and its children."""
    Validations.of(construct).acknowledge(Acknowledgment(id=f"AwsSolutions-{rule}", reason=reason))


def arn_pattern(resource: IConstruct, suffix: str) -> str:
    """How cdk-nag spells `<resource's ARN><suffix>` in an IAM5 finding, e.g. `<DocumentsBucketAB12.Arn>/*`."""
    cfn = resource.node.default_child if not isinstance(resource, CfnResource) else resource
    assert isinstance(cfn, CfnResource), f"{resource.node.path} has no CloudFormation resource"
    stack = Stack.of(cfn)
    return f"<{stack.resolve(stack.get_logical_id(cfn))}.Arn>{suffix}"


XRAY_REASON = (
    "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions (the service authorization "
    "reference lists only `*`); CDK adds exactly these two actions for active tracing."
)
