"""The public submission (personal data out, still a valid prototype) and the fast published-application validator."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from shared.odp import OdpValidator, UnknownApplicationType
from shared.odp.conversion import to_prototype
from shared.odp.published import PublishedValidator, published_branches
from shared.odp.redaction import REDACTED, REDACTED_EMAIL, public_submission
from shared.odp.validation import prototype_branches
from tests.odp.support import EXAMPLES_DIR, SCHEMA_DIR, load

SUBMISSIONS = sorted((EXAMPLES_DIR / "application").glob("**/*.json")) + sorted(
    (EXAMPLES_DIR / "prototypeApplication").glob("**/*.json")
)
PUBLISHED_EXAMPLE = (
    EXAMPLES_DIR
    / "postSubmissionPublishedApplication/planningPermission/fullHouseholder-04-assessment-03-committee-determined.json"
)
FILES = [
    {
        "name": "https://example.org/api/@next/public/applications/26-00001-HAPP/documents/1/file",
        "type": ["sitePlan.proposed"],
    }
]


def _id(path: Path) -> str:
    return str(path.relative_to(EXAMPLES_DIR))


@pytest.fixture(scope="module")
def validator() -> OdpValidator:
    return OdpValidator(SCHEMA_DIR)


def _personal(prototype: dict[str, Any]) -> list[str]:
    """The e-mail addresses, phone numbers, names and address lines the applicant part of the submission holds, but
    not those that the public part says too (an applicant whose name is also the scheme's, an address that is the
    site's)."""
    found: list[str] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key in ("email", "primary", "first", "last", "line1") and len(value) > 3:
            found.append(value)

    walk(prototype["data"]["applicant"], "")
    public_part = json.dumps({**prototype, "data": {**prototype["data"], "applicant": None}, "responses": []})
    return [text for text in found if text not in public_part]  # not a site address or scheme name that is public


@pytest.mark.parametrize("path", SUBMISSIONS, ids=_id)
def test_the_public_submission_is_a_valid_prototype_without_personal_data(validator: OdpValidator, path: Path) -> None:
    prototype = to_prototype(load(path), SCHEMA_DIR)
    untouched = copy.deepcopy(prototype)
    public = public_submission(prototype, files=FILES, applicant_name=False, agent_company=False)
    assert prototype == untouched
    assert validator.validate(public) == []
    text = json.dumps(public)
    for personal in _personal(prototype):
        assert personal not in text, personal
    applicant = public["data"]["applicant"]
    assert applicant["email"] == REDACTED_EMAIL and applicant["phone"] == {"primary": REDACTED}
    assert applicant["name"] == {"first": REDACTED, "last": REDACTED}
    assert public["responses"] == [] and public["files"] == FILES
    assert not re.search(r"\w@\w", text.replace(REDACTED_EMAIL, ""))


def test_the_names_the_council_shows_are_kept() -> None:
    prototype = load(EXAMPLES_DIR / "prototypeApplication" / "planningPermission" / "major.json")
    applicant = prototype["data"]["applicant"]
    assert "agent" in applicant
    applicant["agent"]["company"] = {"name": "Agents & Co"}
    shown = public_submission(prototype, files=[], applicant_name=True, agent_company=True)["data"]["applicant"]
    hidden = public_submission(prototype, files=[], applicant_name=False, agent_company=False)["data"]["applicant"]
    assert shown["name"]["last"] == applicant["name"]["last"] and hidden["name"]["last"] == REDACTED
    assert shown["agent"]["company"] == {"name": "Agents & Co"} and "company" not in hidden["agent"]
    assert shown["agent"]["email"] == hidden["agent"]["email"] == REDACTED_EMAIL


def test_contact_details_typed_into_any_text_are_scrubbed() -> None:
    prototype = load(EXAMPLES_DIR / "prototypeApplication" / "planningPermission" / "fullHouseholder.json")
    prototype["data"]["proposal"]["description"] = "Roof extension; call 07700 900123 or write to joe@example.com."
    public = public_submission(prototype, files=[], applicant_name=False, agent_company=False)
    assert public["data"]["proposal"]["description"] == f"Roof extension; call {REDACTED} or write to {REDACTED}."


@pytest.mark.parametrize(
    "identifier",
    [
        "3b98ea71-0123-4567-8901-ebfcec6f86bc",  # a uuid whose middle looks like a number
        "00000000-0000-4000-8000-000000000000",
        "https://planning.demo.gov.uk/files/01234567890/plan.pdf",
        "https://planning.demo.gov.uk/files/3b98ea71-0123-4567-8901-ebfcec6f86bc",
    ],
)
def test_identifiers_and_links_are_not_taken_for_phone_numbers(identifier: str) -> None:
    prototype = load(EXAMPLES_DIR / "prototypeApplication" / "planningPermission" / "fullHouseholder.json")
    prototype["metadata"]["id"] = identifier
    prototype["data"]["proposal"]["description"] = f"See {identifier}; or call (01234) 567890 or +44 7700 900123."
    public = public_submission(
        prototype, files=[{"name": identifier, "type": []}], applicant_name=False, agent_company=False
    )
    assert public["metadata"]["id"] == identifier and public["files"][0]["name"] == identifier
    assert public["data"]["proposal"]["description"] == f"See {identifier}; or call {REDACTED} or {REDACTED}."


def test_owners_connections_and_payment_references_are_left_out() -> None:
    prototype = load(EXAMPLES_DIR / "prototypeApplication" / "planningPermission" / "fullHouseholder.json")
    prototype["data"]["applicant"]["ownership"]["owners"] = [
        {
            "name": "Owen Owner",
            "address": {"line1": "1 Lane", "town": "Town", "postcode": "AB1 2CD"},
            "noticeDate": "2024-01-01",
        }
    ]
    prototype["data"]["application"]["declaration"]["connection"] = {"value": "employee", "description": "I am Bob"}
    public = public_submission(prototype, files=[], applicant_name=True, agent_company=True)
    text = json.dumps(public)
    assert "Owen Owner" not in text and "I am Bob" not in text
    assert public["data"]["application"]["declaration"]["connection"] == {"value": "employee"}
    assert "reference" not in public["data"]["application"]["fee"]


# The published-application validator.


def test_the_published_example_validates() -> None:
    assert PublishedValidator(SCHEMA_DIR).validate(load(PUBLISHED_EXAMPLE)) == []


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda d: d["data"].pop("caseOfficer"), "/data"),
        (lambda d: d["data"]["application"].update(status="pending"), "/data/application/status"),
        (lambda d: d["submission"]["data"]["applicant"].update(email="not an e-mail"), "/submission/data/applicant"),
        (lambda d: d.update(submission={**d["submission"], "applicationType": "ldc.proposed"}), "/submission"),
        (lambda d: d["files"][0].pop("metadata"), "/files/0"),
    ],
)
def test_the_published_validator_refuses_what_the_schema_refuses(change: Any, pointer: str) -> None:
    document = load(PUBLISHED_EXAMPLE)
    change(document)
    issues = PublishedValidator(SCHEMA_DIR).validate(document)
    assert issues and any(issue.path.startswith(pointer) for issue in issues), issues


def test_every_prototype_type_has_a_published_branch() -> None:
    assert set(published_branches(SCHEMA_DIR)) == set(prototype_branches(SCHEMA_DIR))


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(UnknownApplicationType):
        PublishedValidator(SCHEMA_DIR).validate({**load(PUBLISHED_EXAMPLE), "applicationType": "pp"})
