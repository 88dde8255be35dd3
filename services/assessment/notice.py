"""The decision notice of a determination: its content from the application's state and the council's settings,
rendered (`decision_notice.render_decision_notice`) and stored in the document store before the determination is
appended, so the `DecisionNoticeIssued` event always names a file that exists.

The notice is public once the application is determined, so it carries nothing the public register would not show:
the applicant's name only when the council publishes applicants' names, the description scrubbed of contact details
as every public face shows it (`shared.odp.redaction.public_description`), and, as the documents the decision refers
to, only documents an officer published (and did not archive, replace or find invalid); when some of those are
tagged as plans or drawings, only those. An unpublished file's name never appears."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.assessment.decision_notice import DecisionNoticeContent
    from services.assessment.domain.decision import DecisionNoticeFile
    from services.assessment.domain.state import DocumentView, PlanningApplication
    from shared.councils.settings import EffectiveCouncilSettings
    from shared.documents.port import DocumentStore

CONTENT_TYPE = "text/html; charset=utf-8"


PLAN_TAG_WORDS = ("plan", "drawing", "elevation", "section")


def referenced_documents(state: PlanningApplication) -> list[DocumentView]:
    """The documents the decision refers to: the public ones (published, current, not found invalid), and when some
    of them are tagged as plans or drawings (`sitePlan.proposed`, `elevations.existing`, ...), only those."""
    public = [
        document
        for document in state.documents.values()
        if document.source != "decision_notice" and document.public and document.check.valid is not False
    ]
    plans = [d for d in public if any(word in tag.lower() for tag in d.tags for word in PLAN_TAG_WORDS)]
    return plans or public


def notice_content(
    state: PlanningApplication, council: EffectiveCouncilSettings, decision: str, decision_date: date
) -> DecisionNoticeContent:
    from services.assessment.decision_notice import DecisionNoticeContent, NoticeCondition, NoticeDocument
    from shared.odp.redaction import public_description

    assessment = state.assessment
    recommendation = state.recommendation
    applicant = state.submission.applicant if state.submission else None
    site = state.site
    address = ", ".join(part for part in (site.address, site.postcode) if part)
    documents = tuple(NoticeDocument(name=document.name) for document in referenced_documents(state))
    named = council.publish_applicant_names and applicant is not None
    return DecisionNoticeContent(
        council_name=council.name,
        reference=state.reference,
        application_type=state.application_type,
        address=address,
        description=public_description(
            state.description, applicant, state.submission.agent if state.submission else None
        ),
        applicant_name=(applicant.name or applicant.company or None) if named and applicant else None,
        decision=decision,
        decision_date=decision_date,
        public_reason=recommendation.public_reason if recommendation else "",
        conditions=tuple(NoticeCondition(text=c.text, reason=c.reason) for c in assessment.conditions)
        if assessment
        else (),
        informatives=tuple(assessment.informatives) if assessment else (),
        documents=documents,
        case_officer_name=state.case_officer.name if state.case_officer else "",
        reviewer_name=recommendation.reviewer.name if recommendation and recommendation.reviewer else None,
    )


def prepare_notice(
    state: PlanningApplication,
    council: EffectiveCouncilSettings,
    documents: DocumentStore,
    decision_date: date,
) -> tuple[DecisionNoticeFile, Callable[[], None]]:
    """The rendered notice's file description and the call that stores it under
    `{council}/{reference}/decision-notice-{document id}.html`: the handler stores it once the domain has accepted the
    determination, before appending it.

    The key sits beside the application's other files (`{council}/{reference}/documents/...`) with no folder of its
    own: on the local document store a new folder per determination was most of a determination's cost."""
    from services.assessment.decision_notice import render_decision_notice
    from services.assessment.domain.decision import DecisionNoticeFile, decision_to_issue

    decision = decision_to_issue(state) or ""
    content = render_decision_notice(notice_content(state, council, decision, decision_date))
    document_id = str(uuid.uuid4())
    key = f"{state.council}/{state.reference}/decision-notice-{document_id}.html"
    notice = DecisionNoticeFile(
        document_id=document_id,
        key=key,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type=CONTENT_TYPE,
    )

    def store() -> None:
        documents.put(key, content, CONTENT_TYPE)

    return notice, store
