"""Record the compiled generated code (`shared.codecache`: dataclass methods, string annotations) into the Lambda
bundle, with a Python of the runtime's version found on this machine (as cdk/bytecode.py finds it).

Recording imports the bundle's code, so it needs that code's dependencies built for this machine: the bundle's are
arm64 wheels for Lambda. They are installed from the same lock (boto3 and botocore included, which the runtime
provides) into a folder beside the bundle, put before the bundle on the recorder's path. Without such a Python the
bundle ships without the table and still works, with slower cold starts.

    python -m cdk.codecache 3.13 build/lambda build/lambda-host-requirements.txt
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from cdk.bytecode import interpreter
from shared.codecache import ASSET_FOLDER


def record_bundle(version: str, bundle: Path, requirements: Path | None) -> bool:
    """Write `<bundle>/code-cache/<tag>.marshal`; False (and a message) when no Python `version` is found."""
    python = interpreter(version)
    bundle = bundle.resolve()
    if python is None:
        print(
            f"no Python {version} here: the bundle ships without compiled generated code, so every cold start "
            f"compiles them (`uv python install {version}` and run `make lambda-bundle` again)",
            file=sys.stderr,
        )
        return False
    path = [str(bundle)]
    if requirements is not None:
        host = bundle.parent / f"{bundle.name}-host"
        shutil.rmtree(host, ignore_errors=True)
        uv = shutil.which("uv")
        command = [uv] if uv else ["python3", "-m", "uv"]  # as the Makefile finds uv
        install = [*command, "pip", "install", "--quiet", "--no-deps", "--python", python, "--target", str(host)]
        subprocess.run([*install, "-r", str(requirements.resolve())], check=True)
        path.insert(0, str(host))  # this machine's native modules before the bundle's arm64 ones
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("AWS_LAMBDA_FUNCTION_NAME", None)  # record every module whole, not as a cold start defers it
    subprocess.run(
        [python, "-m", "shared.codecache", str(bundle / ASSET_FOLDER)], cwd=path[0], env=environment, check=True
    )  # `-m` puts the working folder first on the path: the host's packages, else the bundle
    return True


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python -m cdk.codecache PYTHON_VERSION BUNDLE_FOLDER [HOST_REQUIREMENTS]", file=sys.stderr)
        return 2
    record_bundle(argv[0], Path(argv[1]), Path(argv[2]) if len(argv) == 3 else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
