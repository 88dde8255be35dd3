"""Large content outside the log: a port with a local-folder adapter and an S3 adapter."""

from shared.documents.port import DocumentNotFound, DocumentStore, StoredDocument

__all__ = ["DocumentNotFound", "DocumentStore", "StoredDocument"]
