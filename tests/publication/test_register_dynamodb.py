from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from services.publication.read_model.dynamodb import PARTITION, DynamoDbPublicRegister
from services.publication.read_model.port import DateRange, FeedQuery, PublicSearch, select
from services.publication.record import PublicApplication
from shared.projections.dynamodb_store import create_read_model_table
from tests.aws_support import lean_client
from tests.publication.register_contract import START, PublicRegisterContract, application, entry

TABLE = "read-models"


def new_register(table: str = TABLE) -> DynamoDbPublicRegister:
    create_read_model_table(boto3.client("dynamodb"), table)
    return DynamoDbPublicRegister(table, lean_client("dynamodb"))


class TestDynamoDbPublicRegister(PublicRegisterContract):
    @pytest.fixture(autouse=True)
    def _aws(self, aws):
        yield

    def make_register(self):
        return new_register()


def test_records_live_in_the_generations_partition_and_each_list_in_a_partition_of_its_own(aws):
    register = new_register()
    app = application(1)
    register.put(app, [entry(app)])
    items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    partitions = {item["sk"]["S"]: item["pk"]["S"] for item in items}
    assert PARTITION == "doc#public"
    assert partitions[f"a#DEMO#{app.reference}"] == partitions["counts"] == PARTITION
    assert partitions[f"r#{app.reference}#DEMO"] == f"doc#public|r#{app.reference}"
    assert partitions[f"l#26-00001#{app.reference}#DEMO"] == "doc#public|l#26-00001"
    moment = "2026-03-05T11:00:00.000000Z"  # published_at, in UTC
    assert partitions[f"t#DEMO#w:a:mill#p#{moment}#{app.reference}"] == "doc#public|t#DEMO#w:a:mill"
    assert partitions[f"t#DEMO#x:d:ex#p#{moment}#{app.reference}"] == "doc#public|t#DEMO#x:d:ex"
    assert {pk for sk, pk in partitions.items() if sk.startswith("f#")} == {"doc#public|f"}
    assert {pk for sk, pk in partitions.items() if sk.startswith("g#")} == {"doc#public|g#DEMO"}
    assert all(pk == PARTITION or pk.startswith(PARTITION + "|") for pk in partitions.values())


def test_searches_and_the_feed_query_only_the_partitions_of_the_lists_they_read(aws):
    register = new_register()
    for number in (1, 2, 3):
        app = application(number, description="Rear extension")
        register.put(app, [entry(app)])
    queried: list[str] = []
    register.client.meta.events.register(
        "provide-client-params.dynamodb.Query",
        lambda params, **_: queried.append(params["ExpressionAttributeValues"][":pk"]["S"]),
    )
    assert register.search(PublicSearch(text="rear ext")).total == 3
    assert register.search(PublicSearch(councils=frozenset({"DEMO"}))).total == 3
    assert register.feed(FeedQuery(limit=10)).total == 3
    assert register.feed(FeedQuery(limit=10, councils=frozenset({"DEMO"}))).total == 3
    assert len(register.find(application(2).reference)) == 1
    assert queried == [
        "doc#public|t#DEMO#w:d:rear",
        "doc#public|t#DEMO#x:d:ext",
        "doc#public|t#DEMO#f:*",
        "doc#public|f",
        "doc#public|g#DEMO",
        f"doc#public|r#{application(2).reference}",
    ]


def test_a_reference_typed_in_part_is_one_query_of_the_list_of_its_year_and_number(aws):
    """The reference stage reads the records of a whole reference by key, and a leading part (`26-00002-ha`, with the
    council's code or not) from the one partition of its year and number: never a scan, never a walk of postings."""
    register = new_register()
    for number in (1, 2, 20):
        app = application(number)
        register.put(app, [entry(app)])
    register.put(application(2, council="OTHR"), [])
    queried: list[str] = []
    register.client.meta.events.register(
        "provide-client-params.dynamodb.Query",
        lambda params, **_: queried.append(params["ExpressionAttributeValues"][":pk"]["S"]),
    )
    scanned: list[str] = []
    register.client.meta.events.register("provide-client-params.dynamodb.Scan", lambda **_: scanned.append("scan"))
    page = register.search(PublicSearch(text="26-00002-ha"))
    assert (page.stage, [(a.council, a.reference) for a in page.applications]) == (
        "reference",
        [("OTHR", "26-00002-HAPP"), ("DEMO", "26-00002-HAPP")],  # newest first: OTHR's was published at the same moment
    )
    assert register.search(PublicSearch(text="demo-26-00002")).applications == [application(2)]
    assert queried == ["doc#public|l#26-00002", "doc#public|l#26-00002"] and not scanned


def test_a_new_version_takes_away_the_index_items_it_no_longer_has(aws):
    register = new_register()
    app = application(1)
    register.put(app, [entry(app)])
    from dataclasses import replace

    register.put(replace(app, version=9, description="Garden room"), [])
    keys = {item["sk"]["S"] for item in boto3.client("dynamodb").scan(TableName=TABLE)["Items"]}
    assert not any(key.startswith("t#DEMO#w:d:extension#") for key in keys)
    assert any(key.startswith("t#DEMO#w:d:garden#") for key in keys)
    assert not any(key.startswith(("f#", "g#")) for key in keys)


class Calls:
    """DynamoDB calls made through a client, by operation (botocore's before-call event)."""

    def __init__(self, client) -> None:
        self.made: list[str] = []
        client.meta.events.register("before-call.dynamodb", self._seen)

    def _seen(self, model, **_: object) -> None:
        self.made.append(model.name)


def filled_register(count: int) -> tuple[DynamoDbPublicRegister, Calls]:
    from dataclasses import replace

    register = new_register(f"read-models-{count}")
    register.page_items = 10  # small Query pages, so that reading every posting would take many calls
    register.count_cap = 5
    statuses = ("in_assessment", "determined")
    for number in range(1, count + 1):
        app = application(number, description=f"Rear extension number {number}")
        register.put(replace(app, status=statuses[number % 2], decision="granted" if number % 2 else None), [])
    return register, Calls(register.client)


SEARCHES = [
    PublicSearch(text="rear"),
    PublicSearch(text="rear ext", limit=3, offset=2),
    PublicSearch(text="mill lane", statuses=frozenset({"determined"})),
    PublicSearch(decisions=frozenset({"granted"}), sort_by="received_at", order="asc"),
    PublicSearch(councils=frozenset({"DEMO"})),
    PublicSearch(text="ex1 2ab", date_ranges=(DateRange("published_at", START.date(), START.date() + timedelta(400)),)),
    PublicSearch(text="26-00007-HAPP"),
    PublicSearch(reference="26-00007-happ", text="mill"),
]


def test_the_calls_a_search_makes_do_not_grow_with_the_data(aws):
    """One test over every search: filling the registers is most of its time (moto copies a table for each item of
    a transaction, and every new record is one)."""
    registers = [filled_register(count) for count in (30, 120)]
    for query in SEARCHES:
        calls = []
        for register, made in registers:
            made.made.clear()
            page = register.search(query)
            calls.append(list(made.made))
            assert page.applications and (
                (page.total == 5 and not page.exact) or query.text.startswith("26-") or query.reference
            ), (query, page)
            count = register.counts()["DEMO"]
            expected = select([register.get("DEMO", f"26-{n:05d}-HAPP") for n in range(1, count + 1)], query, 5)
            assert [a.reference for a in page.applications] == [a.reference for a in expected.applications], query
        assert calls[0] == calls[1] and len(calls[0]) <= 8, (query, calls)


def test_councils_and_their_totals_come_from_the_counts_the_writes_keep(aws):
    from dataclasses import replace

    register = new_register()
    for number in (1, 2, 3):
        register.put(application(number), [])
    register.put(replace(application(1), version=9), [])  # a new version of a record counts once
    register.put(replace(application(4), council="OTHR"), [])
    register.remove("DEMO", application(2).reference, 99)
    assert register.counts() == {"DEMO": 2, "OTHR": 1} and register.councils() == ["DEMO", "OTHR"]
    made = Calls(register.client)
    page = register.search(PublicSearch(limit=0))
    assert (page.total, page.exact, made.made) == (3, True, ["GetItem"])
    made.made.clear()
    page = register.search(PublicSearch(councils=frozenset({"DEMO"}), limit=1))
    assert page.total == 2 and len(page.applications) == 1
    assert made.made == ["GetItem", "Query", "BatchGetItem"]


def test_the_address_stage_is_skipped_where_no_address_word_begins_as_the_last_word(aws):
    register = new_register()
    register.put(application(1, description="Rear extension"), [])
    assert "x:a:mil" in register.summary().address_terms["DEMO"]
    made = Calls(register.client)
    page = register.search(PublicSearch(text="rear ext"))  # reference (BatchGet), description (Query per term)
    assert page.stage == "description" and page.total == 1
    assert made.made == ["GetItem", "BatchGetItem", "Query", "Query", "BatchGetItem"]
    made.made.clear()
    assert register.search(PublicSearch(text="mill")).stage == "address"
    assert made.made.count("Query") == 1


def table_items(table: str) -> dict[tuple[str, str], dict]:
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    return {(item["pk"]["S"], item["sk"]["S"]): item for item in items}


def fail_once(client, operation: str, after: int = 0) -> None:
    """The client's `after`+1-th call of `operation` fails as a throttled request would."""
    from botocore.exceptions import ClientError

    seen = {"calls": 0}

    def maybe_fail(**_: object) -> None:
        seen["calls"] += 1
        if seen["calls"] == after + 1:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, operation)

    client.meta.events.register(f"before-call.dynamodb.{operation}", maybe_fail)


def test_a_put_that_failed_midway_is_completed_by_putting_the_same_version_again(aws):
    from dataclasses import replace

    register = new_register("interrupted")
    first = application(1, description="Rear extension")
    second = replace(first, version=4, description="Garden room", status="determined", decision="granted")
    register.put(first, [entry(first)])
    fail_once(register.client, "BatchWriteItem", after=1)  # some of its items written, none of the old deleted
    with pytest.raises(Exception, match="slow down"):
        register.put(second, [entry(second)])
    assert register.put(second, [entry(second)])  # the delivery, retried
    assert not register.put(second, [entry(second)])  # and once more: a repeat of a finished put changes nothing
    once = new_register("once")
    once.put(second, [entry(second)])
    assert {key[1] for key in table_items("interrupted")} == {key[1] for key in table_items("once")}
    assert table_items("interrupted") == table_items("once")
    assert register.search(PublicSearch(text="rear")).total == 0 and register.search(PublicSearch(text="garden")).total


def test_a_put_overtaken_by_a_newer_version_takes_away_what_only_it_wrote(aws):
    from dataclasses import replace

    register = new_register("overtaken")
    newer_writer = DynamoDbPublicRegister("overtaken", lean_client("dynamodb"))
    first = application(1, description="Rear extension")
    second = replace(first, version=4, description="Garden room")
    third = replace(first, version=5, description="Loft conversion", status="determined", decision="granted")
    register.put(first, [entry(first)])
    overtaken = {"done": False}

    def newer_version_lands_first(**_: object) -> None:  # after the second's record, before its items
        if not overtaken["done"]:
            overtaken["done"] = True
            assert newer_writer.put(third, [entry(third)])

    register.client.meta.events.register("before-call.dynamodb.BatchWriteItem", newer_version_lands_first)
    assert register.put(second, [entry(second)])
    assert overtaken["done"]
    once = new_register("once")
    once.put(third, [entry(third)])
    assert {key[1] for key in table_items("overtaken")} == {key[1] for key in table_items("once")}
    assert register.search(PublicSearch(text="garden")).total == 0 and register.search(PublicSearch(text="loft")).total


def test_a_removal_that_failed_midway_is_completed_by_its_retry(aws):
    register, clean = new_register("interrupted"), new_register("once")
    app = application(1, description="Rear extension")
    for each in (register, clean):
        each.put(app, [entry(app)])
    fail_once(register.client, "BatchWriteItem", after=1)  # some of its items deleted, the record not yet
    with pytest.raises(Exception, match="slow down"):
        register.remove("DEMO", app.reference, app.version + 1)
    assert register.remove("DEMO", app.reference, app.version + 1)  # the delivery, retried
    assert not register.remove("DEMO", app.reference, app.version + 1)  # nothing left to remove
    assert clean.remove("DEMO", app.reference, app.version + 1)
    assert table_items("interrupted") == table_items("once") and register.counts() == {"DEMO": 0}
    assert register.get("DEMO", app.reference) is None and register.search(PublicSearch(text="rear")).total == 0


def test_a_newer_version_put_over_a_record_being_removed_is_counted_again(aws):
    from dataclasses import replace

    register = new_register()
    app = application(1, description="Rear extension")
    register.put(app, [entry(app)])
    fail_once(register.client, "DeleteItem")  # the removal stops before taking the record away
    with pytest.raises(Exception, match="slow down"):
        register.remove("DEMO", app.reference, app.version + 1)
    assert register.counts() == {"DEMO": 0}
    back = replace(app, version=app.version + 2, description="Loft conversion")  # published again
    assert register.put(back, [entry(back)])
    assert not register.remove("DEMO", app.reference, app.version + 1)  # the removal's retry: too old now
    assert register.counts() == {"DEMO": 1} and register.search(PublicSearch(text="loft")).total == 1
    assert register.search(PublicSearch(text="rear")).total == 0


def fail_once_after(client, reference: str, written) -> None:
    """The client's first call after the stored record of `reference` shows `written(record)` fails, as a throttled
    or timed-out call would: a delivery stopped right after it wrote the record, whatever its next step."""
    from botocore.exceptions import ClientError

    reader, state = boto3.client("dynamodb"), {"failed": False}

    def maybe_fail(event_name: str, **_: object) -> None:
        if state["failed"]:
            return
        key = {"pk": {"S": PARTITION}, "sk": {"S": f"a#DEMO#{reference}"}}
        record = reader.get_item(TableName=TABLE, Key=key, ConsistentRead=True).get("Item")
        if record is not None and written(record):
            state["failed"] = True
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, event_name)

    client.meta.events.register("before-call.dynamodb", maybe_fail)


def test_a_delivery_stopped_right_after_creating_a_record_leaves_it_counted_and_its_words_noted(aws):
    from dataclasses import replace

    register = new_register()
    app = application(1, site=replace(application(1).site, address="7 Quarry Row"))
    fail_once_after(register.client, app.reference, lambda record: True)
    with pytest.raises(Exception, match="slow down"):
        register.put(app, [entry(app)])
    assert register.put(app, [entry(app)])  # the delivery, retried
    assert register.counts() == {"DEMO": 1} and register.councils() == ["DEMO"]
    assert {"x:a:q", "x:a:qu", "x:a:qua", "x:a:r", "x:a:ro", "x:a:row"} <= register.summary().address_terms["DEMO"]
    page = register.search(PublicSearch(text="quar"))  # a council counted 0 would be left out of this search
    assert (page.stage, page.total) == ("address", 1)


@pytest.mark.parametrize("completed_by", ["its retry", "a newer version"])
def test_address_words_of_a_put_stopped_right_after_its_record_are_noted_by_the_put_that_completes_it(
    aws, completed_by
):
    from dataclasses import replace

    register = new_register()
    app = application(1)
    register.put(app, [entry(app)])
    moved = replace(app, version=4, site=replace(app.site, address="7 Quarry Row"))
    fail_once_after(register.client, app.reference, lambda record: record["version"]["N"] == "4")
    with pytest.raises(Exception, match="slow down"):
        register.put(moved, [entry(moved)])
    completing = moved if completed_by == "its retry" else replace(moved, version=5)
    assert register.put(completing, [entry(completing)])
    assert {"x:a:q", "x:a:qu", "x:a:qua"} <= register.summary().address_terms["DEMO"]
    assert (register.search(PublicSearch(text="quar")).stage, register.counts()) == ("address", {"DEMO": 1})


def test_a_removal_stopped_right_after_marking_the_record_is_uncounted_once(aws):
    register = new_register()
    for number in (1, 2):
        register.put(application(number), [entry(application(number))])
    app = application(1)
    fail_once_after(register.client, app.reference, lambda record: "removing" in record)
    with pytest.raises(Exception, match="slow down"):
        register.remove("DEMO", app.reference, app.version + 1)
    assert register.remove("DEMO", app.reference, app.version + 1)  # the delivery, retried
    assert register.counts() == {"DEMO": 1}
    assert register.search(PublicSearch(councils=frozenset({"DEMO"}))).total == 1


def conflict_once(client, operation: str, after: int = 0) -> dict[str, bool]:
    """The client's `after`+1-th call of `operation` meets another delivery's transaction on the same items (`met`
    says whether it was called)."""
    from botocore.exceptions import ClientError

    state, calls = {"met": False}, {"seen": 0}

    def conflict(**_: object) -> None:
        calls["seen"] += 1
        if calls["seen"] == after + 1:
            state["met"] = True
            if operation == "TransactWriteItems":
                reasons = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "in progress"}]
                response = {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}
            else:
                response = {"Error": {"Code": "TransactionConflictException", "Message": "in progress"}}
            raise ClientError(response, operation)  # type: ignore[arg-type]

    client.meta.events.register(f"before-call.dynamodb.{operation}", conflict)
    return state


@pytest.mark.parametrize(
    ("operation", "after"),
    [("TransactWriteItems", 0), ("TransactWriteItems", 1), ("PutItem", 0), ("UpdateItem", 0), ("DeleteItem", 0)],
    ids=["creation", "removal's mark", "new version", "settle", "removal's delete"],
)
def test_writes_that_meet_another_deliverys_transaction_try_again(aws, operation, after):
    from dataclasses import replace

    register = new_register()
    app = application(1)
    register.put(app, [entry(app)])
    conflicted = conflict_once(register.client, operation, after)
    other = application(2)  # a creation: one transaction of the record and the count
    moved = replace(app, version=4, site=replace(app.site, address="7 Quarry Row"))  # a new version: put, then terms
    assert register.put(other, [entry(other)]) and register.put(moved, [entry(moved)])
    assert register.remove("DEMO", other.reference, other.version + 1)  # a removal: one transaction too
    assert register.counts() == {"DEMO": 1} and "x:a:qua" in register.summary().address_terms["DEMO"]
    assert conflicted["met"]


def raced() -> tuple[DynamoDbPublicRegister, DynamoDbPublicRegister, PublicApplication, PublicApplication]:
    """Two deliveries of one application at once, each with its own client: one puts version 5 (it read the
    application while it was public), the other takes it out (version 6: no longer public). Returns the two
    registers, the stored record (version 3) and the stale one."""
    from dataclasses import replace

    register = new_register("raced")
    remover = DynamoDbPublicRegister("raced", lean_client("dynamodb"))
    app = application(1, description="Rear extension")
    register.put(app, [entry(app)])
    return register, remover, app, replace(app, version=5, description="Garden room")


def assert_taken_out(register: DynamoDbPublicRegister) -> None:
    """Nothing of the application is left but the removal's note: no record, posting, feed entry or count."""
    assert register.get("DEMO", application(1).reference) is None
    assert register.search(PublicSearch(text="garden")).total == 0 and not register.feed(FeedQuery()).items
    assert {key[1].split("#")[0] for key in table_items("raced")} == {"counts", "x"}
    assert register.counts() == {"DEMO": 0}


def test_a_put_that_read_the_record_before_a_removal_that_ran_meanwhile_brings_nothing_back(aws):
    register, remover, app, stale = raced()
    removed = {"done": False}

    def removal_runs_first(**_: object) -> None:  # after the stale put's read, before its write
        if not removed["done"]:
            removed["done"] = True
            assert remover.remove("DEMO", app.reference, 6)

    register.client.meta.events.register("before-call.dynamodb.PutItem", removal_runs_first)
    assert not register.put(stale, [entry(stale)])
    assert removed["done"]
    assert_taken_out(register)


def test_a_put_that_lands_between_a_removals_note_and_its_mark_is_taken_away_by_it(aws):
    register, remover, app, stale = raced()
    noted = {"done": False}

    def removal_noted(**_: object) -> None:  # the removal has noted itself, not yet marked the record
        if not noted["done"]:
            noted["done"] = True
            remover._mark_removed("DEMO", app.reference, 5)

    register.client.meta.events.register("before-call.dynamodb.PutItem", removal_noted)
    assert register.put(stale, [entry(stale)])  # it read the record before the note: it lands
    assert remover.remove("DEMO", app.reference, 6)  # the removal goes on: the mark finds version 5
    assert_taken_out(register)


def test_a_first_publication_that_read_before_a_removal_found_nothing_brings_nothing_back(aws):
    register = new_register("raced")
    remover = DynamoDbPublicRegister("raced", lean_client("dynamodb"))
    app = application(1, description="Garden room")
    removed = {"done": False}

    def removal_runs_first(**_: object) -> None:  # after the put's read, before its write: no record to take out
        if not removed["done"]:
            removed["done"] = True
            assert not remover.remove("DEMO", app.reference, app.version + 1)

    register.client.meta.events.register("before-call.dynamodb.TransactWriteItems", removal_runs_first)
    assert not register.put(app, [entry(app)])
    assert removed["done"] and register.get("DEMO", app.reference) is None
    assert register.counts().get("DEMO", 0) == 0 and register.search(PublicSearch(text="garden")).total == 0
    assert {key[1].split("#")[0] for key in table_items("raced")} <= {"counts", "x"}


def test_a_put_whose_record_a_removal_marks_before_its_items_land_leaves_nothing_behind(aws, monkeypatch):
    from shared.aws import batch

    register, remover, app, stale = raced()
    deferred: dict[str, object] = {}

    class Stopped(Exception):
        pass

    def record_delete(**request: object) -> None:  # the removal's last step, held back until the put is done
        deferred.update(request)
        raise Stopped

    remover.client.delete_item = record_delete

    monkeypatch.setattr(batch, "WRITE_CONCURRENCY", 1)  # the put's items one chunk at a time (moto is not thread-safe)

    def removal_runs(**_: object) -> None:  # after the put's record, before its items: all but the record's delete
        if not deferred:
            with pytest.raises(Stopped):
                remover.remove("DEMO", app.reference, 6)

    register.client.meta.events.register("before-call.dynamodb.BatchWriteItem", removal_runs)
    register.put(stale, [entry(stale)])  # its items land after the removal's deletes
    boto3.client("dynamodb").delete_item(**deferred)  # the removal finishes
    assert_taken_out(register)
