"""The reference data beside the project (the ODP schemas and examples), named in one place.

`BOPS_REFERENCE_DIR` names the folder that holds `odp/schemas` and `odp/examples`; without it, `../shared` beside the
project. The runtime, the tests, the benchmarks, the Makefile and the CDK app all find the data through here.
(On AWS the handlers read `BOPS_ODP_SCHEMA_DIR`, the bundle's copy of the schemas, which the stack sets.)
"""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "BOPS_REFERENCE_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT = PROJECT_ROOT.parent / "shared"


class ReferenceDataMissing(RuntimeError):
    """The ODP schemas or examples are not where the project looks for them."""


def reference_dir() -> Path:
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(configured).expanduser().resolve() if configured else DEFAULT


def odp_dir() -> Path:
    return reference_dir() / "odp"


def odp_schema_dir() -> Path:
    return odp_dir() / "schemas"


def odp_examples_dir() -> Path:
    return odp_dir() / "examples"


def missing_message(what: Path) -> str:
    source = (
        f"{ENVIRONMENT_VARIABLE}={os.environ[ENVIRONMENT_VARIABLE]}"
        if ENVIRONMENT_VARIABLE in os.environ
        else (f"the default, ../shared beside the project; set {ENVIRONMENT_VARIABLE} to the folder holding odp/")
    )
    return f"The ODP reference data is missing: expected {what} ({source})"


def require_odp(*, examples: bool = True) -> Path:
    """The ODP folder, or ReferenceDataMissing saying where its schemas (and examples) were expected."""
    for folder in (odp_schema_dir(), odp_examples_dir()) if examples else (odp_schema_dir(),):
        if not folder.is_dir() or not any(folder.iterdir()):
            raise ReferenceDataMissing(missing_message(folder))
    return odp_dir()


if __name__ == "__main__":  # `python3 shared/reference_data.py [schemas]`: a folder, or what is missing (exit 1)
    import sys

    try:
        require_odp()
    except ReferenceDataMissing as error:
        sys.exit(str(error))
    print(odp_schema_dir() if sys.argv[1:] == ["schemas"] else reference_dir())
