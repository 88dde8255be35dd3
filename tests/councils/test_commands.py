"""The pure council commands: what each emits and every rule it enforces, with its message."""

from __future__ import annotations

import pytest

from events.council import (
    ApiKeyCreated,
    ApiKeyRevoked,
    CouncilCreated,
    CouncilSettingsChanged,
    CouncilSettingsChanges,
    OfficerCreated,
    OfficerDeactivated,
)
from services.councils import commands
from services.councils.errors import (
    ApiKeyAlreadyRevoked,
    ApiKeyConflict,
    CouncilAlreadyExists,
    CouncilError,
    CouncilNotFound,
    EmptySettingsChange,
    InvalidCouncilInput,
    OfficerAlreadyInactive,
    OfficerConflict,
    UnknownApiKey,
    UnknownOfficer,
)
from services.councils.state import CouncilState
from tests.councils.support import HASH_A, demo_council, then

EMPTY = CouncilState()


def test_errors_are_value_errors():
    assert issubclass(CouncilError, ValueError)
    assert all(
        issubclass(error, CouncilError)
        for error in (CouncilNotFound, CouncilAlreadyExists, InvalidCouncilInput, OfficerConflict, UnknownApiKey)
    )


# create_council


def test_create_council_emits_council_created():
    assert commands.create_council(EMPTY, "SWK", " Southwark Council ", "southwark") == [
        CouncilCreated(code="SWK", name="Southwark Council", slug="southwark")
    ]


@pytest.mark.parametrize("code", ["A", "BUC", "2024", "L0N"])
def test_council_codes_of_one_to_four_capitals_or_digits_are_accepted(code):
    assert commands.create_council(EMPTY, code, "A council", "a-council")[0].code == code


@pytest.mark.parametrize("code", ["", "ABCDE", "swk", "Swk", "SW-K", "SW K", "ÄB", " SWK"])
def test_council_code_must_be_one_to_four_capitals_or_digits(code):
    with pytest.raises(InvalidCouncilInput, match="council code must be 1 to 4 capital letters or digits"):
        commands.create_council(EMPTY, code, "A council", "a-council")


@pytest.mark.parametrize("slug", ["demo", "buckinghamshire-2", "a", "st-albans-city"])
def test_slugs_of_lowercase_words_and_hyphens_are_accepted(slug):
    assert commands.create_council(EMPTY, "DEMO", "Demo", slug)[0].slug == slug


@pytest.mark.parametrize("slug", ["", "Demo", "demo_council", "-demo", "demo-", "de--mo", "demo council", "x" * 64])
def test_slug_must_be_lowercase_letters_digits_and_single_hyphens(slug):
    with pytest.raises(InvalidCouncilInput, match="council slug must be lowercase letters, digits and single hyphens"):
        commands.create_council(EMPTY, "DEMO", "Demo", slug)


@pytest.mark.parametrize("name", ["", "   "])
def test_council_name_must_not_be_empty(name):
    with pytest.raises(InvalidCouncilInput, match="council name must not be empty"):
        commands.create_council(EMPTY, "DEMO", name, "demo")


def test_council_name_has_a_maximum_length():
    with pytest.raises(InvalidCouncilInput, match="council name must be at most 200 characters"):
        commands.create_council(EMPTY, "DEMO", "x" * 201, "demo")


def test_a_council_is_created_once():
    with pytest.raises(CouncilAlreadyExists, match="council DEMO already exists"):
        commands.create_council(demo_council(), "DEMO", "Demo Council", "demo")


# every other command needs the council


@pytest.mark.parametrize(
    "command",
    [
        lambda state: commands.change_settings(state, CouncilSettingsChanges(name="New")),
        lambda state: commands.create_officer(state, "o-1", "ada@example.gov.uk", "Ada", "assessor"),
        lambda state: commands.deactivate_officer(state, "o-1"),
        lambda state: commands.create_api_key(state, "k1", "Portal", ["comment:write"], HASH_A, "bops_k1"),
        lambda state: commands.revoke_api_key(state, "k1"),
    ],
)
def test_commands_on_a_council_that_does_not_exist_are_refused(command):
    with pytest.raises(CouncilNotFound, match="the council does not exist: create it first"):
        command(EMPTY)


# change_settings


def test_change_settings_records_the_checked_changes():
    changes = CouncilSettingsChanges(
        name=" Demo Borough ",
        public_base_url="https://planning.demo.gov.uk/",
        allow_download_hosts=("files.planx.uk", "uploads.example.com:8443", "files.planx.uk"),
        reference_suffixes={"pp.full.householder": "HH", "ldc": "LDC2"},
        reply_to_email="planning@demo.gov.uk",
    )
    assert commands.change_settings(demo_council(), changes) == [
        CouncilSettingsChanged(
            changes=CouncilSettingsChanges(
                name="Demo Borough",
                public_base_url="https://planning.demo.gov.uk",
                allow_download_hosts=("files.planx.uk", "uploads.example.com:8443"),
                reference_suffixes={"pp.full.householder": "HH", "ldc": "LDC2"},
                reply_to_email="planning@demo.gov.uk",
            )
        )
    ]


def test_a_change_leaves_fields_it_does_not_name_as_none():
    [event] = commands.change_settings(demo_council(), CouncilSettingsChanges(public_base_url="http://localhost:8000"))
    assert event.changes == CouncilSettingsChanges(public_base_url="http://localhost:8000")


def test_an_empty_download_host_list_is_a_change():
    [event] = commands.change_settings(demo_council(), CouncilSettingsChanges(allow_download_hosts=()))
    assert event.changes.allow_download_hosts == ()


def test_an_empty_settings_change_is_refused():
    with pytest.raises(EmptySettingsChange, match="a settings change must change at least one setting"):
        commands.change_settings(demo_council(), CouncilSettingsChanges())


@pytest.mark.parametrize(
    "url",
    [
        "planning.demo.gov.uk",
        "ftp://planning.demo.gov.uk",
        "https://",
        "https://user:pw@demo.gov.uk",
        "https://demo.gov.uk/?a=1",
        "https://demo.gov.uk/#top",
        "https://demo .gov.uk",
        "javascript:alert(1)",
    ],
)
def test_public_base_url_must_be_an_http_or_https_url(url):
    with pytest.raises(InvalidCouncilInput, match=r"public base URL must be an absolute http:// or https:// URL"):
        commands.change_settings(demo_council(), CouncilSettingsChanges(public_base_url=url))


def test_public_base_url_port_must_be_valid():
    with pytest.raises(InvalidCouncilInput, match="public base URL has an invalid port"):
        commands.change_settings(demo_council(), CouncilSettingsChanges(public_base_url="https://demo.gov.uk:99999"))


@pytest.mark.parametrize(
    "host", ["Files.PlanX.uk", "https://files.planx.uk", "files.planx.uk/path", "files_planx.uk", ":443", "a.uk:0",
             "a.uk:65536", "", "-a.uk", "a..uk"],
)  # fmt: skip
def test_download_hosts_must_be_lowercase_host_names_or_host_port(host):
    with pytest.raises(InvalidCouncilInput, match="download host must be a lowercase host name or host:port"):
        commands.change_settings(demo_council(), CouncilSettingsChanges(allow_download_hosts=(host,)))


def test_download_hosts_accept_ports_and_public_ip_addresses():
    hosts = ("localhost:9000", "93.184.216.34", "a-b.example.co.uk:65535")
    [event] = commands.change_settings(demo_council(), CouncilSettingsChanges(allow_download_hosts=hosts))
    assert event.changes.allow_download_hosts == hosts


@pytest.mark.parametrize(
    ("host", "kind"),
    [("127.0.0.1", "loopback"), ("127.0.0.1:8000", "loopback"), ("10.1.2.3", "private"), ("192.168.0.10:80", "private"),
     ("172.16.5.4", "private"), ("169.254.169.254", "link-local"), ("0.0.0.0", "private"),
     ("100.64.0.1", "non-public")],
)  # fmt: skip
def test_download_hosts_refuse_private_loopback_and_link_local_addresses(host, kind):
    with pytest.raises(InvalidCouncilInput, match=f"is a {kind} IP address: files are never downloaded"):
        commands.change_settings(demo_council(), CouncilSettingsChanges(allow_download_hosts=(host,)))


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f.1", "10.0.0.0.1"])
def test_download_hosts_refuse_addresses_not_written_as_four_numbers(host):
    with pytest.raises(InvalidCouncilInput, match="looks like an IP address but is not one written as four numbers"):
        commands.change_settings(demo_council(), CouncilSettingsChanges(allow_download_hosts=(host,)))


def test_a_deployment_cannot_allow_a_private_address():
    from pydantic import ValidationError

    from shared.councils.settings import CouncilDeployment

    with pytest.raises(ValidationError, match="is a link-local IP address"):
        CouncilDeployment(code="DEMO", slug="demo", name="Demo", allow_download_hosts=("169.254.169.254",))


def test_reference_suffix_keys_must_be_odp_type_codes():
    with pytest.raises(InvalidCouncilInput, match=r"'pp.householder' is not an ODP application type code"):
        commands.change_settings(demo_council(), CouncilSettingsChanges(reference_suffixes={"pp.householder": "HAPP"}))


@pytest.mark.parametrize("suffix", ["H", "HAPPYXX", "happ", "1HAP", "HA-P", ""])
def test_reference_suffixes_must_be_two_to_six_capitals(suffix):
    with pytest.raises(InvalidCouncilInput, match=r"reference suffix for pp.full.householder must be 2 to 6 capitals"):
        commands.change_settings(
            demo_council(), CouncilSettingsChanges(reference_suffixes={"pp.full.householder": suffix})
        )


def test_renaming_to_an_empty_name_is_refused():
    with pytest.raises(InvalidCouncilInput, match="council name must not be empty"):
        commands.change_settings(demo_council(), CouncilSettingsChanges(name=" "))


def test_reply_to_must_be_an_email_address():
    with pytest.raises(InvalidCouncilInput, match="reply-to address is not a valid e-mail address"):
        commands.change_settings(demo_council(), CouncilSettingsChanges(reply_to_email="planning at demo"))


# officers


def test_create_officer_emits_officer_created():
    assert commands.create_officer(demo_council(), "o-1", " Ada@Demo.gov.uk ", "Ada Lovelace", "assessor") == [
        OfficerCreated(officer_id="o-1", email="Ada@Demo.gov.uk", name="Ada Lovelace", role="assessor")
    ]


@pytest.mark.parametrize("email", ["", "ada", "ada@", "@demo.gov.uk", "ada@demo", "ada @demo.gov.uk", "a@b@c.uk"])
def test_officer_email_must_be_valid(email):
    with pytest.raises(InvalidCouncilInput, match="e-mail address is not a valid e-mail address"):
        commands.create_officer(demo_council(), "o-1", email, "Ada", "assessor")


def test_officer_email_is_unique_per_council_without_case():
    state = then(demo_council(), commands.create_officer(demo_council(), "o-1", "ada@demo.gov.uk", "Ada", "assessor"))
    with pytest.raises(OfficerConflict, match=r"an officer with e-mail address ADA@Demo.gov.uk already exists"):
        commands.create_officer(state, "o-2", "ADA@Demo.gov.uk", "Ada again", "reviewer")


def test_officer_id_is_unique():
    state = then(demo_council(), commands.create_officer(demo_council(), "o-1", "ada@demo.gov.uk", "Ada", "assessor"))
    with pytest.raises(OfficerConflict, match="an officer with id o-1 already exists"):
        commands.create_officer(state, "o-1", "bob@demo.gov.uk", "Bob", "reviewer")


@pytest.mark.parametrize("officer_id", ["", "o 1", "x" * 101])
def test_officer_id_must_be_a_short_token(officer_id):
    with pytest.raises(InvalidCouncilInput, match="officer id must be 1 to 100 characters without spaces"):
        commands.create_officer(demo_council(), officer_id, "ada@demo.gov.uk", "Ada", "assessor")


@pytest.mark.parametrize("role", ["assessor", "reviewer", "administrator"])
def test_officer_roles(role):
    assert commands.create_officer(demo_council(), "o-1", "ada@demo.gov.uk", "Ada", role)[0].role == role


@pytest.mark.parametrize("role", ["admin", "Assessor", "", "applicant"])
def test_officer_role_must_be_known(role):
    with pytest.raises(InvalidCouncilInput, match="officer role must be one of assessor, reviewer, administrator"):
        commands.create_officer(demo_council(), "o-1", "ada@demo.gov.uk", "Ada", role)


def test_officer_name_must_not_be_empty():
    with pytest.raises(InvalidCouncilInput, match="officer name must not be empty"):
        commands.create_officer(demo_council(), "o-1", "ada@demo.gov.uk", "", "assessor")


def test_deactivate_officer():
    state = then(demo_council(), commands.create_officer(demo_council(), "o-1", "ada@demo.gov.uk", "Ada", "assessor"))
    assert commands.deactivate_officer(state, "o-1") == [OfficerDeactivated(officer_id="o-1")]
    with pytest.raises(UnknownOfficer, match="no officer with id 'o-2' in council DEMO"):
        commands.deactivate_officer(state, "o-2")
    state = then(state, commands.deactivate_officer(state, "o-1"))
    with pytest.raises(OfficerAlreadyInactive, match=r"officer ada@demo.gov.uk is already deactivated"):
        commands.deactivate_officer(state, "o-1")


# API keys


def test_create_api_key_emits_api_key_created_with_scopes_in_canonical_order():
    [event] = commands.create_api_key(
        demo_council(), "k1", " Portal ", ["comment:write", "planning_application:write", "comment:write"], HASH_A,
        "bops_k1",
    )  # fmt: skip
    assert event == ApiKeyCreated(
        key_id="k1",
        name="Portal",
        scopes=("planning_application:write", "comment:write"),
        key_hash=HASH_A,
        prefix="bops_k1",
    )


def test_every_known_scope_is_accepted():
    scopes = [
        "planning_application:read",
        "planning_application:write",
        "comment:write",
        "validation_request:read",
        "validation_request:write",
    ]
    [event] = commands.create_api_key(demo_council(), "k1", "All", scopes, HASH_A, "bops_k1")
    assert event.scopes == tuple(scopes)


def test_api_key_scopes_must_be_known():
    with pytest.raises(InvalidCouncilInput, match=r"unknown API key scope.* admin:all; known scopes: planning_appl"):
        commands.create_api_key(demo_council(), "k1", "Portal", ["comment:write", "admin:all"], HASH_A, "bops_k1")


def test_api_key_needs_a_scope():
    with pytest.raises(InvalidCouncilInput, match="an API key needs at least one scope"):
        commands.create_api_key(demo_council(), "k1", "Portal", [], HASH_A, "bops_k1")


def test_api_key_scopes_are_a_list_not_a_string():
    with pytest.raises(InvalidCouncilInput, match="API key scopes must be a list of scopes, not one string"):
        commands.create_api_key(demo_council(), "k1", "Portal", "comment:write", HASH_A, "bops_k1")


def test_api_key_name_must_not_be_empty():
    with pytest.raises(InvalidCouncilInput, match="API key name must not be empty"):
        commands.create_api_key(demo_council(), "k1", "  ", ["comment:write"], HASH_A, "bops_k1")


@pytest.mark.parametrize("key_hash", ["", "A" * 64, "a" * 63, "bops_0123456789ab_secret"])
def test_api_key_hash_must_be_a_sha256_hex_digest(key_hash):
    with pytest.raises(InvalidCouncilInput, match="API key hash must be a sha256 digest in lowercase hex"):
        commands.create_api_key(demo_council(), "k1", "Portal", ["comment:write"], key_hash, "bops_k1")


def test_api_key_id_is_unique():
    state = then(demo_council(), commands.create_api_key(demo_council(), "k1", "A", ["comment:write"], HASH_A, "p"))
    with pytest.raises(ApiKeyConflict, match="an API key with id k1 already exists"):
        commands.create_api_key(state, "k1", "B", ["comment:write"], HASH_A, "p")


def test_revoke_api_key():
    state = then(demo_council(), commands.create_api_key(demo_council(), "k1", "A", ["comment:write"], HASH_A, "p"))
    assert commands.revoke_api_key(state, "k1") == [ApiKeyRevoked(key_id="k1", key_hash=HASH_A)]


def test_revoking_an_unknown_key_is_refused():
    with pytest.raises(UnknownApiKey, match="no API key with id 'k9' in council DEMO"):
        commands.revoke_api_key(demo_council(), "k9")


def test_revoking_a_revoked_key_is_refused():
    state = then(demo_council(), commands.create_api_key(demo_council(), "k1", "A", ["comment:write"], HASH_A, "p"))
    state = then(state, commands.revoke_api_key(state, "k1"))
    with pytest.raises(ApiKeyAlreadyRevoked, match=r"API key k1 \(A\) is already revoked"):
        commands.revoke_api_key(state, "k1")
