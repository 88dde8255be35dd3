"""What `PlanningApplicationSubmitted` says about a submission: a summary bounded in size, owned by the event.

The event carries what the domain and the read models need (reference data, site, description, contacts for
notifications, fee, the planning constraints checked against the site, the file list while it is short); the bulky
rest (boundary geometry, answers, entity descriptions, the original bytes) is reached through the claim-checked
original the event names (`payload_key`). Every text is clipped, and the file list and the constraints are cut beyond
a budget (the file list left out, only its count kept), so the summary can never make the event exceed the event
store's size limit, whatever the submission (`clipped` names what was shortened).

`summary_from_submission` reads the JSON of the submission model that version 1 of the event embedded: the upcaster
of stored v1 events uses it, and so does intake (`shared.odp.summary`) with the model it parses.
"""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would evaluate each field's
# string when its class is defined (~5 ms of a cold start that imports every event module).

import re
from datetime import date, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

# Worst case (every limit reached with characters JSON writes 6 bytes wide, and a file list and the constraints at their
# budgets) the event weighs about 220 KB of the event store's 240 KB limit (tests/events/test_submission_summary.py
# checks it); a real submission's constraints take 1-3 KB.
TEXT_LIMIT = 300  # characters of a name, an e-mail address (at most 254), a postal address...
DESCRIPTION_LIMIT = 5_000  # characters of the proposal's description
CODE_LIMIT = 100  # characters of each code in a list of codes (project types, fee flags, districts)
LIST_LIMIT = 20  # codes in such a list
FILES_BUDGET = 32 * 1024  # bytes of JSON (about 200 files): a longer file list is left out of the event, its count kept
ENTITY_LIMIT = 5  # entities named per constraint (the rest are in the original)
CONSTRAINTS_BUDGET = 12 * 1024  # bytes of JSON of the constraints (an ODP example's take 1-3 KB): beyond it, left out
_PLANNING_DATA_ENTITY = re.compile(r"https://(?:www\.)?planning\.data\.gov\.uk/entity/([0-9]{1,18})/?")


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class SiteSummary(_Part):
    """Where the application is."""

    address: str = ""
    town: str | None = None
    postcode: str | None = None
    uprn: str | None = None
    x: float | None = None
    y: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    ward: str | None = None
    local_authority_districts: tuple[str, ...] = ()


class ContactSummary(_Part):
    """An applicant or agent, as far as telling them about their application needs."""

    type: str | None = None
    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None


class FeeSummary(_Part):
    """Fee amounts in GBP and the names of the exemptions and reductions claimed."""

    not_applicable: bool = False
    calculated: float | None = None
    payable: float | None = None
    exemptions: tuple[str, ...] = ()
    reductions: tuple[str, ...] = ()
    payment_reference: str | None = None


class FileReference(_Part):
    """A file the submission names: where to fetch it and what it is said to be."""

    url: str
    types: tuple[str, ...] = ()
    description: str | None = None


class ConstraintEntity(_Part):
    """A designated entity behind an intersecting constraint: its name, its planning.data.gov.uk entity number when
    the source is Planning Data, and the source's name (e.g. "Ordnance Survey MasterMap Highways")."""

    name: str
    entity: int | None = None
    source: str | None = None


class ConstraintSummary(_Part):
    """A planning designation the applicant's service checked against the site (ODP `planning.designations`):
    `intersects` says whether it applies to the site (None when the submission does not say)."""

    value: str
    description: str | None = None
    intersects: bool | None = None
    entities: tuple[ConstraintEntity, ...] = ()


class SubmissionSummary(_Part):
    """A submission in a few kilobytes; `files` is None when the list was too long for the event (see file_count)."""

    format: str
    submission_id: str | None = None
    organisation: str | None = None
    submitted_at: datetime | None = None
    application_type: str
    application_type_name: str | None = None
    description: str | None = None
    site: SiteSummary = SiteSummary()
    boundary_area_m2: float | None = None
    user_role: str | None = None
    applicant: ContactSummary | None = None
    agent: ContactSummary | None = None
    fee: FeeSummary | None = None
    project_types: tuple[str, ...] = ()
    start_date: date | None = None
    completion_date: date | None = None
    file_count: int = 0
    files: tuple[FileReference, ...] | None = ()
    constraints: tuple[ConstraintSummary, ...] = ()
    clipped: tuple[str, ...] = ()


class _Clipper:
    """Shortens texts and lists to their limits, noting the dotted name of each field it shortened."""

    def __init__(self) -> None:
        self.clipped: list[str] = []

    def text(self, value: Any, name: str, limit: int = TEXT_LIMIT) -> str | None:
        if not isinstance(value, str):
            return None
        if len(value) > limit:
            self.clipped.append(name)
            return value[:limit]
        return value

    def texts(self, values: Any, name: str) -> list[str]:
        items = [v for v in (values or ()) if isinstance(v, str)]
        if len(items) > LIST_LIMIT or any(len(v) > CODE_LIMIT for v in items):
            self.clipped.append(name)
        return [v[:CODE_LIMIT] for v in items[:LIST_LIMIT]]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _site(site: dict[str, Any], clip: _Clipper) -> dict[str, Any]:
    return {
        "address": clip.text(site.get("address"), "site.address") or "",
        "town": clip.text(site.get("town"), "site.town"),
        "postcode": clip.text(site.get("postcode"), "site.postcode"),
        "uprn": clip.text(site.get("uprn"), "site.uprn"),
        "x": _number(site.get("x")),
        "y": _number(site.get("y")),
        "latitude": _number(site.get("latitude")),
        "longitude": _number(site.get("longitude")),
        "ward": clip.text(site.get("ward"), "site.ward"),
        "local_authority_districts": clip.texts(
            site.get("local_authority_districts"), "site.local_authority_districts"
        ),
    }


def _contact(contact: Any, name: str, clip: _Clipper) -> dict[str, Any] | None:
    if not isinstance(contact, dict):
        return None
    return {field: clip.text(contact.get(field), f"{name}.{field}") for field in ContactSummary.model_fields}


def _fee(fee: Any, clip: _Clipper) -> dict[str, Any] | None:
    if not isinstance(fee, dict):
        return None
    return {
        "not_applicable": fee.get("not_applicable") is True,
        "calculated": _number(fee.get("calculated")),
        "payable": _number(fee.get("payable")),
        "exemptions": clip.texts(fee.get("exemptions"), "fee.exemptions"),
        "reductions": clip.texts(fee.get("reductions"), "fee.reductions"),
        "payment_reference": clip.text(fee.get("payment_reference"), "fee.payment_reference"),
    }


def _files(files: list[Any]) -> list[dict[str, Any]] | None:
    """The file list as the event carries it, or None when its JSON would take more than FILES_BUDGET bytes."""
    listed = [
        {"url": item["url"], "types": list(item.get("types") or ()), "description": item.get("description")}
        for item in files
    ]
    return listed if len(orjson.dumps(listed)) <= FILES_BUDGET else None


def _entity_number(url: Any) -> int | None:
    match = _PLANNING_DATA_ENTITY.fullmatch(url) if isinstance(url, str) else None
    return int(match.group(1)) if match else None


def _constraint(item: dict[str, Any], clip: _Clipper) -> dict[str, Any]:
    entities = [e for e in item.get("entities") or () if isinstance(e, dict) and isinstance(e.get("name"), str)]
    if len(entities) > ENTITY_LIMIT:
        clip.clipped.append("constraints.entities")
    intersects = item.get("intersects")
    return {
        "value": clip.text(item["value"], "constraints.value", CODE_LIMIT),
        "description": clip.text(item.get("description"), "constraints.description"),
        "intersects": intersects if isinstance(intersects, bool) else None,
        "entities": [
            {
                "name": clip.text(e["name"], "constraints.entities.name"),
                "entity": _entity_number(e.get("url")),
                "source": clip.text(e.get("source"), "constraints.entities.source", CODE_LIMIT),
            }
            for e in entities[:ENTITY_LIMIT]
        ],
    }


def _constraints(items: Any, clip: _Clipper) -> list[dict[str, Any]]:
    """The constraints as the event carries them: one per value (the first), those that intersect the site first,
    each added while the list's JSON stays within CONSTRAINTS_BUDGET bytes (the rest are named in `clipped`)."""
    seen: set[str] = set()
    unique = []
    for item in items or ():
        if isinstance(item, dict) and isinstance(item.get("value"), str) and item["value"] not in seen:
            seen.add(item["value"])
            unique.append(item)
    unique.sort(key=lambda item: item.get("intersects") is not True)
    kept: list[dict[str, Any]] = []
    size = 2  # the brackets
    for item in unique:
        summary = _constraint(item, clip)
        size += len(orjson.dumps(summary)) + 1
        if size > CONSTRAINTS_BUDGET:
            clip.clipped.append("constraints")
            break
        kept.append(summary)
    return kept


def summary_from_submission(submission: dict[str, Any]) -> dict[str, Any]:
    """The summary's JSON from the JSON of a parsed submission (the model v1 of the event embedded whole)."""
    clip = _Clipper()
    boundary = submission.get("boundary")
    proposal = submission.get("proposal") or {}
    files = [item for item in submission.get("files") or () if isinstance(item, dict) and item.get("url")]
    listed = _files(files)
    return {
        "format": submission["format"],
        "submission_id": clip.text(submission.get("submission_id"), "submission_id"),
        "organisation": clip.text(submission.get("organisation"), "organisation"),
        "submitted_at": submission.get("submitted_at"),
        "application_type": submission["application_type"],
        "application_type_name": clip.text(submission.get("application_type_name"), "application_type_name"),
        "description": clip.text(submission.get("description"), "description", DESCRIPTION_LIMIT),
        "site": _site(submission.get("site") or {}, clip),
        "boundary_area_m2": _number(boundary.get("area_m2")) if isinstance(boundary, dict) else None,
        "user_role": clip.text(submission.get("user_role"), "user_role"),
        "applicant": _contact(submission.get("applicant"), "applicant", clip),
        "agent": _contact(submission.get("agent"), "agent", clip),
        "fee": _fee(submission.get("fee"), clip),
        "project_types": clip.texts(proposal.get("project_types"), "project_types"),
        "start_date": proposal.get("start_date"),
        "completion_date": proposal.get("completion_date"),
        "file_count": len(files),
        "files": listed,
        "constraints": _constraints(submission.get("constraints"), clip),
        "clipped": list(dict.fromkeys(clip.clipped)),
    }
