"""Documents in a folder under the data directory (the embedded runtime's S3)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from shared.documents.port import DocumentNotFound, StoredDocument, check_key, describe


class LocalDocumentStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, content: bytes, content_type: str) -> StoredDocument:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        path.with_name(path.name + ".content-type").write_text(content_type)
        return describe(key, content, content_type)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise DocumentNotFound(key) from None

    def content_type(self, key: str) -> str:
        meta = self._path(key).with_name(self._path(key).name + ".content-type")
        return meta.read_text() if meta.exists() else "application/octet-stream"

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()
