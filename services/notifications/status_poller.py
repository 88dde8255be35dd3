"""The scheduled job asking GOV.UK Notify what became of the messages sent (services/notifications/delivery.py).

Run by EventBridge Scheduler on AWS and by `bops serve`'s timer (see the notifications declaration). It asks only about
the messages the `notifications-outstanding` read model lists as awaiting a status. A stream others appended to
meanwhile is asked about again by the next run; a message Notify cannot be asked about now waits too.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from typing import Any  # noqa: E402

from services.notifications.delivery import poll_statuses  # noqa: E402
from shared.observability import count, observed  # noqa: E402


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from shared.wiring import dependencies

    deps = dependencies()
    run = poll_statuses(deps.event_store, deps.read_models, deps.secrets, deps.clock.now())
    count("NotificationsDelivered", run.delivered)
    count("NotificationsFailed", run.failed)
    return {"asked": run.asked, "delivered": run.delivered, "failed": run.failed, "waiting": len(run.unanswered)}
