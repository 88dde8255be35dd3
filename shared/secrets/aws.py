"""Secrets in AWS Secrets Manager, one secret per name under a prefix (e.g. `bops/DEMO/`)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.secrets.port import check_secret_name, check_secret_value


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


class SecretsManagerSecrets:
    """`client` is a boto3 `secretsmanager` client, passed in so tests and callers choose region and credentials."""

    def __init__(self, client: Any, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"

    def _id(self, name: str) -> str:
        return self.prefix + check_secret_name(name)

    def get(self, name: str) -> str | None:
        try:
            response = self.client.get_secret_value(SecretId=self._id(name))
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return None
            raise
        return response.get("SecretString")

    def put(self, name: str, value: str) -> None:
        secret_id = self._id(name)
        check_secret_value(value)
        try:
            self.client.put_secret_value(SecretId=secret_id, SecretString=value)
            return
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise
        try:
            self.client.create_secret(Name=secret_id, SecretString=value)
        except ClientError as error:
            if _code(error) != "ResourceExistsException":
                raise
            self.client.put_secret_value(SecretId=secret_id, SecretString=value)  # another writer created it first

    def delete(self, name: str) -> None:
        try:
            self.client.delete_secret(SecretId=self._id(name), ForceDeleteWithoutRecovery=True)
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise
