"""One published application as the public sees it: the public read model's record, free of personal data.

The projection (`services.publication.projection`) is its only writer; the public faces (ODP `@next` and the
BOPS-compatible v2) render it. Nothing here can hold an e-mail address, a phone number, a note or an unpublished
document: the record has no field for them. `applicant_name` and `agent_company` are filled only when the council's
`publish_applicant_names` setting says so.

Dates are `date`s, moments are timezone-aware `datetime`s (UTC). `to_dict` / `from_dict` are the stored JSON (both
adapters store exactly this), so a record read back equals the record written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Decision = Literal["granted", "refused", "not_required"]
SubmissionFormat = Literal["application", "prototypeApplication"]


@dataclass(frozen=True, slots=True)
class PublicSite:
    """Where the application is (ODP `property.address` and its coordinates)."""

    address: str = ""  # the single line
    town: str | None = None
    postcode: str | None = None
    uprn: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True, slots=True)
class PublicDocument:
    """A document an officer published (not archived, not replaced). `key` is the file in the document store the
    public is served: the redacted copy's key when there is one (`redacted_key`), else the original's."""

    id: str
    name: str
    key: str
    content_type: str
    size: int
    tags: tuple[str, ...] = ()
    redacted_key: str | None = None
    created_at: datetime | None = None  # when the file was received or uploaded
    published_at: datetime | None = None  # when it (last) became public


@dataclass(frozen=True, slots=True)
class PublicDecisionNotice:
    """The decision notice (public once the application is determined): a document of the document store."""

    document_id: str
    key: str
    content_type: str = "text/html"
    size: int = 0
    issued_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OriginalSubmission:
    """Where the claim-checked original submission is (the projection converts and strips it once: `submission`)."""

    payload_key: str
    format: SubmissionFormat
    submitted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StreamHead:
    """The head of one of the application's streams in the hash-chained log: its version and that event's hash."""

    stream_id: str
    version: int
    hash: str


@dataclass(frozen=True, slots=True)
class PublicApplication:
    """A published application (validated onward: in_assessment, awaiting_determination, to_be_reviewed,
    in_committee, determined, withdrawn, closed).

    `version` grows with every event of the application's main and documents streams the record was built from (the
    sum of both streams' versions), so a store keeps the newest record whatever the order of deliveries.
    `audit_heads` are those streams' heads at that version (what the feed shows so anyone can verify them).
    """

    council: str
    reference: str
    version: int
    application_type: str  # ODP type value, e.g. "pp.full.householder"
    status: str  # shared.application_status (public ones only)
    received_at: datetime
    validated_at: date  # the valid-from date
    published_at: datetime  # when the application became public (its validation was recorded)
    description: str = ""
    application_type_name: str | None = None
    site: PublicSite = field(default_factory=PublicSite)
    decision: Decision | None = None
    decision_date: date | None = None
    determined_at: datetime | None = None
    expiry_date: date | None = None
    target_date: date | None = None
    consultation_start_date: date | None = None
    consultation_end_date: date | None = None  # None until consultation is modelled
    withdrawn_at: date | None = None
    closed_at: date | None = None
    case_officer_name: str | None = None
    applicant_name: str | None = None  # only when the council publishes names
    agent_company: str | None = None  # only when the council publishes names
    # The red-line boundary (GeoJSON Feature or FeatureCollection, at most `boundary.BOUNDARY_BYTES` of JSON)
    boundary: dict[str, Any] | None = None
    original: OriginalSubmission | None = None
    # The ODP public submission without its files, made once by the projection (`odp.submissions.stored_submission`)
    submission: dict[str, Any] | None = None
    documents: tuple[PublicDocument, ...] = ()
    decision_notice: PublicDecisionNotice | None = None
    audit_heads: tuple[StreamHead, ...] = ()
    updated_at: datetime | None = None  # when the newest event it was built from was recorded

    @property
    def postcode(self) -> str:
        return self.site.postcode or ""

    def document(self, document_id: str) -> PublicDocument | None:
        return next((document for document in self.documents if document.id == document_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON (plain types only: strings for dates and moments)."""
        return _plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PublicApplication:
        values = dict(data)
        for name in ("received_at", "published_at", "determined_at", "updated_at"):
            values[name] = _moment(values.get(name))
        for name in (
            "validated_at",
            "decision_date",
            "expiry_date",
            "target_date",
            "consultation_start_date",
            "consultation_end_date",
            "withdrawn_at",
            "closed_at",
        ):
            values[name] = _day(values.get(name))
        values["site"] = PublicSite(**(values.get("site") or {}))
        original = values.get("original")
        values["original"] = (
            OriginalSubmission(
                payload_key=original["payload_key"],
                format=original["format"],
                submitted_at=_moment(original.get("submitted_at")),
            )
            if original
            else None
        )
        values["documents"] = tuple(
            PublicDocument(
                **{
                    **document,
                    "tags": tuple(document.get("tags") or ()),
                    "created_at": _moment(document.get("created_at")),
                    "published_at": _moment(document.get("published_at")),
                }
            )
            for document in values.get("documents") or ()
        )
        notice = values.get("decision_notice")
        values["decision_notice"] = (
            PublicDecisionNotice(**{**notice, "issued_at": _moment(notice.get("issued_at"))}) if notice else None
        )
        values["audit_heads"] = tuple(StreamHead(**head) for head in values.get("audit_heads") or ())
        return cls(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None
