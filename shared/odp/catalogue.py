"""The ODP application type catalogue: codes, display names and default reference suffixes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# The 105 codes of `definitions.ApplicationType` in ODP application.json v0.7.7 (code, display name).
_APPLICATION_TYPE_ROWS: tuple[tuple[str, str], ...] = (
    ("advertConsent", "Consent to display an advertisement"),
    ("amendment", "Consent to make small changes to a project with Planning Permission"),
    ("amendment.minorMaterial", "Consent to make small (minor material) changes to a project with Planning Permission"),
    ("amendment.nonMaterial", "Consent to make small (non-material) changes to a project with Planning Permission"),
    ("approval", "Planning approval"),
    ("approval.conditions", "Approval of details reserved by condition"),
    ("approval.reservedMatters", "Approval of reserved matters"),
    ("complianceConfirmation", "Written confirmation of compliance with a planning condition"),
    ("environmentalImpact", "Environmental Impact Decision"),
    ("environmentalImpact.scoping", "Environmental Impact Decision - Scoping"),
    ("environmentalImpact.screening", "Environmental Impact Decision - Screening"),
    ("hazardousSubstanceConsent", "Consent to move and dispose of hazardous substances"),
    ("hedgerowRemovalNotice", "Notice to remove a hedge"),
    ("landDrainageConsent", "Consent to do works affecting ordinary watercourses or land drainage"),
    ("ldc", "Lawful Development Certificate"),
    (
        "ldc.breachOfCondition",
        "Lawful Development Certificate - Existing use lawful not to comply with a condition (S191C)",
    ),
    ("ldc.existing", "Lawful Development Certificate - Existing use"),
    ("ldc.listedBuildingWorks", "Lawful Development Certificate - Works to a Listed Building (S26H)"),
    ("ldc.proposed", "Lawful Development Certificate - Proposed use"),
    ("listed", "Consent to do works to a Listed Building"),
    ("notifyCompletion", "Notification of completion"),
    ("obligation", "Planning obligation"),
    ("obligation.discharge", "Discharge a planning obligation"),
    ("obligation.modify", "Modify a planning obligation"),
    ("onshoreExtractionOilAndGas", "Onshore extraction of oil and gas"),
    ("onshoreExtractionOilAndGas.other", "Onshore extraction of oil and gas - Other"),
    (
        "onshoreExtractionOilAndGas.pp.extension",
        "Onshore extraction of oil and gas - Full planning permission for an extension to an existing site "
        "including associated development",
    ),
    (
        "onshoreExtractionOilAndGas.pp.waste",
        "Onshore extraction of oil and gas - Full planning permission for waste development",
    ),
    (
        "onshoreExtractionOilAndGas.pp.working",
        "Onshore extraction of oil and gas - Full planning permission for oil and gas working including "
        "exploratory, appraisal and production phases",
    ),
    (
        "onshoreExtractionOilAndGas.review",
        "Onshore extraction of oil and gas - Review of conditions applying to Mineral Permissions (ROMPs)",
    ),
    ("onshoreExtractionOilAndGas.variation", "Onshore extraction of oil and gas - Variation of conditions"),
    ("pa", "Prior Approval"),
    ("pa.part1.classA", "Prior Approval - Larger extension to a house"),
    ("pa.part1.classAA", "Prior Approval - Adding storeys to a house"),
    ("pa.part3.classG", "Prior Approval - Convert a commercial building to mixed use"),
    ("pa.part3.classM", "Prior Approval - Convert a mixed use building into a home"),
    ("pa.part3.classMA", "Prior Approval - Convert a commercial building into a home or homes"),
    ("pa.part3.classN", "Prior Approval - Convert a casino or amusement arcade into a home or homes"),
    ("pa.part3.classQ", "Prior Approval - Convert an agricultural building into a home"),
    ("pa.part3.classR", "Prior Approval - Convert an agricultural building to a commercial use"),
    ("pa.part3.classS", "Prior Approval - Convert an agricultural building to a school"),
    ("pa.part3.classT", "Prior Approval - Convert a commercial building to a school"),
    ("pa.part3.classV", "Prior Approval - Changes of use permitted under a permission granted on an application"),
    ("pa.part4.classBB", "Prior Approval - Put up a temporary structure"),
    ("pa.part4.classBC", "Prior Approval - Develop a temporary campsite"),
    ("pa.part4.classCA", "Prior Approval - Put temporary school buildings on vacant commercial land"),
    ("pa.part4.classE", "Prior Approval - Use a building or land to shoot a film"),
    ("pa.part6", "Prior Approval - Alter or add new buildings to agricultural or forestry sites"),
    ("pa.part6.classA", "Prior Approval - Build new agricultural buildings on a unit of 5 hectares or more"),
    ("pa.part6.classB", "Prior Approval - Build new agricultural buildings on a unit of less than 5 hectares"),
    ("pa.part6.classE", "Prior Approval - Build new forestry buildings"),
    ("pa.part7.classC", "Prior Approval - Install click and collect facilities"),
    ("pa.part7.classM", "Prior Approval - Extend a school, college, university, prison or hospital"),
    ("pa.part9.classD", "Prior Approval - Development of toll facilities"),
    ("pa.part11.classB", "Prior Approval - Demolish a building"),
    ("pa.part14.classA", "Prior Approval - Install or change solar equipment on domestic premises"),
    ("pa.part14.classB", "Prior Approval - Install or change stand-alone solar equipment on domestic premises"),
    ("pa.part14.classJ", "Prior Approval - Install or change solar panels"),
    ("pa.part14.classK", "Prior Approval - Install or change stand-alone solar equipment on non-domestic premises"),
    ("pa.part14.classOA", "Prior Approval - Installation of a solar canopy on non-domestic, off-street parking"),
    ("pa.part16.classA", "Prior Approval - Install telecommunications equipment"),
    ("pa.part17", "Prior Approval - Coal mining"),
    ("pa.part17.classB", "Prior Approval - Other developments ancillary to mining operations"),
    ("pa.part17.classC", "Prior Approval - Developments for maintenance or safety"),
    ("pa.part17.classG", "Prior Approval - Coal mining development by the Coal Authority for maintenance or safety"),
    ("pa.part18.classA", "Prior Approval - Development under private acts or orders"),
    ("pa.part19.classTA", "Prior Approval - Development on a closed defence site"),
    ("pa.part20.classA", "Prior Approval - Build homes on a detached blocks of flats"),
    ("pa.part20.classAA", "Prior Approval - Build homes on a detached commercial building"),
    ("pa.part20.classAB", "Prior Approval - Build homes on an adjoining commercial or mixed use building"),
    ("pa.part20.classAC", "Prior Approval - Build homes on adjoining houses"),
    ("pa.part20.classAD", "Prior Approval - Build homes on detached houses"),
    ("pa.part20.classZA", "Prior Approval - Demolish buildings and build homes in their place"),
    ("pp", "Planning Permission"),
    ("pp.full", "Planning Permission for development, including all householder, minor, and major applications"),
    ("pp.full.advertConsent", "Full Planning Permission and consent to display an advert"),
    ("pp.full.demolition", "Full Planning Permission including demolition in a Conservation Area"),
    ("pp.full.fastTrack.affordable", "Full Planning Permission - Fast track for the purposes of Affordable Housing"),
    ("pp.full.householder", "Planning Permission - Full householder"),
    (
        "pp.full.householder.listed",
        "Planning Permission - Full householder with consent to do works to a Listed Building",
    ),
    ("pp.full.householder.retro", "Planning Permission - Full householder retrospective"),
    ("pp.full.major", "Planning Permission - Major application"),
    ("pp.full.major.technicalDetails", "Planning Permission - Technical details consent for major development"),
    ("pp.full.major.technicalDetails.waste", "Planning Permission - Technical details consent for waste development"),
    ("pp.full.major.waste", "Planning Permission - Full planning permission for waste development"),
    ("pp.full.minor", "Planning Permission - Minor application"),
    ("pp.full.minor.listed", "Planning Permission - Minor application and consent to do works to a Listed Building"),
    ("pp.full.minor.technicalDetails", "Planning Permission - Technical details consent for minor development"),
    (
        "pp.mineralExtraction",
        "Planning Permission - Consent to extract minerals and related development, such as temporary "
        "buildings and roads",
    ),
    ("pp.outline", "Planning permission - Outline for proposed development"),
    ("pp.outline.all", "Outline Planning Permission - Consent for the principle of a project witholding all details"),
    ("pp.outline.some", "Outline Planning Permission - Consent for the principle of a project specifying some details"),
    ("pp.outline.minor", "Planning permission - Outline for proposed development (minor)"),
    (
        "pp.outline.minor.all",
        "Outline Planning Permission - Consent for the principle of a project witholding all details (minor)",
    ),
    (
        "pp.outline.minor.some",
        "Outline Planning Permission - Consent for the principle of a project specifying some details (minor)",
    ),
    ("pp.outline.major", "Planning permission - Outline for proposed development (major)"),
    (
        "pp.outline.major.all",
        "Outline Planning Permission - Consent for the principle of a project witholding all details (major)",
    ),
    (
        "pp.outline.major.all.waste",
        "Outline Planning Permission - Consent for the principle of waste development witholding all details",
    ),
    (
        "pp.outline.major.some",
        "Outline Planning Permission - Consent for the principle of a project specifying some details (major)",
    ),
    (
        "pp.outline.major.some.waste",
        "Outline Planning Permission - Consent for the principle of waste development witholding some details",
    ),
    (
        "pp.pip",
        "Planning Permission in Principle - Consent for the principle of a project with less than 1,000 "
        "square metres floor area on a site of less than 1 hectare",
    ),
    ("rightsOfWayOrder", "Rights of Way Order - Apply to move or close a path"),
    ("wtt", "Works to trees"),
    ("wtt.consent", "Works to trees - Consent to carry out works to a tree with a Tree Preservation Order"),
    ("wtt.notice", "Works to trees - Notification of proposed works to a tree in a Conservation Area"),
)

PRE_APPLICATION_CODE = "preApp"
PRE_APPLICATION_NAME = "Pre-application"

_EXACT_SUFFIXES: dict[str, str] = {
    "pp.full.householder": "HAPP",
    "pp.full.householder.retro": "HAPR",
    "pp.full.householder.listed": "HAPL",
    "pp.full.minor": "MINOR",
    "pp.full.major": "MAJOR",
    "ldc.proposed": "LDCP",
    "ldc.existing": "LDCE",
    "listed": "LBC",
    "advertConsent": "ADV",
    "landDrainageConsent": "LDRN",
    "hedgerowRemovalNotice": "HRN",
    "complianceConfirmation": "CC",
    "wtt.consent": "TPO",
    "wtt.notice": "TCA",
    "amendment.nonMaterial": "NMA",
    "amendment.minorMaterial": "MMA",
    "approval.conditions": "DOC",
    "approval.reservedMatters": "RM",
    PRE_APPLICATION_CODE: "PRE",
}
# Families: (root code, suffix); a code matches when it is the root or starts with "root.".
_FAMILY_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("pp.full", "FULL"),
    ("pp.outline", "OUT"),
    ("ldc", "LDC"),
    ("pa", "PA"),
)
_PRIOR_APPROVAL_CLASS = re.compile(r"^pa\.part(\d+)\.class([A-Za-z]+)$")
_SUFFIX_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
FALLBACK_SUFFIX = "OTHER"


@dataclass(frozen=True, slots=True)
class ApplicationType:
    """One application type: dotted code, display name and default reference suffix."""

    code: str
    name: str
    default_suffix: str


def validate_suffix(suffix: str) -> str:
    """Return `suffix` if it is 2-6 capitals (digits allowed after the first letter); else raise ValueError."""
    if not isinstance(suffix, str) or not _SUFFIX_PATTERN.match(suffix):
        raise ValueError(f"reference suffix must be 2-6 capital letters or digits, starting with a letter: {suffix!r}")
    return suffix


def parent_code(code: str) -> str | None:
    """The code with its last dotted segment removed, or None for a root code."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def _own_rule(code: str) -> str | None:
    """The suffix a rule gives this exact code, or None when no rule names it."""
    if code in _EXACT_SUFFIXES:
        return _EXACT_SUFFIXES[code]
    match = _PRIOR_APPROVAL_CLASS.match(code)
    if match:
        return f"PA{match.group(1)}{match.group(2).upper()}"
    for root, suffix in _FAMILY_SUFFIXES:
        if code == root or code.startswith(root + "."):
            return suffix
    return None


def default_suffix(code: str) -> str:
    """The default reference suffix for any dotted code (its own rule, else its nearest parent's, else OTHER)."""
    current: str | None = code
    while current:
        suffix = _own_rule(current)
        if suffix is not None:
            return suffix
        current = parent_code(current)
    return FALLBACK_SUFFIX


APPLICATION_TYPES: dict[str, ApplicationType] = {
    code: ApplicationType(code, name, default_suffix(code)) for code, name in _APPLICATION_TYPE_ROWS
}
PRE_APPLICATION = ApplicationType(PRE_APPLICATION_CODE, PRE_APPLICATION_NAME, default_suffix(PRE_APPLICATION_CODE))
_ALL_TYPES: dict[str, ApplicationType] = {**APPLICATION_TYPES, PRE_APPLICATION_CODE: PRE_APPLICATION}


def application_type(code: str) -> ApplicationType | None:
    """The catalogue entry for `code` (the 105 application.json codes plus `preApp`), or None."""
    return _ALL_TYPES.get(code)


def is_known_type(code: object) -> bool:
    """True when `code` is a catalogue code (including `preApp`)."""
    return isinstance(code, str) and code in _ALL_TYPES


def reference_suffix(code: str, overrides: Mapping[str, str] | None = None) -> str:
    """The reference suffix for `code`: an override for the code or its nearest parent wins, else the default."""
    if overrides:
        current: str | None = code
        while current:
            if current in overrides:
                return validate_suffix(overrides[current])
            current = parent_code(current)
    return default_suffix(code)
