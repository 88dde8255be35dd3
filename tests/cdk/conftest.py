"""One synthesis per test session: every council in cdk/councils.json, from a Lambda asset of source packages only
(the tests read templates, not the bundle, so no dependencies are downloaded)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, PolicyValidationPluginReport
from cdk_nag import AwsSolutionsChecks

from cdk.app import COUNCILS_FILE, ODP_SCHEMA_DIR, ROOT, build, feature_flags
from cdk.lambda_code import AWS_MODELS_FOLDER, BANK_HOLIDAYS_FILE, COMPILED_TEMPLATES_FOLDER, SOURCE_PACKAGES
from cdk.stack import CouncilStack
from services import declarations
from shared.aws.models import write_lean_models
from shared.calendar.bank_holiday_table import write_table
from shared.councils.settings import CouncilDeployment, load_deployments
from shared.declarations import ServiceDeclaration
from shared.pages.compiled import compile_all


@dataclass
class Synthesised:
    declarations: list[ServiceDeclaration]
    councils: list[CouncilDeployment]
    stacks: list[CouncilStack]
    templates: dict[str, dict[str, Any]]  # by stack name, as written to the cloud assembly
    template_files: dict[str, str]
    nag: dict[str, PolicyValidationPluginReport]

    def template(self, council: CouncilDeployment) -> dict[str, Any]:
        return self.templates[next(s.stack_name for s in self.stacks if s.council == council)]


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    asset = tmp_path_factory.mktemp("lambda")
    for package in SOURCE_PACKAGES:
        shutil.copytree(ROOT / package, asset / package, ignore=shutil.ignore_patterns("__pycache__"))
    write_lean_models(asset / AWS_MODELS_FOLDER)  # as `make lambda-bundle` does: the wiring test runs on it
    compile_all(asset / COMPILED_TEMPLATES_FOLDER)  # and the pages are rendered from the compiled templates
    write_table(asset / BANK_HOLIDAYS_FILE)  # and the days are counted from the bank holiday table
    declared = declarations()
    councils = list(load_deployments(COUNCILS_FILE).values())
    app = App(outdir=str(tmp_path_factory.mktemp("cdk.out")), context=feature_flags())
    stacks = build(
        app, councils=councils, lambda_asset_dir=asset, odp_schema_dir=ODP_SCHEMA_DIR, declarations=declared, nag=False
    )
    nag = {stack.stack_name: AwsSolutionsChecks().validate_scope(stack) for stack in stacks}
    assembly = app.synth()
    files = {stack.stack_name: assembly.get_stack_by_name(stack.stack_name).template_full_path for stack in stacks}
    templates = {name: json.loads(Path(path).read_text()) for name, path in files.items()}
    return Synthesised(declared, councils, stacks, templates, files, nag)
