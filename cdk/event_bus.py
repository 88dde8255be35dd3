"""Publishing from the log: the event table's stream → one EventBridge Pipe → the council's bus → one rule per
declared subscription → its Lambda function. Only the pipe publishes (the table is the outbox: no dual writes).

Dead letters: the pipe has an SQS queue for stream records it could not put on the bus; every subscription has one
queue that receives both the events its rule could not deliver and the events its function failed on after Lambda's
asynchronous retries. Each queue's message body is the bus event itself, ready to be sent to the function again.
"""

from __future__ import annotations

import json

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk.functions import LOG_RETENTION
from cdk.nag import acknowledge
from shared.bus.messages import BUS_SOURCE
from shared.declarations import Subscription
from shared.eventstore.dynamodb_table import EVENT_TYPE

DETAIL_TYPE_PATH = f"$.dynamodb.NewImage.{EVENT_TYPE}.S"  # the bus event's detail-type is the stored event type
PIPE_BATCH_SIZE = 10  # PutEvents takes at most 10 entries
PIPE_MAX_RETRIES = 10
RULE_MAX_EVENT_AGE = Duration.hours(24)  # EventBridge's own ceiling
RULE_RETRY_ATTEMPTS = 185  # EventBridge's own ceiling: delivery is retried with back-off for a day
FUNCTION_MAX_EVENT_AGE = Duration.hours(6)
FUNCTION_RETRY_ATTEMPTS = 2  # Lambda's asynchronous retries after a handler error, then the queue
DLQ_RETENTION = Duration.days(14)  # SQS's maximum: two weeks to notice the alarm and redrive


def dead_letter_queue(scope: Construct, id: str, what: str) -> sqs.Queue:
    queue = sqs.Queue(
        scope,
        id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,  # EventBridge and Pipes can write SSE-SQS without a key policy
        enforce_ssl=True,
        retention_period=DLQ_RETENTION,
    )
    acknowledge(
        queue,
        "SQS3",
        f"This queue is itself the dead-letter queue of {what}; a queue of dead letters has nowhere further to go "
        "and is watched by a CloudWatch alarm instead.",
    )
    return queue


class EventPublishing(Construct):
    """The bus and the pipe that feeds it from the event table's stream."""

    def __init__(self, scope: Construct, id: str, *, table: dynamodb.Table, bus_name: str) -> None:
        super().__init__(scope, id)
        if table.table_stream_arn is None:
            raise ValueError("the event table needs a stream for the pipe to read")
        self.bus = events.EventBus(self, "Bus", event_bus_name=bus_name, description="Every recorded event")
        self.dead_letters = dead_letter_queue(self, "PipeDeadLetters", "the event table's pipe (stream records)")
        log_group = logs.LogGroup(self, "PipeLogs", retention=LOG_RETENTION)

        role = iam.Role(self, "PipeRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                resources=[table.table_stream_arn],
            )
        )
        role.add_to_policy(iam.PolicyStatement(actions=["events:PutEvents"], resources=[self.bus.event_bus_arn]))
        role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dead_letters.queue_arn]))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )

        self.pipe = pipes.CfnPipe(
            self,
            "Pipe",
            description="Event table stream to the bus: the only publisher",
            role_arn=role.role_arn,
            source=table.table_stream_arn,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                dynamo_db_stream_parameters=pipes.CfnPipe.PipeSourceDynamoDBStreamParametersProperty(
                    starting_position="TRIM_HORIZON",  # nothing recorded before the pipe started is skipped
                    batch_size=PIPE_BATCH_SIZE,
                    maximum_batching_window_in_seconds=0,
                    maximum_retry_attempts=PIPE_MAX_RETRIES,
                    on_partial_batch_item_failure="AUTOMATIC_BISECT",
                    dead_letter_config=pipes.CfnPipe.DeadLetterConfigProperty(arn=self.dead_letters.queue_arn),
                ),
                # Events are only ever inserted; anything else on the stream is not an event being recorded.
                filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                    filters=[pipes.CfnPipe.FilterProperty(pattern=json.dumps({"eventName": ["INSERT"]}))]
                ),
            ),
            target=self.bus.event_bus_arn,
            target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
                event_bridge_event_bus_parameters=pipes.CfnPipe.PipeTargetEventBridgeEventBusParametersProperty(
                    detail_type=DETAIL_TYPE_PATH, source=BUS_SOURCE
                )
            ),
            log_configuration=pipes.CfnPipe.PipeLogConfigurationProperty(
                level="ERROR",
                cloudwatch_logs_log_destination=pipes.CfnPipe.CloudwatchLogsLogDestinationProperty(
                    log_group_arn=log_group.log_group_arn
                ),
            ),
        )
        # Pipes checks its role's permissions when it is created: create the policy first.
        self.pipe.node.add_dependency(role.node.find_child("DefaultPolicy"))

    def subscribe(self, subscription: Subscription, function: lambda_.Function, queue: sqs.IQueue) -> events.Rule:
        """One rule for one declared subscription: its event types, its function, its dead-letter queue."""
        return events.Rule(
            self,
            f"Rule-{subscription.name}",
            event_bus=self.bus,
            # EventBridge takes at most 512 characters: a long list of event types is cut short
            description=f"{subscription.name}: {', '.join(subscription.event_types)}"[:512],
            event_pattern=events.EventPattern(source=[BUS_SOURCE], detail_type=list(subscription.event_types)),
            targets=[
                targets.LambdaFunction(
                    function,
                    dead_letter_queue=queue,
                    max_event_age=RULE_MAX_EVENT_AGE,
                    retry_attempts=RULE_RETRY_ATTEMPTS,
                )
            ],
        )
