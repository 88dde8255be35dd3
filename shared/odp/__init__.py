"""Open Digital Planning (ODP) submissions: format detection, type catalogue, validation and parsing."""

from shared.odp.catalogue import (
    APPLICATION_TYPES,
    ApplicationType,
    application_type,
    is_known_type,
    reference_suffix,
    validate_suffix,
)
from shared.odp.formats import OdpFormat, detect_format
from shared.odp.model import Submission
from shared.odp.parse import parse_submission
from shared.odp.validation import OdpValidator, SchemaIssue, UnknownApplicationType

__all__ = [
    "APPLICATION_TYPES",
    "ApplicationType",
    "OdpFormat",
    "OdpValidator",
    "SchemaIssue",
    "Submission",
    "UnknownApplicationType",
    "application_type",
    "detect_format",
    "is_known_type",
    "parse_submission",
    "reference_suffix",
    "validate_suffix",
]
