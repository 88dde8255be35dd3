"""Every real example: format detection, clean validation and parsing into the one model."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.odp import OdpValidator, Submission, detect_format, is_known_type, parse_submission
from shared.odp.reading import read_submission
from shared.odp.summary import summarise, summary_of
from tests.odp.support import EXAMPLES_DIR, SCHEMA_DIR, example_id, example_paths, load

EXAMPLES = example_paths()


@pytest.fixture(scope="module")
def validator() -> OdpValidator:
    return OdpValidator(SCHEMA_DIR)


def test_examples_are_present() -> None:
    counts = {fmt: sum(1 for f, _ in EXAMPLES if f == fmt) for fmt in ("application", "prototypeApplication")}
    assert counts == {"application": 13, "prototypeApplication": 17}
    assert sum(1 for f, _ in EXAMPLES if f == "preApplication") == 1


@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_detect_format(example: tuple[str, Path]) -> None:
    fmt, path = example
    assert detect_format(load(path)) == fmt


@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_example_validates_clean(validator: OdpValidator, example: tuple[str, Path]) -> None:
    assert validator.validate(load(example[1])) == []


def _type_code(fmt: str, payload: dict) -> str:
    if fmt == "prototypeApplication":
        return payload["applicationType"]
    return payload["data"]["application"]["type"]["value"]


@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_the_summary_read_without_the_model_is_the_summary_of_the_model(example: tuple[str, Path]) -> None:
    """Intake summarises the plain data (`read_submission`, bulky parts left out) without building the model: the
    event must carry exactly what the model's summary would."""
    payload = load(example[1])
    payload["metadata"]["id"] = payload["metadata"]["id"].upper()  # normalised the same way on both paths
    read = read_submission(payload, bulky=False)
    assert not {"answers", "declaration"} & set(read) and "geojson" not in (read["boundary"] or {})
    assert summary_of(read) == summarise(parse_submission(payload))


@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_the_summary_carries_every_designation_of_the_submission(example: tuple[str, Path]) -> None:
    """Each of `data.property.planning.designations` is in the summary with its intersects flag, those that intersect
    the site first, with their entities' names and planning.data.gov.uk entity numbers."""
    payload = load(example[1])
    designations = payload.get("data", {}).get("property", {}).get("planning", {}).get("designations", [])
    summary = summary_of(read_submission(payload, bulky=False))
    assert summary.clipped == ()
    assert sorted((c.value, c.description, c.intersects) for c in summary.constraints) == sorted(
        (d["value"], d["description"], d["intersects"]) for d in designations
    )
    flags = [c.intersects for c in summary.constraints]
    assert flags == sorted(flags, reverse=True)  # intersecting first
    by_value = {c.value: c for c in summary.constraints}
    for designation in designations:
        entities = by_value[designation["value"]].entities
        assert [e.name for e in entities] == [e["name"] for e in designation.get("entities", [])]
        for entity, given in zip(entities, designation.get("entities", []), strict=True):
            url = given["source"].get("url", "")
            assert entity.source == given["source"]["text"]
            assert entity.entity == (int(url.rsplit("/", 1)[1]) if url else None)


@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_parse_submission(example: tuple[str, Path]) -> None:
    fmt, path = example
    payload = load(path)
    submission = parse_submission(payload)
    assert submission.format == fmt
    assert submission.application_type == _type_code(fmt, payload)
    assert is_known_type(submission.application_type)
    assert submission.application_type_name
    assert submission.submission_id == payload["metadata"]["id"]
    assert submission.organisation == payload["metadata"]["organisation"]
    assert submission.submitted_at is not None
    assert submission.site.address.strip()
    assert submission.site.latitude is not None and submission.site.x is not None
    expected_description = payload["data"]["proposal"].get("description")
    assert submission.description == expected_description
    assert submission.files and all(f.url.startswith("https://") for f in submission.files)
    assert all(f.types for f in submission.files)
    assert submission.answers and all(a.question for a in submission.answers)
    assert submission.applicant is not None and submission.applicant.email
    assert submission.boundary is not None and submission.boundary.geojson["type"] == "Feature"
    assert submission.fee is not None and submission.declaration is not None
    assert (submission.agent is not None) == ("agent" in payload["data"]["applicant"])


@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_submission_json_round_trip(example: tuple[str, Path]) -> None:
    submission = parse_submission(load(example[1]))
    assert Submission.model_validate_json(submission.model_dump_json()) == submission
    assert Submission.model_validate(submission.model_dump(mode="json")) == submission


def test_prototype_advert_consent_has_no_description() -> None:
    payload = load(EXAMPLES_DIR / "prototypeApplication" / "advertConsent.json")
    assert "description" not in payload["data"]["proposal"]
    assert parse_submission(payload).description is None


def test_formats_read_into_the_same_model() -> None:
    examples = EXAMPLES_DIR
    app = parse_submission(load(examples / "application" / "planningPermission" / "fullHouseholder.json"))
    proto = parse_submission(load(examples / "prototypeApplication" / "planningPermission" / "fullHouseholder.json"))
    assert (app.format, proto.format) == ("application", "prototypeApplication")
    assert app.application_type == proto.application_type == "pp.full.householder"
    assert app.site == proto.site.model_copy(update={"property_type": app.site.property_type})
    assert app.description == proto.description
    assert [f.types for f in app.files] == [f.types for f in proto.files]
    assert [c.value for c in app.constraints] == [c.value for c in proto.constraints]
    assert app.proposal.project_types == proto.proposal.project_types
    assert "extend.roof.dormer" in app.proposal.project_types
    assert app.agent is not None and app.agent.name == "Ziggy Stardust"
    assert app.applicant is not None and app.applicant.name == "David Bowie"


def test_constraints_carry_entities() -> None:
    path = EXAMPLES_DIR / "application" / "planningPermission" / "fullHouseholderInConservationArea.json"
    conservation = [c for c in parse_submission(load(path)).constraints if c.value == "designated.conservationArea"]
    assert conservation and conservation[0].intersects is True
    entity = conservation[0].entities[0]
    assert entity.name == "Dulwich Village"
    assert entity.url == "https://www.planning.data.gov.uk/entity/44007440"
    assert entity.source == "Planning Data"


def test_submission_is_frozen() -> None:
    path = EXAMPLES_DIR / "preApplication" / "preApp.json"
    submission = parse_submission(load(path))
    assert submission.application_type == "preApp" and submission.format == "preApplication"
    with pytest.raises(ValueError):
        submission.description = "changed"  # type: ignore[misc]
