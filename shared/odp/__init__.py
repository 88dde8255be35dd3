"""Open Digital Planning (ODP) submissions: format detection, type catalogue, validation and parsing.

Exports are imported on first use, so a handler pays only for what it touches (cold starts).
"""

from __future__ import annotations

from shared.lazy import lazy_exports

_EXPORTS = {
    "APPLICATION_TYPES": "shared.odp.catalogue",
    "ApplicationType": "shared.odp.catalogue",
    "OdpFormat": "shared.odp.formats",
    "OdpValidator": "shared.odp.validation",
    "SchemaIssue": "shared.odp.validation",
    "Submission": "shared.odp.model",
    "UnknownApplicationType": "shared.odp.formats",
    "application_type": "shared.odp.catalogue",
    "detect_format": "shared.odp.formats",
    "is_known_type": "shared.odp.catalogue",
    "parse_submission": "shared.odp.parse",
    "reference_suffix": "shared.odp.catalogue",
    "validate_suffix": "shared.odp.catalogue",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(globals(), _EXPORTS)
