"""The site's planning constraints: the submission's (those it says intersect the site) folded into the state, officers'
additions and removals on top, and the view showing each with its source and whether it was removed."""

from __future__ import annotations

from datetime import date

import pytest

from events.assessment import ConstraintAdded, ConstraintRemoved
from services.assessment.domain import Conflict, add_constraint, application_view, remove_constraint
from shared.odp.reading import read_submission
from shared.odp.summary import summary_of
from tests.assessment.support import ASSESSOR, OTHER_ASSESSOR, Case
from tests.odp.support import EXAMPLES_DIR, load

TODAY = date(2026, 3, 3)


def constraints(case: Case) -> list[dict]:
    return application_view(case.state, TODAY)["constraints"]


def test_the_submissions_intersecting_constraints_are_the_state_with_their_entities():
    case = Case()
    assert list(case.state.constraints) == ["articleFour"]  # "tpo" was checked and does not intersect the site
    assert constraints(case) == [
        {
            "value": "articleFour",
            "description": "Article 4 direction area",
            "source": "submission",
            "entities": [{"name": "Basements", "entity": 7010002613, "source": "Planning Data"}],
            "addedBy": None,
            "removed": False,
            "removedReason": None,
            "removedBy": None,
        }
    ]
    assert Case(constraints=()).state.constraints == {}


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("application/planningPermission/fullHouseholderInConservationArea.json",
         {"designated", "designated.conservationArea"}),
        ("application/planningPermission/major.json", {"greenBelt"}),
        ("application/planningPermission/fullHouseholder.json", set()),
        ("prototypeApplication/priorApproval/convertCommercialToHome.json", None),
    ],
)  # fmt: skip
def test_an_odp_submissions_designations_that_intersect_the_site_become_its_constraints(example, expected):
    payload = load(EXAMPLES_DIR / example)
    designations = payload["data"]["property"]["planning"]["designations"]
    intersecting = {d["value"] for d in designations if d["intersects"]}
    assert expected is None or intersecting == expected
    case = Case(constraints=summary_of(read_submission(payload, bulky=False)).constraints)
    assert set(case.state.constraints) == intersecting
    assert {c["value"] for c in constraints(case) if c["source"] == "submission"} == intersecting
    if example.endswith("convertCommercialToHome.json"):
        [listed] = [c for c in constraints(case) if c["value"] == "listed"]
        assert {"name": "87, HACKFORD ROAD SW9", "entity": 31537921, "source": "Planning Data"} in listed["entities"]


def test_removing_a_submitted_constraint_keeps_it_marked_removed_with_the_reason_and_it_can_be_restored():
    case = Case()
    [removed] = case.run(remove_constraint, ASSESSOR, constraint="articleFour", reason="the direction was revoked")
    assert removed == ConstraintRemoved(constraint="articleFour", reason="the direction was revoked")
    [view] = constraints(case)
    assert view["source"] == "submission" and view["removed"] is True
    assert view["removedReason"] == "the direction was revoked"
    assert view["removedBy"] == {"id": ASSESSOR.id, "name": ASSESSOR.name}
    assert case.state.current_constraints == () and case.state.constraints_removed == ("articleFour",)
    with pytest.raises(Conflict, match="already removed"):
        remove_constraint(case.state, ASSESSOR, constraint="articleFour", reason="again")

    case.run(add_constraint, OTHER_ASSESSOR, constraint="articleFour")  # restored: still the submission's

    [view] = constraints(case)
    assert (view["source"], view["removed"], view["removedReason"]) == ("submission", False, None)
    assert view["addedBy"] == {"id": OTHER_ASSESSOR.id, "name": OTHER_ASSESSOR.name}
    assert view["entities"] == [{"name": "Basements", "entity": 7010002613, "source": "Planning Data"}]
    assert case.replayed() == case.state


def test_an_officers_constraint_is_added_once_and_removed_with_a_reason():
    case = Case()
    [added] = case.run(add_constraint, ASSESSOR, constraint="tpo", description="A TPO the service missed")
    assert added == ConstraintAdded(constraint="tpo", description="A TPO the service missed")
    with pytest.raises(Conflict, match="already has the constraint tpo: it was already added"):
        add_constraint(case.state, OTHER_ASSESSOR, constraint="tpo")
    with pytest.raises(Conflict, match="the submission has it"):
        add_constraint(case.state, OTHER_ASSESSOR, constraint="articleFour")
    assert [(c["value"], c["source"], c["description"]) for c in constraints(case)] == [
        ("articleFour", "submission", "Article 4 direction area"),
        ("tpo", "officer", "A TPO the service missed"),
    ]
    assert case.state.constraints_added == ("tpo",)

    case.run(remove_constraint, OTHER_ASSESSOR, constraint="tpo", reason="the order lapsed")

    tpo = constraints(case)[1]
    assert (tpo["source"], tpo["removed"], tpo["removedReason"]) == ("officer", True, "the order lapsed")
    assert case.state.constraints_added == () and [c.value for c in case.state.current_constraints] == ["articleFour"]
    assert case.replayed() == case.state


def test_a_removal_in_an_older_log_of_a_constraint_the_summary_does_not_carry_still_folds():
    """Before version 3 of PlanningApplicationSubmitted the summary had no constraints, and an officer could remove
    one of the submission's all the same: the fold keeps it as a removed submitted constraint."""
    case = Case(constraints=())
    case.record([ConstraintRemoved(constraint="listed", reason="not listed")], ASSESSOR.actor())
    [view] = constraints(case)
    assert (view["value"], view["source"], view["removed"], view["removedReason"]) == (
        "listed",
        "submission",
        True,
        "not listed",
    )
    assert case.replayed() == case.state
