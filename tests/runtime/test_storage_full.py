"""A full disk under `bops serve`: a write the event log or the document store cannot make is answered 503 with a
Retry-After (the same request works once space is freed), never 502, and nothing is half-stored.

The adapters are the real ones, on a real data folder, made to meet a full disk as they would: the event log's SQLite
connections limited to the pages the file has (`PRAGMA max_page_count`, so SQLite itself reports "database or disk is
full"), the document store's file writes failing as the OS fails them (ENOSPC, from a write to /dev/full)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bops.asgi import STORAGE_FULL, storage_full
from shared.documents.local import LocalDocumentStore
from shared.eventstore.sqlite import SqliteEventStore
from tests.applicant.support import PDF, invalid_application, multipart

pytestmark = pytest.mark.xdist_group("applicant-pages")


class FullEventLog(SqliteEventStore):
    """The event log on a disk with no room left: each connection may not grow the file past its size now, until
    `free` gives it room again."""

    def __init__(self, path: Path, **options: Any) -> None:
        self.limited: list[sqlite3.Connection] = []  # before the log opens its first connection
        super().__init__(path, **options)

    def _connection(self) -> sqlite3.Connection:
        fresh = getattr(self._local, "connection", None) is None
        connection = super()._connection()
        if fresh:
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count = {pages}")
            self.limited.append(connection)
        return connection

    def free(self) -> None:
        for connection in self.limited:
            connection.execute("PRAGMA max_page_count = 1073741823")


class FullDocuments(LocalDocumentStore):
    """The document store on a disk that fills up while a file is written: the OS refuses the write (ENOSPC)."""

    def put_stream(self, key: str, chunks: Iterable[bytes], content_type: str) -> Any:
        def filling() -> Iterator[bytes]:
            for chunk in chunks:
                yield chunk
                with Path("/dev/full").open("wb") as full:
                    full.write(chunk)

        return super().put_stream(key, filling(), content_type)


def post_answer(case, fields, files=None):
    body, content_type = multipart(fields, files)
    return case.runtime.client.request("POST", case.link("additional_document"), body, {"Content-Type": content_type})


def stored_files(case) -> list[Path]:
    folder = case.runtime.options.data_dir / "documents"
    return [p for p in folder.rglob("*") if "applicant-documents" in str(p) and p.is_file()]


def test_a_full_event_log_answers_503_with_retry_after_and_stores_nothing(runtime):
    case = invalid_application(runtime)
    deps = runtime.deps
    before = case.versions()
    log = deps.event_store
    deps.event_store = full = FullEventLog(log.path, clock=deps.clock)
    status, headers, body = case.runtime.client.request(
        "POST",
        case.link("other_change", json_twin=True),
        b'{"response": "' + b"The wall is 1.8 m high. " * 350 + b'"}',
        {"Content-Type": "application/json"},
    )
    assert status == 503, body
    assert body["message"] == STORAGE_FULL and int(headers["Retry-After"]) > 0
    full.free()
    assert case.versions() == before  # the application's streams, as before (the relay may append elsewhere)
    assert log.verify_log().first_bad is None  # the log is whole
    status, _, _ = case.runtime.client.request(
        "POST",
        case.link("other_change", json_twin=True),
        b'{"response": "1.8 m"}',
        {"Content-Type": "application/json"},
    )
    assert status == 200 and case.versions() > before  # space freed: the same answer goes through


def test_a_full_disk_under_the_document_store_answers_503_and_leaves_no_file(runtime):
    case = invalid_application(runtime)
    deps = runtime.deps
    before = case.versions()
    documents = deps.documents
    deps.documents = FullDocuments(documents.root)
    status, headers, _ = post_answer(case, {"response": "The plan"}, {"document": ("plan.pdf", PDF)})
    assert status == 503 and int(headers["Retry-After"]) > 0
    assert case.versions() == before
    assert stored_files(case) == []  # not the file, nor its temporary part
    deps.documents = documents
    status, _, _ = post_answer(case, {"response": "The plan"}, {"document": ("plan.pdf", PDF)})
    assert status == 200 and len(stored_files(case)) == 1


def test_only_a_full_disk_is_storage_full():
    def raised_from(cause: BaseException) -> BaseException:
        try:
            try:
                raise cause
            except BaseException as inner:
                raise RuntimeError("the adapter failed") from inner
        except RuntimeError as outer:
            return outer

    full = sqlite3.connect(":memory:")
    full.execute("CREATE TABLE t (x)")
    full.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError) as sqlite_full:
        full.executemany("INSERT INTO t VALUES (?)", [(b"x" * 4096,)] * 10)
    with pytest.raises(OSError) as disk_full, Path("/dev/full").open("wb") as device:
        device.write(b"x")
        device.flush()
    assert storage_full(sqlite_full.value) and storage_full(disk_full.value)
    assert storage_full(raised_from(disk_full.value))
    assert not storage_full(sqlite3.OperationalError("database is locked"))
    assert not storage_full(FileNotFoundError(2, "No such file or directory"))
    assert not storage_full(ValueError("database or disk is full"))
