"""The request bodies of the officer API's commands: camelCase JSON, unknown fields refused, each with the `version`
of the application the officer saw. Types are checked here (422 naming the field); the rules (lengths, dates in the
future, what a request type needs) are the domain's, which answers 422 with the fields too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Base64Bytes, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

# The values the domain accepts (events.assessment's `RequestType` and `Decision`, not imported: the handler's cold
# start does not load the events' models; a test checks they are the same).
RequestTypeName = Literal[
    "additional_document",
    "replacement_document",
    "red_line_boundary_change",
    "description_change",
    "fee_change",
    "other_change",
    "ownership_certificate",
    "pre_commencement_condition",
    "heads_of_terms",
    "time_extension",
]
DecisionName = Literal["granted", "refused", "not_required"]


class Camel(BaseModel):
    # Validators are built on first use: a cold start that reads (the case list) builds none of the ~25 bodies, ~17 ms
    # of CPU; the SnapStart hook builds them all (`build_all`).
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", frozen=True, strict=False, defer_build=True)


def build_all() -> None:
    """Build every body's validator now (a SnapStart before-snapshot hook)."""
    models: list[type[BaseModel]] = [ProposedCondition, Camel]
    for model in models:
        models += model.__subclasses__()
        model.model_rebuild(force=True)


class Body(Camel):
    version: int = Field(ge=0, description="The application's version the officer saw (its `version` field)")


class DocumentBody(Camel):
    """A document command's body: it carries the documents' version the officer saw (`documentsVersion`), not the
    application's: only a change to the same document since then makes it stale."""

    documents_version: int = Field(ge=0, description="The application's `documentsVersion` the officer saw")


class DocumentFile(DocumentBody):
    file_name: str = Field(max_length=300, description="The file's name (kept safe: no path, ASCII)")
    content: Base64Bytes = Field(description="The file, base64: PDF, PNG or JPEG (checked by content), at most 3 MB")


class UploadDocument(DocumentFile):
    tags: list[str] = Field(default=[], description="Tags such as `floorPlan.proposed` (at most 20)")


class ReplaceDocument(DocumentFile):
    tags: list[str] | None = Field(default=None, description="The new version's tags (default: the old one's)")


class DocumentTags(DocumentBody):
    tags: list[str] = Field(description="The document's whole new set of tags")


class Publish(DocumentBody):
    pass


class Unpublish(DocumentBody):
    reason: str | None = None


class Archive(DocumentBody):
    reason: str


class Assign(Body):
    officer_id: str = Field(
        description="The officer to assign (an active assessor or reviewer of the council), or `me`; their name and "
        "role are the council's officer records'"
    )


class Check(Body):
    valid: bool
    invalid_reason: str | None = None


class AddConstraint(Body):
    constraint: str
    description: str | None = None


class RemoveConstraint(Body):
    constraint: str
    reason: str | None = None


class ProposedCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    text: str
    reason: str


class DraftValidationRequest(Body):
    type: RequestTypeName = Field(description="One of the ten request types of the brief")
    reason: str
    requested_document: str | None = None
    document_id: str | None = None
    proposed_description: str | None = None
    proposed_boundary: dict[str, Any] | None = None
    fee_amount: Decimal | None = None
    suggestion: str | None = None
    proposed_condition: ProposedCondition | None = None
    terms: str | None = None
    proposed_expiry_date: date | None = None


class Reason(Body):
    reason: str


class Nothing(Body):
    pass


class Validate(Body):
    valid_from: date | None = Field(default=None, description="Defaults to the date the domain computes")


class SiteNotice(Body):
    displayed_on: date


class PressNotice(Body):
    published_on: date


class Assessment(Body):
    summary_of_works: str
    site_description: str | None = None
    consultation_summary: str | None = None
    amenity: str | None = None
    policy_considerations: str | None = None
    conditions: list[ProposedCondition] = []
    informatives: list[str] = []


class Recommendation(Body):
    decision: DecisionName = Field(description="`not_required` only where the type allows it (prior approvals)")
    public_reason: str
    private_note: str | None = None


class Review(Body):
    action: Literal["agree", "challenge"]
    comment: str | None = None


class CommitteeDecision(Body):
    decision: DecisionName = Field(description="`not_required` only where the type allows it (prior approvals)")
    decided_on: date
    notes: str | None = None


class Determine(Body):
    decision_date: date | None = Field(default=None, description="Defaults to today; never in the future")


class TimeExtension(Body):
    proposed_expiry_date: date
    reason: str
