"""Each message is handed to the provider at most once: Powertools Idempotency around the one call that sends.

On AWS the records are in a DynamoDB table (Powertools' `DynamoDBPersistenceLayer`); embedded, in a SQLite table
with the same semantics (`SqlitePersistenceLayer` below: Powertools' own base class and its conditions, so the
decorator, the hashing, the in-progress lock and the saved result are Powertools' code in both runtimes). The key is
the message's `notification_id` (triggering event id + recipient). A record is saved as in progress before the call,
completed with the provider's id after it, and deleted when the call raised (so a temporary failure is tried again);
a second delivery of the event finds the completed record and gets the saved id without sending.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.idempotency import (
    BasePersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from shared.local_sqlite import ThreadConnections

F = TypeVar("F", bound=Callable[..., Any])

KEY_PREFIX = "notifications-send"
# How long a completed record is kept: longer than any redelivery (EventBridge retries for 24 hours, a DLQ keeps 14
# days); the notifications stream's `NotificationSent` is the lasting record.
EXPIRES_AFTER_S = 30 * 24 * 3600
IN_PROGRESS_S = 60  # the sender's declared timeout


class _Deadline:
    """What Powertools reads of a Lambda context to lock a record while it is in progress: the time left, here fixed
    at the sender's timeout (in both runtimes, so a lock outlives no delivery)."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def once_per_message(store: BasePersistenceLayer) -> Callable[[F], F]:
    """The decorator: `fn(*, message: dict)` runs once per `message["notification_id"]` (its saved result after)."""
    config = IdempotencyConfig(
        event_key_jmespath="notification_id",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_S,
    )
    # An in-progress record whose sender died (a killed process, a Lambda timeout) frees itself after this long, so
    # the next delivery sends; a live sender finishes well within it (Notify's client times out after 10 s).
    config.register_lambda_context(_Deadline(IN_PROGRESS_S * 1000))  # type: ignore[arg-type]
    return idempotent_function(
        data_keyword_argument="message", config=config, persistence_store=store, key_prefix=KEY_PREFIX
    )


def dynamodb_layer(table_name: str, client: Any) -> BasePersistenceLayer:
    """Powertools' layer on a table of its own (`BOPS_IDEMPOTENCY_TABLE`: key `id`, time to live `expiration`)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)


class SqlitePersistenceLayer(BasePersistenceLayer):
    """Powertools' idempotency records in a SQLite table, with the DynamoDB layer's conditions: a record is written
    only if its key is new, its record expired, or it is in progress past its in-progress expiry."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._connections = ThreadConnections(
            path,
            "CREATE TABLE IF NOT EXISTS idempotency (id TEXT PRIMARY KEY, expiration INTEGER NOT NULL, "
            "in_progress_expiration INTEGER, status TEXT NOT NULL, data TEXT NOT NULL DEFAULT '', "
            "validation TEXT NOT NULL DEFAULT '')",
        )

    def _connection(self) -> sqlite3.Connection:
        return self._connections.connection()

    def _record(self, row: tuple[Any, ...]) -> DataRecord:
        key, expiration, in_progress, status, data, validation = row
        return DataRecord(
            idempotency_key=key,
            status=status,
            expiry_timestamp=expiration,
            in_progress_expiry_timestamp=in_progress,
            response_data=data,
            payload_hash=validation,
        )

    def _select(self, key: str) -> DataRecord | None:
        row = (
            self._connection()
            .execute(
                "SELECT id, expiration, in_progress_expiration, status, data, validation FROM idempotency WHERE id = ?",
                (key,),
            )
            .fetchone()
        )
        return self._record(row) if row else None

    def _get_record(self, idempotency_key: str) -> DataRecord:
        record = self._select(idempotency_key)
        if record is None:
            raise IdempotencyItemNotFoundError
        return record

    def _put_record(self, data_record: DataRecord) -> None:
        now = dt.datetime.now()
        cursor = self._connection().execute(
            "INSERT INTO idempotency (id, expiration, in_progress_expiration, status, data, validation) "
            "VALUES (?, ?, ?, ?, '', ?) ON CONFLICT (id) DO UPDATE SET expiration = excluded.expiration, "
            "in_progress_expiration = excluded.in_progress_expiration, status = excluded.status, data = '', "
            "validation = excluded.validation WHERE idempotency.expiration < ? OR (idempotency.status = 'INPROGRESS' "
            "AND idempotency.in_progress_expiration IS NOT NULL AND idempotency.in_progress_expiration < ?)",
            (
                data_record.idempotency_key,
                data_record.expiry_timestamp,
                data_record.in_progress_expiry_timestamp,
                data_record.status,
                data_record.payload_hash or "",
                int(now.timestamp()),
                int(now.timestamp() * 1000),
            ),
        )
        if cursor.rowcount == 0:
            existing = self._select(data_record.idempotency_key)
            raise IdempotencyItemAlreadyExistsError(old_data_record=existing)

    def _update_record(self, data_record: DataRecord) -> None:
        self._connection().execute(
            "UPDATE idempotency SET data = ?, expiration = ?, status = ?, validation = ? WHERE id = ?",
            (
                data_record.response_data,
                data_record.expiry_timestamp,
                data_record.status,
                data_record.payload_hash or "",
                data_record.idempotency_key,
            ),
        )

    def _delete_record(self, data_record: DataRecord) -> None:
        self._connection().execute("DELETE FROM idempotency WHERE id = ?", (data_record.idempotency_key,))
