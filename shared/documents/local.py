"""Documents in a folder under the data directory (the embedded runtime's S3), owner-only: they hold personal data."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode
from uuid import uuid4

from shared.documents.port import LINK_SECONDS, DocumentNotFound, Measured, StoredDocument, check_key, safe_file_name
from shared.private_files import FILE_MODE, private_directory

LINK_PREFIX = "/_files/"  # `bops serve` streams what a link names (ProxyApp), as S3 serves a presigned URL
LINK_KEY_SECRET = "document-link-key"


@dataclass(frozen=True)
class LinkedFile:
    """A file a valid link names, to stream from disk."""

    path: Path
    size: int
    content_type: str
    file_name: str


class LinkRefused(Exception):
    """A link that was forged, altered or has expired (403), or names a file that is not there (404)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class LocalDocumentStore:
    links_bypass_functions = False  # its links are paths `bops serve` streams

    def __init__(
        self,
        root: Path | str,
        link_key: Callable[[], str] | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        """`link_key`: the key that signs links (the secrets store's, shared by `bops serve`'s processes); without
        one, a key of this instance's own (its links work only through it)."""
        self.root = private_directory(root)
        own = secrets.token_hex(32)
        self._link_key = link_key or (lambda: own)
        self._now = now

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
        temporary = path.with_name(f".{path.name}.{uuid4().hex}.partial")
        measured = Measured(chunks)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        try:
            fd = os.open(temporary, flags, FILE_MODE)
        except FileNotFoundError:  # the key's folder is new (most puts go beside the application's other files)
            private_directory(path.parent)
            fd = os.open(temporary, flags, FILE_MODE)
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

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise DocumentNotFound(key) from None

    def link(self, key: str, *, file_name: str, content_type: str, expires_in: int = LINK_SECONDS) -> str:
        """A path on `bops serve` (relative to its origin) with the key, the expiry, the name and type to serve it
        with, and an HMAC of them all under the link key."""
        check_key(key)
        expires = str(int(self._now()) + expires_in)
        name = safe_file_name(file_name)
        signature = self._sign(key, expires, name, content_type)
        query = urlencode({"expires": expires, "name": name, "type": content_type, "signature": signature})
        return f"{LINK_PREFIX}{quote(key, safe='/')}?{query}"

    def open_link(self, key: str, query: dict[str, str]) -> LinkedFile:
        """The file a link names, once its signature and expiry are checked (LinkRefused otherwise)."""
        expires, name, content_type = query.get("expires", ""), query.get("name", ""), query.get("type", "")
        try:
            check_key(key)
            expected = self._sign(key, expires, name, content_type)
        except ValueError:
            raise LinkRefused(403, "This link is not valid") from None
        if not hmac.compare_digest(expected, query.get("signature", "")) or not expires.isdigit():
            raise LinkRefused(403, "This link is not valid")
        if int(expires) < self._now():
            raise LinkRefused(403, "This link has expired: ask for the document again")
        path = self._path(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise LinkRefused(404, "The document is not in the document store") from None
        return LinkedFile(path, size, content_type, name)

    def _sign(self, key: str, expires: str, name: str, content_type: str) -> str:
        message = "\n".join((key, expires, name, content_type)).encode("utf-8")
        return hmac.new(self._link_key().encode("utf-8"), message, hashlib.sha256).hexdigest()
