"""Documents in a folder under the data directory (the embedded runtime's S3), owner-only: they hold personal data."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from uuid import uuid4

from shared.documents.port import DocumentNotFound, Measured, StoredDocument, check_key
from shared.private_files import FILE_MODE, private_directory


class LocalDocumentStore:
    def __init__(self, root: Path | str) -> None:
        self.root = private_directory(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, content: bytes, content_type: str) -> StoredDocument:
        """Write the document under its key.

        Keys are unique per content (they carry a hash or a fresh id) and are only published in an event after `put`
        returns, so nobody reads a key while it is being written; a put repeated after a crash rewrites it whole.
        Like the event log (WAL, synchronous=NORMAL), a returned put survives a process crash; it is not fsynced.
        """
        return self.put_stream(key, (content,), content_type)

    def put_stream(self, key: str, chunks: Iterable[bytes], content_type: str) -> StoredDocument:
        """Written to a temporary file (0600) beside the key's, renamed over it once complete: an error leaves
        nothing under the key."""
        path = self._path(key)
        if not path.parent.is_dir():
            private_directory(path.parent)
        temporary = path.with_name(f".{path.name}.{uuid4().hex}.partial")
        measured = Measured(chunks)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as file:
                for chunk in measured:
                    file.write(chunk)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return measured.stored(key, content_type)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise DocumentNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
