import pytest

from shared.officer_identity import NotSignedIn, SignedInOfficer, signed_in_officer


def test_the_context_the_authorizers_set_gives_the_officer_back():
    officer = SignedInOfficer("LBH", "o-1", "Sam Smith", "reviewer")
    assert signed_in_officer({"principalId": "officer:o-1", **officer.context()}) == officer
    assert officer.actor().kind == "officer" and officer.actor().display_name == "Sam Smith"


@pytest.mark.parametrize(
    "context",
    [
        None,
        {},
        {"council": "LBH", "officer_id": "o-1", "officer_name": "Sam"},
        {"council": "LBH", "officer_id": "", "officer_name": "Sam", "role": "assessor"},
        {"council": "LBH", "officer_id": "o-1", "officer_name": "Sam", "role": "superuser"},
        {"council": "LBH", "key_id": "k-1", "scopes": "planning_application:read"},
    ],
)
def test_an_incomplete_context_or_an_api_key_is_not_a_signed_in_officer(context):
    with pytest.raises(NotSignedIn):
        signed_in_officer(context)
