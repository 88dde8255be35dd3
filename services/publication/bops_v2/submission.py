"""The public part of a submission (`GET .../{reference}/submission`): the claim-checked original, cut down to a
whitelist of fields about the site and the proposal. Everything else (the applicant and agent, the user, the answers,
the files, the fee and declarations) is left out, whatever it holds: a field not named here is never shown.

The whitelist names paths of both ODP formats (`application` and `prototypeApplication`); `True` keeps the whole value.
"""

from __future__ import annotations

from typing import Any

import orjson

from shared.documents.port import DocumentNotFound, DocumentStore

Whitelist = dict[str, "Whitelist | bool"]

ADDRESS_FIELDS = ("latitude", "longitude", "x", "y", "title", "singleLine", "source", "uprn", "usrn", "pao", "street")
ADDRESS: Whitelist = dict.fromkeys((*ADDRESS_FIELDS, "town", "postcode"), True)
BOUNDARY: Whitelist = {"site": True, "area": True}
WHITELIST: Whitelist = {
    "applicationType": True,
    "data": {
        "application": {"type": True},
        "property": {
            "address": ADDRESS,
            "boundary": BOUNDARY,
            "type": True,
            "localAuthorityDistrict": True,
            "region": True,
            "ward": True,
            "planning": {"designations": True, "sources": True},
        },
        "proposal": {"projectType": True, "description": True, "boundary": BOUNDARY, "date": True, "extend": True},
    },
    "metadata": {"organisation": True, "submittedAt": True, "schema": True},
}


def keep(value: Any, whitelist: Whitelist) -> Any:
    """Only the whitelisted fields of `value` (an object), recursively."""
    if not isinstance(value, dict):
        return None
    kept: dict[str, Any] = {}
    for name, rule in whitelist.items():
        if name not in value:
            continue
        if rule is True:
            kept[name] = value[name]
        elif isinstance(rule, dict):
            inner = keep(value[name], rule)
            if inner is not None:
                kept[name] = inner
    return kept


def public_submission(payload_key: str, documents: DocumentStore) -> dict[str, Any] | None:
    """The whitelisted submission, or None when the original cannot be read (e.g. it was never stored). An original
    never changes: the newest `CACHED` are kept (as JSON, so no caller can change the cached one)."""
    cached = _cache.get(payload_key)
    if cached is None:
        try:
            original = orjson.loads(documents.get(payload_key))
        except (DocumentNotFound, orjson.JSONDecodeError):
            return None
        cached = _cache[payload_key] = orjson.dumps(keep(original, WHITELIST))
        while len(_cache) > CACHED:
            _cache.pop(next(iter(_cache)))
    return orjson.loads(cached)


CACHED = 256
_cache: dict[str, bytes] = {}
