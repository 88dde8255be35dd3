"""What an AWS call's error was: botocore puts its code in the response."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

CONDITION_FAILED = "ConditionalCheckFailedException"  # a DynamoDB write's condition did not hold


def error_code(error: ClientError) -> str:
    """The error's code (`ThrottlingException`, `ConditionalCheckFailedException`, ...); "" if it has none."""
    return str(error.response.get("Error", {}).get("Code", ""))
