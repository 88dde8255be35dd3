"""Process settings, from the environment, validated once at start (cold start on AWS, `bops serve` locally)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PREFIX = "BOPS_"


class Settings(BaseModel):
    """Everything a handler needs to find its adapters, from `BOPS_*` variables. Defaults are the embedded runtime's.

    A plain pydantic model read from the environment (pydantic-settings would add ~40 ms to every cold start).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        return cls.model_validate({k[len(PREFIX) :].lower(): v for k, v in environ.items() if k.startswith(PREFIX)})

    runtime: Literal["embedded", "aws"] = "embedded"
    data_dir: Path = Path(".bops")
    odp_schema_dir: Path | None = None
    max_body_bytes: int = Field(default=6 * 1024 * 1024, gt=0)
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
