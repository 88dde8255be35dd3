"""The bounded summary of a submission that `PlanningApplicationSubmitted` carries (see events.submission)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from events.submission import SubmissionSummary, summary_from_submission

if TYPE_CHECKING:  # intake summarises plain data (`shared.odp.reading`) and never loads the ODP model
    from shared.odp.model import Submission

# The parts the summary never reads: left out of the dump, so a 20,000-vertex boundary or 5,000 answers cost nothing.
_NOT_SUMMARISED: dict[str, Any] = {"answers": True, "declaration": True, "boundary": {"geojson"}}


def summary_of(read: dict[str, Any]) -> SubmissionSummary:
    """The summary of a submission read as plain data (`read_submission(payload, bulky=False)` is enough)."""
    return SubmissionSummary.model_validate(summary_from_submission(read))


def summarise(submission: Submission) -> SubmissionSummary:
    """The summary of a parsed submission: the same as `summary_of` the data it was parsed from."""
    return summary_of(submission.model_dump(mode="json", exclude=_NOT_SUMMARISED))
