"""Builds each adapter once per process from the settings: SQLite and folders embedded, DynamoDB and S3 on AWS.

Handlers call `dependencies()` on their first request (never at import), so cold starts stay cheap.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from shared.clock import Clock, clock_from_environment
from shared.settings import Settings, get_settings

if TYPE_CHECKING:  # only for annotations: a handler that never builds an adapter does not import its port
    from shared.attempts.port import AttemptCounters
    from shared.councils.profile import CouncilProfiles
    from shared.councils.settings import EffectiveCouncilSettings
    from shared.documents.port import DocumentStore
    from shared.eventstore.port import EventStore
    from shared.outbox import OutboxReader
    from shared.projections.store import ReadModelStore
    from shared.secrets.port import SecretStore

T = TypeVar("T")


@dataclass
class Dependencies:
    """The adapters a handler uses, built lazily from one settings object."""

    settings: Settings
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)  # `aws_client`'s, by service

    def memo(self, name: str, build: Callable[[Dependencies], T]) -> T:
        """A service object built once from these adapters (forgotten with them when the settings change)."""
        try:
            return self._memo[name]
        except KeyError:
            with self._memo_lock:
                if name not in self._memo:
                    self._memo[name] = build(self)
                return self._memo[name]

    @cached_property
    def clock(self) -> Clock:
        return clock_from_environment(os.environ)

    @cached_property
    def event_store(self) -> EventStore:
        if self.settings.runtime == "aws":
            from shared.eventstore.dynamodb import DynamoDbEventStore

            table = self._required("event_table")
            return DynamoDbEventStore(table, client=self.aws_client("dynamodb"), clock=self.clock)
        from shared.eventstore.sqlite import SqliteEventStore

        return SqliteEventStore(self.settings.event_log_path, clock=self.clock)

    @cached_property
    def read_models(self) -> ReadModelStore:
        if self.settings.runtime == "aws":
            from shared.projections.dynamodb_store import DynamoDbReadModelStore

            return DynamoDbReadModelStore(self._required("read_model_table"), client=self.aws_client("dynamodb"))
        from shared.projections.sqlite_store import SqliteReadModelStore

        return SqliteReadModelStore(self.settings.read_models_path)

    @cached_property
    def documents(self) -> DocumentStore:
        if self.settings.runtime == "aws":
            from shared.documents.s3 import S3DocumentStore

            return S3DocumentStore(self._required("documents_bucket"), self.aws_client("s3"))
        from shared.documents.local import LINK_KEY_SECRET, LocalDocumentStore

        def link_key() -> str:  # made on first use, the same for every process of `bops serve`
            import secrets

            return self.memo(
                "document-link-key", lambda d: d.secrets.put_if_absent(LINK_KEY_SECRET, secrets.token_hex(32))
            )

        return LocalDocumentStore(self.settings.documents_path, link_key)

    @cached_property
    def secrets(self) -> SecretStore:
        if self.settings.runtime == "aws":
            from shared.secrets.aws import SecretsManagerSecrets

            return SecretsManagerSecrets(self.aws_client("secretsmanager"), self.settings.secrets_prefix or "bops/")
        from shared.secrets.local import LocalSecretsFile

        return LocalSecretsFile(self.settings.secrets_path)

    @cached_property
    def attempt_counters(self) -> AttemptCounters:
        """Counters of attempts (sign-in failures) shared by every process: beside the read models."""
        if self.settings.runtime == "aws":
            from shared.attempts.dynamodb import DynamoDbAttemptCounters

            return DynamoDbAttemptCounters(self._required("read_model_table"), self.aws_client("dynamodb"))
        from shared.attempts.sqlite import SqliteAttemptCounters

        return SqliteAttemptCounters(self.settings.read_models_path)

    @cached_property
    def outbox(self) -> OutboxReader | None:
        """The local outbox's messages (embedded only: on AWS every message goes through GOV.UK Notify)."""
        if self.settings.runtime == "aws":
            return None
        from shared.outbox import SqliteOutboxReader, outbox_path

        return SqliteOutboxReader(outbox_path(self.settings.data_dir))

    @property
    def council_profiles(self) -> CouncilProfiles:
        """The councils' profiles this process folded (each read again from where it stopped)."""
        from shared.councils.profile import CouncilProfiles

        return self.memo("council-profiles", lambda deps: CouncilProfiles(deps.event_store))

    def council_name(self, code: str) -> str:
        """A council's name for a page's header: the name its stream records, without building its settings (the
        deployment config is read only for a council whose stream was never created: `council_settings`)."""
        profile = self.council_profiles.load(code)
        return profile.name if profile.exists else self.council_settings(code).name

    def council_settings(self, code: str) -> EffectiveCouncilSettings:
        """A council's effective settings: its deployment config (on AWS) overlaid by the settings on its stream.

        Any service may read them: the fold is `shared.councils.profile`'s, not the councils service's.
        """
        from shared.councils.settings import CouncilDeployment, effective_settings

        profiles = self.council_profiles
        deployment = None
        deployed = self.settings.council_deployment
        if deployed:
            deployment = self.memo("deployment", lambda deps: CouncilDeployment.model_validate_json(deployed))
            if deployment.code != code:
                deployment = None
        profile = profiles.load(code)  # the same object while nothing was appended to the council's stream
        # the settings made from that profile last time, while it is still the newest (validate and determine ask)
        made: dict[str, tuple[object, EffectiveCouncilSettings]] = self.memo("effective-settings", lambda deps: {})
        known = made.get(code)
        if known is not None and known[0] is profile:
            return known[1]
        local = self.settings.local_base_url
        settings = effective_settings(deployment, profile, local) if local else effective_settings(deployment, profile)
        made[code] = (profile, settings)
        return settings

    def aws_client(self, service: str) -> Any:
        """One client per service for all the adapters (the event store, the read models and the case list share
        DynamoDB's): each more would cost a few ms of a cold start. Clients are thread-safe."""
        from shared.aws.clients import aws_client

        client = self._clients.get(service)
        if client is None:  # (two threads at once may both make one: either does)
            client = self._clients.setdefault(
                service, aws_client(service, self.settings.region, self.settings.aws_models_dir)
            )
        return client

    def _required(self, name: str) -> str:
        value = getattr(self.settings, name)
        if not value:
            raise RuntimeError(f"BOPS_{name.upper()} must be set when BOPS_RUNTIME=aws")
        return value


_lock = threading.Lock()
_dependencies: Dependencies | None = None


def dependencies() -> Dependencies:
    global _dependencies
    if _dependencies is None:
        with _lock:
            if _dependencies is None:
                _dependencies = Dependencies(get_settings())
    return _dependencies


def reset() -> None:
    """Forget the settings and adapters (tests and `bops` commands that change the environment)."""
    global _dependencies
    with _lock:
        _dependencies = None
        get_settings.cache_clear()
    if "shared.aws.clients" in sys.modules:
        sys.modules["shared.aws.clients"].forget_sessions()
