"""Deployment config, its file, and the effective settings (the stream wins over the deployment)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from pydantic import ValidationError

from events.council import CouncilSettingsChanged, CouncilSettingsChanges
from services.councils.errors import CouncilNotFound
from services.councils.state import CouncilState
from shared.councils.profile import overlay
from shared.councils.settings import (
    DEFAULT_LOCAL_BASE_URL,
    CouncilDeployment,
    DeploymentConfigError,
    effective_settings,
    load_deployments,
)
from tests.councils.support import demo_council, then

DEPLOYMENT = CouncilDeployment(
    code="DEMO",
    slug="demo",
    name="Demo Council (deployed)",
    domain="planning.demo.gov.uk",
    reference_suffixes={"pp.full.householder": "HH", "ldc": "CERT"},
    allow_download_hosts=("files.planx.uk",),
    admin_email="admin@demo.gov.uk",
)


def changed(**changes) -> CouncilSettingsChanged:
    return CouncilSettingsChanged(changes=CouncilSettingsChanges(**changes))


def test_deployment_is_frozen_and_strict():
    with pytest.raises(ValidationError):
        DEPLOYMENT.name = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        CouncilDeployment(code="DEMO", slug="demo", name="Demo", colour="red")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "demo", "council code must be 1 to 4 capital letters or digits"),
        ("slug", "Demo", "council slug must be lowercase"),
        ("name", " ", "council name must not be empty"),
        ("domain", "Planning.Demo", "download host must be a lowercase host name"),
        ("reference_suffixes", {"nope": "XX"}, "'nope' is not an ODP application type code"),
        ("allow_download_hosts", ["https://x.uk"], "download host must be a lowercase host name"),
        ("admin_email", "admin", "admin e-mail is not a valid e-mail address"),
        ("determination_periods", {"nope": 56}, "'nope' is not an ODP application type code"),
        ("determination_periods", {"ldc": 0}, "determination period for ldc must be a whole number of days"),
        ("determination_periods", {"ldc": 400}, "determination period for ldc must be a whole number of days"),
        ("public_base_url", "demo.gov.uk", "public base URL must be an absolute http"),
    ],
)
def test_deployment_fields_follow_the_council_rules(field, value, message):
    values = {"code": "DEMO", "slug": "demo", "name": "Demo", field: value}
    with pytest.raises(ValidationError) as raised:
        CouncilDeployment(**values)
    assert message in str(raised.value)


def test_load_deployments(tmp_path):
    path = tmp_path / "councils.json"
    path.write_text(
        json.dumps(
            [
                DEPLOYMENT.model_dump(mode="json"),
                {"code": "BUC", "slug": "buckinghamshire", "name": "Buckinghamshire Council"},
            ]
        )
    )
    deployments = load_deployments(path)
    assert list(deployments) == ["DEMO", "BUC"]
    assert deployments["DEMO"] == DEPLOYMENT
    assert deployments["BUC"].allow_download_hosts == () and deployments["BUC"].domain is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read council deployments from"),
        ('{"code": "DEMO"}', "expected a JSON list of councils"),
        ('[{"code": "demo", "slug": "demo", "name": "Demo"}]', "council #1 is invalid"),
        (
            '[{"code": "DEMO", "slug": "a", "name": "A"}, {"code": "DEMO", "slug": "b", "name": "B"}]',
            "council code DEMO appears twice",
        ),
        (
            '[{"code": "A", "slug": "a", "name": "A"}, {"code": "B", "slug": "a", "name": "B"}]',
            "council slug a appears twice",
        ),
    ],
)
def test_load_deployments_refuses_bad_files(tmp_path, content, message):
    path = tmp_path / "councils.json"
    path.write_text(content)
    with pytest.raises(DeploymentConfigError, match=message):
        load_deployments(path)


def test_load_deployments_of_a_missing_file(tmp_path):
    with pytest.raises(DeploymentConfigError, match="cannot read council deployments"):
        load_deployments(tmp_path / "missing.json")


def test_local_defaults_without_deployment():
    settings = effective_settings(None, demo_council())
    assert settings.model_dump() == {
        "code": "DEMO",
        "slug": "demo",
        "name": "Demo Council",
        "domain": None,
        "public_base_url": DEFAULT_LOCAL_BASE_URL,
        "allow_download_hosts": (),
        "reference_suffixes": {},
        "determination_periods": {},
        "reply_to_email": None,
        "admin_email": None,
        "publish_applicant_names": False,
    }
    assert settings.reference_suffix("pp.full.householder") == "HAPP"
    assert settings.reference_suffix("pa.part1.classA") == "PA1A"


def test_deployment_alone_before_the_council_is_created():
    settings = effective_settings(DEPLOYMENT, CouncilState())
    assert (settings.code, settings.name, settings.public_base_url) == (
        "DEMO",
        "Demo Council (deployed)",
        "https://planning.demo.gov.uk",
    )
    assert settings.allow_download_hosts == ("files.planx.uk",)
    assert settings.reference_suffix("pp.full.householder.retro") == "HH"  # a parent's override applies
    assert settings.reference_suffix("ldc.existing") == "CERT"
    assert settings.admin_email == "admin@demo.gov.uk"


def test_the_stream_wins_over_the_deployment():
    state = then(
        demo_council(),
        [
            changed(public_base_url="https://first.demo.gov.uk", allow_download_hosts=()),
            changed(name="Demo Borough", reference_suffixes={"ldc": "LAWF"}, reply_to_email="p@demo.gov.uk"),
            changed(public_base_url="https://second.demo.gov.uk"),
        ],
    )
    settings = effective_settings(DEPLOYMENT, state)
    assert settings.name == "Demo Borough"
    assert settings.public_base_url == "https://second.demo.gov.uk"
    assert settings.allow_download_hosts == ()
    assert settings.reference_suffixes == {"pp.full.householder": "HH", "ldc": "LAWF"}  # merged per type code
    assert settings.reply_to_email == "p@demo.gov.uk"
    assert settings.domain == "planning.demo.gov.uk"


def test_created_name_wins_over_the_deployed_name():
    assert effective_settings(DEPLOYMENT, demo_council()).name == "Demo Council"


def test_explicit_public_base_url_wins_over_domain():
    deployment = DEPLOYMENT.model_copy(update={"public_base_url": "https://other.gov.uk"})
    assert effective_settings(deployment, demo_council()).public_base_url == "https://other.gov.uk"


def test_a_council_neither_deployed_nor_created():
    with pytest.raises(CouncilNotFound, match="the council is neither deployed nor created"):
        effective_settings(None, CouncilState())


def test_a_deployment_of_another_council_is_refused():
    with pytest.raises(ValueError, match="deployment BUC does not belong to council DEMO"):
        effective_settings(DEPLOYMENT.model_copy(update={"code": "BUC"}), demo_council())


def test_determination_periods_merge_per_type_and_fall_back_to_the_statute():
    deployed = DEPLOYMENT.model_copy(update={"determination_periods": {"pp.full": 60, "ldc": 50}})
    state = then(demo_council(), [changed(determination_periods={"ldc": 40})])
    settings = effective_settings(deployed, state)
    assert settings.determination_periods == {"pp.full": 60, "ldc": 40}
    assert settings.determination_period_days("pp.full.householder") == 60  # a parent's override applies
    assert settings.determination_period_days("ldc.proposed") == 40  # the stream wins over the deployment
    assert settings.determination_period_days("pa.part1.classA") == 42  # the statute's
    assert effective_settings(None, demo_council()).determination_period_days("pp.full.major", eia=True) == 112


def test_a_version_1_settings_change_reads_as_the_current_version_without_periods_or_notify():
    from events.registry import upcast

    version, data = upcast("CouncilSettingsChanged", 1, {"changes": {"name": "Demo Borough"}})
    assert version == 4
    changes = CouncilSettingsChanged.model_validate(data).changes
    assert (changes.determination_periods, changes.notify, changes.publish_applicant_names) == (None, None, None)


def test_a_version_3_settings_change_leaves_names_hidden():
    from events.registry import upcast

    version, data = upcast("CouncilSettingsChanged", 3, {"changes": {"reply_to_email": "a@b.example"}})
    assert version == 4
    profile = demo_council()
    recorded = overlay(profile.settings, CouncilSettingsChanged.model_validate(data).changes)
    assert effective_settings(None, replace(profile, settings=recorded)).publish_applicant_names is False
    shown = overlay(recorded, CouncilSettingsChanges(publish_applicant_names=True))
    assert effective_settings(None, replace(profile, settings=shown)).publish_applicant_names is True
    hidden = overlay(shown, CouncilSettingsChanges(publish_applicant_names=False))
    assert effective_settings(None, replace(profile, settings=hidden)).publish_applicant_names is False
