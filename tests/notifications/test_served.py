"""Through `bops serve`: a submission's receipt reaches the local outbox (the embedded default, no Notify key), the
audit trail shows its `NotificationSent`, and `bops outbox` lists and shows it."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from bops.cli import main
from shared import reference_data
from tests.intake.support import prepared
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

EXAMPLE = reference_data.odp_examples_dir() / "application" / "planningPermission" / "fullHouseholder.json"


def test_a_submission_gets_its_receipt_in_the_outbox_and_on_the_audit_trail(served: Served):  # noqa: F811
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    _, key = served.councils.create_api_key("DEMO", "PlanX", ("planning_application:write",))
    served.caught_up()
    status, _, body = served.client.request(
        "POST", "/api/v2/planning_applications", prepared(EXAMPLE, "DEMO", None), {"Authorization": f"Bearer {key}"}
    )
    assert status == 201, body
    reference = body["reference"]
    token = served.token("ann@demo.example")
    audit_path = f"/api/officer/v1/planning_applications/{reference}/audit"
    for _ in range(500):
        served.caught_up()
        status, _, audit = served.client.request("GET", audit_path, headers={"Authorization": f"Bearer {token}"})
        sent = [e for e in audit["entries"] if e["eventType"] == "NotificationSent"]
        if sent:
            break
        time.sleep(0.01)
    [entry] = sent
    assert entry["stream"] == "notifications" and entry["who"]["kind"] == "system"
    assert entry["what"] == "Receipt of the application sent to the applicant (z***@example.com, local outbox)"

    data_dir = served.runtime.options.data_dir
    listed = CliRunner().invoke(main, ["outbox", "--json", "--data-dir", str(data_dir)])
    assert listed.exit_code == 0, listed.output
    [message] = json.loads(listed.output)["messages"]
    assert message["email_address"] == "ziggy@example.com"
    assert reference in message["subject"] and "40, STANSFIELD ROAD" in message["body"]
    assert "Demo Council" in message["body"]
    shown = CliRunner().invoke(main, ["outbox", "show", message["id"], "--data-dir", str(data_dir)])
    assert shown.exit_code == 0, shown.output
    assert "To:        ziggy@example.com" in shown.output and message["body"] in shown.output
    assert CliRunner().invoke(main, ["outbox", "show", "nope", "--data-dir", str(data_dir)]).exit_code == 1
