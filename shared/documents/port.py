"""The document store: large content (original submissions, files) kept outside the log, referenced by key + sha256."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

LINK_SECONDS = 300  # how long a link to a document works


@dataclass(frozen=True)
class StoredDocument:
    key: str
    sha256: str
    size: int
    content_type: str


class DocumentNotFound(LookupError):
    pass


class DocumentStore(Protocol):
    # True when a link (`link`) is served by the store itself (S3's presigned GET), not by a function of ours: public
    # downloads then always go by link (a function's answer holds at most 6 MB).
    links_bypass_functions: bool

    def put(self, key: str, content: bytes, content_type: str) -> StoredDocument:
        """Store content under a key (overwriting the same key with the same bytes is harmless)."""
        ...

    def put_stream(self, key: str, chunks: Iterable[bytes], content_type: str) -> StoredDocument:
        """Store content that arrives in chunks, never holding it all in memory. If the chunks raise (too large, the
        network failed), nothing is stored under the key and the error propagates."""
        ...

    def get(self, key: str) -> bytes:
        """The content, or DocumentNotFound."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the document; nothing happens when there is none (intake removes the original of a refusal)."""
        ...

    def size(self, key: str) -> int:
        """The content's size in bytes (without reading it), or DocumentNotFound."""
        ...

    def link(self, key: str, *, file_name: str, content_type: str, expires_in: int = LINK_SECONDS) -> str:
        """A short-lived URL that GETs the content directly from the store, streamed, with this content type and as
        an inline file of this name: for files too large to pass through a function's answer. S3: a presigned URL;
        the local store: a signed path that `bops serve` streams from disk (`LocalDocumentStore.open_link`)."""
        ...


def safe_file_name(name: str) -> str:
    """A file name safe in a header: ASCII letters, digits and ._- (anything else an underscore)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name) or "document"


def inline_disposition(name: str) -> str:
    """`inline` with the file's name: plain ASCII for every client, and the exact name (RFC 5987) for those that
    read it."""
    from urllib.parse import quote

    return f"inline; filename=\"{safe_file_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def describe(key: str, content: bytes, content_type: str) -> StoredDocument:
    return StoredDocument(key, hashlib.sha256(content).hexdigest(), len(content), content_type)


@dataclass
class Measured:
    """Chunks passed through while their sha256 and size are taken."""

    chunks: Iterable[bytes]
    size: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.size += len(chunk)
            self.digest.update(chunk)
            yield chunk

    def stored(self, key: str, content_type: str) -> StoredDocument:
        return StoredDocument(key, self.digest.hexdigest(), self.size, content_type)


def check_key(key: str) -> str:
    """Keys are relative, slash-separated, with no empty, '.' or '..' parts."""
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") for part in parts) or "\\" in key or "\x00" in key:
        raise ValueError(f"invalid document key {key!r}")
    return key


# How an OpenAPI document describes `temporary_link`'s answer (a file route's 302 on AWS).
TEMPORARY_LINK_RESPONSE = {
    "description": "On AWS: a redirect to a short-lived link (5 minutes) that serves the file from the document "
    "store; follow `Location`. The embedded runtime answers 200 with the file itself.",
    "headers": {"Location": {"description": "The file's short-lived link", "schema": {"type": "string"}}},
}


def temporary_link(store: DocumentStore, key: str, *, file_name: str, content_type: str) -> str | None:
    """A short-lived link that serves the document without passing through the function, when the store can make
    one (S3: a presigned URL); None when it cannot (the embedded store: the function serves the file)."""
    return store.link(key, file_name=file_name, content_type=content_type) if store.links_bypass_functions else None
