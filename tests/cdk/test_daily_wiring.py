"""The daily job on the deployed wiring (the template played on moto): a description change request sent weeks ago
reaches the auto-close read model through the Pipe and the projection's rule, and one run of the daily schedule
closes it and applies the new description in the DynamoDB log; a second run changes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.assessment import AUTO_CLOSE_READ_MODEL
from services.assessment.declaration import DAILY_HANDLER
from tests.cdk.test_wiring import deployed, post, submission

pytestmark = pytest.mark.xdist_group("cdk")


def daily_schedule(template: dict[str, Any]) -> str:
    [function] = [
        id
        for id, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == DAILY_HANDLER
    ]
    [schedule] = [
        id
        for id, r in template["Resources"].items()
        if r["Type"] == "AWS::Scheduler::Schedule"
        and r["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [function, "Arn"]}
    ]
    return schedule


def test_the_daily_schedule_auto_closes_a_request_in_the_deployed_log(synthesised):
    with deployed(synthesised) as stack:
        harness = stack.harness
        response = post(stack, submission(stack), stack.key)
        assert response.status == 201, response.body
        reference = response.json()["reference"]
        harness.deliver()
        [job] = harness.functions_with_handler(DAILY_HANDLER)
        sent_on = (datetime.now(UTC) - timedelta(days=30)).date()  # long past its auto-close day, whatever today is
        with harness.running_as(job.logical_id):  # an officer's commands, appended as the officer API would
            from events import NewEvent
            from events.streams import application_stream, application_streams
            from services.assessment.domain import draft_validation_request, fold, invalidate
            from shared.eventstore.port import read_merged
            from shared.officer_identity import SignedInOfficer
            from shared.wiring import dependencies

            store = dependencies().event_store
            officer = SignedInOfficer(stack.council, "officer-ann", "Ann Assessor", "assessor")
            streams = application_streams(stack.council, reference)
            request_id = str(uuid.uuid4())
            for command, inputs in (
                (
                    draft_validation_request,
                    {
                        "request_id": request_id,
                        "request_type": "description_change",
                        "reason": "clearer",
                        "proposed_description": "A clearer description",
                    },
                ),
                (invalidate, {}),
            ):
                state = fold(read_merged(store, streams))
                payloads = command(state, officer, today=sent_on, **inputs)
                events = [NewEvent(p, stack.council, officer.actor(), datetime.now(UTC)) for p in payloads]
                store.append(application_stream(stack.council, reference), state.version, events)
        harness.deliver()
        [read_models] = [id for id in harness.template["Resources"] if id.startswith("ReadModels")]
        listed = [i for i in harness.scan(read_models) if i["pk"]["S"] == f"doc#{AUTO_CLOSE_READ_MODEL}"]
        assert [json.loads(i["document"]["S"])["reference"] for i in listed] == [reference]

        schedule = daily_schedule(harness.template)
        first = harness.run_schedule(schedule)
        assert first["closed"] == 1 and first["candidates"] == 1
        assert harness.invocations[-1].function == job.logical_id
        [closed] = stack.events("ValidationRequestAutoClosed")
        assert json.loads(closed["data"]["S"])["payload"]["request_id"] == request_id
        [changed] = stack.events("DescriptionChanged")
        assert json.loads(changed["data"]["S"])["payload"]["description"] == "A clearer description"

        harness.deliver()  # the read model forgets the application
        assert not [i for i in harness.scan(read_models) if i["pk"]["S"] == f"doc#{AUTO_CLOSE_READ_MODEL}"]
        assert harness.run_schedule(schedule) == {"day": first["day"], "candidates": 0, "closed": 0}
        assert len(stack.events("ValidationRequestAutoClosed")) == 1
