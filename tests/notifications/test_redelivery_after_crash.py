"""A sender killed while handing a message over leaves its idempotency record in progress until its timeout; the
relay's redelivery must outlast that, so the message is sent once rather than dead-lettered and never sent."""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

from bops.checkpoints import Checkpoints
from bops.relay import Relay
from services import subscriptions
from services.notifications.idempotency import KEY_PREFIX, SqlitePersistenceLayer
from tests.notifications.support import Application

HELD_MS = 1_500  # what is left of the killed sender's lock when the relay delivers again


def test_a_message_held_by_a_killed_sender_is_sent_once_its_lock_expires(deps, outbox):
    application = Application(deps.event_store)
    [submitted] = application.recorded
    layer = SqlitePersistenceLayer(deps.settings.data_dir / "idempotency.sqlite")
    layer.configure(IdempotencyConfig(event_key_jmespath="notification_id"), key_prefix=KEY_PREFIX)
    layer.save_inprogress({"notification_id": f"{submitted.event_id}:applicant"}, remaining_time_in_millis=HELD_MS)
    [sender] = [s for s in subscriptions() if s.name == "notifications-sender"]
    checkpoints = Checkpoints(deps.read_models)
    relay = Relay(deps.event_store, checkpoints, [sender], clock=deps.clock)
    relay.run_once(sender.name, timeout=60)
    assert checkpoints.dead_letters(sender.name) == []
    assert sorted(sent.recipient_role for sent in application.sent()) == ["agent", "applicant"]
    assert len(outbox.messages(limit=10)) == 2
