"""`bops replay public` on AWS (DynamoDB on moto): the register is rebuilt into a fresh partition, switched by the
pointer item, then the old partition deleted. Readers during the rebuild see the old register or the new one, never a
part; an event delivered during the rebuild reaches the new register; a rebuild of an unchanged log gives identical
results; a second rebuild while one runs is refused, and a failed rebuild leaves the live register as it was."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import boto3
import pytest

from events.assessment import CaseOfficerAssigned
from events.council import CouncilSettingsChanges
from services.publication.read_model.dynamodb import PARTITION
from services.publication.read_model.generations import POINTER, RebuildRunning, SwitchingRegister, rebuild
from services.publication.read_model.port import FeedQuery, PublicSearch
from shared.projections.dynamodb_store import create_read_model_table
from tests.aws_support import lean_client
from tests.publication.test_projection import COUNCIL, append, applications, deliver_all  # noqa: F401

TABLE = "read-models"


@pytest.fixture
def deps(aws, tmp_path, monkeypatch) -> Iterator:
    """The embedded log and councils, with the public register on DynamoDB (moto) as the functions use it on AWS."""
    from services.councils.service import CouncilService
    from shared import wiring

    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOPS_NOW", "2026-03-03T10:00:00Z")
    wiring.reset()
    create_read_model_table(boto3.client("dynamodb"), TABLE)
    deps = wiring.dependencies()
    switching = SwitchingRegister(TABLE, lean_client("dynamodb"), cache_seconds=0)
    assert deps.memo("public-register", lambda _: switching) is switching
    service = CouncilService(deps.event_store, deps.clock)
    service.create_council(COUNCIL, "Demo Borough Council", "demo")
    service.create_council("OTHR", "Other Council", "other")
    yield deps
    wiring.reset()


def everything(register) -> tuple:
    return register.search(PublicSearch(limit=100)), register.feed(FeedQuery(limit=100))


def partitions() -> set[str]:
    """The generations that have items (a list's partition is named after its generation: `doc#public|f`)."""
    items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    return {item["pk"]["S"].split("|")[0] for item in items if item["sk"]["S"] != POINTER}


def project_all(deps):
    from services.publication.projection import rebuild_into

    return lambda register: rebuild_into(deps, register, lambda _: None)


def test_a_rebuild_of_an_unchanged_log_gives_identical_results_in_a_fresh_partition(applications):  # noqa: F811
    from services.publication.projection import rebuild_on_aws

    switching = applications.memo("public-register", lambda _: None)
    before = everything(switching)
    assert before[0].total == 3 and partitions() == {PARTITION}
    assert rebuild_on_aws(applications, lambda _: None, grace_seconds=0) == 3
    assert switching.pointer().live == f"{PARTITION}@1" and partitions() == {f"{PARTITION}@1"}
    assert everything(switching) == before
    rebuild(switching, project_all(applications), grace_seconds=0)
    assert partitions() == {f"{PARTITION}@2"} and everything(switching) == before


def test_readers_during_a_rebuild_see_the_old_register_or_the_new_never_a_part(applications):  # noqa: F811
    from services.councils.service import CouncilService

    deps = applications
    switching = deps.memo("public-register", lambda _: None)
    old = everything(switching)
    # The council now publishes names: the rebuilt register differs from the live one in every DEMO record.
    service = CouncilService(deps.event_store, deps.clock)
    service.change_settings(COUNCIL, CouncilSettingsChanges(publish_applicant_names=True))
    seen: list[tuple] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(everything(switching))

    reader = threading.Thread(target=read)
    reader.start()
    slow = project_all(deps)

    def project_slowly(register) -> int:
        written = slow(register)
        seen_before = len(seen)
        while len(seen) < seen_before + 3:  # readers keep reading the old register while the new one is complete
            done.wait(0.01)
        return written

    try:  # the grace lets a read that began before the switch finish before the old register is deleted
        rebuild(switching, project_slowly, grace_seconds=0.5)
        new = everything(switching)
        after = len(seen)
        while len(seen) < after + 3:
            done.wait(0.01)
    finally:
        done.set()
        reader.join()
    assert new != old and {a.applicant_name for a in new[0].applications if a.council == COUNCIL} == {"Ada Applicant"}
    assert old in seen and new in seen
    assert all(result in (old, new) for result in seen), "a reader saw a half-built register"
    assert seen.index(new) > max(i for i, result in enumerate(seen) if result == old)  # once switched, never back


def test_an_event_delivered_during_a_rebuild_reaches_the_new_register(applications):  # noqa: F811
    deps = applications
    switching = deps.memo("public-register", lambda _: None)
    everything_first = project_all(deps)

    def with_a_delivery_midway(register) -> int:
        written = everything_first(register)  # the rebuild read every application already
        append(deps, "26-00002-HAPP", CaseOfficerAssigned(officer_id="o2", officer_name="Bea Officer"))
        deliver_all(deps)  # the subscriber writes to the live partition and the one being built
        return written

    rebuild(switching, with_a_delivery_midway, grace_seconds=0)
    shown = switching.get(COUNCIL, "26-00002-HAPP")
    assert shown is not None and shown.case_officer_name == "Bea Officer"


def test_a_second_rebuild_is_refused_and_a_failed_one_changes_nothing(applications):  # noqa: F811
    deps = applications
    switching = deps.memo("public-register", lambda _: None)
    before = everything(switching)

    def failing(register) -> int:
        project_all(deps)(register)
        with pytest.raises(RebuildRunning):
            rebuild(switching, project_all(deps), grace_seconds=0)
        raise RuntimeError("the rebuild stops half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        rebuild(switching, failing, grace_seconds=0)
    pointer = switching.pointer()
    assert (pointer.live, pointer.building) == (PARTITION, None)
    assert partitions() == {PARTITION} and everything(switching) == before


def test_deleting_a_generation_deletes_its_lists_and_what_the_one_partition_layout_kept(applications):  # noqa: F811
    """A register written before the lists had partitions of their own kept every item in the generation's
    partition: the delete after the first rebuild takes those away too."""
    client = boto3.client("dynamodb")
    switching = applications.memo("public-register", lambda _: None)
    items = client.scan(TableName=TABLE)["Items"]
    assert any("|" in item["pk"]["S"] for item in items)
    for item in items:  # the old layout: everything under the generation's own partition key
        if "|" in item["pk"]["S"]:
            client.delete_item(TableName=TABLE, Key={"pk": item["pk"], "sk": item["sk"]})
            client.put_item(TableName=TABLE, Item={**item, "pk": {"S": PARTITION}})
    deleted = switching.generations.delete(PARTITION)
    left = client.scan(TableName=TABLE)["Items"]
    assert deleted >= len(items) and not left


class StopsAtBatch:
    """The DynamoDB client, but its `stop_at`-th BatchWriteItem fails (a delete stopped midway)."""

    def __init__(self, client, stop_at: int) -> None:
        self.client, self.stop_at, self.batches = client, stop_at, 0

    def batch_write_item(self, **request):
        self.batches += 1
        if self.batches == self.stop_at:
            raise RuntimeError("stopped midway")
        return self.client.batch_write_item(**request)

    def __getattr__(self, name: str):
        return getattr(self.client, name)


def test_a_generations_delete_that_stops_midway_can_be_run_again_and_leaves_nothing(applications):  # noqa: F811
    """Each page's list items go before its records: a record is never deleted while items it names are left."""
    from services.publication.read_model.generations import Generations

    client = boto3.client("dynamodb")
    assert len(client.scan(TableName=TABLE)["Items"]) > 3 * 25  # more than the three batches the first try gets to
    with pytest.raises(RuntimeError, match="midway"):
        Generations(TABLE, StopsAtBatch(client, stop_at=3)).delete(PARTITION)
    assert any(item["pk"]["S"] == PARTITION for item in client.scan(TableName=TABLE)["Items"])  # records left
    Generations(TABLE, client).delete(PARTITION)
    assert [item["sk"]["S"] for item in client.scan(TableName=TABLE)["Items"]] in ([], [POINTER])


def test_an_old_generation_whose_delete_stopped_stays_retired_until_the_next_rebuild_deletes_it(applications):  # noqa: F811
    deps = applications
    switching = deps.memo("public-register", lambda _: None)
    before = everything(switching)
    stopping = StopsAtBatch(boto3.client("dynamodb"), stop_at=0)

    def project_then_stop_the_next_batch(register) -> int:
        written = project_all(deps)(register)
        stopping.stop_at = stopping.batches + 1  # the first batch of the old generation's delete
        return written

    with pytest.raises(RuntimeError, match="midway"):  # switched, then deleting the old generation stopped
        rebuild(SwitchingRegister(TABLE, stopping), project_then_stop_the_next_batch, grace_seconds=0)
    pointer = switching.pointer(fresh=True)
    assert (pointer.live, pointer.building, pointer.retired) == (f"{PARTITION}@1", None, (PARTITION,))
    assert partitions() == {PARTITION, f"{PARTITION}@1"} and everything(switching) == before
    rebuild(switching, project_all(deps), grace_seconds=0)
    pointer = switching.pointer(fresh=True)
    assert (pointer.live, pointer.retired) == (f"{PARTITION}@2", ())
    assert partitions() == {f"{PARTITION}@2"} and everything(switching) == before


def test_a_failed_rebuilds_partition_is_retired_and_deleted(applications):  # noqa: F811
    deps = applications
    switching = deps.memo("public-register", lambda _: None)

    def failing(register) -> int:
        project_all(deps)(register)
        raise RuntimeError("the rebuild stops half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        rebuild(switching, failing, grace_seconds=0)
    pointer = switching.pointer(fresh=True)
    assert (pointer.live, pointer.building, pointer.retired) == (PARTITION, None, ())
    assert partitions() == {PARTITION} and pointer.revision == 3  # started, abandoned (retired), deleted


def test_a_pointer_written_before_revisions_is_taken_over(applications):  # noqa: F811
    deps = applications
    switching = deps.memo("public-register", lambda _: None)
    before = everything(switching)
    client = boto3.client("dynamodb")
    pointer_key = {"pk": {"S": PARTITION}, "sk": {"S": POINTER}}
    client.put_item(TableName=TABLE, Item={**pointer_key, "live": {"S": PARTITION}, "next": {"N": "4"}})
    rebuild(switching, project_all(deps), grace_seconds=0)
    pointer = switching.pointer(fresh=True)
    assert (pointer.live, pointer.next, pointer.retired) == (f"{PARTITION}@4", 5, ())
    assert partitions() == {f"{PARTITION}@4"} and everything(switching) == before
