"""Process settings, from the environment, validated once at start (cold start on AWS, `bops serve` locally)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a handler needs to find its adapters. Defaults are the embedded runtime's."""

    model_config = SettingsConfigDict(env_prefix="BOPS_", extra="ignore", frozen=True)

    runtime: Literal["embedded", "aws"] = "embedded"
    data_dir: Path = Path(".bops")
    odp_schema_dir: Path | None = None
    max_body_bytes: int = Field(default=6 * 1024 * 1024, gt=0)
    council: str | None = None  # on AWS each stack serves one council
    # AWS resources (names come from the stack's environment variables)
    event_table: str | None = None
    read_model_table: str | None = None
    documents_bucket: str | None = None
    secrets_prefix: str | None = None
    region: str | None = None

    @property
    def event_log_path(self) -> Path:
        return self.data_dir / "events.sqlite"

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
    return Settings()
