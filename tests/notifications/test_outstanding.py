"""The notifications-outstanding read model: a message sent through Notify awaits its status until delivered or
failed; a failure stays until acknowledged; outbox messages await nothing; duplicates change nothing; and
`bops replay notifications-outstanding` rebuilds the same documents from the log."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from bops import environment
from bops.cli import main
from events import Actor, NewEvent
from events.notifications import (
    NotificationDelivered,
    NotificationFailed,
    NotificationFailureAcknowledged,
    NotificationSent,
)
from events.streams import application_side_stream
from shared.notification_records import OUTSTANDING_READ_MODEL
from tests.notifications.support import COUNCIL, START, project_outstanding

STREAM = application_side_stream(COUNCIL, "26-00001-HAPP", "notifications")


def sent(index: int, channel: str = "notify") -> NotificationSent:
    return NotificationSent(
        notification_id=f"e{index}:applicant",
        kind="receipt",
        recipient_role="applicant",
        masked_address="a***@example.org",
        template_id="t",
        channel=channel,  # type: ignore[arg-type]
        notify_id=f"notify-{index}" if channel == "notify" else None,
        triggered_by=f"e{index}",
    )


def failed(index: int) -> NotificationFailed:
    return NotificationFailed(
        notification_id=f"e{index}:applicant",
        kind="receipt",
        recipient_role="applicant",
        masked_address="a***@example.org",
        reason="Notify: permanent-failure",
        permanent=True,
        notify_id=f"notify-{index}",
    )


def project_all(deps: Any) -> dict[str, dict[str, Any]]:
    for _ in range(2):  # delivered twice: duplicates change nothing
        project_outstanding(deps.event_store, deps.read_models)
    return dict(deps.read_models.documents(OUTSTANDING_READ_MODEL))


def test_outstanding_messages_and_replay(deps, tmp_path):
    officer = Actor(kind="officer", id="o1", display_name="Olive Officer")
    payloads = [
        sent(1),
        sent(2),
        sent(3),
        sent(4, channel="outbox"),
        NotificationDelivered(notification_id="e1:applicant", notify_id="notify-1", status="delivered"),
        failed(2),
        failed(3),
        NotificationFailureAcknowledged(notification_id="e3:applicant", officer_id="o1", officer_name="Olive"),
        sent(5),
    ]
    deps.event_store.append(STREAM, 0, [NewEvent(p, COUNCIL, officer, START) for p in payloads])
    documents = project_all(deps)
    assert {key: document["state"] for key, document in documents.items()} == {
        "e2:applicant": "failed",
        "e5:applicant": "awaiting",
    }
    assert documents["e5:applicant"]["notify_id"] == "notify-5" and documents["e5:applicant"]["stream_id"] == STREAM

    deps.read_models.drop(OUTSTANDING_READ_MODEL)  # lost: the replay rebuilds it from the log alone
    assert dict(deps.read_models.documents(OUTSTANDING_READ_MODEL)) == {}
    data_dir = tmp_path / "data"
    result = CliRunner().invoke(
        main, ["replay", OUTSTANDING_READ_MODEL, "--data-dir", str(data_dir)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    environment.configure(data_dir)
    from shared.wiring import dependencies

    assert dict(dependencies().read_models.documents(OUTSTANDING_READ_MODEL)) == documents
