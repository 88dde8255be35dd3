"""Officers' document commands (pure domain): upload, new version, tags, publish / unpublish, redacted copy, archive;
the fold into the application's documents, and the rules (roles, archived or replaced documents cannot be published,
the decision notice is not managed here). Each command's events replay to the same state."""

from __future__ import annotations

from datetime import date

import pytest

from events.documents import (
    DocumentArchived,
    DocumentPublished,
    DocumentTagsChanged,
    DocumentUnpublished,
    DocumentUploaded,
    RedactedCopyUploaded,
)
from services.assessment.domain import (
    Conflict,
    InvalidCommand,
    NotFound,
    NotPermitted,
    UploadedDocument,
    archive_document,
    change_document_tags,
    determine,
    publish_document,
    side_stream_of,
    unpublish_document,
    upload_document,
    upload_redacted_copy,
)
from services.assessment.domain.documents import documents_touched
from tests.assessment.builders import agreed
from tests.assessment.support import ADMINISTRATOR, ASSESSOR, ELSEWHERE, REVIEWER, SHA, Case, notice


def file(document_id: str = "new-1", content_type: str = "application/pdf", size: int = 10) -> UploadedDocument:
    return UploadedDocument(
        document_id=document_id,
        file_name=f"{document_id}.pdf",
        key=f"DEMO/x/officer-documents/{document_id}.pdf",
        sha256=SHA,
        size=size,
        content_type=content_type,
    )


def test_nothing_submitted_is_public_until_an_officer_publishes_it():
    case = Case()
    assert [d.public for d in case.state.documents.values()] == [False, False]
    [event] = case.run(publish_document, ASSESSOR, document_id="doc-1")
    assert event == DocumentPublished(document_id="doc-1")
    assert side_stream_of(event) == "documents"
    assert case.state.documents["doc-1"].public and not case.state.documents["doc-2"].public
    [event] = case.run(unpublish_document, REVIEWER, document_id="doc-1", reason="has a phone number")
    assert event == DocumentUnpublished(document_id="doc-1", reason="has a phone number")
    assert not case.state.documents["doc-1"].public
    assert case.replayed() == case.state
    assert case.state.documents_version == 4  # two received, published, unpublished
    assert case.state.version == 1  # the main stream never moves: an officer's form is not made stale


def test_publishing_twice_or_unpublishing_what_is_not_published_is_a_conflict():
    case = Case()
    case.run(publish_document, ASSESSOR, document_id="doc-1")
    with pytest.raises(Conflict, match="already published"):
        publish_document(case.state, ASSESSOR, document_id="doc-1")
    with pytest.raises(Conflict, match="not published"):
        unpublish_document(case.state, ASSESSOR, document_id="doc-2")


def test_an_upload_is_a_new_unpublished_document_with_its_tags():
    case = Case()
    [event] = case.run(upload_document, ASSESSOR, document=file(), tags=["floorPlan.proposed", "floorPlan.proposed"])
    assert isinstance(event, DocumentUploaded) and event.tags == ("floorPlan.proposed",) and event.replaces is None
    uploaded = case.state.documents["new-1"]
    assert (uploaded.source, uploaded.tags, uploaded.public, uploaded.current) == (
        "officer",
        ("floorPlan.proposed",),
        False,
        True,
    )
    assert case.replayed() == case.state


@pytest.mark.parametrize(
    ("document", "tags", "field"),
    [
        (file(content_type="text/html"), [], "file"),
        (file(size=0), [], "file"),
        (file(), ["<script>"], "tags"),
        (file(), [f"tag{i}" for i in range(21)], "tags"),
        (file(), "floorPlan", "tags"),
    ],
)
def test_a_bad_upload_is_refused_field_by_field(document, tags, field):
    with pytest.raises(InvalidCommand) as refused:
        upload_document(Case().state, ASSESSOR, document=document, tags=tags)
    assert field in refused.value.fields


def test_a_new_version_replaces_the_old_one_which_stops_being_current_and_public():
    case = Case()
    case.run(publish_document, ASSESSOR, document_id="doc-1")
    [event] = case.run(upload_document, ASSESSOR, document=file("v2"), replaces="doc-1")
    assert event.replaces == "doc-1"
    old, new = case.state.documents["doc-1"], case.state.documents["v2"]
    assert (old.replaced_by, old.current, old.public) == ("v2", False, False)
    assert (new.replaces, new.public) == ("doc-1", False)
    with pytest.raises(Conflict, match="replaced"):
        publish_document(case.state, ASSESSOR, document_id="doc-1")
    with pytest.raises(Conflict, match="replaced"):
        upload_document(case.state, ASSESSOR, document=file("v3"), replaces="doc-1")
    assert documents_touched([event]) == {"v2", "doc-1"}
    assert case.replayed() == case.state


def test_an_archived_document_cannot_be_published_replaced_or_redacted():
    case = Case()
    case.run(publish_document, ASSESSOR, document_id="doc-1")
    [event] = case.run(archive_document, ASSESSOR, document_id="doc-1", reason="duplicate of doc-2")
    assert event == DocumentArchived(document_id="doc-1", reason="duplicate of doc-2")
    archived = case.state.documents["doc-1"]
    assert archived.archived and not archived.public
    for command, inputs in (
        (publish_document, {}),
        (upload_redacted_copy, {"copy": file("r")}),
        (archive_document, {"reason": "again"}),
    ):
        with pytest.raises(Conflict, match="archived"):
            command(case.state, ASSESSOR, document_id="doc-1", **inputs)
    with pytest.raises(Conflict, match="archived"):
        upload_document(case.state, ASSESSOR, document=file(), replaces="doc-1")
    with pytest.raises(InvalidCommand):
        archive_document(case.state, ASSESSOR, document_id="doc-2", reason="  ")


def test_a_redacted_copy_is_kept_with_its_document():
    case = Case()
    [event] = case.run(upload_redacted_copy, ASSESSOR, document_id="doc-1", copy=file("red", "image/png"))
    assert isinstance(event, RedactedCopyUploaded) and event.document_id == "doc-1"
    redacted = case.state.documents["doc-1"].redacted
    assert redacted is not None and redacted.content_type == "image/png" and redacted.key.endswith("red.pdf")
    assert "red" not in case.state.documents  # a copy is not a document of its own
    assert case.replayed() == case.state


def test_tags_are_set_as_a_whole_and_the_same_set_changes_nothing():
    case = Case()
    [event] = case.run(change_document_tags, ASSESSOR, document_id="doc-1", tags=["elevations.proposed", "photographs"])
    assert event == DocumentTagsChanged(document_id="doc-1", tags=("elevations.proposed", "photographs"))
    assert case.state.documents["doc-1"].tags == ("elevations.proposed", "photographs")
    assert (
        change_document_tags(case.state, ASSESSOR, document_id="doc-1", tags=["elevations.proposed", "photographs"])
        == []
    )
    case.run(change_document_tags, ASSESSOR, document_id="doc-1", tags=[])
    assert case.state.documents["doc-1"].tags == ()


def test_only_case_officers_manage_documents_of_their_own_council():
    state = Case().state
    with pytest.raises(NotPermitted, match="assessors or reviewers"):
        publish_document(state, ADMINISTRATOR, document_id="doc-1")
    with pytest.raises(NotFound):
        publish_document(state, ELSEWHERE, document_id="doc-1")
    with pytest.raises(NotFound):
        publish_document(state, ASSESSOR, document_id="no-such-document")
    with pytest.raises(NotFound):
        upload_document(state, ASSESSOR, document=file(), replaces="no-such-document")


def test_the_decision_notice_is_not_managed_here():
    case = agreed()
    case.run(determine, REVIEWER, decision_date=date(2026, 3, 20), today=date(2026, 3, 20), notice=notice())
    for command, inputs in ((publish_document, {}), (archive_document, {"reason": "no"})):
        with pytest.raises(Conflict, match="decision notice"):
            command(case.state, REVIEWER, document_id="notice-1", **inputs)
