"""The sender's channel for a council with a GOV.UK Notify key: the Notify gateway, the council's templates and
reply-to id (services/notifications/service.py falls back to the local outbox without a key).

The key is read from the secrets store at most once a minute per council and process (a Lambda keeps it between
events; `bops councils set-notify` takes effect within that minute in a running `bops serve`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from services.notifications.sender import Channel
from shared.notify.settings import NotifySettings, load_notify_settings

if TYPE_CHECKING:
    from shared.wiring import Dependencies

SETTINGS_TTL_S = 60.0


def notify_settings_for(deps: Dependencies, council: str) -> NotifySettings | None:
    """The council's Notify settings, or None when it has no key (cached for SETTINGS_TTL_S). Its configuration is
    the council's profile as last loaded (`service.notify` loads it for each event first)."""
    cache: dict[str, tuple[float, NotifySettings | None]] = deps.memo("notify-settings", lambda _: {})
    now = time.monotonic()
    cached = cache.get(council)
    if cached is not None and now - cached[0] < SETTINGS_TTL_S:
        return cached[1]
    profiles = deps.council_profiles
    configuration = profiles.load(council, refresh=False).settings.notify
    settings = load_notify_settings(council, configuration, deps.secrets)
    cache[council] = (now, settings)
    return settings


def notify_channel(settings: NotifySettings) -> Channel:
    from shared.notify.client import gateway_for  # the client: only for a council with a key

    gateway = gateway_for(settings.api_key, settings.base_url)
    return Channel("notify", gateway, lambda kind: settings.template_for(kind)[0], settings.reply_to_id)
