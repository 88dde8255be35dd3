"""The bounded summary of a parsed submission that `PlanningApplicationSubmitted` carries (see events.submission)."""

from __future__ import annotations

from typing import Any

from events.submission import SubmissionSummary, summary_from_submission
from shared.odp.model import Submission

# The parts the summary never reads: left out of the dump, so a 20,000-vertex boundary or 5,000 answers cost nothing.
_NOT_SUMMARISED: dict[str, Any] = {"answers": True, "constraints": True, "declaration": True, "boundary": {"geojson"}}


def summarise(submission: Submission) -> SubmissionSummary:
    data = submission.model_dump(mode="json", exclude=_NOT_SUMMARISED)
    return SubmissionSummary.model_validate(summary_from_submission(data))
