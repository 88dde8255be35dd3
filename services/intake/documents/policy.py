"""The document fetcher's decisions, all pure: which URLs and addresses may be fetched, what a file is, what it is
called, why it failed (in words officers read), and what the documents side stream already holds."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote, urlsplit
from uuid import UUID

from events import RecordedEvent
from events.application import DocumentFetchFailed, DocumentFetchRequested, DocumentReceived

DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = frozenset({"localhost"})
MAX_FILE_NAME_LENGTH = 120
MB = 1024 * 1024
_PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Allowlists


@dataclass(frozen=True)
class AllowedHost:
    """One allowlist entry: `host` (the scheme's default port only) or `host:port` (that port only)."""

    host: str
    port: int | None = None

    def allows(self, host: str, port: int, scheme: str) -> bool:
        if host != self.host:
            return False
        return port == DEFAULT_PORTS[scheme] if self.port is None else port == self.port


def parse_allowlist(entries: Iterable[str]) -> tuple[AllowedHost, ...]:
    """The council's `allow_download_hosts` entries (already checked by the council rules) as rules."""
    rules = []
    for entry in entries:
        host, sep, port = entry.strip().lower().rpartition(":")
        if sep and port.isdigit() and host and not host.endswith(":"):
            rules.append(AllowedHost(_bare_host(host), int(port)))
        else:
            rules.append(AllowedHost(_bare_host(entry.strip().lower())))
    return tuple(rules)


def _bare_host(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


@dataclass(frozen=True)
class Target:
    """A URL that passed the allowlist: where to connect and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port

    @property
    def address_literal(self) -> IpAddress | None:
        """The host as an IP address when the URL names one (then the allowlist named that address explicitly)."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


class Refused(Exception):
    """A decision not to fetch, with the reason officers will read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_url(url: str, allowlist: Iterable[AllowedHost] | Iterable[str]) -> Target:
    """The URL's target if its scheme is http(s) and its host and port are on the allowlist, else Refused."""
    rules = tuple(rule if isinstance(rule, AllowedHost) else parse_allowlist([rule])[0] for rule in allowlist)
    shown = shorten(url)
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise Refused(f"the address {shown} contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(f"the address {shown} is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise Refused(f"the address {shown} is not an http or https URL")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Refused(f"the address {shown} names no host")
    if parts.username is not None or parts.password is not None:
        raise Refused(f"the address of host {host} carries a user name or password")
    port = port if port is not None else DEFAULT_PORTS[scheme]
    if not any(rule.allows(host, port, scheme) for rule in rules):
        where = host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
        raise Refused(f"host {where} is not on the council's download allowlist")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    path = quote(path, safe=_PRINTABLE_ASCII)  # percent-encode what is not ASCII, keep existing escapes
    return Target(url=url, scheme=scheme, host=host, port=port, path=path)


# Addresses


def address_problem(address: IpAddress) -> str | None:
    """What makes an address one we never connect to by name (private, loopback...), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_problem(address.ipv4_mapped)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    )
    for name, flagged in checks:
        if flagged:
            return name
    return None if address.is_global else "non-public"


def check_address(target: Target, address: IpAddress | str, allow_loopback: bool = False) -> None:
    """Refuse a resolved address unless it is public. Loopback is allowed only where the runtime allows it (the
    embedded one: `bops serve`, its demo and tests), and then only for a host named `localhost` or a loopback address
    written in the allowlist (it exactly). Private, link-local and other non-public addresses are always refused,
    even when written in the allowlist (the council rules refuse such entries; older settings may hold one)."""
    address = ipaddress.ip_address(address) if isinstance(address, str) else address
    problem = address_problem(address)
    if problem is None:
        return
    literal = target.address_literal
    named = target.host in LOOPBACK_NAMES or (literal is not None and _unmapped(literal) == _unmapped(address))
    if problem == "loopback" and named:
        if allow_loopback:
            return
        raise Refused(f"host {target.host} is this machine (loopback address {address}), fetched only by `bops serve`")
    raise Refused(f"host {target.host} resolves to {problem} address {address}, which is never fetched")


def check_addresses(
    target: Target, addresses: Iterable[IpAddress | str], allow_loopback: bool = False
) -> list[IpAddress]:
    """Every resolved address checked (one bad address refuses the host); the addresses to connect to, in order."""
    checked: list[IpAddress] = []
    for address in addresses:
        parsed = ipaddress.ip_address(address) if isinstance(address, str) else address
        check_address(target, parsed, allow_loopback)
        if parsed not in checked:
            checked.append(parsed)
    if not checked:
        raise Refused(f"host {target.host} has no address")
    return checked


def _unmapped(address: IpAddress) -> IpAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


# Content

MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def sniff(content: bytes) -> str | None:
    """The content type from the first bytes (PDF, PNG or JPEG), whatever the server or the file name claims."""
    for magic, content_type in MAGIC:
        if content.startswith(magic):
            return content_type
    return None


def check_content(content: bytes) -> str:
    """The content type of an acceptable file, else Refused."""
    content_type = sniff(content)
    if content_type is None:
        raise Refused(not_accepted_reason(content))
    return content_type


def not_accepted_reason(content: bytes) -> str:
    if not content:
        return "the file is empty"
    return f"not a PDF, PNG or JPEG (starts with {content[:5]!r})"


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
ALSO_ACCEPTED_EXTENSIONS: dict[str, tuple[str, ...]] = {"image/jpeg": (".jpeg",)}


def file_name(url: str, content_type: str | None = None) -> str:
    """The URL's last path segment, decoded and made safe as one document-store key part (ASCII letters, digits,
    `._-`; no leading dot; bounded length), ending in the detected type's extension when a type is given (`png.pdf`
    holding a PNG is stored as `png.png`). `document` plus the type's extension when nothing is left.

    Only ASCII is kept, so bidirectional controls cannot disguise the name: a right-to-left override that shows
    `plan\u202efdp.exe` as `planexe.pdf` is removed, leaving `planfdp.exe`, then `planfdp.pdf` for a PDF."""
    path = urlsplit(url).path
    segment = unquote(path.rstrip("/").rsplit("/", 1)[-1], errors="replace")
    segment = segment.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", segment).encode("ascii", "ignore").decode("ascii")
    name = _UNSAFE.sub("_", ascii_name).strip("._-")
    name = re.sub(r"_{2,}", "_", name)
    if not name or set(name) <= {".", "_", "-"}:
        return "document" + EXTENSIONS.get(content_type or "", "")
    stem, dot, extension = name.rpartition(".")
    if not (dot and stem and _EXTENSION.fullmatch(extension)):
        stem, extension = name, ""
    wanted = EXTENSIONS.get(content_type or "")
    if wanted is not None and "." + extension.lower() not in (
        wanted,
        *ALSO_ACCEPTED_EXTENSIONS.get(content_type or "", ()),
    ):
        extension = wanted[1:]
    suffix = "." + extension if extension else ""
    return stem[: MAX_FILE_NAME_LENGTH - len(suffix)] + suffix


def document_key(council: str, reference: str, document_id: str, name: str) -> str:
    return f"{council}/{reference}/documents/{document_id}/{name}"


# Retries and reasons


def is_retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def attempts_text(attempts: int) -> str:
    return f"after {attempts} attempt{'s' if attempts != 1 else ''}"


def http_reason(status: int, phrase: str, attempts: int) -> str:
    phrase = " ".join(phrase.split())[:80]
    return f"HTTP {status}{' ' + phrase if phrase else ''} {attempts_text(attempts)}"


def timed_out_reason(time_limit: float) -> str:
    return f"timed out: the submission's files were not all fetched within {time_limit:g} s"


def size_text(size: int) -> str:
    if size >= MB:
        return f"{size / MB:g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"


def too_large_reason(limit: int) -> str:
    return f"larger than {size_text(limit)}"


def shorten(url: str, limit: int = 200) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def scrub(text: str, *secrets: str | None) -> str:
    """The text with every secret replaced (reasons must never carry a credential, whatever an error said)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[credential]")
    return text


# The documents side stream


@dataclass(frozen=True)
class DocumentsState:
    """What the application's documents stream already records, by file index, and the stream's version.

    `requested` holds the files an officer asked to be fetched again (`DocumentFetchRequested`) whose outcome is not
    recorded yet, with the id of the request's event: the next outcome of such a file answers that request."""

    version: int = 0
    received: dict[int, str] = field(default_factory=dict)  # file index -> document id
    failed: dict[int, str] = field(default_factory=dict)  # file index -> reason
    requested: dict[int, UUID] = field(default_factory=dict)  # file index -> the pending request's event id

    def recorded(self, file_index: int) -> bool:
        return file_index in self.received or file_index in self.failed

    def pending(self, file_count: int) -> list[int]:
        return [index for index in range(file_count) if not self.recorded(index)]

    def awaiting(self, request_id: UUID, file_index: int) -> bool:
        """Whether this request to fetch the file again still waits for its outcome (False once it is recorded)."""
        return self.requested.get(file_index) == request_id


def fold(events: Iterable[RecordedEvent], state: DocumentsState | None = None) -> DocumentsState:
    """The state after these events: the first outcome recorded for a file index is the one that counts, until an
    officer asks for a failed file to be fetched again; then the first outcome after the request counts."""
    state = state or DocumentsState()
    received, failed, version = dict(state.received), dict(state.failed), state.version
    requested = dict(state.requested)
    for event in events:
        version = max(version, event.version)
        payload = event.payload
        if isinstance(payload, DocumentFetchRequested):
            index = payload.file_index
            if index in failed and index not in received and index not in requested:
                requested[index] = event.event_id
            continue
        if not isinstance(payload, DocumentReceived | DocumentFetchFailed):
            continue
        index = payload.file_index
        if (index in received or index in failed) and requested.pop(index, None) is None:
            continue  # a duplicate: the file's outcome is recorded and nobody asked again
        if isinstance(payload, DocumentReceived):
            received[index] = payload.document_id
            failed.pop(index, None)
        else:
            failed[index] = payload.reason
    return replace(state, version=version, received=received, failed=failed, requested=requested)
