"""Process settings, from the environment, validated once at start (cold start on AWS, `bops serve` locally)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

PREFIX = "BOPS_"
RUNTIMES = ("embedded", "aws")
_TRUE = frozenset({"1", "true", "yes", "on", "t", "y"})
_FALSE = frozenset({"0", "false", "no", "off", "f", "n"})


class SettingsError(ValueError):
    """Some `BOPS_*` variables have values the process cannot run with; the message names each and why."""


def _runtime(text: str) -> str:
    if text not in RUNTIMES:
        raise ValueError(f"must be one of {', '.join(RUNTIMES)}")
    return text


def _positive_whole_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise ValueError("must be a whole number") from None
    if number <= 0:
        raise ValueError("must be greater than 0")
    return number


def _yes_or_no(text: str) -> bool:
    answer = text.strip().lower()
    if answer in _TRUE:
        return True
    if answer in _FALSE:
        return False
    raise ValueError("must be true or false (1/0, yes/no, on/off)")


# How a variable's text becomes its setting (the others are text as given).
_PARSERS: dict[str, Callable[[str], Any]] = {
    "runtime": _runtime,
    "data_dir": Path,
    "odp_schema_dir": Path,
    "max_body_bytes": _positive_whole_number,
    "aws_models_dir": Path,
    "allow_loopback_downloads": _yes_or_no,
}


@dataclass(frozen=True)
class Settings:
    """Everything a handler needs to find its adapters, from `BOPS_*` variables. Defaults are the embedded runtime's.

    A frozen dataclass with a parser per typed variable, not a pydantic model: every function reads it at its cold
    start, and the public API's functions need no pydantic otherwise (a model's class costs ~15 ms to build and
    pydantic's model machinery ~40 ms to import; pydantic-settings would add ~40 ms more).
    """

    runtime: Literal["embedded", "aws"] = "embedded"
    data_dir: Path = Path(".bops")
    odp_schema_dir: Path | None = None
    max_body_bytes: int = 6 * 1024 * 1024
    council: str | None = None  # on AWS each stack serves one council
    council_deployment: str | None = None  # that council's deployment config (JSON of CouncilDeployment), from CDK
    # AWS resources (names come from the stack's environment variables)
    event_table: str | None = None
    audit_table: str | None = None  # sealed audit checkpoints (shared.eventstore.checkpoints_dynamodb)
    read_model_table: str | None = None
    public_register_table: str | None = None  # the public register's own table (services/publication/read_model)
    idempotency_table: str | None = None  # Powertools Idempotency records (the notifications sender's, on AWS)
    documents_bucket: str | None = None
    secrets_prefix: str | None = None
    officer_user_pool_id: str | None = None  # the council's Cognito user pool (the officer directory on AWS)
    officer_user_pool_client_id: str | None = None  # its app client that may call AdminInitiateAuth
    region: str | None = None
    aws_models_dir: Path | None = None  # lean botocore data (shared.aws.models) that makes clients faster to create
    # Files may be downloaded from `localhost` (the demo's sample files, tests): always in the embedded runtime; on
    # AWS only if this is set (tests on moto), never by the stack: there loopback reaches the Lambda runtime API.
    allow_loopback_downloads: bool = False
    # Where the embedded runtime serves (`bops serve` sets it): the public base URL of a council that sets none, in
    # e-mails' links and both public faces' (`shared.councils.settings.effective_settings`). Never set on AWS.
    local_base_url: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        """The settings of these variables (others, and `BOPS_*` names that are no setting, are ignored);
        SettingsError naming every variable whose value is not valid."""
        values: dict[str, Any] = {}
        problems: list[str] = []
        for setting in fields(cls):
            variable = PREFIX + setting.name.upper()
            if variable not in environ:
                continue
            try:
                values[setting.name] = _PARSERS.get(setting.name, str)(environ[variable])
            except ValueError as error:
                problems.append(f"{variable}={environ[variable]!r}: {error}")
        if problems:
            raise SettingsError("Invalid settings: " + "; ".join(problems))
        return cls(**values)

    def __post_init__(self) -> None:
        if self.runtime not in RUNTIMES:
            raise SettingsError(f"runtime must be one of {', '.join(RUNTIMES)}, not {self.runtime!r}")
        if self.max_body_bytes <= 0:
            raise SettingsError(f"max_body_bytes must be greater than 0, not {self.max_body_bytes}")

    @property
    def event_log_path(self) -> Path:
        return self.data_dir / "events.sqlite"

    @property
    def audit_checkpoints_path(self) -> Path:
        return self.data_dir / "audit.sqlite"

    @property
    def read_models_path(self) -> Path:
        return self.data_dir / "readmodels.sqlite"

    @property
    def documents_path(self) -> Path:
        return self.data_dir / "documents"

    @property
    def secrets_path(self) -> Path:
        return self.data_dir / "secrets.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """This process's settings, validated once (at cold start on AWS): a bad value fails loudly with its name."""
    return Settings.from_environment(os.environ)
