"""Lean botocore data for the Lambda bundle: only the services and operations the adapters call.

Creating a boto3 client reads botocore's data folder: `endpoints.json` (1.2 MB), a listing of ~450 service folders, and
the service's whole model (S3's is 185 kB of gzip). On a Lambda cold start that is ~130 ms for the first client and
~50 ms for an S3 one. A folder holding just what our adapters use (the operations in `OPERATIONS`, the shapes they
reach, no documentation; `endpoints.json` for these services only; the shared files as they are) makes the same clients
in a third of the time. `make lambda-bundle` writes it into the bundle and the stack points `BOPS_AWS_MODELS_DIR` at it;
`shared.aws.clients` reads it first and falls back to botocore's own data for anything it lacks.

    python -m shared.aws.models build/lambda/aws-models
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

# Every AWS operation a Lambda function's adapters call, per botocore service name. A test compares this with the
# calls the adapters' source makes, so a new call cannot be forgotten here.
OPERATIONS: Mapping[str, tuple[str, ...]] = {
    "dynamodb": (
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "TransactWriteItems",
        "UpdateItem",
    ),
    "s3": ("DeleteObject", "GetObject", "HeadObject", "PutObject"),
    "secretsmanager": ("CreateSecret", "DeleteSecret", "GetSecretValue", "PutSecretValue"),
    "cognito-idp": (  # sign-in calls AdminInitiateAuth; the rest are `bops officers` on AWS
        "AdminAddUserToGroup",
        "AdminCreateUser",
        "AdminDisableUser",
        "AdminInitiateAuth",
        "AdminListGroupsForUser",
        "AdminRemoveUserFromGroup",
        "AdminSetUserPassword",
    ),
}
# Files at the top of botocore's data folder that every client reads.
SHARED_FILES = ("_retry.json", "partitions.json", "sdk-default-configuration.json")
# Kept whole, per service and API version: the endpoint rules and the SDK's additions to the model. Every file is
# written as plain compact JSON, which `shared.aws.clients` parses with orjson (no gzip, no OrderedDicts).
SERVICE_FILES = ("endpoint-rule-set-1.json", "service-2.sdk-extras.json")


def botocore_data() -> Path:
    """The data folder of the installed botocore."""
    import botocore

    return Path(botocore.__file__).parent / "data"


def latest_version(service_folder: Path) -> str:
    versions = sorted(
        p.name
        for p in service_folder.iterdir()
        if (p / "service-2.json.gz").exists() or (p / "service-2.json").exists()
    )
    if not versions:
        raise FileNotFoundError(f"no service model under {service_folder}")
    return versions[-1]


def read_json(path: Path) -> Any:
    """A botocore data file, plain or gzipped (botocore ships both)."""
    if path.exists():
        return json.loads(path.read_bytes())
    return json.loads(gzip.decompress(path.with_name(path.name + ".gz").read_bytes()))


def _shape_references(shape: Mapping[str, Any]) -> Iterable[str]:
    for key in ("member", "key", "value"):
        if key in shape:
            yield shape[key]["shape"]
    for member in shape.get("members", {}).values():
        yield member["shape"]


def lean_service_model(model: Mapping[str, Any], operations: Iterable[str]) -> dict[str, Any]:
    """The service model with only `operations` and the shapes they reach, without documentation."""
    wanted = list(operations)
    missing = [name for name in wanted if name not in model["operations"]]
    if missing:
        raise KeyError(f"{model['metadata'].get('serviceId')} has no operation {', '.join(missing)}")
    kept_operations: dict[str, Any] = {}
    pending: list[str] = []
    for name in wanted:
        operation = {k: v for k, v in model["operations"][name].items() if k != "documentation"}
        kept_operations[name] = operation
        pending.extend(part["shape"] for part in (operation.get("input"), operation.get("output")) if part)
        pending.extend(error["shape"] for error in operation.get("errors", ()))
    shapes: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name in shapes:
            continue
        shape = {k: v for k, v in model["shapes"][name].items() if k != "documentation"}
        if "members" in shape:
            shape["members"] = {
                member: {k: v for k, v in spec.items() if k != "documentation"}
                for member, spec in shape["members"].items()
            }
        shapes[name] = shape
        pending.extend(_shape_references(shape))
    lean = {k: v for k, v in model.items() if k not in ("operations", "shapes", "documentation")}
    lean["operations"] = kept_operations
    lean["shapes"] = shapes
    return lean


def lean_endpoints(endpoints: Mapping[str, Any], services: Iterable[str]) -> dict[str, Any]:
    """`endpoints.json` with every partition but only the endpoint prefixes of `services`."""
    prefixes = set(services)
    return {
        **endpoints,
        "partitions": [
            {**partition, "services": {k: v for k, v in partition["services"].items() if k in prefixes}}
            for partition in endpoints["partitions"]
        ],
    }


def write_lean_models(
    target: Path, source: Path | None = None, operations: Mapping[str, Iterable[str]] = OPERATIONS
) -> Path:
    """Write the lean data folder at `target` (replaced if it exists) from botocore's data folder `source`."""
    source = source or botocore_data()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in SHARED_FILES:
        _write_json(target / name, read_json(source / name))
    prefixes: set[str] = set()
    for service, names in operations.items():
        version = latest_version(source / service)
        folder_in, folder_out = source / service / version, target / service / version
        folder_out.mkdir(parents=True)
        model = read_json(folder_in / "service-2.json")
        prefixes.add(model["metadata"].get("endpointPrefix", service))
        _write_json(folder_out / "service-2.json", lean_service_model(model, names))
        for name in SERVICE_FILES:
            if (folder_in / name).exists() or (folder_in / f"{name}.gz").exists():
                _write_json(folder_out / name, read_json(folder_in / name))
    _write_json(target / "endpoints.json", lean_endpoints(read_json(source / "endpoints.json"), prefixes))
    return target


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m shared.aws.models TARGET_FOLDER", file=sys.stderr)
        return 2
    target = write_lean_models(Path(argv[0]))
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"lean botocore data for {', '.join(OPERATIONS)} in {target} ({size // 1024} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
