"""Documents in the council's private S3 bucket."""

from __future__ import annotations

from typing import Any

from shared.documents.port import DocumentNotFound, StoredDocument, check_key, describe


class S3DocumentStore:
    def __init__(self, bucket: str, client: Any) -> None:
        self.bucket = bucket
        self.client = client

    def put(self, key: str, content: bytes, content_type: str) -> StoredDocument:
        stored = describe(check_key(key), content, content_type)
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=content,
            ContentType=content_type,
            ChecksumAlgorithm="SHA256",
            Metadata={"sha256": stored.sha256},
        )
        return stored

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise DocumentNotFound(key) from None

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
            return True
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))  # S3 answers 204 for a missing key too
