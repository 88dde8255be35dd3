"""Clients as the Lambda functions make them: from the lean botocore data the bundle ships (`shared.aws.models`).

Adapter tests use these, so a call or a shape missing from the lean data fails a contract test, not a deployment.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

REGION = "eu-west-2"
_lock = threading.Lock()
_folder: Path | None = None


def lean_models_dir() -> Path:
    """This test process's lean botocore data folder, written once."""
    global _folder
    with _lock:
        if _folder is None:
            from shared.aws.models import write_lean_models

            parent = Path(tempfile.mkdtemp(prefix="bops-aws-models-"))
            atexit.register(shutil.rmtree, parent, ignore_errors=True)
            _folder = write_lean_models(parent / "aws-models")
        return _folder


def lean_client(service: str, region: str = REGION) -> Any:
    from shared.aws.clients import aws_client

    return aws_client(service, region, lean_models_dir())
