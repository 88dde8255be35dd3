from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from shared.secrets.aws import SecretsManagerSecrets
from tests.aws_support import lean_client
from tests.secrets.contract import SecretStoreContract

REGION = "eu-west-2"


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def client():
    return lean_client("secretsmanager", REGION)


class TestSecretsManagerSecrets(SecretStoreContract):
    def make_store(self):
        return SecretsManagerSecrets(client(), "bops/DEMO/")

    def reopen(self, store):
        return SecretsManagerSecrets(client(), store.prefix)


def test_secrets_live_under_the_prefix():
    SecretsManagerSecrets(client(), "bops/DEMO").put("officer-password/o-1", "hash")
    assert client().get_secret_value(SecretId="bops/DEMO/officer-password/o-1")["SecretString"] == "hash"


def test_prefixes_keep_councils_apart():
    demo, buc = SecretsManagerSecrets(client(), "bops/DEMO/"), SecretsManagerSecrets(client(), "bops/BUC/")
    demo.put("notify-api-key", "demo-key")
    assert buc.get("notify-api-key") is None
    buc.delete("notify-api-key")
    assert demo.get("notify-api-key") == "demo-key"


def test_delete_is_immediate_and_without_recovery():
    store = SecretsManagerSecrets(client(), "bops/DEMO/")
    store.put("link-secret", "a")
    store.delete("link-secret")
    assert boto3.client("secretsmanager", region_name=REGION).list_secrets()["SecretList"] == []


class DeniedClient:
    """Every call is refused, as with a role that lacks the permission."""

    def __getattr__(self, operation):
        def call(**kwargs):
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, operation)

        return call


@pytest.mark.parametrize("call", [lambda s: s.get("x"), lambda s: s.put("x", "v"), lambda s: s.delete("x")])
def test_other_errors_are_not_hidden(call):
    with pytest.raises(ClientError, match="AccessDeniedException"):
        call(SecretsManagerSecrets(DeniedClient(), "bops/DEMO/"))
