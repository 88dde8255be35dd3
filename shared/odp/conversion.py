"""The older ODP `application` format converted to `prototypeApplication` (a pure function of the payload).

Both formats carry the same application; they differ in shape (ODP's paired examples `examples/application/X.json` and
`examples/prototypeApplication/X.json` show the same cases in both):

- the type moves from `data.application.type.value` to the top-level `applicationType`;
- codes written as `{"value", "description"}` (property type, project types, file types, tenures...) become plain
  codes, and the codes the prototype lists renamed (`residential.house.terrace` → `residential.dwelling.house.terrace`)
  are found by their description, else their nearest listed ancestor;
- what the prototype's branch for the type does not have is dropped (`data.application.CIL`, some types'
  `data.applicant.siteContact`, `files[].description`, responses' metadata tags...);
- `preAssessment` (optional before) is an empty list when the type's branch requires it and the payload had none;
- `metadata.schema` names the prototype schema.

The prototype branch of the application's type guides the conversion (`shared.odp.conform`), so every one of the 95
types converts with the same code; the result is validated by the caller where it matters. Codes of the older format
that the prototype has no branch for (the parent codes `pp`, `ldc`, ...) raise `UnknownApplicationType`.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import orjson

from shared.odp.conform import Conformer
from shared.odp.formats import SCHEMA_FILES, UnknownApplicationType, application_type_value, detect_format

PROTOTYPE_SCHEMA_URL = (
    "https://theopensystemslab.github.io/digital-planning-data-schemas/@next/schemas/prototypeApplication.json"
)

_LOCK = threading.Lock()
_CONFORMERS: dict[str, tuple[dict[str, Any], Conformer, dict[str, str]]] = {}


def _prototype(schema_dir: str | Path) -> tuple[dict[str, Any], Conformer, dict[str, str]]:
    """The prototype schema as published (its code lists keep their descriptions), a conformer over it, and each
    application type's branch (the definition its top-level `anyOf` names for it). Read here, not through
    `shared.odp.validation`, so that converting costs no validator (jsonschema-rs) nor compacted copy."""
    key = str(Path(schema_dir).resolve())
    with _LOCK:
        if key not in _CONFORMERS:
            schema = orjson.loads((Path(key) / SCHEMA_FILES["prototypeApplication"]).read_bytes())
            definitions = schema["definitions"]
            branches = {}
            for option in schema["anyOf"]:
                name = option["$ref"].rsplit("/", 1)[-1]
                branches[definitions[name]["properties"]["applicationType"]["const"]] = name
            _CONFORMERS[key] = (schema, Conformer(schema), branches)
        return _CONFORMERS[key]


def to_prototype(payload: dict[str, Any], schema_dir: str | Path) -> dict[str, Any]:
    """`payload` in the prototype format: converted from the `application` format, or a copy when it is already a
    `prototypeApplication`. `payload` itself is never changed."""
    if detect_format(payload) == "prototypeApplication":
        return copy.deepcopy(payload)
    code = application_type_value(payload)
    schema, conformer, branches = _prototype(schema_dir)
    if not isinstance(code, str) or code not in branches:
        raise UnknownApplicationType(code)
    branch = schema["definitions"][branches[code]]
    reshaped = _reshaped(payload, code, branch)
    converted, _ = conformer.conform(branch, reshaped)
    return dict(converted)


def _reshaped(payload: dict[str, Any], code: str, branch: dict[str, Any]) -> dict[str, Any]:
    """The moves that are not a matter of fitting the schema: the type to the top, the schema URL, preAssessment."""
    data = dict(payload.get("data") or {})
    application = dict(data.get("application") or {})
    application.pop("type", None)
    data["application"] = application
    reshaped: dict[str, Any] = {"applicationType": code, **payload, "data": data}
    metadata = reshaped.get("metadata")
    if isinstance(metadata, dict) and "schema" in metadata:
        reshaped["metadata"] = {**metadata, "schema": PROTOTYPE_SCHEMA_URL}
    if "preAssessment" in branch.get("required", ()) and not isinstance(reshaped.get("preAssessment"), list):
        reshaped["preAssessment"] = []
    return reshaped
