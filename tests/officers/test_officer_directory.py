"""The officer directory's contract, run against both adapters: argon2 hashes in the secrets store (embedded) and a
council's Cognito user pool (AWS, emulated by moto)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from services.councils.officer_directory import (
    CognitoOfficerDirectory,
    DirectoryEntry,
    LocalOfficerDirectory,
    OfficerDirectory,
)
from shared.secrets.memory import InMemorySecrets
from tests.aws_support import REGION, lean_client
from tests.councils.support import fast_hasher
from tests.officers.directory_support import create_officer_pool

ANN = DirectoryEntry("DEMO", "officer-ann", "Ann@Demo.example", "Ann Assessor", "assessor")
BOB = DirectoryEntry("DEMO", "officer-bob", "bob@demo.example", "Bob Reviewer", "reviewer")
PASSWORD = "correct horse battery"


@pytest.fixture(params=["local", "cognito"])
def directory(request) -> Iterator[tuple[OfficerDirectory, object]]:
    if request.param == "local":
        yield LocalOfficerDirectory(InMemorySecrets(), fast_hasher()), None
        return
    with mock_aws():
        pool, app = create_officer_pool(boto3.client("cognito-idp", region_name=REGION), "DEMO")
        yield CognitoOfficerDirectory(lean_client("cognito-idp"), "DEMO", pool, app), pool


def test_the_right_password_authenticates_and_nothing_else_does(directory):
    directory, _ = directory
    directory.add(ANN, PASSWORD)
    directory.add(BOB, "another password")
    assert directory.authenticate("DEMO", ANN.officer_id, ANN.email, PASSWORD)
    assert directory.authenticate("DEMO", ANN.officer_id, "ann@demo.example", PASSWORD)  # e-mail without case
    assert not directory.authenticate("DEMO", ANN.officer_id, ANN.email, PASSWORD + "!")
    assert not directory.authenticate("DEMO", ANN.officer_id, ANN.email, "")
    assert not directory.authenticate("DEMO", BOB.officer_id, BOB.email, PASSWORD)  # another officer's password
    assert not directory.authenticate("DEMO", None, "nobody@demo.example", PASSWORD)  # unknown e-mail
    assert not directory.authenticate("DEMO", None, ANN.email, PASSWORD)  # not an officer of the council's stream


def test_an_account_without_a_password_cannot_sign_in_until_one_is_set(directory):
    directory, _ = directory
    directory.add(ANN, None)
    assert not directory.authenticate("DEMO", ANN.officer_id, ANN.email, PASSWORD)
    directory.set_password(ANN, PASSWORD)
    assert directory.authenticate("DEMO", ANN.officer_id, ANN.email, PASSWORD)


def test_a_disabled_account_cannot_sign_in(directory):
    directory, _ = directory
    directory.add(ANN, PASSWORD)
    directory.disable(ANN)
    assert not directory.authenticate("DEMO", ANN.officer_id, ANN.email, PASSWORD)


def test_a_role_change_keeps_the_account_signing_in(directory):
    directory, _ = directory
    directory.add(ANN, PASSWORD)
    directory.change_role(_as(ANN, "reviewer"))
    assert directory.authenticate("DEMO", ANN.officer_id, ANN.email, PASSWORD)


def _as(officer: DirectoryEntry, role: str) -> DirectoryEntry:
    return DirectoryEntry(officer.council, officer.officer_id, officer.email, officer.name, role)


def test_the_user_pool_keeps_the_role_as_the_one_group_of_the_user():
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool, app = create_officer_pool(client, "DEMO")
        directory = CognitoOfficerDirectory(lean_client("cognito-idp"), "DEMO", pool, app)
        directory.add(ANN, PASSWORD)

        def groups() -> list[str]:
            answer = client.admin_list_groups_for_user(UserPoolId=pool, Username="ann@demo.example")
            return [group["GroupName"] for group in answer["Groups"]]

        assert groups() == ["assessor"]
        directory.change_role(_as(ANN, "administrator"))
        assert groups() == ["administrator"]
        user = client.admin_get_user(UserPoolId=pool, Username="ann@demo.example")
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        assert attributes["email"] == "ann@demo.example" and attributes["name"] == "Ann Assessor"
        assert user["UserStatus"] == "CONFIRMED"  # a permanent password: no change forced at first sign-in
        # Another council's officer is never written into this council's pool, nor checked against it.
        with pytest.raises(ValueError, match="council DEMO"):
            directory.add(DirectoryEntry("LBH", "x", "x@lbh.example", "X", "assessor"), PASSWORD)
        assert not directory.authenticate("LBH", ANN.officer_id, ANN.email, PASSWORD)
