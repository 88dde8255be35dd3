"""Compile the Lambda bundle's Python files to bytecode with an interpreter of the Lambda runtime's version.

/var/task is read-only on Lambda, so a bundle without `.pyc` files compiles every module it imports from source on
every cold start (about a second for our handlers, against ~0.4 s with bytecode). Bytecode is version-specific: it
must come from the runtime's Python version (`LAMBDA_PYTHON` in the Makefile, `RUNTIME` in cdk/functions.py). The
`.pyc` files are unchecked-hash ones, so Python uses them without comparing source timestamps (which a zip changes).

    python cdk/bytecode.py 3.13 build/lambda

Finds `python3.13` on PATH, in uv's interpreters or in pyenv's; without one it says so and leaves the bundle as it
is (it still works, with slower cold starts): `uv python install 3.13` provides one.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


def candidates(version: str) -> Iterator[str]:
    """Interpreters that may be Python `version`, most likely first."""
    on_path = shutil.which(f"python{version}")
    if on_path:
        yield on_path
    uv = shutil.which("uv")
    if uv:
        found = subprocess.run(
            [uv, "python", "find", "--no-python-downloads", version], capture_output=True, text=True, check=False
        )
        if found.returncode == 0 and found.stdout.strip():
            yield found.stdout.strip()
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    yield from sorted(glob.glob(f"{pyenv_root}/versions/{version}*/bin/python{version}"), reverse=True)


def interpreter(version: str) -> str | None:
    """The first candidate that runs and really is Python `version`."""
    for path in candidates(version):
        probe = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return path
    return None


def compile_bundle(version: str, bundle: Path) -> bool:
    """Write `.pyc` files beside the bundle's sources; False (and a message) when no such interpreter is found."""
    python = interpreter(version)
    if python is None:
        print(
            f"no Python {version} here: the bundle ships without bytecode, so every cold start compiles from source "
            f"(`uv python install {version}` and run `make lambda-bundle` again)",
            file=sys.stderr,
        )
        return False
    done = subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(bundle)], check=False
    )
    if done.returncode != 0:  # a file that is not valid Python for this version (some packages ship such examples)
        print(f"compileall reported errors (exit {done.returncode}); those files stay source only", file=sys.stderr)
    count = sum(1 for _ in bundle.rglob(f"*.cpython-{version.replace('.', '')}.pyc"))
    print(f"compiled {count} modules of {bundle} with {python}")
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python cdk/bytecode.py PYTHON_VERSION BUNDLE_FOLDER", file=sys.stderr)
        return 2
    compile_bundle(argv[0], Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
