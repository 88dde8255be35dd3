"""ODP `postSubmissionPublishedApplication` documents from the public record (a pure function).

`published_application(record, submission, ...)` gives the document the ODP face answers for one application: the
record's stage and status (`services.publication.odp.stages`), dates, case officer and decision; its public files
(published documents and, once determined, the decision notice) as redacted file records; empty comments (there is
no consultation yet); and `submission`, the application as submitted, converted to the prototype format and without
personal data (`shared.odp.redaction`), which the caller builds (`services.publication.odp.submissions`).

Registers read `data.localPlanningAuthority`, `data.submission.submittedAt`, `data.caseOfficer` and
`submission.data` of every application, so they are always there (the case officer's name is "Not assigned" until
one is). Moments are written as ODP's examples write them (`2024-02-18T15:54:30.821Z`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote

from services.publication.odp.stages import CLOSED_REASON, odp_stage
from services.publication.record import PublicApplication, PublicDecisionNotice, PublicDocument

PUBLISHED_SCHEMA_URL = (
    "https://theopensystemslab.github.io/digital-planning-data-schemas/@next/schemas/"
    "postSubmissionPublishedApplication.json"
)
ODP_PREFIX = "/api/@next/public"
NOT_ASSIGNED = "Not assigned"
DECISION_NOTICE_TYPE = "decisionNotice"
OTHER_DOCUMENT_TYPE = "otherDocument"
PRIOR_APPROVAL = "pa"


def moment(value: datetime) -> str:
    """ODP's DateTime: UTC to the millisecond, `Z`."""
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def day_moment(value: date) -> str:
    """A day as an ODP DateTime: its midnight UTC, the same day in London whatever the season."""
    return moment(datetime.combine(value, time(0), UTC))


def odp_file_id(document_id: str) -> int:
    """ODP file ids are numbers: a stable one for each of our document ids (52 bits, exact in JavaScript)."""
    return int(hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:13], 16)


@dataclass(frozen=True, slots=True)
class Links:
    """Absolute URLs of the ODP face: each council's start with its public base URL (`bases`, by council code)."""

    bases: Mapping[str, str]

    def application(self, record: PublicApplication) -> str:
        return f"{self.bases[record.council]}{ODP_PREFIX}/applications/{quote(record.reference, safe='')}"

    def document(self, record: PublicApplication, document_id: str) -> str:
        council = quote(record.council, safe="")
        return f"{self.application(record)}/documents/{odp_file_id(document_id)}?council={council}"

    def file(self, record: PublicApplication, document_id: str) -> str:
        council = quote(record.council, safe="")
        return f"{self.application(record)}/documents/{odp_file_id(document_id)}/file?council={council}"


def _types(tags: Iterable[str], known: frozenset[str]) -> list[str]:
    kept = list(dict.fromkeys(tag for tag in tags if tag in known))
    return kept or [OTHER_DOCUMENT_TYPE]


def file_record(
    record: PublicApplication, document: PublicDocument, links: Links, file_types: frozenset[str]
) -> dict[str, Any]:
    """A published document as an ODP redacted file record: the public copy (the redacted one when there is one)."""
    created = document.created_at or record.received_at
    metadata: dict[str, Any] = {
        "size": {"bytes": document.size},
        "mimeType": document.content_type,
        "createdAt": moment(created),
        "submittedAt": moment(created),
    }
    if document.published_at is not None:
        metadata["publishedAt"] = moment(document.published_at)
    return {
        "id": odp_file_id(document.id),
        "name": document.name,
        "association": "application",
        "type": _types(document.tags, file_types),
        "redactedUrl": links.file(record, document.id),
        "metadata": metadata,
    }


def notice_record(record: PublicApplication, notice: PublicDecisionNotice, links: Links) -> dict[str, Any]:
    issued = notice.issued_at or record.determined_at or record.received_at
    return {
        "id": odp_file_id(notice.document_id),
        "name": f"Decision notice {record.reference}.html",
        "association": "application",
        "type": [DECISION_NOTICE_TYPE],
        "redactedUrl": links.file(record, notice.document_id),
        "metadata": {
            "size": {"bytes": notice.size},
            "mimeType": notice.content_type,
            "createdAt": moment(issued),
            "submittedAt": moment(issued),
            "publishedAt": moment(issued),
        },
    }


def public_notice(record: PublicApplication) -> PublicDecisionNotice | None:
    """The decision notice, public once the application is determined."""
    return record.decision_notice if record.status == "determined" else None


def file_records(
    record: PublicApplication, links: Links, file_types: frozenset[str], *, with_url: bool = False
) -> list[dict[str, Any]]:
    """Every public file of the application: its published documents, then the decision notice.

    ODP's redacted file record has `redactedUrl` and no `url` (the published application's `files` are exactly
    that); the documents endpoints also give `url` (`with_url`), the same link, since the public copy is the only one
    served."""
    files = [file_record(record, document, links, file_types) for document in record.documents]
    notice = public_notice(record)
    if notice is not None:
        files.append(notice_record(record, notice, links))
    if with_url:
        files = [{**file, "url": file["redactedUrl"]} for file in files]
    return files


def submission_files(record: PublicApplication, links: Links, file_types: frozenset[str]) -> list[dict[str, Any]]:
    """The public documents as the submission's `files` (prototype `File`s: a URL and types)."""
    return [{"name": links.file(record, d.id), "type": _types(d.tags, file_types)} for d in record.documents]


def empty_comments() -> dict[str, Any]:
    """ODP's comments with nothing in them: no consultation is recorded yet."""
    return {
        "public": {
            "summary": {"totalComments": 0, "sentiment": {"supportive": 0, "objection": 0, "neutral": 0}},
            "comments": [],
        },
        "specialist": {
            "summary": {
                "totalConsulted": 0,
                "totalComments": 0,
                "sentiment": {"approved": 0, "amendmentsNeeded": 0, "objected": 0},
            },
            "comments": [],
        },
    }


def _application(record: PublicApplication, today: date) -> dict[str, Any]:
    stage, status = odp_stage(record, today)
    application: dict[str, Any] = {
        "reference": record.reference,
        "stage": stage,
        "status": status,
        "publishedAt": moment(record.published_at),
    }
    ended = record.withdrawn_at if record.status == "withdrawn" else record.closed_at
    if record.status in ("withdrawn", "closed") and ended is not None:
        application["withdrawnAt"] = day_moment(ended)
    if record.status == "closed":
        application["withdrawnReason"] = CLOSED_REASON
    return application


def _assessment(record: PublicApplication, links: Links) -> dict[str, Any] | None:
    if record.expiry_date is None:
        return None
    assessment: dict[str, Any] = {"expiryDate": record.expiry_date.isoformat()}
    prior_approval = record.application_type.split(".")[0] == PRIOR_APPROVAL
    if record.status == "determined" and record.decision is not None:
        assessment["planningOfficerDecision"] = "refused" if record.decision == "refused" else "granted"
        if record.decision_date is not None:
            assessment["planningOfficerDecisionDate"] = record.decision_date.isoformat()
        if prior_approval:  # granted: required and approved; not_required: not required; refused: required, refused
            assessment["priorApprovalRequired"] = record.decision != "not_required"
        notice = public_notice(record)
        if notice is not None:
            assessment["decisionNotice"] = {"url": links.file(record, notice.document_id)}
    return assessment


def _data(record: PublicApplication, links: Links, today: date) -> dict[str, Any]:
    submitted = record.original.submitted_at if record.original and record.original.submitted_at else None
    data: dict[str, Any] = {
        "application": _application(record, today),
        "localPlanningAuthority": {"publicCommentsAcceptedUntilDecision": False},
        "submission": {"submittedAt": moment(submitted or record.received_at)},
        "validation": {
            "receivedAt": moment(record.received_at),
            "validatedAt": day_moment(record.validated_at),
            "isValid": True,
        },
        "caseOfficer": {"name": record.case_officer_name or NOT_ASSIGNED},
    }
    if record.consultation_start_date is not None and record.consultation_end_date is not None:
        data["consultation"] = {
            "startDate": record.consultation_start_date.isoformat(),
            "endDate": record.consultation_end_date.isoformat(),
            "siteNotice": False,
        }
    assessment = _assessment(record, links)
    if assessment is not None:
        data["assessment"] = assessment
    return data


def submission_id(record: PublicApplication, submission: dict[str, Any]) -> str:
    """The submission's `metadata.id` (a UUID), else one derived from the council and reference."""
    metadata = submission.get("metadata")
    found = metadata.get("id") if isinstance(metadata, dict) else None
    if isinstance(found, str):
        try:
            return str(uuid.UUID(found))
        except ValueError:
            pass
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bops:{record.council}:{record.reference}"))


def published_application(
    record: PublicApplication,
    submission: dict[str, Any],
    *,
    links: Links,
    file_types: frozenset[str],
    generated_at: datetime,
    today: date,
) -> dict[str, Any]:
    """The ODP `postSubmissionPublishedApplication` of one application; `submission` is its public prototype."""
    submitted = record.original.submitted_at if record.original and record.original.submitted_at else None
    return {
        "applicationType": record.application_type,
        "data": _data(record, links, today),
        "comments": empty_comments(),
        "files": file_records(record, links, file_types),
        "submission": submission,
        "metadata": {
            "organisation": record.council,
            "id": submission_id(record, submission),
            "submittedAt": moment(submitted or record.received_at),
            "generatedAt": moment(generated_at),
            "schema": PUBLISHED_SCHEMA_URL,
        },
    }
