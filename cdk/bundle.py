"""The Lambda bundle (`build/lambda`): what it is built from, and whether the one on disk is still that.

`make lambda-bundle` builds it (dependencies for arm64 Lambda, the source packages, bytecode, lean botocore data) and,
last, stores the content hash of what it was built from in the bundle (`python -m cdk.bundle write FOLDER`): the
locked dependencies and the build recipe (`uv.lock`, `pyproject.toml`, the `Makefile`) and every file of the source
packages. Synthesis (`cdk/app.py`) builds the bundle itself when it is missing or its hash is not today's, so
`cdk synth` / `cdk deploy` on a fresh clone needs no step to remember.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path

SOURCE_PACKAGES = ("events", "shared", "services")  # what runs on Lambda (never `bops/`, the local CLI, or tests)
# The locked dependencies (Python, and the GOV.UK Frontend assets from npm) and how they are installed.
BUILD_INPUTS = ("uv.lock", "pyproject.toml", "Makefile", "package.json", "package-lock.json")
HASH_FILE = ".bops-bundle-hash"
_SKIPPED = ("__pycache__", ".pytest_cache", ".mypy_cache")


class BundleState(Enum):
    MISSING = "missing"
    STALE = "stale"
    FRESH = "fresh"


def _inputs(root: Path) -> Iterator[Path]:
    for name in BUILD_INPUTS:
        yield root / name
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and not path.name.endswith(".pyc") and not set(path.parts) & set(_SKIPPED):
                yield path


def content_hash(root: Path) -> str:
    """SHA-256 over the relative path and bytes of every input of the bundle under project `root`."""
    digest = hashlib.sha256()
    for path in _inputs(root):
        relative = path.relative_to(root).as_posix().encode()
        content = path.read_bytes() if path.is_file() else b"<absent>"
        digest.update(len(relative).to_bytes(4, "big") + relative)
        digest.update(len(content).to_bytes(8, "big") + hashlib.sha256(content).digest())
    return digest.hexdigest()


def bundle_state(bundle: Path, root: Path) -> BundleState:
    """Missing (no bundle, or no hash: an interrupted build), stale (built from other inputs) or fresh."""
    stored = bundle / HASH_FILE
    if not stored.is_file():
        return BundleState.MISSING
    return BundleState.FRESH if stored.read_text().strip() == content_hash(root) else BundleState.STALE


def write_hash(bundle: Path, root: Path) -> None:
    (bundle / HASH_FILE).write_text(content_hash(root) + "\n")


def make_lambda_bundle(bundle: Path, root: Path) -> None:
    """`make lambda-bundle` into `bundle` (downloads the locked wheels: needs the package index)."""
    subprocess.run(["make", "--no-print-directory", "lambda-bundle", f"LAMBDA_DIR={bundle}"], cwd=root, check=True)


def ensure_bundle(bundle: Path, root: Path, build: Callable[[Path, Path], None] = make_lambda_bundle) -> BundleState:
    """Build the bundle when it is missing or stale; the state it was found in. A build that leaves it stale fails."""
    state = bundle_state(bundle, root)
    if state is BundleState.FRESH:
        return state
    print(f"Lambda bundle {bundle} is {state.value}: building it (make lambda-bundle)", file=sys.stderr)
    build(bundle, root)
    if bundle_state(bundle, root) is not BundleState.FRESH:
        raise RuntimeError(f"building the Lambda bundle left {bundle} {bundle_state(bundle, root).value}")
    return state


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "write":
        print("usage: python -m cdk.bundle write BUNDLE_FOLDER", file=sys.stderr)
        return 2
    write_hash(Path(argv[1]), Path(__file__).resolve().parent.parent)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
