"""A council's GOV.UK Notify settings: the API key in the secrets store, the rest on the council's stream.

The key (`{key_name}-{service_id}-{secret}`, as Notify issues it) lives under `{council}/notify-api-key` in the
secrets store (Secrets Manager on AWS), never in the log. The base URL, the template id of each kind of message (or
one generic template whose subject and body are the personalisation fields `subject` and `body`) and the reply-to id
are a `NotifyConfiguration` recorded in a `CouncilSettingsChanged`.

Settings are checked before they are saved (`check_notify_settings`): the key's format, then each template through
Notify's own API (`GET /v2/template/{id}`, which also proves the key), so a misconfiguration is refused with its
reasons when an administrator saves it, not discovered when a letter fails. A council without a key sends to the
local outbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, get_args

from events.council import NotifyConfiguration
from events.notifications import NotificationKind
from shared.notify import NOTIFY_API_KEY_SECRET, NOTIFY_CALLBACK_TOKEN_SECRET
from shared.notify.gateway import PermanentFailure, TemporaryFailure
from shared.secrets.port import SecretStore

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
KINDS: tuple[str, ...] = get_args(NotificationKind)
GENERIC_FIELDS = ("subject", "body")  # the generic template's personalisation
KEY_ENDING = 4  # of a saved API key, pages show at most its last 4 characters

_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_API_KEY = re.compile(rf"^(?P<name>\S+)-(?P<service_id>{_UUID})-(?P<secret>{_UUID})$")
_TEMPLATE_ID = re.compile(rf"^{_UUID}$")
_PLACEHOLDER = re.compile(r"\(\(([^()]+?)\)\)")


class NotifySettingsRefused(ValueError):
    """The settings were not saved; `reasons` says each thing wrong, in words an administrator can act on."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("Notify settings refused: " + "; ".join(reasons))
        self.reasons = reasons


def api_key_secret_name(council: str) -> str:
    return NOTIFY_API_KEY_SECRET.format(council=council)


@dataclass(frozen=True)
class NotifySettings:
    """What the sender needs to send one council's mail through Notify."""

    council: str
    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    templates: Mapping[str, str] = field(default_factory=dict)
    generic_template_id: str | None = None
    reply_to_id: str | None = None

    def template_for(self, kind: str) -> tuple[str, bool]:
        """(template id, whether it is the generic one) for a kind of message."""
        own = self.templates.get(kind)
        if own:
            return own, False
        if self.generic_template_id:
            return self.generic_template_id, True
        raise PermanentFailure(f"council {self.council} has no Notify template for {kind} messages", configuration=True)

    @property
    def service_id(self) -> str:
        found = _API_KEY.match(self.api_key)
        return found.group("service_id") if found else ""


def load_notify_settings(
    council: str, configuration: NotifyConfiguration | None, secrets: SecretStore
) -> NotifySettings | None:
    """The council's settings when it has a Notify key, else None (its messages go to the outbox)."""
    api_key = secrets.get(api_key_secret_name(council))
    if not api_key or check_api_key(api_key):  # none, or the deployment's generated placeholder
        return None
    configuration = configuration or NotifyConfiguration(base_url=DEFAULT_BASE_URL)
    return NotifySettings(
        council=council,
        api_key=api_key,
        base_url=configuration.base_url,
        templates=dict(configuration.templates),
        generic_template_id=configuration.generic_template_id,
        reply_to_id=configuration.reply_to_id,
    )


class TemplateReader(Protocol):
    def template(self, template_id: str) -> dict[str, Any]: ...


def check_api_key(api_key: str) -> list[str]:
    if not isinstance(api_key, str) or not _API_KEY.match(api_key.strip()):
        return [
            "the API key is not a GOV.UK Notify key: expected {key name}-{service id}-{secret}, the two last being "
            "UUIDs, as Notify shows it once when the key is created"
        ]
    return []


def check_notify_settings(
    api_key: str,
    configuration: NotifyConfiguration,
    *,
    reader: Callable[[str, str], TemplateReader] | None = None,
) -> list[str]:
    """Every reason the settings cannot be used (empty when they can): checked offline, then against Notify.

    `reader(api_key, base_url)` reads templates (the Notify gateway by default)."""
    reasons = check_api_key(api_key)
    if not configuration.base_url.startswith(("https://", "http://")):
        reasons.append(f"the Notify base URL {configuration.base_url!r} is not an http(s) URL")
    unknown = sorted(set(configuration.templates) - set(KINDS))
    if unknown:
        reasons.append(f"no kind of message is called {', '.join(unknown)} (the kinds: {', '.join(KINDS)})")
    uncovered = [kind for kind in KINDS if kind not in configuration.templates]
    if uncovered and not configuration.generic_template_id:
        reasons.append(f"no template for {', '.join(uncovered)}: give one for each, or a generic template")
    ids = _template_ids(configuration)
    for template_id in ids:
        if not _TEMPLATE_ID.match(template_id):
            reasons.append(f"template id {template_id!r} is not a UUID (copy it from the template's page in Notify)")
    if configuration.reply_to_id is not None and not _TEMPLATE_ID.match(configuration.reply_to_id):
        reasons.append(f"reply-to id {configuration.reply_to_id!r} is not a UUID (Notify's email reply-to ids are)")
    if reasons:
        return reasons
    gateway = (reader or _gateway)(api_key.strip(), configuration.base_url)
    for template_id in ids:
        reasons.extend(_check_template(gateway, template_id, generic=template_id == configuration.generic_template_id))
        if any("key" in reason for reason in reasons):
            break  # the key is refused: every other template would say the same
    return reasons


def _template_ids(configuration: NotifyConfiguration) -> list[str]:
    ids = dict.fromkeys(configuration.templates.values())
    if configuration.generic_template_id:
        ids[configuration.generic_template_id] = None
    return list(ids)


def _gateway(api_key: str, base_url: str) -> TemplateReader:
    from shared.notify.client import NotifyGateway  # the client: only when Notify is asked

    return NotifyGateway(api_key, base_url=base_url)


def _check_template(reader: TemplateReader, template_id: str, *, generic: bool) -> list[str]:
    try:
        template = reader.template(template_id)
    except TemporaryFailure as failure:
        return [f"Notify could not be asked about template {template_id} ({failure}); try again later"]
    except PermanentFailure as failure:
        if failure.reason.startswith(("401", "403")):
            return [f"Notify refused the API key ({failure.reason}): check it is this service's live key"]
        return [f"template {template_id} does not exist in this Notify service ({failure.reason})"]
    problems = []
    if template.get("type", "email") != "email":
        problems.append(f"template {template_id} is a {template.get('type')} template, not an email template")
    if generic:
        fields = set(_PLACEHOLDER.findall(str(template.get("subject") or ""))) | set(
            _PLACEHOLDER.findall(str(template.get("body") or ""))
        )
        missing = [name for name in GENERIC_FIELDS if name not in fields]
        if missing:
            problems.append(
                f"generic template {template_id} does not use {', '.join(f'(({name}))' for name in missing)}: its "
                "subject must be ((subject)) and its body ((body))"
            )
    return problems


def save_notify_settings(
    council: str,
    api_key: str,
    configuration: NotifyConfiguration,
    secrets: SecretStore,
    record: Callable[[NotifyConfiguration], Any],
    *,
    reader: Callable[[str, str], TemplateReader] | None = None,
) -> None:
    """Check, then keep the key in the secrets store and `record` the rest (a `CouncilSettingsChanged`); nothing is
    stored when the check fails (NotifySettingsRefused)."""
    reasons = check_notify_settings(api_key, configuration, reader=reader)
    if reasons:
        raise NotifySettingsRefused(reasons)
    record(configuration)
    secrets.put(api_key_secret_name(council), api_key.strip())


def change_notify_settings(
    council: str,
    api_key: str | None,
    configuration: NotifyConfiguration,
    secrets: SecretStore,
    record: Callable[[NotifyConfiguration], Any],
    *,
    callback_token: str | None = None,
    refused: Callable[[list[str]], Any] | None = None,
    reader: Callable[[str, str], TemplateReader] | None = None,
) -> None:
    """What `bops councils set-notify` and the administration's settings page both run: without a new key, the one
    saved; the callback token (when given) checked too; then `save_notify_settings`. On refusal `refused(reasons)` is
    called (each caller records a `NotifyConfigurationProblem`) and NotifySettingsRefused raised, nothing saved."""
    key = (api_key or "").strip() or secrets.get(api_key_secret_name(council)) or ""
    reasons = [] if key else [f"council {council} has no Notify API key yet: give its API key"]
    if callback_token is not None:
        reasons += check_callback_token(callback_token)
    try:
        if reasons:
            raise NotifySettingsRefused(reasons)
        save_notify_settings(council, key, configuration, secrets, record, reader=reader)
    except NotifySettingsRefused as refusal:
        if refused is not None:
            refused(refusal.reasons)
        raise
    if callback_token is not None:
        save_callback_token(council, callback_token, secrets)


def merged_configuration(
    current: NotifyConfiguration | None,
    *,
    base_url: str | None = None,
    templates: Iterable[tuple[str, str]] = (),
    generic_template_id: str | None = None,
    reply_to_id: str | None = None,
) -> NotifyConfiguration:
    """The current configuration with the given changes (templates per kind are added or replaced)."""
    current = current or NotifyConfiguration(base_url=DEFAULT_BASE_URL)
    return NotifyConfiguration(
        base_url=(base_url or current.base_url).rstrip("/"),
        templates={**current.templates, **dict(templates)},
        generic_template_id=generic_template_id or current.generic_template_id,
        reply_to_id=reply_to_id or current.reply_to_id,
    )


MIN_CALLBACK_TOKEN = 10  # Notify refuses a shorter bearer token for callbacks


def check_callback_token(token: str) -> list[str]:
    """Why a callback bearer token cannot be used (empty when it can)."""
    if len(token.strip()) < MIN_CALLBACK_TOKEN or any(c.isspace() for c in token.strip()):
        return [f"the callback token must be at least {MIN_CALLBACK_TOKEN} characters without spaces (Notify's rule)"]
    return []


def save_callback_token(council: str, token: str, secrets: SecretStore) -> None:
    """Keep the bearer token Notify's delivery-status callbacks will carry (services/notifications/callback.py)."""
    reasons = check_callback_token(token)
    if reasons:
        raise NotifySettingsRefused(reasons)
    secrets.put(NOTIFY_CALLBACK_TOKEN_SECRET.format(council=council), token.strip())
