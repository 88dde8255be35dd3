"""Intake accepts a submission without building the ODP model.

The event's summary and the submission's organisation, id and type are read straight from the schema-validated JSON
(`shared.odp.reading`); the ODP pydantic model (`shared.odp.model`, ~30 ms to define, more to build) is only for
re-reading an original later. A fresh interpreter checking a real submission the way the first request does must not
load it.
"""

from __future__ import annotations

from tests.module_probe import modules_loaded_after
from tests.odp.support import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "application" / "planningPermission" / "fullHouseholder.json"

CHECK_A_SUBMISSION = f"""
from shared import reference_data
from shared.odp import OdpValidator
importlib.import_module("services.intake.api")
from services.intake.accept import IntakeService
service = IntakeService(None, None, None, OdpValidator(reference_data.odp_schema_dir()), None)
checked = service.check(json.loads(open({str(EXAMPLE)!r}).read()))
assert checked.summary.site.address and checked.summary.files and checked.organisation, checked
"""


def test_checking_a_submission_loads_neither_the_odp_model_nor_its_parser():
    loaded = modules_loaded_after(CHECK_A_SUBMISSION)
    assert "shared.odp.reading" in loaded and "services.intake.accept" in loaded  # the probe did the real work
    assert "shared.odp.model" not in loaded
    assert "shared.odp.parse" not in loaded
    assert "shared.declarations" not in loaded  # the API names its routes' scopes without defining the declarations
