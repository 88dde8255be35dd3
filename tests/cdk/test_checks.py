"""cdk-nag (AWS Solutions) and cfn-lint on the synthesised stacks, the Lambda asset, and the app's own configuration
errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import Validations
from cfnlint.api import ManualArgs, lint_file

from cdk.app import ConfigurationError, chosen_councils
from cdk.lambda_code import AssetError, check_bundle, check_schema_dir
from shared.odp.compaction import COMPACTED_FOLDER, compact_schema, compacted_path

# One synthesis per worker: with pytest-xdist, `--dist loadgroup` keeps these tests on one worker.
pytestmark = pytest.mark.xdist_group("cdk")

REGIONS = ["eu-west-2"]


def test_cdk_nag_finds_nothing_unacknowledged(synthesised):
    for name, report in synthesised.nag.items():
        findings = [
            f"{v.severity} {v.rule_name} at {[r.construct_path for r in v.violating_resources]}: {v.description}"
            for v in report.violations
        ]
        assert report.success and not findings, f"{name}:\n" + "\n".join(findings)


def test_every_acknowledgement_gives_a_specific_reason(synthesised):
    reasons = []
    for stack in synthesised.stacks:
        for construct in stack.node.find_all():
            for entry in construct.node.metadata:
                if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                    reasons += list(entry.data.items())
    assert reasons
    for rule, reason in reasons:
        assert "AwsSolutions-" in rule
        assert len(reason) >= 60, f"{rule}: the reason is too thin: {reason!r}"


def test_cfn_lint_finds_no_errors(synthesised):
    for name, path in synthesised.template_files.items():
        matches = lint_file(Path(path), config=ManualArgs(regions=REGIONS))
        errors = [str(m) for m in matches if m.rule.id.startswith("E")]
        warnings = [str(m) for m in matches if not m.rule.id.startswith("E")]
        if warnings:
            print(f"cfn-lint warnings for {name}:\n" + "\n".join(warnings))
        assert not errors, f"{name}:\n" + "\n".join(errors)


def test_an_unknown_council_is_a_clear_error():
    with pytest.raises(ConfigurationError, match=r"'NOPE' is not in .*councils\.json .*DEMO"):
        chosen_councils(Path(__file__).parents[2] / "cdk" / "councils.json", "NOPE")


def test_synthesis_needs_the_odp_schemas(tmp_path):
    with pytest.raises(AssetError, match="odpSchemaDir"):
        check_schema_dir(tmp_path / "missing")
    with pytest.raises(AssetError, match=r"no \*\.json schema"):
        check_schema_dir(tmp_path)


def test_synthesis_needs_the_lambda_bundle(tmp_path):
    with pytest.raises(AssetError, match="make lambda-bundle"):
        check_bundle(tmp_path)
    for package in ("events", "shared", "services"):
        (tmp_path / package).mkdir()
    with pytest.raises(AssetError, match="lacks aws-models"):  # a bundle without the lean botocore data
        check_bundle(tmp_path)
    (tmp_path / "aws-models").mkdir()
    assert check_bundle(tmp_path) == tmp_path


def test_the_asset_carries_each_odp_schema_with_its_compacted_copy(synthesised):
    outdir = Path(next(iter(synthesised.template_files.values()))).parent
    [schemas] = {path.parent for path in outdir.glob("asset.*/odp-schemas/*.json")}
    published = sorted(schemas.glob("*.json"))
    assert published
    for schema in published:
        copy = compacted_path(schemas, schema.name, schema.read_bytes())
        assert json.loads(copy.read_text()) == compact_schema(json.loads(schema.read_text())), schema.name
    assert len(list((schemas / COMPACTED_FOLDER).iterdir())) == len(published)
