"""The application type catalogue and reference suffixes."""

from __future__ import annotations

import pytest

from shared.odp import APPLICATION_TYPES, application_type, is_known_type, reference_suffix, validate_suffix
from shared.odp.catalogue import default_suffix, parent_code


def test_catalogue_has_the_105_application_json_codes() -> None:
    assert len(APPLICATION_TYPES) == 105
    assert "preApp" not in APPLICATION_TYPES
    for code, entry in APPLICATION_TYPES.items():
        assert entry.code == code
        assert entry.name
        validate_suffix(entry.default_suffix)


def test_lookup() -> None:
    householder = application_type("pp.full.householder")
    assert householder is not None
    assert householder.name == "Planning Permission - Full householder"
    assert householder.default_suffix == "HAPP"
    assert application_type("pp.full.nonsense") is None
    assert is_known_type("wtt.notice")
    assert not is_known_type("pp.full.nonsense")
    assert not is_known_type(42)


def test_pre_application_is_known_but_outside_the_105() -> None:
    pre = application_type("preApp")
    assert pre is not None and pre.default_suffix == "PRE" and pre.name == "Pre-application"
    assert is_known_type("preApp")


@pytest.mark.parametrize(
    ("code", "suffix"),
    [
        ("pp.full.householder", "HAPP"),
        ("pp.full.householder.retro", "HAPR"),
        ("pp.full.householder.listed", "HAPL"),
        ("pp.full.minor", "MINOR"),
        ("pp.full.major", "MAJOR"),
        ("pp.full", "FULL"),
        ("pp.full.demolition", "FULL"),
        ("pp.full.fastTrack.affordable", "FULL"),
        ("pp.full.major.waste", "FULL"),
        ("pp.outline", "OUT"),
        ("pp.outline.major.some.waste", "OUT"),
        ("ldc.proposed", "LDCP"),
        ("ldc.existing", "LDCE"),
        ("ldc", "LDC"),
        ("ldc.breachOfCondition", "LDC"),
        ("pa.part1.classA", "PA1A"),
        ("pa.part1.classAA", "PA1AA"),
        ("pa.part14.classJ", "PA14J"),
        ("pa.part3.classMA", "PA3MA"),
        ("pa.part20.classAB", "PA20AB"),
        ("pa.part14.classOA", "PA14OA"),
        ("pa", "PA"),
        ("pa.part6", "PA"),
        ("pa.part17", "PA"),
        ("listed", "LBC"),
        ("advertConsent", "ADV"),
        ("landDrainageConsent", "LDRN"),
        ("hedgerowRemovalNotice", "HRN"),
        ("complianceConfirmation", "CC"),
        ("wtt.consent", "TPO"),
        ("wtt.notice", "TCA"),
        ("amendment.nonMaterial", "NMA"),
        ("amendment.minorMaterial", "MMA"),
        ("approval.conditions", "DOC"),
        ("approval.reservedMatters", "RM"),
        ("preApp", "PRE"),
        ("wtt", "OTHER"),
        ("pp", "OTHER"),
        ("pp.pip", "OTHER"),
        ("environmentalImpact.scoping", "OTHER"),
        ("onshoreExtractionOilAndGas.pp.waste", "OTHER"),
        ("listed.somethingNew", "LBC"),
        ("wtt.consent.future.variant", "TPO"),
        ("advertConsent.x", "ADV"),
    ],
)
def test_default_suffix_rules(code: str, suffix: str) -> None:
    assert reference_suffix(code) == suffix
    assert default_suffix(code) == suffix
    entry = application_type(code)
    if entry is not None:
        assert entry.default_suffix == suffix


def test_parent_code() -> None:
    assert parent_code("pp.full.householder") == "pp.full"
    assert parent_code("listed") is None


def test_override_for_the_code_wins() -> None:
    assert reference_suffix("pp.full.householder", {"pp.full.householder": "HH"}) == "HH"
    assert reference_suffix("pp.full.minor", {"pp.full.householder": "HH"}) == "MINOR"


def test_override_for_nearest_parent_wins() -> None:
    overrides = {"pp": "PLAN", "pp.full": "FUL", "pa": "PRIOR"}
    assert reference_suffix("pp.full.householder.retro", overrides) == "FUL"
    assert reference_suffix("pp.outline.all", overrides) == "PLAN"
    assert reference_suffix("pa.part1.classA", overrides) == "PRIOR"
    assert reference_suffix("pa.part1.classA", {"pa.part1.classA": "LHE", "pa": "PRIOR"}) == "LHE"
    assert reference_suffix("listed", overrides) == "LBC"


@pytest.mark.parametrize("suffix", ["HH", "HAPP", "PA14OA", "OTHER", "LBC"])
def test_valid_suffixes(suffix: str) -> None:
    assert validate_suffix(suffix) == suffix


@pytest.mark.parametrize("suffix", ["", "H", "happ", "TOOLONGX", "HA-P", "1ABC", " HAP", None])
def test_invalid_suffixes(suffix: object) -> None:
    with pytest.raises(ValueError):
        validate_suffix(suffix)  # type: ignore[arg-type]


def test_invalid_override_is_refused() -> None:
    with pytest.raises(ValueError):
        reference_suffix("pp.full.householder", {"pp.full": "full"})
