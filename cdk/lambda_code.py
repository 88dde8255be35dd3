"""The one Lambda code asset of a stack: the bundle `make lambda-bundle` built, plus the deployment's ODP schemas.

The bundle (dependencies for arm64 Lambda and the `events`, `shared` and `services` packages) is built without Docker
by `make lambda-bundle`, which `cdk/app.py` runs itself when the bundle is missing or stale (`cdk/bundle.py`).
Synthesis copies it into the cloud assembly and puts the ODP schema folder chosen for this deployment
(`-c odpSchemaDir=...`) at `odp-schemas/` (what `BOPS_ODP_SCHEMA_DIR` points at), replacing any schemas the bundle
already held, with their compacted copies (`shared.odp.compaction.write_compacted`). The copy happens locally
(`ILocalBundling`); Docker is never used.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from cdk.bundle import SOURCE_PACKAGES
from shared.odp.compaction import write_compacted

SCHEMA_FOLDER = "odp-schemas"
LAMBDA_SCHEMA_DIR = f"/var/task/{SCHEMA_FOLDER}"  # where the asset is unpacked on Lambda
AWS_MODELS_FOLDER = "aws-models"  # lean botocore data (shared.aws.models), written by `make lambda-bundle`
LAMBDA_AWS_MODELS_DIR = f"/var/task/{AWS_MODELS_FOLDER}"
COMPILED_TEMPLATES_FOLDER = "compiled-templates"  # the page templates as Python (shared.pages.compiled)
LAMBDA_COMPILED_TEMPLATES_DIR = f"/var/task/{COMPILED_TEMPLATES_FOLDER}"
BANK_HOLIDAYS_FILE = "bank-holidays.json"  # the bank holidays of YEARS (shared.calendar.bank_holiday_table)
LAMBDA_BANK_HOLIDAYS_FILE = f"/var/task/{BANK_HOLIDAYS_FILE}"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
_IGNORED_IN_BUNDLE = shutil.ignore_patterns(".pytest_cache")  # keeps the bytecode `make lambda-bundle` compiled


class AssetError(ValueError):
    """The Lambda bundle or the ODP schema folder cannot be used."""


def check_schema_dir(odp_schema_dir: Path) -> Path:
    """The folder of ODP JSON schemas, or a clear error."""
    if not odp_schema_dir.is_dir():
        raise AssetError(
            f"ODP schema folder {odp_schema_dir} does not exist: pass -c odpSchemaDir=<folder of ODP JSON schemas>"
        )
    if not any(odp_schema_dir.glob("*.json")):
        raise AssetError(f"ODP schema folder {odp_schema_dir} holds no *.json schema")
    return odp_schema_dir


def check_bundle(lambda_asset_dir: Path) -> Path:
    """The bundle folder, or a clear error naming the command that builds it."""
    missing = [name for name in (*SOURCE_PACKAGES, AWS_MODELS_FOLDER) if not (lambda_asset_dir / name).is_dir()]
    if missing:
        raise AssetError(
            f"Lambda bundle {lambda_asset_dir} lacks {', '.join(missing)}: run `make lambda-bundle` first "
            "(or pass -c lambdaAssetDir=<folder>)"
        )
    return lambda_asset_dir


@jsii.implements(ILocalBundling)
class _CopyWithSchemas:
    """Local 'bundling': copy the bundle and the schema folder into the asset's output folder."""

    def __init__(self, bundle: Path, schemas: Path) -> None:
        self.bundle = bundle
        self.schemas = schemas

    def try_bundle(self, output_dir: str, _options: Any) -> bool:
        output = Path(output_dir)
        shutil.copytree(self.bundle, output, dirs_exist_ok=True, ignore=_IGNORED_IN_BUNDLE)
        shutil.rmtree(output / SCHEMA_FOLDER, ignore_errors=True)
        shutil.copytree(self.schemas, output / SCHEMA_FOLDER, ignore=_IGNORED)
        write_compacted(output / SCHEMA_FOLDER)  # what a cold start reads instead of compacting them itself
        return True


def lambda_code(lambda_asset_dir: Path, odp_schema_dir: Path) -> lambda_.Code:
    """One `Code` for every function of a stack (CDK stages it once per stack)."""
    bundle = check_bundle(Path(lambda_asset_dir).resolve())
    schemas = check_schema_dir(Path(odp_schema_dir).resolve())
    return lambda_.Code.from_asset(
        str(bundle),
        asset_hash_type=AssetHashType.OUTPUT,  # the hash covers the schemas too, so new schemas mean a new asset
        bundling=BundlingOptions(
            # Never pulled: the local copy above always succeeds, so CDK does not fall back to Docker.
            image=DockerImage.from_registry("bops-local-bundling-only"),
            local=_CopyWithSchemas(bundle, schemas),  # type: ignore[arg-type]  # an ILocalBundling via jsii.implements
        ),
    )
