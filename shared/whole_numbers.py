"""A whole number typed by a person (a form field, a query parameter), read without surprises.

`str.isdigit()` is true of `²` and of Arabic-Indic or full-width digits, which `int()` refuses or reads; and `int()`
refuses a string of more than 4,300 digits. A field checked with `isdigit()` and then given to `int()` was a 500.
Here only ASCII digits count, and no more of them than any real number needs."""

from __future__ import annotations

MAX_DIGITS = 18  # below 2**63: a version, a number of days, a page size


def whole_number(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """The number `text` writes in ASCII digits (no sign, no spaces), else None."""
    if not text or len(text) > max_digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)
