"""The GOV.UK error summary pattern: what went wrong, at the top of the page, each linking to its field, and the same
message beside the field. https://design-system.service.gov.uk/components/error-summary/"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def error_summary(fields: Mapping[str, str], title: str = "There is a problem") -> dict[str, Any] | None:
    """The `govukErrorSummary` parameters for field → message (in the page's order), or None when nothing is wrong.

    Each entry links to `#field`: the field's input carries that id (the first input of a radio or checkbox group).
    """
    if not fields:
        return None
    return {
        "titleText": title,
        "errorList": [{"text": message, "href": f"#{field}"} for field, message in fields.items()],
    }


def field_error(fields: Mapping[str, str], field: str) -> dict[str, str] | None:
    """The `errorMessage` parameter of one field's component, or None."""
    message = fields.get(field)
    return {"text": message} if message else None
