"""What the dashboard shows of the council's GOV.UK Notify mail: a problem with its settings (refused when checked, or
by Notify when sending; shared/councils/profile.py) and how many failed messages no officer has acknowledged yet
(the `notifications-outstanding` read model, shared/notification_records.py)."""

from __future__ import annotations

from typing import Any


def notify_summary(council: str) -> dict[str, Any]:
    from shared.notification_records import failure_count
    from shared.wiring import dependencies

    deps = dependencies()
    problem = deps.council_profiles.load(council, refresh=False).notify_problem  # the page read its name just now
    return {
        "problem": problem.reasons[0] if problem else None,
        "failures": failure_count(deps.read_models, council),
    }
