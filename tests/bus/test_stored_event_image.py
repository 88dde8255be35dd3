from shared.bus.schema import StoredEventImage
from shared.eventstore import dynamodb_table as table


def test_the_stored_event_image_names_the_event_tables_attributes():
    assert set(StoredEventImage.__annotations__) == {table.DATA, table.HASH}
