"""Low-level AWS clients for the adapters, from one botocore session per process that reads the lean data folder first.

With `models_dir` (the bundle's `aws-models`, see `shared.aws.models`), clients are built from that folder and fall
back to botocore's own data for anything it lacks (a waiter, another service), so a missing file costs time, never a
failure. The clients are botocore's, the same objects `boto3.client` returns without its S3 transfer helpers (which
no adapter uses): importing boto3 itself (s3transfer, concurrent.futures, multiprocessing...) adds ~35 ms to a cold
start (bench/cold_start.py).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_sessions: dict[str | None, Any] = {}
_clients: weakref.WeakSet[Any] = weakref.WeakSet()  # every client made, for `close_connections`


def _lean_loader(models_dir: Path) -> Any:
    from botocore.exceptions import DataNotFoundError, UnknownServiceError
    from botocore.loaders import JSONFileLoader, Loader

    class PlainJsonLoader(JSONFileLoader):
        """Parses the lean folder's plain `.json` files with orjson: botocore's `json.loads` into OrderedDicts takes
        ~10 ms for S3's endpoint rules alone (130 kB); anything else (a `.json.gz`) is botocore's to read."""

        def load_file(self, file_path: str) -> Any:
            import orjson

            try:
                with open(file_path + ".json", "rb") as file:
                    return orjson.loads(file.read())
            except FileNotFoundError:
                return super().load_file(file_path)

    class LeanLoader(Loader):
        """Searches `models_dir` only (no listing of botocore's ~450 service folders), then botocore's own data."""

        def __init__(self) -> None:
            super().__init__(
                extra_search_paths=[str(models_dir)], file_loader=PlainJsonLoader(), include_default_search_paths=False
            )
            self._fallback: Loader | None = None

        @property
        def fallback(self) -> Loader:
            if self._fallback is None:
                self._fallback = Loader()
            return self._fallback

        def load_data_with_path(self, name: str) -> Any:
            try:
                return super().load_data_with_path(name)
            except DataNotFoundError:
                return self.fallback.load_data_with_path(name)

        def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
            try:
                return super().load_service_model(service_name, type_name, api_version)
            except (DataNotFoundError, UnknownServiceError):
                return self.fallback.load_service_model(service_name, type_name, api_version)

    return LeanLoader()


def _session(models_dir: Path | None) -> Any:
    import botocore.session

    key = str(models_dir) if models_dir else None
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = botocore.session.Session()
            if models_dir is not None and models_dir.is_dir():
                session.register_component("data_loader", _lean_loader(models_dir))
            _sessions[key] = session
        return session


def aws_client(service: str, region: str | None = None, models_dir: Path | None = None) -> Any:
    """A low-level client for `service`; clients of one process share a session (and so its loaded data)."""
    session = _session(models_dir)
    with _lock:  # creating clients from one session is not thread-safe
        client = session.create_client(service, region_name=region)
        _clients.add(client)
        return client


def close_connections() -> None:
    """Close the pooled connections of every client made (they stay usable: the next call connects again)."""
    with _lock:
        clients = list(_clients)
    for client in clients:
        client.close()


def forget_sessions() -> None:
    """Drop the cached sessions (tests that change credentials or endpoints between cases)."""
    with _lock:
        _sessions.clear()
