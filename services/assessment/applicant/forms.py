"""The applicant's answer as it arrives: the HTML form (multipart/form-data) or the JSON twin's body, turned into one
`AnswerInput`, or refused with a clear reason before anything is stored.

Both carry the same fields: `agreed` (the form's radios `yes`/`no`; JSON true/false), `reason`, `response`, and a
file (`document`: a form file input, or JSON `{"fileName", "contentBase64"}`). Bounds are checked while parsing: at
most `MAX_PARTS` form parts, `MAX_TEXT_BYTES` per text field, `MAX_UPLOAD_BYTES` (+ slack) per file, JSON no deeper
than `MAX_JSON_DEPTH`, text in UTF-8 and as `shared.typed_text` keeps it (a control character: refused, naming the
field).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from services.assessment.applicant.refusals import BadRequest, TooLarge, Unprocessable, UnsupportedMediaType
from services.assessment.applicant.uploads import MAX_UPLOAD_BYTES, MB, UploadedFile
from shared.typed_text import UntypableText, typed_fields, typed_text, without_untypable

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_PARTS = 10
MAX_TEXT_BYTES = 40_000  # 4 bytes a character at worst over the domain's longest text (10,000 characters)
MAX_JSON_DEPTH = 8  # the body is an object holding at most one more (the document)
TEXT_FIELDS = ("reason", "response")
FORM_FIELDS = frozenset({"agreed", *TEXT_FIELDS, "document"})
JSON_FIELDS = frozenset({"agreed", *TEXT_FIELDS, "document"})
DOCUMENT_FIELDS = frozenset({"fileName", "contentBase64"})


@dataclass(frozen=True)
class AnswerInput:
    agreed: bool | None = None
    reason: str | None = None
    response: str | None = None
    file: UploadedFile | None = None


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


# The HTML form


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)
    header_name: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)


class _FormReader:
    """Collects the parts of a multipart body, refusing too many or too large parts as soon as they are seen."""

    def __init__(self) -> None:
        self.parts: list[_Part] = []
        self.current = _Part()
        self.ended = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.begin,
            "on_header_field": lambda data, start, end: self.current.header_name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self.current.header_value.extend(data[start:end]),
            "on_header_end": self.header_end,
            "on_part_data": self.data,
            "on_part_end": lambda: self.parts.append(self.current),
            "on_end": self.end,
        }

    def begin(self) -> None:
        if len(self.parts) >= MAX_PARTS:
            raise BadRequest(f"The form has more than {MAX_PARTS} parts")
        self.current = _Part()

    def header_end(self) -> None:
        self.current.headers[bytes(self.current.header_name).lower()] = bytes(self.current.header_value)
        self.current.header_name.clear()
        self.current.header_value.clear()

    def data(self, data: bytes, start: int, end: int) -> None:
        self.current.data.extend(data[start:end])
        if len(self.current.data) > MAX_UPLOAD_BYTES + MB:  # the file's own check gives the applicant the limit
            raise TooLarge(f"A part of the form is over {MAX_UPLOAD_BYTES // MB + 1} MB")

    def end(self) -> None:
        self.ended = True


def parse_form(body: bytes, content_type: str) -> AnswerInput:
    """The answer from a multipart/form-data body (what the page's form sends)."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary or len(boundary) > 200:
        raise BadRequest("The form's Content-Type has no boundary")
    reader = _FormReader()
    try:
        parser = MultipartParser(boundary, reader.callbacks())
        parser.write(body)
        parser.finalize()
    except MultipartParseError:
        raise BadRequest("The form could not be read: it is not valid multipart/form-data") from None
    if not reader.ended:
        raise BadRequest("The form could not be read: it ended before its closing boundary")
    values: dict[str, str] = {}
    file: UploadedFile | None = None
    for part in reader.parts:
        _, disposition = parse_options_header(part.headers.get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("latin-1")
        if name not in FORM_FIELDS or name in values or (name == "document" and file is not None):
            raise BadRequest(f"The form has an unexpected or repeated field {name!r}")
        if name == "document":
            if b"filename" not in disposition:
                raise BadRequest("The document field must be a file")
            if part.data or disposition[b"filename"]:  # a file input left empty sends no name and no bytes
                file = UploadedFile(_utf8(disposition[b"filename"], "document"), bytes(part.data))
            continue
        if len(part.data) > MAX_TEXT_BYTES:
            raise TooLarge(f"The {name} field is over {MAX_TEXT_BYTES} bytes", {name: "Your answer is too long"})
        values[name] = _utf8(bytes(part.data), name)
    values = _typed(values)
    return AnswerInput(
        _agreed_from_form(values.get("agreed")), _text(values, "reason"), _text(values, "response"), file
    )


def _agreed_from_form(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    if value not in ("yes", "no"):
        raise Unprocessable("Choose yes or no", {"agreed": "Select yes if you agree, or no if you do not"})
    return value == "yes"


class UntypableAnswer(Unprocessable):
    """An answer holding characters no one types: refused naming the fields; `given` is what was typed without them,
    to show the form again (never stored)."""

    def __init__(self, refused: UntypableText, values: dict[str, str]) -> None:
        super().__init__(refused.sentence, refused.fields)
        kept = {name: without_untypable(value.replace("\r\n", "\n")) for name, value in values.items()}
        agreed = kept.get("agreed")
        self.given = AnswerInput(
            agreed == "yes" if agreed in ("yes", "no") else None, _text(kept, "reason"), _text(kept, "response")
        )


def _typed(values: dict[str, str]) -> dict[str, str]:
    """The fields as `shared.typed_text` keeps them (one newline for CRLF), or refused naming each field holding a
    character no one types (a control or text-direction character: nothing is stored)."""
    try:
        return typed_fields(values)
    except UntypableText as refused:
        raise UntypableAnswer(refused, values) from None


def _text(values: dict[str, str], name: str) -> str | None:
    text = values.get(name, "").strip()
    return text or None


def _utf8(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"The {name} field is not UTF-8 text", {name: "Enter text only"}) from None


# The JSON twin


def parse_json_answer(body: bytes) -> AnswerInput:
    """The answer from the JSON twin's body: `{"agreed"?, "reason"?, "response"?, "document"?}`."""
    if len(body) > 2 * MAX_UPLOAD_BYTES:  # base64 is 4/3 of the file; texts are small
        raise TooLarge(f"The body is over {2 * MAX_UPLOAD_BYTES // MB} MB")
    from shared.request_body import MalformedBody, parse_json

    try:
        payload = parse_json(body, max_depth=MAX_JSON_DEPTH)
    except MalformedBody as malformed:
        raise BadRequest(str(malformed)) from None
    if not isinstance(payload, dict):
        raise Unprocessable("The body must be a JSON object")
    errors = {name: "is not a field of an answer" for name in payload if name not in JSON_FIELDS}
    agreed = payload.get("agreed")
    if agreed is not None and not isinstance(agreed, bool):
        errors["agreed"] = "must be true, false or left out"
    texts: dict[str, str | None] = {}
    for name in TEXT_FIELDS:
        value = payload.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = "must be a string"
        texts[name] = _json_text(value, name, errors) if isinstance(value, str) else None
    file = _json_document(payload.get("document"), errors)
    if errors:
        raise Unprocessable("The answer has fields that are not right", errors)
    return AnswerInput(agreed, texts["reason"], texts["response"], file)


def _json_text(value: str, name: str, errors: dict[str, str]) -> str | None:
    try:
        return typed_text(value, name).strip() or None
    except UntypableText as refused:
        errors.update(refused.fields)
        return None


def _json_document(document: Any, errors: dict[str, str]) -> UploadedFile | None:
    if document is None:
        return None
    if not isinstance(document, dict) or set(document) - DOCUMENT_FIELDS:
        errors["document"] = 'must be {"fileName": "...", "contentBase64": "..."}'
        return None
    name, content = document.get("fileName"), document.get("contentBase64")
    if not isinstance(name, str) or not name.strip():
        errors["document.fileName"] = "must be the file's name"
    if not isinstance(content, str):
        errors["document.contentBase64"] = "must be the file's bytes in base64"
        return None
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        errors["document.contentBase64"] = "is not valid base64"
        return None
    return UploadedFile(name if isinstance(name, str) else "", data)


def require_media_type(content_type: str | None, *accepted: str) -> None:
    if media_type(content_type) not in accepted:
        raise UnsupportedMediaType(f"Content-Type must be {' or '.join(accepted)}, not {content_type or 'missing'!r}")
