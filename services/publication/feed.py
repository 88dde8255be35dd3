"""`GET /api/@next/public/feed?after=CURSOR`: the national change feed of published applications (public route).

Entries (published, status changed, document published or withdrawn, decided) come oldest first in the feed's order
(`FeedEntry.key`: when the event was recorded in the log), each with its application's current audit heads (the
hash-chain head of its main and documents streams), so an aggregator follows every council incrementally and can
check the heads against the log's sealed checkpoints. The cursor is opaque (`a.` or `b.` and the key, base64url):
`nextCursor` is always given once a page has entries (poll it later for what comes next), `prevCursor` when there are
earlier entries. Envelope: ODP's `{"data", "pagination", "status"}`.

On AWS deliveries to the projection may be late by seconds (EventBridge), so entries recorded in the last
`SETTLE_SECONDS` are held back: a follower does not step past an entry that is about to appear before its cursor.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

import base64  # noqa: E402
import binascii  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

import orjson  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, CORSConfig, Response  # noqa: E402

from services.publication import FEED_PATH, VARY_BY_COUNCIL  # noqa: E402
from shared.observability import observed  # noqa: E402
from shared.whole_numbers import whole_number  # noqa: E402

if TYPE_CHECKING:
    from services.publication.read_model.port import FeedItem, FeedPage

# A page that names the council with x-client sends a preflight first: answered, as the ODP face's routes are.
app = APIGatewayRestResolver(cors=CORSConfig(allow_origin="*", allow_headers=["x-client"], max_age=600))
DEFAULT_PER_PAGE = 100
SETTLE_SECONDS = 30
CACHE_CONTROL = "public, max-age=10"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET", **VARY_BY_COUNCIL}


class BadRequest(ValueError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(error["message"] for error in errors))
        self.errors = errors


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients, the register and the councils' lookup."""
    from services.publication import councils as _councils  # noqa: F401
    from services.publication.read_model.wiring import public_register
    from shared.wiring import dependencies

    public_register(dependencies())


def encode_cursor(direction: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{direction}.{key}".encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(`a` after / `b` before, key); BadRequest when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    direction, _, key = text.partition(".")
    if direction not in ("a", "b") or key.count("~") != 3:
        raise BadRequest([{"field": "after", "message": "after is not a cursor this feed gave"}])
    return direction, key


def entry_json(item: FeedItem) -> dict[str, Any]:
    entry = item.entry
    return {
        "id": encode_cursor("a", entry.key),
        "type": entry.kind,
        "council": entry.council,
        "reference": entry.reference,
        "occurredAt": entry.occurred_at.isoformat().replace("+00:00", "Z"),
        "applicationStatus": entry.status,
        "decision": entry.decision,
        "documentId": entry.document_id,
        "event": {"stream": entry.event_stream, "version": entry.event_version, "hash": entry.event_hash},
        "auditHead": [{"stream": h.stream_id, "version": h.version, "hash": h.hash} for h in item.audit_heads],
    }


def page_json(page: FeedPage, per_page: int, cursor: str | None) -> dict[str, Any]:
    if page.items:
        next_cursor: str | None = encode_cursor("a", page.items[-1].entry.key)
        prev_cursor = encode_cursor("b", page.items[0].entry.key) if page.has_earlier else None
    else:
        next_cursor, prev_cursor = cursor, None
    return {
        "data": [entry_json(item) for item in page.items],
        "pagination": {
            "resultsPerPage": per_page,
            "nextCursor": next_cursor,
            "prevCursor": prev_cursor,
            "totalResults": page.total,
        },
        "status": {"code": 200, "message": "OK"},
    }


def _respond(code: int, body: dict[str, Any]) -> Response:
    return Response(
        status_code=code,
        content_type="application/json",
        body=orjson.dumps(body).decode("utf-8"),
        headers={**CORS, "Cache-Control": CACHE_CONTROL if code == 200 else "no-store"},
    )


def _failure(code: int, message: str, errors: list[dict[str, str]] | None = None) -> Response:
    status: dict[str, Any] = {"code": code, "message": message}
    if errors:
        status["detail"] = errors
    return _respond(code, {"data": None, "pagination": None, "status": status})


def _per_page(query: dict[str, str]) -> int:
    raw = query.get("resultsPerPage")
    if raw is None:
        return DEFAULT_PER_PAGE
    number = whole_number(raw)
    if number is None or not 1 <= number <= 100:
        raise BadRequest([{"field": "resultsPerPage", "message": "resultsPerPage is a whole number from 1 to 100"}])
    return number


@app.get(FEED_PATH)
def feed() -> Response:
    from services.publication.councils import UnknownCouncil, requested_councils
    from services.publication.read_model.port import FeedEntry, FeedQuery
    from services.publication.read_model.wiring import public_register
    from shared.wiring import dependencies

    event = app.current_event
    query = dict(event.query_string_parameters or {})
    deps = dependencies()
    try:
        per_page = _per_page(query)
        cursor = query.get("after") or None
        direction, key = decode_cursor(cursor) if cursor else ("a", None)
        councils = requested_councils(deps, event.headers, query)
    except BadRequest as error:
        return _failure(400, "Bad Request", error.errors)
    except UnknownCouncil as error:
        return _failure(404, f"No council {error.args[0]!r} is served here")
    until = None
    if deps.settings.runtime == "aws":
        until = FeedEntry.make_key(deps.clock.now() - timedelta(seconds=SETTLE_SECONDS), "~", 0)
    feed_query = FeedQuery(
        after=key if direction == "a" else None,
        before=key if direction == "b" else None,
        limit=per_page,
        councils=councils,
        until=until,
    )
    page = public_register(deps).feed(feed_query)
    return _respond(200, page_json(page, per_page, cursor))


@observed
def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return app.resolve(event, context)
