"""Administration (the console's, through `services.councils.administration`): the same council commands and events
as the `bops` commands, recorded as the administrator; administrators of their own council only."""

from __future__ import annotations

import pytest

from events.streams import council_stream
from services.councils.administration import Administration, NotAdministrator, SelfLockout
from services.councils.errors import InvalidCouncilInput, UnknownOfficer
from shared.officer_identity import SignedInOfficer

COUNCIL = "DEMO"


@pytest.fixture
def admin_setup(tmp_path, monkeypatch):
    from services.councils.service import CouncilService
    from shared import wiring

    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOPS_NOW", "2026-03-03T10:00:00Z")
    wiring.reset()
    deps = wiring.dependencies()
    service = CouncilService(deps.event_store, deps.clock)
    service.create_council(COUNCIL, "Demo Borough Council", "demo")
    first = service.create_officer(
        COUNCIL, "ada@example.org", "Ada Admin", "administrator", "a-long-password", deps.secrets
    )
    admin = SignedInOfficer(COUNCIL, first.id, first.name, "administrator")
    yield deps, service, Administration(deps, service), admin
    wiring.reset()


def last_event(deps):
    return deps.event_store.read(council_stream(COUNCIL))[-1]


def test_an_invited_officer_signs_in_with_the_one_time_password_and_a_reset_replaces_it(admin_setup):
    deps, service, administration, admin = admin_setup
    issued = administration.invite_officer(admin, email="new@example.org", name="New Officer", role="assessor")
    event = last_event(deps)
    assert event.event_type == "OfficerCreated" and event.actor.id == admin.id
    assert service.verify_officer_password(COUNCIL, "new@example.org", issued.password, deps.secrets) is not None
    reset = administration.reset_password(admin, issued.officer.id)
    assert reset.password != issued.password
    assert service.verify_officer_password(COUNCIL, "new@example.org", issued.password, deps.secrets) is None
    assert service.verify_officer_password(COUNCIL, "new@example.org", reset.password, deps.secrets) is not None
    assert service.load(COUNCIL).officers[issued.officer.id].role == "assessor"


def test_role_changes_and_deactivation_are_the_bops_commands_events(admin_setup):
    deps, service, administration, admin = admin_setup
    officer = administration.invite_officer(admin, email="r@example.org", name="Rae", role="assessor").officer
    administration.change_role(admin, officer.id, "reviewer")
    assert last_event(deps).event_type == "OfficerRoleChanged"
    administration.deactivate(admin, officer.id)
    assert last_event(deps).event_type == "OfficerDeactivated"
    found = service.load(COUNCIL).officers[officer.id]
    assert found.role == "reviewer" and not found.active
    with pytest.raises(UnknownOfficer):
        administration.reset_password(admin, officer.id)


def test_administrators_cannot_lock_themselves_out_and_others_cannot_administer(admin_setup):
    _deps, _service, administration, admin = admin_setup
    with pytest.raises(SelfLockout):
        administration.deactivate(admin, admin.id)
    with pytest.raises(SelfLockout):
        administration.change_role(admin, admin.id, "assessor")
    assessor = SignedInOfficer(COUNCIL, "someone", "Sam", "assessor")
    with pytest.raises(NotAdministrator):
        administration.council(assessor)
    with pytest.raises(InvalidCouncilInput):
        administration.invite_officer(admin, email="x@example.org", name="X", role="king")


def test_an_api_key_works_until_revoked(admin_setup):
    deps, service, administration, admin = admin_setup
    view, key = administration.create_api_key(admin, name="PlanX", scopes=["planning_application:write"])
    assert last_event(deps).event_type == "ApiKeyCreated" and key not in str(last_event(deps).payload)
    assert service.authenticate_api_key(key) is not None
    administration.revoke_api_key(admin, view.id)
    assert last_event(deps).event_type == "ApiKeyRevoked"
    assert service.authenticate_api_key(key) is None
    with pytest.raises(InvalidCouncilInput):
        administration.create_api_key(admin, name="None", scopes=[])


def test_settings_record_only_what_changed_with_the_councils_rules(admin_setup):
    deps, _service, administration, admin = admin_setup
    settings = administration.change_settings(
        admin,
        reply_to_email="planning@example.org",
        determination_periods={"pp.full.householder": 42},
        allow_download_hosts=("files.example.org",),
    )
    event = last_event(deps)
    assert event.event_type == "CouncilSettingsChanged" and event.actor.id == admin.id
    assert settings.reply_to_email == "planning@example.org"
    assert settings.determination_period_days("pp.full.householder") == 42
    assert settings.allow_download_hosts == ("files.example.org",)
    with pytest.raises(InvalidCouncilInput):
        administration.change_settings(admin, public_base_url="not a url")
    from services.councils.errors import EmptySettingsChange

    with pytest.raises(EmptySettingsChange):
        administration.change_settings(admin, reply_to_email="planning@example.org")


def test_what_the_authorizers_read_takes_an_administrator_s_change_before_any_delivery(admin_setup):
    """No relay runs here: the read models change because the command projected its own events (`own_writes`), so a
    deactivated officer, a demoted administrator or a revoked key is refused at the very next request, not once the
    events are delivered. A later delivery of the same events changes nothing."""
    from services.councils import API_KEYS_READ_MODEL
    from services.councils.api_keys import hash_api_key
    from services.councils.officer_projection import OfficerProjection
    from services.councils.officer_records import OfficerRecord, OfficerRecords
    from shared.projections.projector import Projector

    deps, _service, _, admin = admin_setup
    administration = Administration(deps)  # as the console's handler makes it
    records = OfficerRecords(deps.read_models)
    officer = administration.invite_officer(admin, email="r@example.org", name="Rae", role="administrator").officer
    assert records.get(COUNCIL, officer.id).role == "administrator"
    administration.change_role(admin, officer.id, "assessor")
    assert records.get(COUNCIL, officer.id).role == "assessor"
    administration.deactivate(admin, officer.id)
    assert not records.get(COUNCIL, officer.id).active
    view, key = administration.create_api_key(admin, name="PlanX", scopes=["planning_application:write"])
    assert deps.read_models.get(API_KEYS_READ_MODEL, hash_api_key(key))[0]["revoked"] is False
    administration.revoke_api_key(admin, view.id)
    assert deps.read_models.get(API_KEYS_READ_MODEL, hash_api_key(key))[0]["revoked"] is True

    redelivered = Projector(OfficerProjection(), deps.read_models, deps.event_store)
    for event in deps.event_store.read(council_stream(COUNCIL)):
        redelivered.handle(event)
    expected = OfficerRecord(COUNCIL, officer.id, "r@example.org", "Rae", "assessor", False)
    assert records.get(COUNCIL, officer.id) == expected


def test_the_console_s_administration_function_is_granted_the_read_models_its_commands_project():
    """On AWS the stack grants only what a function declares: without this, `own_writes` would be refused there and
    every change would wait for its delivery again (logged, not failed)."""
    from services.councils import API_KEYS_READ_MODEL, OFFICERS_READ_MODEL
    from services.councils.declaration import ADMIN_PAGES_HANDLER, SERVICE

    [admin_function] = [function for function in SERVICE.http if function.handler == ADMIN_PAGES_HANDLER]
    assert {OFFICERS_READ_MODEL, API_KEYS_READ_MODEL} <= set(admin_function.writes_read_models)
