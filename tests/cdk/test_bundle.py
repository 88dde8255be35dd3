"""The CDK app builds the Lambda bundle itself when it is missing or stale: the content hash of the locked
dependencies, the build recipe and the source packages, stored in the bundle by `make lambda-bundle`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cdk.app import ODP_SCHEMA_DIR, ROOT, main
from cdk.bundle import BUILD_INPUTS, HASH_FILE, SOURCE_PACKAGES, BundleState, bundle_state, content_hash, ensure_bundle
from cdk.lambda_code import AWS_MODELS_FOLDER
from shared.aws.models import write_lean_models

pytestmark = pytest.mark.xdist_group("cdk")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project tree: the build inputs and one module per source package."""
    root = tmp_path / "project"
    for name in BUILD_INPUTS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{name} v1\n")
    for package in SOURCE_PACKAGES:
        (root / package).mkdir()
        (root / package / "__init__.py").write_text(f'"""{package}"""\n')
    return root


def test_the_hash_covers_the_lock_the_recipe_and_every_source_file_but_not_bytecode(project):
    first = content_hash(project)
    assert content_hash(project) == first
    cache = project / "shared" / "__pycache__"
    cache.mkdir()
    (cache / "__init__.cpython-313.pyc").write_bytes(b"compiled")
    assert content_hash(project) == first
    for changed in ("uv.lock", "Makefile", "services/__init__.py"):
        before = content_hash(project)
        (project / changed).write_text("changed\n")
        assert content_hash(project) != before, changed
    before = content_hash(project)
    (project / "events" / "new.py").write_text("")
    assert content_hash(project) != before
    before = content_hash(project)
    (project / "events" / "new.py").rename(project / "events" / "renamed.py")
    assert content_hash(project) != before


def test_a_bundle_is_missing_stale_or_fresh(project, tmp_path):
    bundle = tmp_path / "bundle"
    assert bundle_state(bundle, project) is BundleState.MISSING
    bundle.mkdir()
    assert bundle_state(bundle, project) is BundleState.MISSING  # an interrupted build never wrote its hash
    (bundle / HASH_FILE).write_text(content_hash(project) + "\n")
    assert bundle_state(bundle, project) is BundleState.FRESH
    (project / "shared" / "__init__.py").write_text("# edited\n")
    assert bundle_state(bundle, project) is BundleState.STALE


def copy_sources(bundle: Path, root: Path) -> None:
    """What `make lambda-bundle` puts in the bundle that synthesis checks, without downloading the dependencies."""
    shutil.rmtree(bundle, ignore_errors=True)
    for package in SOURCE_PACKAGES:
        shutil.copytree(root / package, bundle / package, ignore=shutil.ignore_patterns("__pycache__"))
    write_lean_models(bundle / AWS_MODELS_FOLDER)
    (bundle / HASH_FILE).write_text(content_hash(root) + "\n")


def test_ensure_builds_only_a_bundle_that_is_not_fresh_and_refuses_a_build_that_leaves_it_stale(project, tmp_path):
    bundle = tmp_path / "bundle"
    built: list[Path] = []

    def build(folder: Path, root: Path) -> None:
        built.append(folder)
        copy_sources(folder, root)

    assert ensure_bundle(bundle, project, build) is BundleState.MISSING and built == [bundle]
    assert ensure_bundle(bundle, project, build) is BundleState.FRESH and built == [bundle]
    (project / "uv.lock").write_text("a new lock\n")
    assert ensure_bundle(bundle, project, build) is BundleState.STALE and len(built) == 2
    (project / "uv.lock").write_text("another lock\n")
    with pytest.raises(RuntimeError, match="stale"):
        ensure_bundle(bundle, project, lambda folder, root: None)


def test_synthesis_rebuilds_a_stale_bundle_before_using_it(tmp_path, monkeypatch):
    if not ODP_SCHEMA_DIR.is_dir():
        pytest.skip(f"the ODP schemas are not at {ODP_SCHEMA_DIR}")
    bundle = tmp_path / "lambda"
    copy_sources(bundle, ROOT)
    (bundle / HASH_FILE).write_text("built from yesterday's sources\n")
    (bundle / "shared" / "stale.txt").write_text("only in the old bundle")
    built: list[Path] = []

    def build(folder: Path, root: Path) -> None:
        built.append(folder)
        copy_sources(folder, root)

    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path / "cdk.out"))
    [stack] = main(["-c", "council=DEMO", "-c", f"lambdaAssetDir={bundle}"], build_bundle=build)
    assert built == [bundle]
    assert bundle_state(bundle, ROOT) is BundleState.FRESH
    manifest = json.loads((tmp_path / "cdk.out" / f"{stack.stack_name}.assets.json").read_text())
    [asset] = [
        tmp_path / "cdk.out" / f["source"]["path"]
        for f in manifest["files"].values()
        if (tmp_path / "cdk.out" / f["source"]["path"] / HASH_FILE).is_file()
    ]
    assert (asset / HASH_FILE).read_text().strip() == content_hash(ROOT)
    assert not (asset / "shared" / "stale.txt").exists()
