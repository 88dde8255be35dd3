"""The embedded runtime's settings are environment variables, exactly as a Lambda function's are on AWS."""

from __future__ import annotations

import os
from pathlib import Path

from shared import reference_data, wiring

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def configure(
    data_dir: Path,
    *,
    now: str | None = None,
    time_offset_days: float | None = None,
    odp_schema_dir: Path | None = None,
    base_url: str | None = None,
) -> None:
    """Point every handler of this process at one data directory (and clock, and the URL it is served at), then forget
    cached adapters."""
    from services import http_functions
    from shared.declarations import encode_route_table

    if os.environ.get("BOPS_RUNTIME") == "aws":  # `bops` commands run against a deployed council's tables
        wiring.reset()
        return
    os.environ["BOPS_RUNTIME"] = "embedded"
    os.environ["BOPS_DATA_DIR"] = str(data_dir.resolve())
    # The handlers' setting (on AWS the stack sets it to the bundle's copy); here, the reference data's schemas.
    os.environ["BOPS_ODP_SCHEMA_DIR"] = str(Path(odp_schema_dir or reference_data.odp_schema_dir()).resolve())
    if now:
        os.environ["BOPS_NOW"] = now
    if time_offset_days:
        os.environ["BOPS_TIME_OFFSET_DAYS"] = str(time_offset_days)
    if base_url:
        os.environ["BOPS_LOCAL_BASE_URL"] = base_url
    else:  # a `bops` command: councils without a public base URL of their own keep the default (port 8000)
        os.environ.pop("BOPS_LOCAL_BASE_URL", None)
    routes = [route for function in http_functions() for route in function.routes]
    os.environ["BOPS_ROUTE_SCOPES"] = encode_route_table(routes)
    # One process runs every service's handlers: their logs name it as a whole, and CloudWatch metric lines (which
    # only Lambda collects) are not printed (`shared.observability`).
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "bops")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    wiring.reset()
