"""Pure renderers: a `PublicApplication` to the bodies of the BOPS v2 public API, each endpoint with its own envelope
(as real BOPS answers them: `tests/publication/test_bops_contract.py` compares with `../shared/contracts`).

Moments are shown as BOPS shows them: London time with milliseconds and the offset (`2025-08-18T16:54:35.701+01:00`);
days as `YYYY-MM-DD`. Things the back office does not model yet (consultation comments, press notice, appeal, fee) are
present with empty or null values, so clients find every key they read.

Nothing personal is rendered: the record has no contact details, notes or unpublished documents, and the applicant
block carries only nulls (BOPS shows the applicant's ownership certificate with owners' names and addresses, which are
personal data).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from services.publication.bops_v2 import APPLICATIONS
from services.publication.record import PublicApplication, PublicDocument

LONDON = ZoneInfo("Europe/London")
PUBLIC_SENTIMENTS = ("supportive", "objection", "neutral")
SPECIALIST_SENTIMENTS = ("approved", "amendmentsNeeded", "objected")
# BOPS's application type names (its `description` of a type), by the ODP code's first segment.
BOPS_TYPE_NAMES = {
    "pp": "planning_permission",
    "pa": "prior_approval",
    "ldc": "lawfulness_certificate",
    "listed": "listed",
    "advertConsent": "advertisement",
    "wtt": "tree_works",
    "preApp": "pre_application",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def moment(value: datetime | None) -> str | None:
    """`2025-08-18T16:54:35.701+01:00`: London time, milliseconds, offset."""
    if value is None:
        return None
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LONDON)
    return local.isoformat(timespec="milliseconds")


def day_moment(value: date | None) -> str | None:
    """A day as BOPS shows a valid-from date: its London midnight."""
    return None if value is None else moment(datetime.combine(value, time(), LONDON))


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def full_reference(application: PublicApplication) -> str:
    return f"{application.council}-{application.reference}"


def application_url(base_url: str, reference: str) -> str:
    return f"{base_url.rstrip('/')}{APPLICATIONS}/{quote(reference, safe='')}"


def type_block(code: str) -> dict[str, str]:
    root = code.split(".", 1)[0]
    return {"value": code, "description": BOPS_TYPE_NAMES.get(root, _snake(root))}


def application_block(application: PublicApplication, base_url: str) -> dict[str, Any]:
    """The `application` object every endpoint about one application starts with."""
    return {
        "type": type_block(application.application_type),
        "reference": application.reference,
        "fullReference": full_reference(application),
        "targetDate": day(application.target_date),
        "expiryDate": day(application.expiry_date),
        "receivedAt": moment(application.received_at),
        "validAt": day_moment(application.validated_at),
        "publishedAt": moment(application.published_at),
        "determinedAt": moment(application.determined_at),
        "decision": application.decision,
        "status": application.status,
        "consultation": {
            "startDate": day(application.consultation_start_date),
            "endDate": day(application.consultation_end_date),
            "publicUrl": application_url(base_url, application.reference),
            "publishedComments": [],  # consultation comments are not modelled yet
            "consulteeComments": [],
        },
        "pressNotice": None,
    }


def summary(application: PublicApplication, base_url: str) -> dict[str, Any]:
    """One application as search lists it (and as show starts it)."""
    site = application.site
    return {
        "application": application_block(application, base_url),
        "property": {
            "address": {
                "latitude": _coordinate(site.latitude),
                "longitude": _coordinate(site.longitude),
                "title": address_title(site.address, site.town, site.postcode),
                "singleLine": single_line(site.address, site.town, site.postcode),
                "uprn": site.uprn,
                "town": site.town,
                "postcode": site.postcode,
            },
            "boundary": {"site": feature(application.boundary)},
        },
        "proposal": {
            "description": application.description,
            "reportingType": None,
            "ownerIsPlanningAuthority": False,
        },
        "applicant": {"type": None, "address": None, "ownership": None, "agent": {"address": None}},
        "officer": {"name": application.case_officer_name} if application.case_officer_name else None,
    }


def feature(boundary: dict[str, Any] | None) -> dict[str, Any] | None:
    """The red-line boundary as one GeoJSON Feature (as BOPS lists it): a collection's polygons become one
    MultiPolygon."""
    if not boundary or boundary.get("type") != "FeatureCollection":
        return boundary
    geometries = [f["geometry"] for f in boundary.get("features") or () if isinstance(f, dict) and f.get("geometry")]
    if len(geometries) == 1:
        return {"type": "Feature", "geometry": geometries[0], "properties": None}
    polygons = [
        polygon
        for geometry in geometries
        for polygon in (geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]])
    ]
    geometry = {"type": "MultiPolygon", "coordinates": polygons}
    return {"type": "Feature", "geometry": geometry, "properties": None} if polygons else None


def show(application: PublicApplication, base_url: str) -> dict[str, Any]:
    """`GET /api/v2/public/planning_applications/{reference}`: the summary with the appeal and the fee (not modelled
    yet: null)."""
    return {**summary(application, base_url), "data": {"appeal": None}, "applicationFee": None}


def search(
    applications: Sequence[PublicApplication],
    base_urls: Mapping[str, str],
    *,
    page: int,
    results_per_page: int,
    total: int,
    available: int,
) -> dict[str, Any]:
    """`GET .../search`: offset pagination and the page's applications (each with its council's base URL)."""
    return {
        "pagination": pagination(page, results_per_page, total, available),
        "data": [summary(application, base_urls.get(application.council, "")) for application in applications],
    }


def pagination(page: int, results_per_page: int, total: int, available: int) -> dict[str, int]:
    pages = max(1, math.ceil(total / results_per_page)) if results_per_page else 1
    return {
        "resultsPerPage": results_per_page,
        "currentPage": page,
        "totalPages": pages,
        "totalResults": total,
        "totalAvailableItems": available,
    }


def document_url(base_url: str, reference: str, document_id: str) -> str:
    return f"{application_url(base_url, reference)}/documents/{quote(document_id, safe='')}"


def decision_notice_url(base_url: str, reference: str) -> str:
    return f"{application_url(base_url, reference)}/decision_notice"


def file(application: PublicApplication, document: PublicDocument, base_url: str) -> dict[str, Any]:
    return {
        "name": document.name,
        "referencesInDocument": [],
        "url": document_url(base_url, application.reference, document.id),
        "type": [{"value": tag, "description": tag_description(tag)} for tag in document.tags],
        "createdAt": moment(document.created_at or document.published_at),
        "applicantDescription": None,
        "metadata": {"byteSize": document.size, "contentType": document.content_type},
    }


def documents(application: PublicApplication, base_url: str) -> dict[str, Any]:
    """`GET .../{reference}/documents`: every public document (BOPS does not page them) and the decision notice."""
    files = [file(application, document, base_url) for document in application.documents]
    notice = None
    if application.decision_notice is not None:
        notice = {
            "name": f"decision-notice-{full_reference(application)}.html",
            "url": decision_notice_url(base_url, application.reference),
        }
    return {
        "application": application_block(application, base_url),
        "files": files,
        "metadata": {"results": len(files), "totalResults": len(files)},
        "decisionNotice": notice,
    }


def public_comments(page: int, results_per_page: int) -> dict[str, Any]:
    """`GET .../comments/public`: none yet (consultation is not modelled): zero totals, an empty page."""
    return {
        "pagination": pagination(page, results_per_page, 0, 0),
        "summary": {"totalComments": 0, "sentiment": dict.fromkeys(PUBLIC_SENTIMENTS, 0)},
        "comments": [],
    }


def specialist_comments(page: int, results_per_page: int) -> dict[str, Any]:
    """`GET .../comments/specialist`: none yet, in BOPS's `data` envelope."""
    return {
        "pagination": pagination(page, results_per_page, 0, 0),
        "data": {
            "summary": {
                "totalConsulted": 0,
                "totalComments": 0,
                "sentiment": dict.fromkeys(SPECIALIST_SENTIMENTS, 0),
            },
            "comments": [],
        },
    }


def submission(application: PublicApplication, base_url: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """`GET .../{reference}/submission`: the application block and the submission's whitelisted fields."""
    return {"application": application_block(application, base_url), "submission": data}


def application_types(types: Iterable[tuple[str, str, str]]) -> list[dict[str, str]]:
    """`GET /api/v2/public/application_types`: code, name and reference suffix of each type, by code."""
    return [{"code": code, "name": name, "suffix": suffix} for code, name, suffix in sorted(types)]


def single_line(address: str, town: str | None, postcode: str | None) -> str:
    """The address with its town and postcode, each once."""
    parts = [address.strip()] if address.strip() else []
    for extra in (town, postcode):
        if extra and extra.casefold() not in ", ".join(parts).casefold():
            parts.append(extra)
    return ", ".join(parts)


def address_title(address: str, town: str | None, postcode: str | None) -> str:
    """The address without its town and postcode (BOPS's `title`: `27, HERBERT STREET`)."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    tail = {value.casefold() for value in (town, postcode) if value}
    while len(parts) > 1 and parts[-1].casefold() in tail:
        parts.pop()
    return ", ".join(parts)


def tag_description(tag: str) -> str:
    """`designAndAccessStatement` → `Design and access statement`."""
    words = _CAMEL.sub(" ", tag.replace("_", " ").replace(".", " ")).lower().split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _coordinate(value: float | None) -> str | None:
    return None if value is None else repr(float(value))


def _snake(code: str) -> str:
    return _CAMEL.sub("_", code).lower()
