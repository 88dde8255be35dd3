"""Each kind of message: who gets it, what it says (reference, address, council, its own facts and links), and the
`NotificationSent` that records it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from services.notifications.handler import handle
from shared.applicant_links import link_secret, verify_applicant_token
from tests.notifications.support import AGENT_EMAIL, APPLICANT_EMAIL, COUNCIL, COUNCIL_NAME, OFFICERS, Application


def deliver(events) -> None:
    for event in events:
        handle(event)


def by_address(outbox) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in reversed(outbox.messages(limit=1000)):
        found.setdefault(message.email_address, []).append(message)
    return found


def check_common(message, reference: str) -> None:
    assert reference in message.subject
    for text in (reference, "1 High Street, Testtown, TT1 1AA", COUNCIL_NAME):
        assert text in message.body
    assert message.personalisation["reference"] == reference
    assert message.personalisation["council_name"] == COUNCIL_NAME
    assert message.personalisation["address"] == "1 High Street, Testtown, TT1 1AA"
    assert message.template_id == "outbox"


def link_in(text: str, reference: str, request_id: str, deps) -> str:
    [link] = [word for word in text.split() if "/applicant/" in word and request_id in word]
    parsed = urlparse(link)
    assert parsed.path == f"/applicant/{COUNCIL}/{reference}/validation_requests/{request_id}"
    token = parse_qs(parsed.query)["token"][0]
    assert verify_applicant_token(link_secret(deps.secrets, COUNCIL), COUNCIL, reference, request_id, token)
    return link


def test_receipt_goes_to_the_applicant_and_the_agent_and_is_recorded(deps, outbox):
    application = Application(deps.event_store)
    deliver(application.recorded)
    sent = by_address(outbox)
    assert set(sent) == {APPLICANT_EMAIL, AGENT_EMAIL}
    [to_applicant], [to_agent] = sent[APPLICANT_EMAIL], sent[AGENT_EMAIL]
    check_common(to_applicant, application.reference)
    assert to_applicant.body.startswith("Dear Alice Applicant,")
    assert to_agent.body.startswith("Dear Andy Agent,")
    assert "We have received your planning application" in to_applicant.body
    submitted = application.recorded[0]
    records = application.sent()
    assert {(r.kind, r.recipient_role, r.masked_address, r.channel, r.template_id) for r in records} == {
        ("receipt", "applicant", "a***@example.org", "outbox", "outbox"),
        ("receipt", "agent", "a***@agents.example.com", "outbox", "outbox"),
    }
    assert {r.notification_id for r in records} == {f"{submitted.event_id}:applicant", f"{submitted.event_id}:agent"}
    assert {r.triggered_by for r in records} == {str(submitted.event_id)}
    assert to_applicant.reference == f"{submitted.event_id}:applicant"  # Notify's reference is the notification id
    [notification] = [e for e in application.notifications() if e.payload.recipient_role == "applicant"]
    assert notification.causation_id == submitted.event_id


def test_without_an_agent_only_the_applicant_is_told(deps, outbox):
    application = Application(deps.event_store, agent=False)
    deliver(application.recorded)
    assert set(by_address(outbox)) == {APPLICANT_EMAIL}


def test_invalid_lists_every_request_with_its_link_and_due_date(deps, outbox):
    application = Application(deps.event_store, agent=False)
    first = application.draft("additional_document", reason="We need a floor plan of the ground floor.")
    second = application.draft("fee_change", reason="The fee for this kind of application is £258.", fee_amount=258)
    invalidated = application.invalidate([first, second])
    deliver(invalidated)  # the invalidation and its requests' sendings: one message, not three
    [message] = by_address(outbox)[APPLICANT_EMAIL]
    check_common(message, application.reference)
    assert "not valid" in message.subject
    for request_id, reason in ((first, "floor plan of the ground floor"), (second, "£258")):
        assert reason in message.body
        link_in(message.body, application.reference, request_id, deps)
    assert message.body.count("Respond by 25 March 2026") == 2
    assert message.personalisation["requests"] in message.body
    [record] = application.sent()
    assert record.kind == "invalid" and record.notification_id == f"{invalidated[0].event_id}:applicant"


def test_a_request_sent_after_validation(deps, outbox):
    application = Application(deps.event_store, agent=False)
    application.validate()
    request_id = application.draft("other_change", post_validation=True, reason="Move the window 1m to the left.")
    sent_event = application.recorded[-1]
    deliver([sent_event])
    [message] = by_address(outbox)[APPLICANT_EMAIL]
    check_common(message, application.reference)
    assert "Move the window 1m to the left." in message.body and "22 April 2026" in message.body
    assert message.personalisation["link"] == link_in(message.body, application.reference, request_id, deps)
    assert message.personalisation["response_due"] == "22 April 2026"
    assert [r.kind for r in application.sent()] == ["request_sent"]


def test_a_description_change_is_proposed_with_the_new_description(deps, outbox):
    application = Application(deps.event_store)
    application.validate()
    request_id = application.draft(
        "description_change", post_validation=True, proposed_description="Single storey rear extension, 3m deep"
    )
    deliver([application.recorded[-1]])
    for address in (APPLICANT_EMAIL, AGENT_EMAIL):
        [message] = by_address(outbox)[address]
        check_common(message, application.reference)
        assert "Single storey rear extension, 3m deep" in message.body
        assert message.personalisation["proposed_description"] == "Single storey rear extension, 3m deep"
        link_in(message.body, application.reference, request_id, deps)
    assert {r.kind for r in application.sent()} == {"description_change_proposed"}


def test_a_cancelled_request_and_an_auto_closed_one(deps, outbox):
    application = Application(deps.event_store, agent=False)
    application.validate()
    cancelled = application.draft("other_change", post_validation=True)
    closed = application.draft("red_line_boundary_change", post_validation=True, proposed_boundary={"type": "Point"})
    deliver(application.cancel(cancelled) + application.auto_close(closed))
    messages = by_address(outbox)[APPLICANT_EMAIL]
    assert [m.personalisation["cancel_reason"] for m in messages[:1]] == ["we no longer need it"]
    assert "no longer need you to" in messages[0].body
    assert "took it that you agree" in messages[1].body and "8 April 2026" in messages[1].body
    for message in messages:
        check_common(message, application.reference)
    assert [r.kind for r in application.sent()] == ["request_cancelled", "request_auto_closed"]


def test_cancelling_a_request_never_sent_tells_nobody(deps, outbox):
    application = Application(deps.event_store)
    pending = application.draft("additional_document")
    deliver(application.cancel(pending))
    assert outbox.messages() == [] and application.sent() == []


def test_valid_gives_the_dates(deps, outbox):
    application = Application(deps.event_store, agent=False)
    deliver(application.validate())
    [message] = by_address(outbox)[APPLICANT_EMAIL]
    check_common(message, application.reference)
    fields = message.personalisation
    assert (fields["valid_from"], fields["target_date"], fields["expiry_date"]) == (
        "11 March 2026",
        "15 April 2026",
        "6 May 2026",
    )
    for value in ("11 March 2026", "15 April 2026", "6 May 2026"):
        assert value in message.body
    assert [r.kind for r in application.sent()] == ["valid"]


def test_decision_gives_the_reasons_and_the_public_notice(deps, outbox):
    application = Application(deps.event_store, agent=False)
    application.validate()
    application.recommend()
    deliver(application.determine())
    [message] = by_address(outbox)[APPLICANT_EMAIL]
    check_common(message, application.reference)
    base = deps.council_settings(COUNCIL).public_base_url.rstrip("/")
    link = f"{base}/api/v2/public/planning_applications/{application.reference}/documents"
    assert message.personalisation["decision_notice_link"] == link and link in message.body
    assert "granted" in message.body and "20 April 2026" in message.body
    assert "in keeping with the house" in message.personalisation["reasons"]
    assert [r.kind for r in application.sent()] == ["decision"]


@pytest.mark.parametrize(
    ("step", "kind", "words"), [("withdraw", "withdrawn", "withdrawn"), ("return_", "returned", "returned to you")]
)
def test_withdrawal_and_return_are_confirmed(deps, outbox, step, kind, words):
    application = Application(deps.event_store)
    deliver(getattr(application, step)())
    for address in (APPLICANT_EMAIL, AGENT_EMAIL):
        [message] = by_address(outbox)[address]
        check_common(message, application.reference)
        assert words in message.subject and "20 March 2026" in message.body
    assert {r.kind for r in application.sent()} == {kind}


def console_link(deps, reference: str) -> str:
    """Officers' messages link to the application's page in the console, never to the applicant's pages."""
    return deps.council_settings(COUNCIL).public_base_url.rstrip("/") + f"/applications/{reference}"


def test_a_recommendation_goes_to_every_reviewer_but_never_to_its_author(deps, outbox):
    application = Application(deps.event_store)
    application.assign("officer-ann")
    recommended = application.recommend("officer-ann")
    deliver(recommended)
    sent = by_address(outbox)
    assert set(sent) == {OFFICERS["officer-rae"][1], OFFICERS["officer-sam"][1]}
    for address in sent:
        [message] = sent[address]
        check_common(message, application.reference)
        assert "Ann Assessor recommends" in message.body
        link = console_link(deps, application.reference)
        assert message.personalisation["link"] == link and f"Sign in to review it: {link}" in message.body
    records = application.sent()
    assert {(r.kind, r.recipient_role) for r in records} == {("review_requested", "reviewer")}
    assert {r.notification_id for r in records} == {
        f"{recommended[0].event_id}:reviewer:officer-rae",
        f"{recommended[0].event_id}:reviewer:officer-sam",
    }


def test_a_challenge_goes_to_the_case_officer(deps, outbox):
    application = Application(deps.event_store)
    application.assign("officer-ann")
    application.recommend("officer-ann")
    deliver(application.challenge("officer-rae"))
    sent = by_address(outbox)
    assert set(sent) == {OFFICERS["officer-ann"][1]}
    [message] = sent[OFFICERS["officer-ann"][1]]
    check_common(message, application.reference)
    assert "Rae Reviewer challenged" in message.body and "Say more about light." in message.body
    link = console_link(deps, application.reference)
    assert message.personalisation["link"] == link and f"Sign in to look at it again: {link}" in message.body
    assert [(r.kind, r.recipient_role) for r in application.sent()] == [("recommendation_challenged", "case_officer")]
