"""Documents in a folder under the data directory (the embedded runtime's S3)."""

from __future__ import annotations

from pathlib import Path

from shared.documents.port import DocumentNotFound, StoredDocument, check_key, describe


class LocalDocumentStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, content: bytes, content_type: str) -> StoredDocument:
        """Write the document under its key.

        Keys are unique per content (they carry a hash or a fresh id) and are only published in an event after `put`
        returns, so nobody reads a key while it is being written; a put repeated after a crash rewrites it whole.
        Like the event log (WAL, synchronous=NORMAL), a returned put survives a process crash; it is not fsynced.
        """
        path = self._path(key)
        try:
            path.write_bytes(content)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        return describe(key, content, content_type)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise DocumentNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
