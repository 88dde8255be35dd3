"""What a council's administrators do from the console: officers (invite, change role, deactivate, reset password), API
keys (create, shown once; revoke) and the council's settings. The same `CouncilService` commands as `bops officers ...`,
`bops api-keys ...` and `bops councils set` (so the same events and the same rules), recorded as the administrator, with
the officer directory of the runtime (the council's user pool on AWS, local hashes embedded). The officers and API-keys
read models (what sign-in and the authorizers read) take each change as it is recorded (`own_writes`), so it applies
from the next request. Only administrators, and only of their own council; an administrator cannot deactivate or demote
themselves (the council would risk having no administrator left)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from events.council import CouncilSettingsChanges
from services.councils.errors import CouncilError, InvalidCouncilInput, UnknownApiKey, UnknownOfficer
from services.councils.scopes import SCOPES
from services.councils.service import CouncilService
from services.councils.state import ApiKeyView, CouncilState, OfficerView
from shared.councils.settings import EffectiveCouncilSettings
from shared.officer_identity import SignedInOfficer

if TYPE_CHECKING:
    from services.councils.officer_directory import OfficerDirectory
    from shared.wiring import Dependencies

ROLES = ("assessor", "reviewer", "administrator")
__all__ = ["ROLES", "SCOPES", "Administration", "Issued", "NotAdministrator", "SelfLockout"]


class NotAdministrator(CouncilError):
    """Only the council's administrators administer it."""


class SelfLockout(CouncilError):
    """An administrator may not deactivate or demote themselves."""


@dataclass(frozen=True)
class Issued:
    """An officer and the one-time password to give them (shown once, stored only as a hash or in the pool)."""

    officer: OfficerView
    password: str


@dataclass(frozen=True)
class NotifyStatus:
    configured: bool
    base_url: str | None
    problem_source: str | None  # "check" or "send" while there is a problem
    problem_reasons: tuple[str, ...]
    problem_at: datetime | None
    unacknowledged_failures: int


@dataclass(frozen=True)
class NotifyForm:
    """The council's saved Notify settings as the form shows them: of the key, only that one is saved and its last
    characters; of the callback token, only whether one is saved."""

    key_ending: str | None
    callback_token_set: bool
    base_url: str
    templates: Mapping[str, str]
    generic_template_id: str
    reply_to_id: str


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


class Administration:
    def __init__(self, deps: Dependencies, service: CouncilService | None = None) -> None:
        self.deps = deps
        if service is None:
            from services.councils.own_writes import project_at_once

            service = CouncilService(deps.event_store, deps.clock, after_append=project_at_once(deps))
        self.service = service

    def _directory(self) -> OfficerDirectory:
        from services.councils.officer_directory import officer_directory

        return officer_directory(self.deps)

    @staticmethod
    def _admin(officer: SignedInOfficer) -> str:
        if officer.role != "administrator":
            raise NotAdministrator("only administrators may manage the council's officers, API keys and settings")
        return officer.council

    def _officer(self, council: str, officer_id: str) -> OfficerView:
        found = self.service.load(council).officers.get(officer_id)
        if found is None:
            raise UnknownOfficer(f"no officer {officer_id} in council {council}")
        return found

    # reading

    def council(self, admin: SignedInOfficer) -> CouncilState:
        """The council's state (its name, officers and API keys) in one read: for a page that shows several."""
        return self.service.load(self._admin(admin))

    def officer(self, admin: SignedInOfficer, officer_id: str) -> OfficerView:
        return self._officer(self._admin(admin), officer_id)

    def settings(self, admin: SignedInOfficer) -> EffectiveCouncilSettings:
        return self.deps.council_settings(self._admin(admin))

    def notify_status(self, admin: SignedInOfficer) -> NotifyStatus:
        """How the council's GOV.UK Notify mail stands: its settings, the newest problem with them (refused when
        checked or when sending, until settings that pass the check are saved) and the failed messages no officer has
        acknowledged yet."""
        from shared.notification_records import failure_count

        council = self._admin(admin)
        profile = self.service.load(council)
        return NotifyStatus(
            configured=profile.settings.notify is not None,
            base_url=profile.settings.notify.base_url if profile.settings.notify else None,
            problem_source=profile.notify_problem.source if profile.notify_problem else None,
            problem_reasons=profile.notify_problem.reasons if profile.notify_problem else (),
            problem_at=profile.notify_problem_at,
            unacknowledged_failures=failure_count(self.deps.read_models, council),
        )

    # officers

    def invite_officer(self, admin: SignedInOfficer, *, email: str, name: str, role: str) -> Issued:
        council = self._admin(admin)
        if role not in ROLES:
            raise InvalidCouncilInput(f"role must be one of {', '.join(ROLES)}")
        password = one_time_password()
        officer = self.service.create_officer(
            council,
            email,
            name,
            role,
            password,
            actor=admin.actor(),
            directory=self._directory(),
        )
        return Issued(officer, password)

    def change_role(self, admin: SignedInOfficer, officer_id: str, role: str) -> OfficerView:
        council = self._admin(admin)
        if officer_id == admin.id and role != "administrator":
            raise SelfLockout("you cannot change your own role: ask another administrator")
        officer = self.service.change_officer_role(
            council, officer_id, role, actor=admin.actor(), directory=self._directory()
        )
        return officer

    def deactivate(self, admin: SignedInOfficer, officer_id: str) -> OfficerView:
        council = self._admin(admin)
        if officer_id == admin.id:
            raise SelfLockout("you cannot deactivate yourself: ask another administrator")
        officer = self.service.deactivate_officer(council, officer_id, actor=admin.actor(), directory=self._directory())
        return officer

    def reset_password(self, admin: SignedInOfficer, officer_id: str) -> Issued:
        """A new one-time password for an active officer (the old one stops working)."""
        council = self._admin(admin)
        officer = self._officer(council, officer_id)
        if not officer.active:
            raise UnknownOfficer(f"officer {officer.email} is deactivated")
        password = one_time_password()
        from services.councils.officer_directory import DirectoryEntry

        entry = DirectoryEntry(council, officer.id, officer.email, officer.name, officer.role)
        self._directory().set_password(entry, password)
        return Issued(officer, password)

    # API keys

    def create_api_key(self, admin: SignedInOfficer, *, name: str, scopes: Iterable[str]) -> tuple[ApiKeyView, str]:
        """The key's view and the key itself, which is shown once and recorded nowhere."""
        council = self._admin(admin)
        chosen = tuple(scopes)
        if not chosen:
            raise InvalidCouncilInput("choose at least one scope")
        view, key = self.service.create_api_key(council, name, chosen, actor=admin.actor())
        return view, key

    def revoke_api_key(self, admin: SignedInOfficer, key_id: str) -> ApiKeyView:
        council = self._admin(admin)
        if key_id not in self.service.load(council).api_keys:
            raise UnknownApiKey(f"no API key {key_id} in council {council}")
        view = self.service.revoke_api_key(council, key_id, actor=admin.actor())
        return view

    # settings

    def change_settings(
        self,
        admin: SignedInOfficer,
        *,
        reply_to_email: str | None = None,
        public_base_url: str | None = None,
        allow_download_hosts: tuple[str, ...] | None = None,
        determination_periods: Mapping[str, int] | None = None,
        publish_applicant_names: bool | None = None,
    ) -> EffectiveCouncilSettings:
        """Record what differs from the effective settings (the same `CouncilSettingsChanged` as `bops councils
        set`); nothing different is refused as an empty change."""
        council = self._admin(admin)
        current = self.deps.council_settings(council)
        changes = CouncilSettingsChanges(
            reply_to_email=reply_to_email if reply_to_email and reply_to_email != current.reply_to_email else None,
            public_base_url=public_base_url if public_base_url and public_base_url != current.public_base_url else None,
            allow_download_hosts=allow_download_hosts
            if allow_download_hosts is not None and allow_download_hosts != current.allow_download_hosts
            else None,
            determination_periods=dict(determination_periods)
            if determination_periods is not None and dict(determination_periods) != current.determination_periods
            else None,
            publish_applicant_names=publish_applicant_names
            if publish_applicant_names is not None and publish_applicant_names != current.publish_applicant_names
            else None,
        )
        self.service.change_settings(council, changes, actor=admin.actor())
        return self.deps.council_settings(council)

    # GOV.UK Notify

    def notify_form(self, admin: SignedInOfficer) -> NotifyForm:
        from shared.notify import NOTIFY_CALLBACK_TOKEN_SECRET
        from shared.notify.settings import DEFAULT_BASE_URL, KEY_ENDING, api_key_secret_name, check_api_key

        council = self._admin(admin)
        configuration = self.service.load(council).settings.notify
        key = self.deps.secrets.get(api_key_secret_name(council)) or ""
        return NotifyForm(
            key_ending=key[-KEY_ENDING:] if key and not check_api_key(key) else None,
            callback_token_set=bool(self.deps.secrets.get(NOTIFY_CALLBACK_TOKEN_SECRET.format(council=council))),
            base_url=configuration.base_url if configuration else DEFAULT_BASE_URL,
            templates=dict(configuration.templates) if configuration else {},
            generic_template_id=(configuration.generic_template_id or "") if configuration else "",
            reply_to_id=(configuration.reply_to_id or "") if configuration else "",
        )

    def change_notify(
        self,
        admin: SignedInOfficer,
        *,
        api_key: str | None,
        base_url: str | None,
        templates: Mapping[str, str],
        generic_template_id: str | None,
        reply_to_id: str | None,
        callback_token: str | None,
    ) -> None:
        """Check the settings against Notify and save them, as `bops councils set-notify` does (the same
        `shared.notify.settings.change_notify_settings`): the form gives the whole configuration, a blank key keeps
        the saved one. A refusal (NotifySettingsRefused) is recorded as a `NotifyConfigurationProblem`."""
        from shared.notify import settings as notify
        from shared.notify.problems import record_problem

        council = self._admin(admin)
        configuration = notify.merged_configuration(
            None,
            base_url=base_url,
            templates=templates.items(),
            generic_template_id=generic_template_id,
            reply_to_id=reply_to_id,
        )
        actor, deps = admin.actor(), self.deps
        notify.change_notify_settings(
            council,
            api_key,
            configuration,
            deps.secrets,
            lambda saved: self.service.change_settings(council, CouncilSettingsChanges(notify=saved), actor=actor),
            callback_token=callback_token,
            refused=lambda reasons: record_problem(
                deps.event_store, council, "check", reasons, actor, deps.clock.now()
            ),
        )
