"""The CDK app: one stack per council in `cdk/councils.json`.

    npx aws-cdk@2 deploy -c council=DEMO              # one council's stack (Bops-<slug>)
    npx aws-cdk@2 synth                               # every council in the file, each its own stack
    uv run python cdk/app.py [-c council=DEMO]        # the same synthesis without the CDK CLI (into cdk.out/)

Context: `council` (a code from the file), `odpSchemaDir` (the ODP JSON schemas put into the Lambda asset; default
`../shared/odp/schemas` beside the project), `lambdaAssetDir` (default `build/lambda`; made by `make lambda-bundle`,
which the app runs itself first when the bundle is missing or stale: `cdk/bundle.py`),
`councilsFile` (default `cdk/councils.json`). cdk-nag's AWS Solutions checks run on every synthesis; an
unacknowledged finding fails it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # run as a script: import the project's packages, not this folder's modules, by name
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "cdk"]
    sys.path.insert(0, str(ROOT))

from aws_cdk import App, Environment, Validations  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from cdk.bundle import ensure_bundle, make_lambda_bundle  # noqa: E402
from cdk.stack import CouncilStack  # noqa: E402
from shared import reference_data  # noqa: E402
from shared.councils.settings import CouncilDeployment, load_deployments  # noqa: E402
from shared.declarations import ServiceDeclaration  # noqa: E402

CDK_JSON = ROOT / "cdk.json"
COUNCILS_FILE = ROOT / "cdk" / "councils.json"
LAMBDA_ASSET_DIR = ROOT / "build" / "lambda"
ODP_SCHEMA_DIR = reference_data.odp_schema_dir()  # $BOPS_REFERENCE_DIR/odp/schemas, or ../shared/odp/schemas


class ConfigurationError(ValueError):
    """The app's context names something that does not exist."""


def feature_flags() -> dict[str, object]:
    """`cdk.json`'s context (the feature flags), so that `python cdk/app.py` and the tests synthesise what `cdk` does.

    The CDK CLI passes the same context itself; its values take precedence over these.
    """
    return dict(json.loads(CDK_JSON.read_text())["context"])


def stack_id(council: CouncilDeployment) -> str:
    return f"Bops-{council.slug}"


def chosen_councils(councils_file: Path, code: str | None) -> list[CouncilDeployment]:
    deployments = load_deployments(councils_file)
    if code is None:
        return list(deployments.values())
    if code not in deployments:
        known = ", ".join(deployments) or "none"
        raise ConfigurationError(f"council {code!r} is not in {councils_file} (it has: {known})")
    return [deployments[code]]


def build(
    app: App,
    *,
    councils: Sequence[CouncilDeployment],
    lambda_asset_dir: Path,
    odp_schema_dir: Path,
    declarations: Sequence[ServiceDeclaration] | None = None,
    env: Environment | None = None,
    nag: bool = True,
) -> list[CouncilStack]:
    """Add one stack per council to `app` (and the cdk-nag checks, unless `nag` is False)."""
    if declarations is None:
        from services import declarations as declared

        declarations = declared()
    stacks = [
        CouncilStack(
            app,
            stack_id(council),
            council=council,
            lambda_asset_dir=lambda_asset_dir,
            odp_schema_dir=odp_schema_dir,
            declarations=declarations,
            env=env,
        )
        for council in councils
    ]
    if nag:
        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stacks


def _path(app: App, key: str, default: Path) -> Path:
    value = app.node.try_get_context(key)
    return Path(value).expanduser().resolve() if value else default


def _arguments(argv: Sequence[str] | None) -> dict[str, str]:
    """`python cdk/app.py -c council=DEMO -c odpSchemaDir=...`: the same context the CDK CLI's `-c` passes."""
    parser = argparse.ArgumentParser(description="Synthesise the councils' stacks into cdk.out/")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE")
    pairs = [item.partition("=") for item in parser.parse_args(argv).context]
    bad = [key for key, equals, _ in pairs if not equals]
    if bad:
        parser.error(f"context must be KEY=VALUE: {', '.join(bad)}")
    return {key: value for key, _, value in pairs}


def main(
    argv: Sequence[str] | None = None, build_bundle: Callable[[Path, Path], None] = make_lambda_bundle
) -> list[CouncilStack]:
    app = App(
        outdir=os.environ.get("CDK_OUTDIR") or str(ROOT / "cdk.out"),  # the CLI says where; without it, cdk.out/
        context=feature_flags(),
        post_cli_context=_arguments(argv) or None,
    )
    lambda_asset_dir = _path(app, "lambdaAssetDir", LAMBDA_ASSET_DIR)
    ensure_bundle(lambda_asset_dir, ROOT, build_bundle)  # a fresh clone, or sources changed since the last build
    stacks = build(
        app,
        councils=chosen_councils(_path(app, "councilsFile", COUNCILS_FILE), app.node.try_get_context("council")),
        lambda_asset_dir=lambda_asset_dir,
        odp_schema_dir=_path(app, "odpSchemaDir", ODP_SCHEMA_DIR),
        env=Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    app.synth()
    return stacks


if __name__ == "__main__":
    main()
