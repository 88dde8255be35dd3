"""Alarms that need a person: any dead letter, any function error, any API server error. They notify an encrypted
SNS topic (the council's admin e-mail is subscribed when the deployment config gives one)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = Duration.minutes(1)


class Alarms(Construct):
    def __init__(self, scope: Construct, id: str, *, email: str | None) -> None:
        super().__init__(scope, id)
        # CloudWatch can only publish to an encrypted topic whose key lets it: hence a key of our own.
        key = kms.Key(self, "TopicKey", enable_key_rotation=True, description="Encrypts the alarm topic")
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey")
        self.topic = sns.Topic(self, "Topic", master_key=key, enforce_ssl=True, display_name="BOPS alarms")
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.alarms: list[cloudwatch.Alarm] = []

    def _alarm(self, id: str, metric: cloudwatch.IMetric, description: str) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            id,
            metric=metric,
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm

    def dead_letters(self, id: str, queue: sqs.IQueue, what: str) -> cloudwatch.Alarm:
        metric = queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
        return self._alarm(f"{id}DeadLetters", metric, f"{what}: messages are waiting in the dead-letter queue")

    def errors(self, id: str, function: lambda_.IFunction, what: str) -> cloudwatch.Alarm:
        return self._alarm(f"{id}Errors", function.metric_errors(period=PERIOD, statistic="Sum"), f"{what} failed")

    def server_errors(self, api: apigw.RestApi) -> cloudwatch.Alarm:
        return self._alarm(
            "ApiServerErrors", api.metric_server_error(period=PERIOD, statistic="Sum"), "The API answered 5xx"
        )
