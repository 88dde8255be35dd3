"""Documents in the council's private S3 bucket."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any

from shared.aws.errors import error_code
from shared.documents.port import (
    LINK_SECONDS,
    DocumentNotFound,
    Measured,
    StoredDocument,
    check_key,
    describe,
    inline_disposition,
)

SPOOL_IN_MEMORY_BYTES = 1024 * 1024  # a streamed document larger than this is spooled in the function's /tmp


class S3DocumentStore:
    links_bypass_functions = True

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

    def put_stream(self, key: str, chunks: Iterable[bytes], content_type: str) -> StoredDocument:
        """Spooled to a temporary file (its sha256 and size taken on the way), then uploaded in one PUT with the
        sha256 in its metadata, as `put` does: nothing reaches the bucket if the chunks raise. (A multipart upload
        could not carry the whole content's sha256 in the object's metadata.)"""
        check_key(key)
        measured = Measured(chunks)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
            for chunk in measured:
                spool.write(chunk)
            spool.seek(0)
            stored = measured.stored(key, content_type)
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=spool,
                ContentLength=stored.size,
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
            if error_code(error) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def size(self, key: str) -> int:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ContentLength"])
        except self.client.exceptions.ClientError as error:
            if error_code(error) in ("404", "NoSuchKey", "NotFound"):
                raise DocumentNotFound(key) from None
            raise

    def link(self, key: str, *, file_name: str, content_type: str, expires_in: int = LINK_SECONDS) -> str:
        """A presigned GET (SigV4, signed by the function's role): S3 answers with the content type, disposition and
        cache control given here, so the browser treats it as the API's answer would."""
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": check_key(key),
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": inline_disposition(file_name),
                    "ResponseCacheControl": "private, no-store",
                },
                ExpiresIn=expires_in,
            )
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))  # S3 answers 204 for a missing key too
