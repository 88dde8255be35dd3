"""The officers' case list: one row per application, filtered, sorted by expiry, counted and paginated by the store.

A port (`CaseList`) with a SQLite adapter (indexed table, embedded) and a DynamoDB adapter (one item per application
under the council, AWS), fed by the `case-list` projection subscriber and rebuilt by `bops replay case-list`.
"""

from services.assessment import CASE_LIST_READ_MODEL

__all__ = ["CASE_LIST_READ_MODEL"]
