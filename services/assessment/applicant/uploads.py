"""A file the applicant uploads: what it is (from its first bytes, never its name or declared type), its size, and a
safe name and key to store it under."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MB = 1024 * 1024
# At most 3 MB: on AWS the whole request reaches the function base64-encoded inside a 6 MB invocation, so a 3 MB
# file fits whether it comes in a form (multipart) or base64 inside JSON (8/3 x 4/3 of the file). Bigger files need
# direct uploads to the document store (not built yet).
MAX_UPLOAD_BYTES = 3 * MB
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
MAX_NAME_LENGTH = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class UploadedFile:
    """A file as the applicant sent it (the content already read, within the limit)."""

    name: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """PDF, PNG or JPEG from the first bytes, else None."""
    return next((content_type for magic, content_type in MAGIC if content.startswith(magic)), None)


def file_problem(file: UploadedFile) -> str | None:
    """Why the file cannot be accepted, in words for the applicant, or None."""
    if not file.content:
        return "The selected file is empty"
    if len(file.content) > MAX_UPLOAD_BYTES:
        return f"The selected file must be smaller than {MAX_UPLOAD_BYTES // MB} MB"
    if sniff(file.content) is None:
        return "The selected file must be a PDF, PNG or JPEG"
    return None


def safe_file_name(name: str, content_type: str) -> str:
    """The name without any path, in ASCII letters, digits and `._-` (bidirectional controls and the like removed),
    ending in the detected type's extension; `document.pdf` (etc.) when nothing is left."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"_{2,}", "_", _UNSAFE.sub("_", ascii_name)).strip("._-")
    stem = cleaned.rsplit(".", 1)[0].strip("._-") if "." in cleaned else cleaned
    extension = EXTENSIONS[content_type]
    return (stem or "document")[: MAX_NAME_LENGTH - len(extension)] + extension


def document_key(council: str, reference: str, document_id: str, name: str) -> str:
    """Where an applicant's file is stored (beside the submitted documents, under its own id)."""
    return f"{council}/{reference}/applicant-documents/{document_id}/{name}"
