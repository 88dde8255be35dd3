"""The embedded runtime's secrets: one JSON file readable only by its owner, safe with several processes.

Writers take an exclusive flock on `<file>.lock`, read, change, write a 0600 temp file and rename it over the file,
so readers (who take no lock) always see a whole file, and no write is lost between processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson

from shared.secrets.port import check_secret_name, check_secret_value

FILE_MODE = 0o600


class InsecureSecretsFile(PermissionError):
    """The secrets file can be read or written by other users: refuse to use it until its mode is fixed."""


class LocalSecretsFile:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def get(self, name: str) -> str | None:
        return self._read().get(check_secret_name(name))

    def put(self, name: str, value: str) -> None:
        check_secret_name(name)
        check_secret_value(value)
        with self._locked():
            values = self._read()
            values[name] = value
            self._write(values)

    def put_if_absent(self, name: str, value: str) -> str:
        check_secret_name(name)
        check_secret_value(value)
        with self._locked():  # the same lock as every writer: the check and the write are one step
            values = self._read()
            stored = values.get(name)
            if stored is not None:
                return stored
            values[name] = value
            self._write(values)
            return value

    def delete(self, name: str) -> None:
        check_secret_name(name)
        with self._locked():
            values = self._read()
            if values.pop(name, None) is not None:
                self._write(values)

    def _read(self) -> dict[str, str]:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return {}
        with os.fdopen(fd, "rb") as file:
            mode = stat.S_IMODE(os.fstat(fd).st_mode)
            if mode & 0o077:
                raise InsecureSecretsFile(
                    f"secrets file {self.path} has mode {mode:o}: other users could read it. "
                    f"Refusing to use it; run `chmod 600 {self.path}` if its secrets are still safe, else rotate them."
                )
            data = file.read()
        values = orjson.loads(data) if data else {}
        if not isinstance(values, dict):
            raise ValueError(f"secrets file {self.path} does not hold a JSON object")
        return values

    def _write(self, values: dict[str, str]) -> None:
        temporary = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(orjson.dumps(values, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_directory(self.path.parent)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
