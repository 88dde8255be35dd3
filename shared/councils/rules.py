"""Format rules for a council's settings, shared by the councils service's commands and the deployment config.

Each returns the clean value. Officers' and API keys' rules are the councils service's (`services/councils/rules.py`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from shared.councils.errors import InvalidCouncilInput

MAX_NAME_LENGTH = 200
# The public base URL of a council that has none of its own (no domain, none set): `make run`'s address.
DEFAULT_LOCAL_BASE_URL = "http://localhost:8000"

_CODE = re.compile(r"[A-Z0-9]{1,4}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?P<host>{_LABEL}(?:\.{_LABEL})*)(?::(?P<port>[0-9]{{1,5}}))?")
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def check_code(code: str) -> str:
    """A council code is its ODP `metadata.organisation`: 1 to 4 capital letters or digits."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise InvalidCouncilInput(f"council code must be 1 to 4 capital letters or digits (A-Z, 0-9): {code!r}")
    return code


def check_slug(slug: str) -> str:
    if not isinstance(slug, str) or len(slug) > 63 or not _SLUG.fullmatch(slug):
        raise InvalidCouncilInput(
            f"council slug must be lowercase letters, digits and single hyphens between them (at most 63): {slug!r}"
        )
    return slug


def check_name(what: str, name: str) -> str:
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned:
        raise InvalidCouncilInput(f"{what} must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidCouncilInput(f"{what} must be at most {MAX_NAME_LENGTH} characters")
    return cleaned


def check_email(email: str, what: str = "e-mail address") -> str:
    cleaned = email.strip() if isinstance(email, str) else ""
    if len(cleaned) > 254 or not _EMAIL.fullmatch(cleaned):
        raise InvalidCouncilInput(f"{what} is not a valid e-mail address: {email!r}")
    return cleaned


def check_public_base_url(url: str) -> str:
    """An absolute http(s) URL without credentials, query or fragment; returned without a trailing slash."""
    parts = urlsplit(url) if isinstance(url, str) and not any(c.isspace() for c in url) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        raise InvalidCouncilInput(f"public base URL must be an absolute http:// or https:// URL: {url!r}")
    try:
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise InvalidCouncilInput(f"public base URL has an invalid port: {url!r}") from None
    return parts.geturl().rstrip("/")


def check_download_host(host: str) -> str:
    """A lowercase host name or host:port. An IP address must be a public one: never a private, loopback, link-local
    (or otherwise non-public) address, which would let submitted URLs reach the council's own network. `localhost`
    is the one name for this machine; only the embedded runtime fetches from it (the demo's sample files)."""
    match = _HOST.fullmatch(host) if isinstance(host, str) else None
    port = match and match.group("port")
    if not match or len(match.group("host")) > 253 or (port is not None and not 1 <= int(port) <= 65535):
        raise InvalidCouncilInput(f"download host must be a lowercase host name or host:port: {host!r}")
    _check_address_literal(match.group("host"))
    return host


def _check_address_literal(name: str) -> None:
    """A host whose last label is a number is an IPv4 address (`127.1` and `2130706433` included): it must be a
    public one, written as four decimal numbers."""
    if not name.rsplit(".", 1)[-1].isdigit():
        return
    try:
        address = ipaddress.IPv4Address(name)
    except ValueError:
        raise InvalidCouncilInput(
            f"download host {name!r} looks like an IP address but is not one written as four numbers (a.b.c.d)"
        ) from None
    if not address.is_global:
        kind = next(
            (label for label, flagged in (
                ("loopback", address.is_loopback),
                ("link-local", address.is_link_local),
                ("private", address.is_private),
            ) if flagged),
            "non-public",
        )  # fmt: skip
        raise InvalidCouncilInput(
            f"download host {name} is a {kind} IP address: files are never downloaded from the council's own "
            "network (for this machine, allow `localhost`, which only the embedded runtime fetches from)"
        )


def check_download_hosts(hosts: Iterable[str]) -> tuple[str, ...]:
    """Each host checked; duplicates dropped, first order kept."""
    if isinstance(hosts, str):
        raise InvalidCouncilInput("download hosts must be a list of host names, not one string")
    return tuple(dict.fromkeys(check_download_host(host) for host in hosts))


def check_reference_suffixes(suffixes: Mapping[str, str]) -> dict[str, str]:
    """ODP application type code -> reference suffix (a code's suffix also applies to its children)."""
    if not suffixes:
        return {}
    from shared.odp.catalogue import is_known_type, validate_suffix  # the catalogue: only when suffixes are set

    for code, suffix in suffixes.items():
        if not is_known_type(code):
            raise InvalidCouncilInput(f"reference suffixes: {code!r} is not an ODP application type code")
        try:
            validate_suffix(suffix)
        except ValueError:
            raise InvalidCouncilInput(
                f"reference suffix for {code} must be 2 to 6 capitals (digits allowed after the first): {suffix!r}"
            ) from None
    return dict(suffixes)


MAX_DETERMINATION_DAYS = 365


def check_determination_periods(periods: Mapping[str, int]) -> dict[str, int]:
    """ODP application type code -> calendar days from valid-from to expiry (a code's period covers its children)."""
    if not periods:
        return {}
    from shared.odp.catalogue import is_known_type

    for code, days in periods.items():
        if not is_known_type(code):
            raise InvalidCouncilInput(f"determination periods: {code!r} is not an ODP application type code")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DETERMINATION_DAYS:
            raise InvalidCouncilInput(
                f"determination period for {code} must be a whole number of days from 1 to {MAX_DETERMINATION_DAYS}:"
                f" {days!r}"
            )
    return dict(periods)
