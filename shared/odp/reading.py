"""Read any ODP payload (application, prototypeApplication, preApplication) into plain data: what `Submission` holds.

The result is JSON-shaped (dicts, lists, strings, numbers) and needs no pydantic: intake summarises a submission for
its event straight from it (`shared.odp.summary.summary_of`), so accepting one never builds the ODP model (a cold
start saves the model's ~30 ms), and `parse_submission` validates the same data into the model.
"""

from __future__ import annotations

from typing import Any

from shared.odp.catalogue import application_type
from shared.odp.formats import application_type_value, detect_format
from shared.odp.validation import UnknownApplicationType

Data = dict[str, Any]


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _value(item: Any) -> str | None:
    """A code given either as a bare string (prototype) or as `{value, description}` (application)."""
    return _text(item) if isinstance(item, str) else _text(_obj(item).get("value"))


def _values(items: Any) -> list[str]:
    return [v for v in (_value(i) for i in _items(items)) if v]


def _site(prop: dict[str, Any]) -> Data:
    address = _obj(prop.get("address"))
    line1 = " ".join(p for p in (_text(address.get("pao")), _text(address.get("street"))) if p)
    lines = [p for p in (_text(address.get("sao")), line1 or None, _text(address.get("locality"))) if p]
    single = _text(address.get("singleLine")) or _text(address.get("title")) or ", ".join(lines)
    return {
        "address": single or "",
        "lines": lines,
        "town": _text(address.get("town")),
        "postcode": _text(address.get("postcode")),
        "uprn": _text(address.get("uprn")),
        "usrn": _text(address.get("usrn")),
        "x": _number(address.get("x")),
        "y": _number(address.get("y")),
        "latitude": _number(address.get("latitude")),
        "longitude": _number(address.get("longitude")),
        "ward": _text(prop.get("ward")),
        "region": _text(prop.get("region")),
        "local_authority_districts": [d for d in _items(prop.get("localAuthorityDistrict")) if isinstance(d, str)],
        "property_type": _value(prop.get("type")),
    }


def _boundary(*candidates: Any, geometry: bool = True) -> Data | None:
    """The first boundary with a GeoJSON `site` (the proposal's red line before the property's title boundary);
    without its geometry when `geometry` is False (a summary reads only the area)."""
    for candidate in candidates:
        boundary = _obj(candidate)
        site = boundary.get("site")
        if isinstance(site, dict):
            area = _obj(boundary.get("area"))
            found = {"area_m2": _number(area.get("squareMetres")), "area_hectares": _number(area.get("hectares"))}
            return {"geojson": site, **found} if geometry else found
    return None


def _contact_address(value: Any) -> Data | None:
    address = _obj(value)
    if not address:
        return None
    return {
        "same_as_site": address.get("sameAsSiteAddress") is True,
        "line1": _text(address.get("line1")),
        "line2": _text(address.get("line2")),
        "town": _text(address.get("town")),
        "county": _text(address.get("county")),
        "postcode": _text(address.get("postcode")),
        "country": _text(address.get("country")),
    }


def _contact(person: dict[str, Any]) -> Data | None:
    if not person:
        return None
    name = _obj(person.get("name"))
    full_name = " ".join(p for p in (_text(name.get("first")), _text(name.get("last"))) if p) or None
    company = _text(_obj(person.get("company")).get("name"))
    return {
        "type": _text(person.get("type")),
        "name": full_name or company,
        "company": company,
        "email": _text(person.get("email")),
        "phone": _text(_obj(person.get("phone")).get("primary")),
        "address": _contact_address(person.get("address")),
    }


def _flags(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for k, v in value.items() if v is True]
    return [v for v in _items(value) if isinstance(v, str)]


def _fee(value: Any) -> Data | None:
    fee = _obj(value)
    if not fee:
        return None
    if fee.get("notApplicable") is True:
        return {"not_applicable": True}
    return {
        "calculated": _number(fee.get("calculated")),
        "payable": _number(fee.get("payable")),
        "exemptions": _flags(fee.get("exemption")),
        "reductions": _flags(fee.get("reduction")),
        "payment_reference": _text(_obj(fee.get("reference")).get("govPay")),
    }


def _entity(value: Any) -> Data | None:
    entity = _obj(value)
    name = _text(entity.get("name"))
    if not name:
        return None
    source = entity.get("source")
    return {
        "name": name,
        "source": _text(_obj(source).get("text")) or _text(source),
        "url": _text(_obj(source).get("url")),
        "description": _text(entity.get("description")),
    }


def _constraints(prop: dict[str, Any]) -> list[Data]:
    found: list[Data] = []
    for item in _items(_obj(prop.get("planning")).get("designations")):
        designation = _obj(item)
        value = _text(designation.get("value"))
        if not value:
            continue
        intersects = designation.get("intersects")
        entities = (_entity(e) for e in _items(designation.get("entities")))
        found.append(
            {
                "value": value,
                "description": _text(designation.get("description")),
                "intersects": intersects if isinstance(intersects, bool) else None,
                "entities": [e for e in entities if e],
            }
        )
    return found


def _files(payload: dict[str, Any]) -> list[Data]:
    found: list[Data] = []
    for item in _items(payload.get("files")):
        url = _text(_obj(item).get("name"))
        if url:
            description = _text(item.get("description"))
            found.append({"url": url, "types": _values(item.get("type")), "description": description})
    return found


def _answers(payload: dict[str, Any]) -> list[Data]:
    found: list[Data] = []
    for item in _items(payload.get("responses")):
        question = _text(_obj(item).get("question"))
        if not question:
            continue
        responses = item.get("responses")
        values = [responses] if isinstance(responses, str) else _values(responses)
        found.append({"question": question, "responses": values})
    return found


def _proposal(proposal: dict[str, Any]) -> Data:
    dates = _obj(proposal.get("date"))
    return {
        "project_types": _values(proposal.get("projectType")),
        "start_date": _text(dates.get("start")),
        "completion_date": _text(dates.get("completion")),
    }


def _declaration(value: Any) -> Data | None:
    declaration = _obj(value)
    if not declaration:
        return None
    connection = _obj(declaration.get("connection"))
    accurate = declaration.get("accurate")
    return {
        "accurate": accurate if isinstance(accurate, bool) else None,
        "connection": _text(connection.get("value")),
        "connection_description": _text(connection.get("description")),
    }


def normalise_submission_id(value: Any) -> str | None:
    """The one spelling of a submission id (`metadata.id`, a UUID): lower case, as RFC 4122 writes UUIDs, so the
    same submission sent with its id in capitals is recognised as the same."""
    text = _text(value)
    return text.strip().lower() if text else None


def read_submission(payload: dict[str, Any], bulky: bool = True) -> Data:
    """The fields of a `Submission` read from a (schema-valid) ODP payload of any format, as plain data.

    With `bulky` False the parts a summary never reads are left out (answers, the declaration and the boundary's
    geometry), so a 20,000-vertex boundary or 5,000 answers cost nothing.
    Raises UnknownApplicationType when the payload names no application type string.
    """
    fmt = detect_format(payload)
    code = payload.get("applicationType") if fmt == "prototypeApplication" else application_type_value(payload)
    if not isinstance(code, str) or not code:
        raise UnknownApplicationType(code)
    data = _obj(payload.get("data"))
    application = _obj(data.get("application"))
    prop = _obj(data.get("property"))
    proposal = _obj(data.get("proposal"))
    applicant = _obj(data.get("applicant"))
    metadata = _obj(payload.get("metadata"))
    catalogued = application_type(code)
    type_name = catalogued.name if catalogued else _text(_obj(application.get("type")).get("description"))
    read = {
        "format": fmt,
        "submission_id": normalise_submission_id(metadata.get("id")),
        "organisation": _text(metadata.get("organisation")),
        "submitted_at": _text(metadata.get("submittedAt")),
        "application_type": code,
        "application_type_name": type_name,
        "description": _text(proposal.get("description")),
        "site": _site(prop),
        "boundary": _boundary(proposal.get("boundary"), prop.get("boundary"), geometry=bulky),
        "user_role": _text(_obj(data.get("user")).get("role")),
        "applicant": _contact({k: v for k, v in applicant.items() if k != "agent"}),
        "agent": _contact(_obj(applicant.get("agent"))),
        "fee": _fee(application.get("fee")),
        "files": _files(payload),
        "proposal": _proposal(proposal),
        "constraints": _constraints(prop),
    }
    if bulky:
        read.update(
            answers=_answers(payload),
            declaration=_declaration(application.get("declaration")),
        )
    return read
