"""Secrets in AWS Secrets Manager, one secret per name under a prefix (e.g. `bops/DEMO/`)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shared.aws.errors import error_code
from shared.secrets.port import check_secret_name, check_secret_value


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
            if error_code(error) == "ResourceNotFoundException":
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
            if error_code(error) != "ResourceNotFoundException":
                raise
        try:
            self.client.create_secret(Name=secret_id, SecretString=value)
        except ClientError as error:
            if error_code(error) != "ResourceExistsException":
                raise
            self.client.put_secret_value(SecretId=secret_id, SecretString=value)  # another writer created it first

    def put_if_absent(self, name: str, value: str) -> str:
        """`CreateSecret` is the atomic step: it fails with ResourceExistsException when the name is taken, and the
        stored value is read back then."""
        secret_id = self._id(name)
        check_secret_value(value)
        try:
            self.client.create_secret(Name=secret_id, SecretString=value)
            return value
        except ClientError as error:
            if error_code(error) != "ResourceExistsException":
                raise
        stored = self.get(name)
        if stored is None:  # created without a value, or deleted since: set ours as `put` would
            self.put(name, value)
            return self.get(name) or value
        return stored

    def delete(self, name: str) -> None:
        try:
            self.client.delete_secret(SecretId=self._id(name), ForceDeleteWithoutRecovery=True)
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
