"""One internal, JSON-serialisable model of an ODP submission, whatever its format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.odp.formats import OdpFormat


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built on first use: cold starts


class Site(_Frozen):
    """The site address and position."""

    address: str = ""
    lines: tuple[str, ...] = ()
    town: str | None = None
    postcode: str | None = None
    uprn: str | None = None
    usrn: str | None = None
    x: float | None = None
    y: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    ward: str | None = None
    region: str | None = None
    local_authority_districts: tuple[str, ...] = ()
    property_type: str | None = None


class Boundary(_Frozen):
    """The red-line boundary (a GeoJSON object) and its area."""

    geojson: dict[str, Any]
    area_m2: float | None = None
    area_hectares: float | None = None


class ContactAddress(_Frozen):
    """A postal address of a person; `same_as_site` when the payload says it is the site address."""

    same_as_site: bool = False
    line1: str | None = None
    line2: str | None = None
    town: str | None = None
    county: str | None = None
    postcode: str | None = None
    country: str | None = None


class Contact(_Frozen):
    """An applicant or agent."""

    type: str | None = None
    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    address: ContactAddress | None = None


class Fee(_Frozen):
    """Fee amounts in GBP; `exemptions`/`reductions` list the names of the flags that are set."""

    not_applicable: bool = False
    calculated: float | None = None
    payable: float | None = None
    exemptions: tuple[str, ...] = ()
    reductions: tuple[str, ...] = ()
    payment_reference: str | None = None


class ConstraintEntity(_Frozen):
    """A planning.data.gov.uk (or other) entity behind an intersecting constraint."""

    name: str
    source: str | None = None
    url: str | None = None
    description: str | None = None


class Constraint(_Frozen):
    """A planning designation checked against the site."""

    value: str
    description: str | None = None
    intersects: bool | None = None
    entities: tuple[ConstraintEntity, ...] = ()


class SubmittedFile(_Frozen):
    """A supporting document: its URL and the file types it is tagged with."""

    url: str
    types: tuple[str, ...] = ()
    description: str | None = None


class Answer(_Frozen):
    """One question asked by the digital service and the answers given."""

    question: str
    responses: tuple[str, ...] = ()


class Proposal(_Frozen):
    """Selected proposal details."""

    project_types: tuple[str, ...] = ()
    start_date: date | None = None
    completion_date: date | None = None


class Declaration(_Frozen):
    """The applicant's declaration of accuracy and of connections to the council."""

    accurate: bool | None = None
    connection: str | None = None
    connection_description: str | None = None


class Submission(_Frozen):
    """An ODP submission read from any of the three formats."""

    format: OdpFormat
    submission_id: str | None = None
    organisation: str | None = None
    submitted_at: datetime | None = None
    application_type: str
    application_type_name: str | None = None
    description: str | None = None
    site: Site
    boundary: Boundary | None = None
    user_role: str | None = None
    applicant: Contact | None = None
    agent: Contact | None = None
    fee: Fee | None = None
    constraints: tuple[Constraint, ...] = ()
    files: tuple[SubmittedFile, ...] = ()
    answers: tuple[Answer, ...] = ()
    proposal: Proposal = Proposal()
    declaration: Declaration | None = None
