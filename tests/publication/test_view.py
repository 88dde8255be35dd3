"""The public view of an application: only published applications, only public documents, no personal data."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from events.assessment import (
    CaseOfficerAssigned,
    DescriptionChanged,
    PlanningApplicationClosed,
    PlanningApplicationInvalidated,
    PlanningApplicationReturned,
    PlanningApplicationWithdrawn,
    PressNoticeRecorded,
    ValidationRequestAnswered,
    ValidationRequestDrafted,
)
from services.publication.read_model.port import FeedItem, FeedQuery, feed_select
from services.publication.view import public_view
from tests.publication.support import (
    CANARIES,
    COUNCIL,
    REFERENCE,
    DocumentArchived,
    DocumentPublished,
    DocumentTagsChanged,
    DocumentUnpublished,
    DocumentUploaded,
    RedactedCopyUploaded,
    Streams,
    determine,
    published_streams,
    received,
    submitted,
    validated,
)


def view(streams: Streams, **options):
    return public_view(COUNCIL, REFERENCE, streams.main, streams.documents, **options)


def test_nothing_is_public_before_validation_nor_once_invalidated_or_returned():
    streams = Streams()
    streams.add(submitted())
    streams.doc(received("doc-1"))
    streams.doc(DocumentPublished(document_id="doc-1"))
    assert view(streams) == (None, [])
    streams.add(PlanningApplicationInvalidated(invalidated_on=date(2026, 3, 3)))
    assert view(streams) == (None, [])
    streams.add(PlanningApplicationReturned(reason="fee not paid", returned_on=date(2026, 3, 5)))
    assert view(streams) == (None, [])


@pytest.mark.parametrize("invalidated_first", [False, True])
@pytest.mark.parametrize(
    "ended",
    [
        PlanningApplicationWithdrawn(reason="changed mind", withdrawn_on=date(2026, 3, 5)),
        PlanningApplicationClosed(reason="a duplicate", closed_on=date(2026, 3, 5)),
    ],
)
def test_an_application_withdrawn_or_closed_before_validation_never_becomes_public(ended, invalidated_first):
    """Withdrawn and closed are public statuses, but only for an application that was published (validated): one
    that ends before validation was never on the register. (It made the fold fail, so the projection dead-lettered
    its events and `bops replay public` stopped at it.)"""
    streams = Streams()
    streams.add(submitted())
    streams.doc(received("doc-1"))
    streams.doc(DocumentPublished(document_id="doc-1"))
    if invalidated_first:
        streams.add(PlanningApplicationInvalidated(invalidated_on=date(2026, 3, 3)))
    streams.add(ended)
    assert view(streams) == (None, [])


def test_a_pre_application_is_never_public():
    streams = Streams()
    streams.add(submitted(application_type="preApp"))
    streams.add(validated())
    assert view(streams) == (None, [])


def test_a_validated_application_is_published_with_its_dates_and_no_personal_data():
    streams = published_streams()
    streams.add(CaseOfficerAssigned(officer_id="o1", officer_name="Ann Officer"))
    record, entries = view(streams)
    assert record is not None
    assert (record.status, record.application_type, record.reference) == (
        "in_assessment",
        "pp.full.householder",
        REFERENCE,
    )
    assert record.validated_at == date(2026, 3, 4)
    assert record.expiry_date == date(2026, 4, 29) and record.target_date == date(2026, 4, 8)
    assert record.consultation_start_date == date(2026, 3, 5) and record.consultation_end_date == date(2026, 3, 26)
    assert record.site.postcode == "EX1 2AB" and record.case_officer_name == "Ann Officer"
    assert record.applicant_name is None and record.agent_company is None
    assert record.documents == ()  # nothing submitted is public until an officer publishes it
    assert record.original is not None and record.original.payload_key.endswith("submission.json")
    assert [e.kind for e in entries] == ["published"]
    assert record.version == len(streams.main) + len(streams.documents)
    assert [h.version for h in record.audit_heads] == [len(streams.main), len(streams.documents)]
    text = orjson.dumps([record.to_dict(), [e.__repr__() for e in entries]]).decode()
    assert not [canary for canary in CANARIES if canary in text]


def test_names_are_shown_only_when_the_council_publishes_them():
    record, _ = view(published_streams(), publish_names=True)
    assert record is not None and (record.applicant_name, record.agent_company) == ("Ada Applicant", "Agents Ltd")
    text = orjson.dumps(record.to_dict()).decode()
    assert not [canary for canary in CANARIES[:4] if canary in text]


def test_contact_details_quoted_in_the_description_are_scrubbed_as_in_the_odp_submission():
    """The BOPS-compatible face shows the record's description and the register searches its words: an applicant's
    own e-mail or phone, or any other, quoted in it must be scrubbed there as the ODP submission's texts are."""
    streams = Streams()
    quoted = f"Rear extension; questions to {CANARIES[0]}, {CANARIES[3]}, site 01632 960123 or x.y@mail.example.com"
    streams.add(submitted(description=quoted))
    streams.add(validated())
    record, _ = view(streams)
    assert record is not None
    assert record.description == "Rear extension; questions to [redacted], [redacted], site [redacted] or [redacted]"
    streams.add(DescriptionChanged(description=f"Rear extension (call {CANARIES[1]} to visit)"))
    record, _ = view(streams)
    assert record is not None and record.description == "Rear extension (call [redacted] to visit)"


def test_documents_follow_publication_redaction_archiving_and_replacement():
    streams = published_streams()
    streams.doc(DocumentPublished(document_id="doc-1"))
    streams.doc(
        RedactedCopyUploaded(
            document_id="doc-1",
            key="DEMO/r/plan-redacted.pdf",
            sha256="1" * 64,
            size=5,
            content_type="application/pdf",
            file_name="plan-redacted.pdf",
        )
    )
    streams.doc(DocumentTagsChanged(document_id="doc-1", tags=("sitePlan.proposed",)))
    record, entries = view(streams)
    assert record is not None
    [document] = record.documents
    assert (document.id, document.name, document.key, document.redacted_key, document.size) == (
        "doc-1",
        "plan.pdf",
        "DEMO/r/plan-redacted.pdf",
        "DEMO/r/plan-redacted.pdf",
        5,
    )
    assert document.tags == ("sitePlan.proposed",)
    assert [e.kind for e in entries] == ["published", "document_published"]
    streams.doc(
        DocumentUploaded(
            document_id="doc-3",
            file_name="plan-v2.pdf",
            key="DEMO/r/v2.pdf",
            sha256="2" * 64,
            size=7,
            content_type="application/pdf",
            replaces="doc-1",
        )
    )
    record, entries = view(streams)
    assert record is not None and record.documents == ()  # replaced, and the new version is not published yet
    assert entries[-1].kind == "document_withdrawn" and entries[-1].document_id == "doc-1"
    streams.doc(DocumentPublished(document_id="doc-3"))
    streams.doc(DocumentPublished(document_id="doc-2"))
    streams.doc(DocumentUnpublished(document_id="doc-2", reason="personal data"))
    streams.doc(DocumentArchived(document_id="doc-3", reason="wrong file"))
    record, entries = view(streams)
    assert record is not None and record.documents == ()
    assert [(e.kind, e.document_id) for e in entries[-4:]] == [
        ("document_published", "doc-3"),
        ("document_published", "doc-2"),
        ("document_withdrawn", "doc-2"),
        ("document_withdrawn", "doc-3"),
    ]


def test_determination_makes_the_decision_and_its_notice_public():
    streams = published_streams()
    determine(streams, "refused")
    record, entries = view(streams)
    assert record is not None
    assert (record.status, record.decision, record.decision_date) == ("determined", "refused", date(2026, 4, 20))
    assert record.decision_notice is not None and record.decision_notice.document_id == "notice-1"
    assert [e.kind for e in entries] == ["published", "status_changed", "decided"]
    assert entries[-1].decision == "refused" and entries[1].status == "awaiting_determination"
    assert CANARIES[4] not in orjson.dumps(record.to_dict()).decode()


def test_withdrawal_stays_public_and_a_time_extension_moves_the_expiry():
    streams = published_streams()
    streams.add(
        ValidationRequestDrafted(
            request_id="r1",
            request_type="time_extension",
            reason="more time",
            post_validation=True,
            proposed_expiry_date=date(2026, 6, 1),
        )
    )
    streams.add(
        ValidationRequestAnswered(
            request_id="r1", answered_at=streams.clock, answered_on=date(2026, 3, 10), agreed=True
        )
    )
    streams.add(PressNoticeRecorded(published_on=date(2026, 3, 20)))
    streams.add(PlanningApplicationWithdrawn(reason="changed mind", withdrawn_on=date(2026, 3, 21)))
    record, entries = view(streams)
    assert record is not None
    assert record.expiry_date == date(2026, 6, 1) and record.consultation_end_date == date(2026, 4, 10)
    assert (record.status, record.withdrawn_at) == ("withdrawn", date(2026, 3, 21))
    assert [e.kind for e in entries] == ["published", "status_changed"]


def test_the_feed_order_is_the_logs_and_the_same_whatever_the_fold_is_given_again():
    streams = published_streams()
    streams.doc(DocumentPublished(document_id="doc-1"))
    determine(streams)
    _, first = view(streams)
    _, again = view(streams)
    assert first == again
    keys = [e.key for e in first]
    assert keys == sorted(keys)
    assert feed_select([FeedItem(e, ()) for e in reversed(first)], FeedQuery()).items == [
        FeedItem(e, ()) for e in first
    ]


@pytest.mark.parametrize("side", [False, True])
def test_every_entry_names_the_log_event_it_comes_from(side):
    streams = published_streams()
    event = (
        streams.doc(DocumentPublished(document_id="doc-1"))
        if side
        else streams.add(PlanningApplicationWithdrawn(reason="x", withdrawn_on=date(2026, 3, 9)))
    )
    _, entries = view(streams)
    assert (entries[-1].event_stream, entries[-1].event_version, entries[-1].event_hash) == (
        event.stream_id,
        event.version,
        event.hash,
    )
