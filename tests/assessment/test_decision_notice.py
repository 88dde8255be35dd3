"""The decision notice renderer: what it says, that nothing in it can become markup, and that it is well-formed HTML."""

from __future__ import annotations

import dataclasses
from datetime import date
from html.parser import HTMLParser

import pytest

from services.assessment.decision_notice import (
    DecisionNoticeContent,
    NoticeCondition,
    NoticeDocument,
    decision_wording,
    render_decision_notice,
)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

CONTENT = DecisionNoticeContent(
    council_name="Buckinghamshire Council",
    reference="25-00123-HAPP",
    application_type="pp.full.householder",
    address="12 Kingsway, Aylesbury, HP20 1AA",
    description="Single storey rear extension",
    applicant_name="Jo Applicant",
    decision="granted",
    decision_date=date(2026, 12, 4),
    public_reason="The extension is in keeping with the host dwelling.",
    conditions=(
        NoticeCondition("The development shall begin within three years.", "Section 91 of the 1990 Act."),
        NoticeCondition("Materials shall match the existing house.", "To protect the character of the area."),
    ),
    informatives=("Party Wall Act 1996 may apply.", "Building regulations approval is separate."),
    documents=(NoticeDocument("Proposed floor plan", "PL-002 rev B"), NoticeDocument("Location plan", None)),
    case_officer_name="Sam Smith",
    reviewer_name="Robin Reviewer",
)


class _Structure(HTMLParser):
    """Checks that every element is closed in order and collects the text of the document and of each id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            element_id = dict(attrs).get("id")
            self.open.append((tag, element_id))
            if element_id:
                self.by_id[element_id] = []

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1][0] if self.open else 'nothing'}")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for _, element_id in self.open:
            if element_id:
                self.by_id[element_id].append(data)

    def text_of(self, element_id: str) -> str:
        return " ".join(" ".join(self.by_id[element_id]).split())

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(content: DecisionNoticeContent) -> _Structure:
    html = render_decision_notice(content)
    assert isinstance(html, bytes)
    parser = _Structure()
    parser.feed(html.decode("utf-8"))
    parser.close()
    return parser


def test_it_is_well_formed_printable_html() -> None:
    parsed = parse(CONTENT)
    assert parsed.doctype is not None and parsed.doctype.lower() == "doctype html"
    assert parsed.problems == []
    assert parsed.open == []  # everything opened was closed
    assert parsed.tags[:1] == ["html"]
    assert {"head", "title", "body", "main", "style"} <= set(parsed.tags)
    html = render_decision_notice(CONTENT).decode()
    assert "@page { size: A4" in html
    assert '<meta charset="utf-8">' in html


def test_it_says_everything_the_decision_rests_on() -> None:
    parsed = parse(CONTENT)
    text = parsed.all_text()
    for value in (
        "Buckinghamshire Council",
        "25-00123-HAPP",
        "Planning Permission - Full householder",  # the type by its catalogue name
        "12 Kingsway, Aylesbury, HP20 1AA",
        "Single storey rear extension",
        "Jo Applicant",
        "4 December 2026",
        "The extension is in keeping with the host dwelling.",
        "Case officer: Sam Smith",
        "Robin Reviewer",
    ):
        assert value in text
    assert parsed.text_of("decision") == "Decision: Planning permission granted"
    assert parsed.text_of("informatives") == (
        "Informatives Party Wall Act 1996 may apply. Building regulations approval is separate."
    )
    assert parsed.text_of("documents") == (
        "Documents this decision refers to Document Drawing number Proposed floor plan PL-002 rev B Location plan"
    )


def test_conditions_are_numbered_in_order_with_their_reasons() -> None:
    html = render_decision_notice(CONTENT).decode()
    parsed = parse(CONTENT)
    assert parsed.text_of("conditions") == (
        "Conditions The development shall begin within three years. Reason: Section 91 of the 1990 Act. "
        "Materials shall match the existing house. Reason: To protect the character of the area."
    )
    section = html[html.index('id="conditions"') :]
    assert "<ol>" in section.split("</section>")[0]  # an ordered list: the numbers are the conditions' numbers
    assert section.index("three years") < section.index("Materials shall match")


def test_no_conditions_section_when_there_are_none() -> None:
    parsed = parse(dataclasses.replace(CONTENT, conditions=(), informatives=(), documents=()))
    assert "conditions" not in parsed.by_id
    assert "informatives" not in parsed.by_id
    assert "documents" not in parsed.by_id
    assert "Conditions" not in parsed.all_text()
    assert parsed.problems == []


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quoted" \'single\''


@pytest.mark.parametrize(
    "field",
    [
        "council_name",
        "reference",
        "application_type",
        "address",
        "description",
        "applicant_name",
        "public_reason",
        "case_officer_name",
        "reviewer_name",
    ],
)
def test_hostile_text_is_escaped(field: str) -> None:
    content = dataclasses.replace(CONTENT, **{field: HOSTILE})
    html = render_decision_notice(content).decode()
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    parsed = parse(content)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert HOSTILE in parsed.all_text()


def test_hostile_conditions_informatives_and_documents_are_escaped() -> None:
    content = dataclasses.replace(
        CONTENT,
        conditions=(NoticeCondition(HOSTILE, HOSTILE),),
        informatives=(HOSTILE,),
        documents=(NoticeDocument(HOSTILE, HOSTILE),),
    )
    html = render_decision_notice(content).decode()
    assert "<script" not in html and "<img" not in html
    parsed = parse(content)
    assert parsed.problems == []
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert parsed.all_text().count('<script>alert("x")</script>') == 5


@pytest.mark.parametrize(
    ("application_type", "decision", "headline"),
    [
        ("pp.full.householder", "granted", "Planning permission granted"),
        ("pp.full.householder", "refused", "Planning permission refused"),
        ("ldc.proposed", "granted", "Lawful development certificate granted"),
        ("ldc.proposed", "refused", "Lawful development certificate refused"),
        ("pa.part1.classA", "granted", "Prior approval required and granted"),
        ("pa.part1.classA", "refused", "Prior approval refused"),
        ("pa.part1.classA", "not_required", "Prior approval not required"),
        ("advertConsent", "granted", "Granted"),
        ("advertConsent", "refused", "Refused"),
    ],
)
def test_each_decision_is_worded(application_type: str, decision: str, headline: str) -> None:
    parsed = parse(dataclasses.replace(CONTENT, application_type=application_type, decision=decision))
    assert parsed.text_of("decision") == f"Decision: {headline}"
    assert decision_wording(decision, application_type)[0] == headline


def test_a_refusal_gives_its_reasons_as_such() -> None:
    parsed = parse(dataclasses.replace(CONTENT, decision="refused", conditions=()))
    assert parsed.text_of("reason") == "Reasons for refusal The extension is in keeping with the host dwelling."


@pytest.mark.parametrize(
    ("application_type", "decision"), [("pp.full.householder", "not_required"), ("pp.full.householder", "maybe")]
)
def test_a_decision_the_type_cannot_have_is_refused(application_type: str, decision: str) -> None:
    with pytest.raises(ValueError):
        render_decision_notice(dataclasses.replace(CONTENT, application_type=application_type, decision=decision))


def test_without_a_reviewer_the_council_signs() -> None:
    parsed = parse(dataclasses.replace(CONTENT, reviewer_name=None))
    assert "Authorised by" not in parsed.all_text()
    assert "For Buckinghamshire Council" in parsed.all_text()


def test_the_statement_mentions_conditions_only_when_there_are_some() -> None:
    with_conditions = render_decision_notice(CONTENT).decode()
    without = render_decision_notice(dataclasses.replace(CONTENT, conditions=())).decode()
    assert "subject to the conditions below" in with_conditions
    assert "subject to the conditions below" not in without


def _council(publish_names: bool):
    from shared.councils.settings import EffectiveCouncilSettings

    return EffectiveCouncilSettings(
        code="DEMO",
        slug="demo",
        name="Demo Council",
        domain=None,
        public_base_url="https://planning.demo.example",
        allow_download_hosts=(),
        reference_suffixes={},
        reply_to_email=None,
        admin_email=None,
        publish_applicant_names=publish_names,
    )


def _state(published: dict[str, tuple[str, ...]]):
    """A case with three submitted documents (doc-1 .. doc-3), some tagged and published."""
    from events import Actor
    from events.documents import DocumentPublished, DocumentTagsChanged
    from events.submission import ContactSummary
    from tests.assessment.support import Case

    case = Case(documents=("doc-1", "doc-2", "doc-3"))
    for document_id, tags in published.items():
        case.record([DocumentTagsChanged(document_id=document_id, tags=tags)], Actor.system("t"), side="documents")
        case.record([DocumentPublished(document_id=document_id)], Actor.system("t"), side="documents")
    assert case.state.submission is not None
    submission = case.state.submission.model_copy(update={"applicant": ContactSummary(name="Jo Applicant")})
    return dataclasses.replace(case.state, submission=submission)


@pytest.mark.parametrize(
    ("published", "named"),
    [
        ({}, ()),  # nothing published: no document named, none of the submitted files' names
        ({"doc-1": ("photographs",), "doc-3": ("other",)}, ("doc-1.pdf", "doc-3.pdf")),  # every published one
        ({"doc-1": ("photographs",), "doc-3": ("sitePlan.proposed",)}, ("doc-3.pdf",)),  # the published plans
    ],
)
def test_the_notice_refers_only_to_published_documents_and_names_the_applicant_only_when_the_council_does(
    published, named
):
    from services.assessment.notice import notice_content

    state = _state(published)
    for publish_names in (False, True):
        content = notice_content(state, _council(publish_names), "granted", date(2027, 1, 4))
        assert tuple(d.name for d in content.documents) == named
        assert content.applicant_name == ("Jo Applicant" if publish_names else None)
        html = render_decision_notice(content).decode()
        assert ("Jo Applicant" in html) is publish_names and ("Applicant" in html) is publish_names
        assert "doc-2.pdf" not in html


def test_the_notice_shows_the_description_scrubbed_of_contact_details_as_the_register_does():
    """The notice is published: the applicant's and agent's own e-mail addresses and phone numbers, and any other one
    the description quotes, are `[redacted]` there as on every public face; the application itself keeps its text."""
    from events.submission import ContactSummary
    from services.assessment.notice import notice_content
    from shared.odp.redaction import REDACTED

    state = _state({})
    assert state.submission is not None
    description = (
        "Rear extension. Call jo.home+planning at ex dot com? No: jo@applicant.example, 07700 900123, "
        "agent on 0161 496 0000 ext, or builder@elsewhere.example"
    )
    submission = state.submission.model_copy(
        update={
            "applicant": ContactSummary(name="Jo Applicant", email="jo@applicant.example", phone="07700 900123"),
            "agent": ContactSummary(name="Al Agent", email="al@agent.example", phone="0161 496 0000"),
        }
    )
    state = dataclasses.replace(state, submission=submission, description=description)
    content = notice_content(state, _council(False), "granted", date(2027, 1, 4))
    html = render_decision_notice(content).decode()
    for personal in ("jo@applicant.example", "07700 900123", "0161 496 0000", "builder@elsewhere.example"):
        assert personal not in html and personal not in content.description
    assert content.description.startswith("Rear extension.") and html.count(REDACTED) >= 4
    assert state.description == description
