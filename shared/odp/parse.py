"""Read any ODP payload (application, prototypeApplication, preApplication) into a `Submission`."""

from __future__ import annotations

from typing import Any

from shared.odp.model import Submission
from shared.odp.reading import read_submission


def parse_submission(payload: dict[str, Any]) -> Submission:
    """Read a (schema-valid) ODP payload of any format into a `Submission`.

    Raises UnknownApplicationType when the payload names no application type string.
    """
    return Submission.model_validate(read_submission(payload))
