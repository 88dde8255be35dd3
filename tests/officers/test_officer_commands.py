"""Officers' roles change by a command and an event; the officers read model follows every officer event; `bops
officers` changes roles, deactivates and rotates the token key; on AWS it makes the Cognito user besides the event."""

from __future__ import annotations

import json
import sqlite3

import boto3
import pytest
from click.testing import CliRunner

from bops.cli import main
from events.council import CouncilCreated, OfficerCreated, OfficerDeactivated, OfficerRoleChanged
from services.councils import commands
from services.councils.errors import OfficerAlreadyInactive, UnchangedRole, UnknownOfficer
from services.councils.officer_projection import OfficerProjection
from services.councils.officer_tokens import key_secret_name, parse_ring
from shared.projections.projector import Projector
from shared.projections.sqlite_store import SqliteReadModelStore
from tests.aws_support import REGION
from tests.councils.support import demo_council, recorded, then
from tests.officers.directory_support import create_officer_pool

ANN = OfficerCreated(officer_id="ann", email="ann@demo.example", name="Ann", role="assessor")


def test_a_role_change_is_an_event_that_the_state_follows():
    state = then(demo_council(), [ANN])
    [changed] = commands.change_officer_role(state, "ann", "reviewer")
    assert changed == OfficerRoleChanged(officer_id="ann", role="reviewer", previous_role="assessor")
    assert then(state, [changed]).officers["ann"].role == "reviewer"


def test_a_role_change_is_refused_when_it_changes_nothing_or_the_officer_cannot_have_one():
    state = then(demo_council(), [ANN])
    with pytest.raises(UnchangedRole):
        commands.change_officer_role(state, "ann", "assessor")
    with pytest.raises(UnknownOfficer):
        commands.change_officer_role(state, "bob", "reviewer")
    with pytest.raises(ValueError, match="role must be one of"):
        commands.change_officer_role(state, "ann", "superuser")
    with pytest.raises(OfficerAlreadyInactive):
        commands.change_officer_role(then(state, [OfficerDeactivated(officer_id="ann")]), "ann", "reviewer")


def test_the_read_model_holds_each_officer_s_current_role_and_active_flag(tmp_path):
    store = SqliteReadModelStore(tmp_path / "readmodels.sqlite")
    events = recorded(
        [
            CouncilCreated(code="DEMO", name="Demo Council", slug="demo"),
            ANN,
            OfficerRoleChanged(officer_id="ann", role="administrator", previous_role="assessor"),
            OfficerDeactivated(officer_id="ann"),
        ]
    )
    projector = Projector(OfficerProjection(), store, lambda: None)  # type: ignore[arg-type, return-value]
    projector.handle(events[0])  # not an officer event: no document
    assert list(store.documents("officers")) == []
    events = events[1:]
    projector.handle(events[0])
    assert store.get("officers", "DEMO/ann")[0] == {
        "council": "DEMO",
        "officer_id": "ann",
        "email": "ann@demo.example",
        "name": "Ann",
        "role": "assessor",
        "active": True,
    }
    projector.handle(events[1])
    assert store.get("officers", "DEMO/ann")[0]["role"] == "administrator"
    projector.handle(events[2])
    projector.handle(events[2])  # a duplicate changes nothing
    document = store.get("officers", "DEMO/ann")[0]
    assert (document["role"], document["active"]) == ("administrator", False)


@pytest.fixture
def bops(tmp_path):
    runner = CliRunner()

    def run(*args: str, expect: int = 0):
        result = runner.invoke(main, [*args, "--data-dir", str(tmp_path / "data")], catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result

    run.data_dir = tmp_path / "data"
    return run


def officers_read_model(data_dir) -> dict[str, dict]:
    with sqlite3.connect(data_dir / "readmodels.sqlite") as connection:
        rows = connection.execute("SELECT key, document FROM read_model_documents WHERE projection = 'officers'")
        return {key: json.loads(document) for key, document in rows}


def test_bops_officers_set_role_deactivate_and_rotate_signing_key(bops):
    bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    created = json.loads(
        bops(
            "officers",
            "create",
            "--council",
            "LBH",
            "--email",
            "ann@lbh.example",
            "--name",
            "Ann",
            "--role",
            "assessor",
            "--password",
            "a long password",
            "--json",
        ).output
    )
    key = f"LBH/{created['id']}"
    assert officers_read_model(bops.data_dir)[key]["role"] == "assessor"  # at once, not when the relay runs
    bops("officers", "set-role", "--council", "LBH", "--email", "ANN@lbh.example", "--role", "reviewer")
    assert officers_read_model(bops.data_dir)[key]["role"] == "reviewer"
    assert (
        "already a reviewer"
        in bops(
            "officers", "set-role", "--council", "LBH", "--email", "ann@lbh.example", "--role", "reviewer", expect=1
        ).output
    )
    assert (
        "no officer"
        in bops(
            "officers", "set-role", "--council", "LBH", "--email", "bob@lbh.example", "--role", "reviewer", expect=1
        ).output
    )
    bops("officers", "deactivate", "--council", "LBH", "--email", "ann@lbh.example")
    assert officers_read_model(bops.data_dir)[key]["active"] is False

    from shared.secrets import LocalSecretsFile

    secrets = LocalSecretsFile(bops.data_dir / "secrets.json")
    assert secrets.get(f"officer-password/{created['id']}") is None  # deactivation removed the hash
    first = json.loads(bops("officers", "rotate-signing-key", "--council", "LBH", "--json").output)
    second = json.loads(bops("officers", "rotate-signing-key", "--council", "LBH", "--json").output)
    ring = [key.id for key in parse_ring(secrets.get(key_secret_name("LBH")))]
    assert ring == [second["key_id"], first["key_id"]]  # the previous key keeps verifying for a while
    assert "council code" in bops("officers", "rotate-signing-key", "--council", "nope", expect=1).output


def test_on_aws_bops_officers_create_makes_the_cognito_user_in_its_role_s_group(monkeypatch, tmp_path, aws):
    from shared.eventstore.dynamodb_table import create_event_table
    from shared.projections.dynamodb_store import create_read_model_table

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_event_table(dynamodb, "events")
    create_read_model_table(dynamodb, "read-models")
    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool, app = create_officer_pool(cognito, "LBH")
    for name, value in {
        "BOPS_RUNTIME": "aws",
        "BOPS_REGION": REGION,
        "BOPS_COUNCIL": "LBH",
        "BOPS_EVENT_TABLE": "events",
        "BOPS_READ_MODEL_TABLE": "read-models",
        "BOPS_SECRETS_PREFIX": "bops/LBH/",
        "BOPS_OFFICER_USER_POOL_ID": pool,
        "BOPS_OFFICER_USER_POOL_CLIENT_ID": app,
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, [*args, "--data-dir", str(tmp_path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    run(
        "officers",
        "create",
        "--council",
        "LBH",
        "--email",
        "Ann@LBH.example",
        "--name",
        "Ann",
        "--role",
        "assessor",
        "--password",
        "a long password",
    )
    user = cognito.admin_get_user(UserPoolId=pool, Username="ann@lbh.example")
    assert user["UserStatus"] == "CONFIRMED" and user["Enabled"]
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ann@lbh.example")["Groups"]
    assert [group["GroupName"] for group in groups] == ["assessor"]
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=app,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann@lbh.example", "PASSWORD": "a long password"},
    )
    assert "AuthenticationResult" in signed_in
    secrets = boto3.client("secretsmanager", region_name=REGION).list_secrets()["SecretList"]
    assert not any("officer-password" in secret["Name"] for secret in secrets)  # no hash beside the pool
    run("officers", "set-role", "--council", "LBH", "--email", "ann@lbh.example", "--role", "reviewer")
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ann@lbh.example")["Groups"]
    assert [group["GroupName"] for group in groups] == ["reviewer"]
    run("officers", "deactivate", "--council", "LBH", "--email", "ann@lbh.example")
    assert not cognito.admin_get_user(UserPoolId=pool, Username="ann@lbh.example")["Enabled"]
