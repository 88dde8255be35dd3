"""The stack grants each function what its declaration says it needs (read models, secrets), and nothing else.

Checked on the real declarations' templates, and on a made-up declaration: a new function that declares a secret or
a read model gets exactly that, with no list kept by hand in the stack.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from cdk.app import ODP_SCHEMA_DIR, build, feature_flags
from cdk.lambda_code import AWS_MODELS_FOLDER, SOURCE_PACKAGES
from cdk.stack import OWN_TABLE_READ_MODELS, OWN_TABLE_WRITE, READ_MODEL_READ
from services.councils.declaration import SERVICE as COUNCILS
from shared.declarations import HttpFunction, Route, ServiceDeclaration, Subscription
from tests.cdk.test_stack import functions, refers_to, resources

pytestmark = pytest.mark.xdist_group("cdk")

Template = dict[str, Any]


def granted(template: Template, handler: str) -> dict[str, set[str]]:
    """What the function with this handler may do: read models it reads and writes, secrets it reads (by name under
    the council's prefix)."""
    _, function = functions(template)[handler]
    role = function["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Roles"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    [read_models] = [id for id in resources(template, "AWS::DynamoDB::Table") if id.startswith("ReadModels")]
    own_tables = {  # a read model with a table of its own: the whole table, named to the function by its variable
        name: next(id for id in resources(template, "AWS::DynamoDB::Table") if id.startswith(construct))
        for name, (construct, _) in OWN_TABLE_READ_MODELS.items()
    }
    variables = function["Environment"]["Variables"]
    secrets = resources(template, "AWS::SecretsManager::Secret")
    [pool] = resources(template, "AWS::Cognito::UserPool")
    found: dict[str, set[str]] = {"reads": set(), "writes": set(), "secrets": set(), "counters": set(), "pool": set()}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if refers_to(statement["Resource"], read_models):
            condition = statement["Condition"]
            if "ForAllValues:StringLike" in condition:  # a rebuild's fresh partitions of a read model it has
                patterns = condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                assert all(key.startswith("doc#") and key.endswith("@*") for key in patterns), patterns
                found["writes" if "dynamodb:PutItem" in actions else "reads"] |= {k[4:-2] for k in patterns}
                continue
            keys = condition["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
            if all(key.startswith("count#") for key in keys):
                assert sorted(actions) == ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
                found["counters"] |= {key.split("#", 1)[1] for key in keys}
                continue
            names = {key.split("#", 1)[1] for key in keys}
            found["writes" if "dynamodb:PutItem" in actions else "reads"] |= names
        for name, table in own_tables.items():
            if refers_to(statement["Resource"], table):
                assert "Condition" not in statement
                assert refers_to(variables[OWN_TABLE_READ_MODELS[name][1]], table)
                writes = "dynamodb:PutItem" in actions
                assert sorted(actions) == sorted((*READ_MODEL_READ, *OWN_TABLE_WRITE) if writes else READ_MODEL_READ)
                found["writes" if writes else "reads"].add(name)
        if refers_to(statement["Resource"], pool):
            found["pool"] |= set(actions)
        for id, secret in secrets.items():
            if refers_to(statement["Resource"], id):
                found["secrets"].add(secret["Name"].split("/", 2)[2])
    return found


def expected(declared: HttpFunction | Subscription | Any, code: str) -> dict[str, set[str]]:
    writes = set(getattr(declared, "writes_read_models", ()))
    return {
        "reads": set(declared.reads_read_models) - writes,
        "writes": writes,
        "secrets": {name.format(council=code) for name in declared.secrets},
        "counters": set(getattr(declared, "attempt_counters", ())),
        "pool": {"cognito-idp:AdminInitiateAuth"} if getattr(declared, "officer_directory", False) else set(),
    }


def declared_functions(declarations: Sequence[ServiceDeclaration]) -> list[Any]:
    found: list[Any] = [f for d in declarations for f in (*d.http, *d.subscriptions, *d.scheduled)]
    return found + [d.authorizer for d in declarations if d.authorizer is not None]


def test_every_function_gets_the_read_models_and_secrets_it_declares(synthesised):
    for council, template in zip(synthesised.councils, synthesised.templates.values(), strict=True):
        for declared in declared_functions(synthesised.declarations):
            assert granted(template, declared.handler) == expected(declared, council.code), declared.name


def test_the_authorizer_reads_only_the_api_keys_and_officers_read_models_the_token_key_and_signed_out_sessions(
    synthesised,
):
    assert COUNCILS.authorizer is not None
    for council, template in zip(synthesised.councils, synthesised.templates.values(), strict=True):
        code = council.code
        assert granted(template, COUNCILS.authorizer.handler) == {
            "reads": {"api-keys", "officers"},
            "writes": set(),
            "secrets": {f"{code}/officer-token-key"},
            "counters": {"revoked-session-even", "revoked-session-odd"},
            "pool": set(),
        }


def test_a_new_declaration_is_granted_what_it_declares(synthesised, tmp_path):
    """Nothing in the stack names these functions: the grants come from their declarations alone."""
    asset = tmp_path / "lambda"
    for folder in (*SOURCE_PACKAGES, AWS_MODELS_FOLDER):
        (asset / folder).mkdir(parents=True)
    planning = ServiceDeclaration(
        name="planning",
        http=(
            HttpFunction(
                name="planning-api",
                handler="services.planning.api.lambda_handler",
                routes=(Route("GET", "/api/v2/things"),),
                secrets=("council/{council}/notify-key",),
                reads_read_models=("things",),
                attempt_counters=("tries",),
                officer_directory=True,
            ),
        ),
        subscriptions=(
            Subscription(
                name="things",
                handler="services.planning.things.lambda_handler",
                event_types=("PlanningApplicationSubmitted",),
                projection="services.planning.things.ThingsProjection",
                writes_read_models=("things",),
            ),
        ),
    )
    council = synthesised.councils[0]
    app = App(outdir=str(tmp_path / "cdk.out"), context=feature_flags())
    [stack] = build(
        app,
        councils=[council],
        lambda_asset_dir=asset,
        odp_schema_dir=ODP_SCHEMA_DIR,
        declarations=[COUNCILS, planning],
        nag=False,
    )
    assembly = app.synth()
    template = json.loads(Path(assembly.get_stack_by_name(stack.stack_name).template_full_path).read_text())
    code = council.code
    assert granted(template, "services.planning.api.lambda_handler") == {
        "reads": {"things"},
        "writes": set(),
        "secrets": {f"council/{code}/notify-key"},
        "counters": {"tries"},
        "pool": {"cognito-idp:AdminInitiateAuth"},
    }
    assert granted(template, "services.planning.things.lambda_handler") == {
        "reads": set(),
        "writes": {"things"},
        "secrets": set(),
        "counters": set(),
        "pool": set(),
    }


def test_every_declared_projection_writes_the_read_model_its_subscription_declares():
    from services import subscriptions
    from shared.declarations import load_handler

    projections = [s for s in subscriptions() if s.projection]
    assert projections
    for subscription in projections:
        assert subscription.projection is not None
        projection = load_handler(subscription.projection)()  # type: ignore[call-arg]
        assert projection.name in subscription.writes_read_models, subscription.name


def test_a_projection_must_declare_the_read_models_it_writes():
    with pytest.raises(ValueError, match="declares the read models it writes"):
        Subscription(name="things", handler="x.y", event_types=("A",), projection="x.Things")


def test_the_case_list_subscriber_writes_only_the_case_list(synthesised):
    from services.assessment.declaration import SERVICE as ASSESSMENT

    [case_list] = [s for s in ASSESSMENT.subscriptions if s.name == "case-list"]
    for template in synthesised.templates.values():
        assert granted(template, case_list.handler) == {
            "reads": set(),
            "writes": {"case-list"},
            "secrets": set(),
            "counters": set(),
            "pool": set(),
        }
