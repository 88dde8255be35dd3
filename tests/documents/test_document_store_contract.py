"""One contract suite for the document store, run against the local folder and S3 (moto)."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, unquote, urlsplit

import boto3
import pytest

from shared.documents import DocumentNotFound
from shared.documents.local import LinkRefused, LocalDocumentStore
from shared.documents.s3 import S3DocumentStore
from tests.aws_support import lean_client


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalDocumentStore(tmp_path / "documents")
    request.getfixturevalue("aws")
    boto3.client("s3", region_name="eu-west-2").create_bucket(
        Bucket="docs", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    return S3DocumentStore("docs", lean_client("s3"))


def test_put_then_get_returns_the_same_bytes_and_their_hash(store):
    content = b"%PDF-1.7 plan"
    stored = store.put("DEMO/26-00001-HAPP/plan.pdf", content, "application/pdf")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert store.get("DEMO/26-00001-HAPP/plan.pdf") == content
    assert store.exists("DEMO/26-00001-HAPP/plan.pdf")


def test_delete_removes_a_document_and_ignores_a_missing_one(store):
    store.put("DEMO/submissions/a/b.json", b"{}", "application/json")
    store.put("DEMO/submissions/a/c.json", b"[]", "application/json")
    store.delete("DEMO/submissions/a/b.json")
    assert not store.exists("DEMO/submissions/a/b.json")
    assert store.get("DEMO/submissions/a/c.json") == b"[]"
    store.delete("DEMO/submissions/a/b.json")
    with pytest.raises(ValueError):
        store.delete("../escape.json")


def test_missing_document(store):
    assert not store.exists("nothing/here.pdf")
    with pytest.raises(DocumentNotFound):
        store.get("nothing/here.pdf")


@pytest.mark.parametrize("key", ["../escape.pdf", "/absolute.pdf", "a//b.pdf", "a/./b.pdf", ""])
def test_keys_cannot_escape(store, key):
    with pytest.raises(ValueError):
        store.put(key, b"x", "application/pdf")


def chunks_of(content: bytes, size: int = 7):
    for start in range(0, len(content), size):
        yield content[start : start + size]


def test_a_streamed_put_stores_the_chunks_and_their_hash(store):
    content = b"%PDF-1.7 " + bytes(range(256)) * 40
    stored = store.put_stream("DEMO/R1/documents/d1/plan.pdf", chunks_of(content), "application/pdf")
    assert (stored.sha256, stored.size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert (stored.key, stored.content_type) == ("DEMO/R1/documents/d1/plan.pdf", "application/pdf")
    assert store.get("DEMO/R1/documents/d1/plan.pdf") == content


def test_a_streamed_put_larger_than_memory_spooling(store):
    content = b"\x89PNG\r\n\x1a\n" + b"x" * (3 * 1024 * 1024)
    stored = store.put_stream("DEMO/R1/documents/d2/big.png", chunks_of(content, 64 * 1024), "image/png")
    assert stored.size == len(content) and store.get("DEMO/R1/documents/d2/big.png") == content


class TooLarge(Exception):
    pass


def test_a_stream_that_fails_stores_nothing(store):
    def failing():
        yield b"%PDF-1.7 first part"
        raise TooLarge("larger than 50 MB")

    with pytest.raises(TooLarge):
        store.put_stream("DEMO/R1/documents/d3/plan.pdf", failing(), "application/pdf")
    assert not store.exists("DEMO/R1/documents/d3/plan.pdf")


def test_a_streamed_put_checks_its_key(store):
    with pytest.raises(ValueError):
        store.put_stream("../escape.pdf", iter([b"x"]), "application/pdf")


def test_local_documents_are_owner_only(tmp_path):
    store = LocalDocumentStore(tmp_path / "data" / "documents")
    store.put("DEMO/R1/documents/d1/plan.pdf", b"%PDF-1.7", "application/pdf")
    store.put_stream("DEMO/R1/documents/d2/plan.pdf", iter([b"%PDF-1.7"]), "application/pdf")
    for path in [tmp_path / "data", *(tmp_path / "data").rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path
    assert not [p for p in (tmp_path / "data").rglob("*.partial")]


def test_a_temporary_link_serves_a_large_file_from_s3_and_the_local_store_has_none(store, tmp_path):
    import requests

    from shared.documents.port import temporary_link

    content = b"%PDF-1.7 " + b"x" * (7 * 1024 * 1024)  # more than a Lambda answer can carry
    store.put("DEMO/26-00001-HAPP/plan.pdf", content, "application/pdf")
    link = temporary_link(
        store, "DEMO/26-00001-HAPP/plan.pdf", file_name="Plan é 1.pdf", content_type="application/pdf"
    )
    if isinstance(store, LocalDocumentStore):
        assert link is None
        return
    assert link is not None and "X-Amz-Expires=300" in link and "X-Amz-Signature=" in link
    answer = requests.get(link, timeout=10)
    assert answer.status_code == 200 and answer.content == content
    assert answer.headers["Content-Type"] == "application/pdf"
    assert (
        answer.headers["Content-Disposition"]
        == "inline; filename=\"Plan___1.pdf\"; filename*=UTF-8''Plan%20%C3%A9%201.pdf"
    )


def test_the_size_of_a_document_without_reading_it(store):
    store.put("DEMO/R1/documents/d1/plan.pdf", b"%PDF-1.7 twelve", "application/pdf")
    assert store.size("DEMO/R1/documents/d1/plan.pdf") == 15
    with pytest.raises(DocumentNotFound):
        store.size("DEMO/R1/documents/d1/none.pdf")


def test_a_link_serves_the_document_with_its_name_and_type_for_a_few_minutes(store):
    """S3: a presigned GET with the response's type and disposition; the local store: a signed path that `bops serve`
    streams (`open_link`, below)."""
    key = "DEMO/R1/documents/d1/big plan.pdf"
    store.put(key, b"%PDF-1.7", "application/pdf")
    link = store.link(key, file_name="Big plan (v2).pdf", content_type="application/pdf")
    parts = urlsplit(link)
    query = dict(parse_qsl(parts.query))
    if isinstance(store, S3DocumentStore):
        assert parts.scheme == "https" and unquote(parts.path).endswith("/DEMO/R1/documents/d1/big plan.pdf")
        assert query["X-Amz-Expires"] == "300" and query["X-Amz-Signature"]
        assert query["response-content-type"] == "application/pdf"
        assert query["response-content-disposition"] == (
            "inline; filename=\"Big_plan__v2_.pdf\"; filename*=UTF-8''Big%20plan%20%28v2%29.pdf"
        )
        assert query["response-cache-control"] == "private, no-store"
    else:
        assert parts.path.startswith("/_files/")
        linked = store.open_link(unquote(parts.path.removeprefix("/_files/")), query)
        assert linked.path.read_bytes() == b"%PDF-1.7"
        assert (linked.size, linked.content_type, linked.file_name) == (8, "application/pdf", "Big_plan__v2_.pdf")


def test_a_local_link_altered_forged_or_expired_is_refused(tmp_path):
    now = [1_800_000_000.0]
    key_store = {}

    def link_key():
        return key_store.setdefault("key", "k" * 64)

    store = LocalDocumentStore(tmp_path / "documents", link_key, now=lambda: now[0])
    store.put("DEMO/R1/a.pdf", b"%PDF-1.7", "application/pdf")
    store.put("DEMO/R1/b.pdf", b"%PDF-1.7 other", "application/pdf")
    parts = urlsplit(store.link("DEMO/R1/a.pdf", file_name="a.pdf", content_type="application/pdf"))
    key, query = unquote(parts.path.removeprefix("/_files/")), dict(parse_qsl(parts.query))
    assert store.open_link(key, query).size == 8
    # another process of `bops serve` (the same link key from the secrets store) accepts it
    assert LocalDocumentStore(tmp_path / "documents", link_key).open_link(key, query).size == 8
    for altered_key, altered in [
        ("DEMO/R1/b.pdf", query),
        (key, {**query, "type": "text/html"}),
        (key, {**query, "name": "a.html"}),
        (key, {**query, "expires": str(int(query["expires"]) + 3600)}),
        (key, {**query, "signature": "0" * 64}),
        (key, {k: v for k, v in query.items() if k != "signature"}),
        ("../escape.pdf", query),
    ]:
        with pytest.raises(LinkRefused) as refused:
            store.open_link(altered_key, altered)
        assert refused.value.status == 403
    with pytest.raises(LinkRefused):  # another key (another installation) does not accept it
        LocalDocumentStore(tmp_path / "documents").open_link(key, query)
    now[0] += 301
    with pytest.raises(LinkRefused) as expired:
        store.open_link(key, query)
    assert expired.value.status == 403 and "expired" in str(expired.value)
    now[0] -= 301
    store.delete("DEMO/R1/a.pdf")
    with pytest.raises(LinkRefused) as gone:
        store.open_link(key, query)
    assert gone.value.status == 404
