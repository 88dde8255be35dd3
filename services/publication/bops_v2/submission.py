"""The public part of a submission (`GET .../{reference}/submission`): the claim-checked original, cut down to a
whitelist of fields about the site and the proposal. Everything else (the applicant and agent, the user, the answers,
the files, the fee and declarations) is left out, whatever it holds: a field not named here is never shown.

The whitelist names paths of both ODP formats (`application` and `prototypeApplication`); `True` keeps the whole value.
When the council publishes applicants' names (the record carries them), `NAMES` adds the applicant's name (or
company) and the agent's company, nothing else of them. Texts kept (a description that quotes the applicant's phone)
are scrubbed of contact details as the ODP face's submission is. The red-line boundary shown is the record's (bounded in
size), never the original's geometry as it came.
"""

from __future__ import annotations

from typing import Any

import orjson

from shared.documents.port import DocumentNotFound, DocumentStore
from shared.odp.redaction import scrubbed_texts

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
NAMES: Whitelist = {"data": {"applicant": {"name": True, "company": True, "agent": {"company": True}}}}


def _merged(first: Whitelist, second: Whitelist) -> Whitelist:
    merged = dict(first)
    for name, rule in second.items():
        known = merged.get(name)
        merged[name] = _merged(known, rule) if isinstance(known, dict) and isinstance(rule, dict) else rule
    return merged


WITH_NAMES = _merged(WHITELIST, NAMES)


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


def public_submission(
    payload_key: str,
    documents: DocumentStore,
    *,
    names: bool = False,
    boundary: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The whitelisted submission (with the names when `names`; every boundary's `site` replaced by `boundary`, or
    left out without one), or None when the original cannot be read (e.g. it was never stored). An original never
    changes: the newest `CACHED` are kept (as JSON, so no caller can change the cached one)."""
    key = (payload_key, names)
    cached = _cache.get(key)
    if cached is None:
        try:
            original = orjson.loads(documents.get(payload_key))
        except (DocumentNotFound, orjson.JSONDecodeError):
            return None
        kept = keep(original, WITH_NAMES if names else WHITELIST)
        cached = _cache[key] = orjson.dumps(scrubbed_texts(kept, _applicant(original)))
        while len(_cache) > CACHED:
            _cache.pop(next(iter(_cache)))
    public = orjson.loads(cached)
    data = public.get("data") if isinstance(public, dict) else None
    for part in ("property", "proposal"):
        held = data.get(part) if isinstance(data, dict) else None
        lines = held.get("boundary") if isinstance(held, dict) else None
        if isinstance(lines, dict) and "site" in lines:
            if boundary is None:
                del lines["site"]
            else:
                lines["site"] = boundary
    return public


def _applicant(original: Any) -> Any:
    data = original.get("data") if isinstance(original, dict) else None
    return data.get("applicant") if isinstance(data, dict) else None


CACHED = 256
_cache: dict[tuple[str, bool], bytes] = {}
