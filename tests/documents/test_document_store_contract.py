"""One contract suite for the document store, run against the local folder and S3 (moto)."""

from __future__ import annotations

import hashlib

import boto3
import pytest

from shared.documents import DocumentNotFound
from shared.documents.local import LocalDocumentStore
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
