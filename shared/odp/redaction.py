"""A `prototypeApplication` with its personal data taken out, as the public may see it (a pure function).

The published ODP schema embeds the submission as a whole `prototypeApplication`, whose applicant must have a name,
an e-mail address, a phone number and an address (and an agent the same). They are reduced to what the schema
requires, each value replaced by a placeholder (`REDACTED`, `REDACTED_EMAIL`), so the document still validates and
carries nothing personal:

- applicant: its kind (`type`), whether its address is the site's, the ownership interest and certificate, and the
  site contact's role are kept; its name only when the council shows applicants' names (`applicant_name`); e-mail,
  phone and any other address are placeholders; owners keep their interest and notice dates but not their names,
  addresses or reasons; maintenance contacts are left out; a site contact other than the applicant or agent is
  placeholders;
- agent: placeholders, and its company only when the council shows agents' companies (`agent_company`);
- `responses` (the question-and-answer record) is empty: its free-text answers carry contact details and anything
  the applicant typed, and the structured `data` already holds the application's content;
- `files` are the application's public documents only (given by the caller, with their public URLs), never the
  submitted list, whose names are private download links and may name documents an officer never published;
- the declared connection to the council keeps its kind but not its free-text description; the payment reference is
  left out;
- last, any e-mail address or phone number left in any text (a description that quotes one) becomes `REDACTED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

REDACTED = "[redacted]"
REDACTED_EMAIL = "redacted@redacted.invalid"

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# UK numbers (01234 567890, (01234) 567890, +44 7700 900123), not a part of a longer token: a number joined to its
# neighbours by a hyphen, a slash or a dot is an identifier's or a link's (a uuid's middle, a path segment); a full
# stop may end it.
_PHONE = re.compile(r"(?<![\w./-])(?:\+44\s?|\(?0)\d[\d\s()-]{7,14}\d(?![\w/-]|\.\w)")
_SITE_CONTACT_ROLES = ("applicant", "agent", "proxy")


def _placeholder_address(*, user_address: bool) -> dict[str, Any]:
    address: dict[str, Any] = {"line1": REDACTED, "town": REDACTED, "postcode": REDACTED}
    return {**address, "sameAsSiteAddress": False} if user_address else address


def _contact() -> dict[str, Any]:
    return {"name": {"first": REDACTED, "last": REDACTED}, "email": REDACTED_EMAIL, "phone": {"primary": REDACTED}}


def _owner(owner: dict[str, Any]) -> dict[str, Any]:
    """An owner told of the application: whether and when notice was given, and its interest; not who or where."""
    public = {key: value for key, value in owner.items() if key in ("interest", "noticeGiven", "noticeDate")}
    public.update(name=REDACTED, address=_placeholder_address(user_address=False))
    if "noNoticeReason" in owner:
        public["noNoticeReason"] = REDACTED
    return public


def _applicant(applicant: dict[str, Any], *, show_name: bool, show_agent_company: bool) -> dict[str, Any]:
    public: dict[str, Any] = {}
    if isinstance(applicant.get("type"), str):
        public["type"] = applicant["type"]
    public.update(_contact())
    if show_name and isinstance(applicant.get("name"), dict):
        public["name"] = {key: value for key, value in applicant["name"].items() if key in ("first", "last", "title")}
    if show_name and isinstance(applicant.get("company"), dict):
        public["company"] = applicant["company"]
    address = applicant.get("address")
    same_as_site = isinstance(address, dict) and address.get("sameAsSiteAddress") is True
    public["address"] = {"sameAsSiteAddress": True} if same_as_site else _placeholder_address(user_address=True)
    ownership = applicant.get("ownership")
    if isinstance(ownership, dict):
        public["ownership"] = dict(ownership)
        if isinstance(ownership.get("owners"), list):
            public["ownership"]["owners"] = [_owner(owner) for owner in ownership["owners"] if isinstance(owner, dict)]
    contact = applicant.get("siteContact")
    if isinstance(contact, dict):
        role = contact.get("role")
        public["siteContact"] = (
            {"role": role}
            if role in _SITE_CONTACT_ROLES
            else {"role": role, "name": REDACTED, "email": REDACTED_EMAIL, "phone": REDACTED}
        )
    agent = applicant.get("agent")
    if isinstance(agent, dict):
        public["agent"] = {**_contact(), "address": _placeholder_address(user_address=False)}
        if show_agent_company and isinstance(agent.get("company"), dict):
            public["agent"]["company"] = agent["company"]
    return public


def _application(application: dict[str, Any]) -> dict[str, Any]:
    public = dict(application)
    fee = public.get("fee")
    if isinstance(fee, dict):
        public["fee"] = {key: value for key, value in fee.items() if key != "reference"}
    declaration = public.get("declaration")
    if isinstance(declaration, dict) and isinstance(declaration.get("connection"), dict):
        connection = {key: value for key, value in declaration["connection"].items() if key != "description"}
        public["declaration"] = {**declaration, "connection": connection}
    return public


def scrubbed_text(value: str, personal: Sequence[str] = ()) -> str:
    """`value` with the contact details in `personal` (longest first) and any e-mail address or UK phone number
    replaced by `REDACTED`: how every public text is scrubbed, so every public face shows a text the same way."""
    for text in personal:
        if text in value:
            value = value.replace(text, REDACTED)
    return _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, value))


def public_description(description: str, *contacts: Any) -> str:
    """An application's description as every public face shows it (the register, its feeds, the decision notice):
    scrubbed (`scrubbed_text`) of the `contacts`' own e-mail addresses and phone numbers (a submission summary's
    applicant and agent, None when absent) and of any other one it quotes."""
    personal = (
        text.strip()
        for contact in contacts
        if contact is not None
        for text in (contact.email, contact.phone)
        if text and len(text.strip()) >= 5
    )
    return scrubbed_text(description, sorted(set(personal), key=len, reverse=True))


def _scrubbed(value: Any, personal: Sequence[str]) -> Any:
    if isinstance(value, str):
        return value if value == REDACTED_EMAIL else scrubbed_text(value, personal)
    if isinstance(value, dict):
        return {key: _scrubbed(item, personal) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, personal) for item in value]
    return value


def scrubbed_texts(value: Any, applicant: Any = None) -> Any:
    """`value` with every text scrubbed (`scrubbed_text`) of the contact details `applicant` (a submission's
    applicant, with its agent) holds and of any other e-mail address or phone number."""
    return _scrubbed(value, _personal_texts(applicant))


def _personal_texts(applicant: Any) -> list[str]:
    """The applicant's, agent's, owners' and contacts' e-mail addresses and phone numbers, wherever they were."""
    found: set[str] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key in ("email", "primary", "secondary") and len(value.strip()) >= 5:
            found.add(value.strip())

    walk(applicant)
    return sorted(found, key=len, reverse=True)


def public_submission(
    prototype: dict[str, Any],
    *,
    files: Iterable[dict[str, Any]],
    applicant_name: bool,
    agent_company: bool,
) -> dict[str, Any]:
    """`prototype` without personal data. `files` are the public documents as prototype files (`{"name": URL,
    "type": [codes]}`); `applicant_name` / `agent_company` say whether the council shows them."""
    data = dict(prototype.get("data") or {})
    applicant = data.get("applicant")
    personal = _personal_texts(applicant)
    if isinstance(applicant, dict):
        data["applicant"] = _applicant(applicant, show_name=applicant_name, show_agent_company=agent_company)
    if isinstance(data.get("application"), dict):
        data["application"] = _application(data["application"])
    public = {**prototype, "data": data, "responses": [], "files": list(files)}
    return dict(_scrubbed(public, personal))
