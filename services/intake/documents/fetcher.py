"""Downloading one submitted file over HTTP(S): the `Fetcher` port and `SafeHttpFetcher`, its standard-library adapter.

`SafeHttpFetcher` only talks to hosts on the council's allowlist, resolves each host itself, refuses the whole host if
any resolved address is private, loopback, link-local, multicast, reserved or unspecified (loopback only when
`allow_loopback`, which the embedded runtime sets, for `localhost` or a loopback address the allowlist names), then
connects to a checked address (never resolving again, so DNS
rebinding cannot swap the address) while sending the host name in `Host` and, for https, in SNI and the certificate
check. Every redirect hop is checked the same way; credential headers are dropped when a redirect leaves the origin.
One attempt (redirects included) has a total time limit; bodies are read up to a size cap.

Bodies are streamed: `stream` hands the final response to a receiver while the body is still arriving, in chunks of
at most CHUNK_BYTES, so a 50 MB file never sits in memory (the service writes the chunks to the document store).

A `SafeHttpFetcher` may be used from several threads at once: each attempt opens its own connection, and the only
shared objects are its settings and a TLS context (safe to share), made once per process because loading the system's
CA certificates takes tens of milliseconds.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import urljoin

from services.intake.documents import policy
from services.intake.documents.policy import AllowedHost, IpAddress, Refused, Target

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_BYTES = 50 * policy.MB
DEFAULT_MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CREDENTIAL_HEADERS = frozenset({"api-key", "authorization", "cookie", "proxy-authorization"})
CHUNK_BYTES = 64 * 1024
USER_AGENT = "bops-intake-document-fetcher/1"


@dataclass(frozen=True)
class FetchResult:
    """The final response of one attempt (after redirects): a 2xx with its body, or any other status without one."""

    status: int
    body: bytes
    final_url: str
    reason: str = ""  # the HTTP reason phrase


@dataclass(frozen=True)
class FetchResponse:
    """The final response of one attempt (after redirects) while its body arrives: `chunks` yields a 2xx's body once,
    raising FetchRefused past the size cap and FetchFailed on a network error, a timeout or a body cut short; it
    yields nothing for any other status. Only valid inside the receiver."""

    status: int
    final_url: str
    reason: str
    chunks: Iterator[bytes]


T = TypeVar("T")


class FetchRefused(Exception):
    """The file must not be fetched (or kept): not allowed, too large, too many redirects. Never retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchFailed(Exception):
    """The attempt failed; `retryable` for network errors and timeouts. The reason never holds a credential."""

    def __init__(self, reason: str, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Fetcher(Protocol):
    def stream(self, url: str, headers: Mapping[str, str], receive: Callable[[FetchResponse], T]) -> T:
        """One attempt at the URL: what `receive` makes of the final response (called while its body arrives), or
        FetchRefused / FetchFailed (also raised through `receive` by the chunks)."""
        ...


Resolver = Callable[[str, int], Sequence[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for the host (IPv4 and IPv6)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class SafeHttpFetcher:
    """The real fetcher. `allowlist` holds the council's `allow_download_hosts` entries."""

    def __init__(
        self,
        allowlist: Sequence[str] | Sequence[AllowedHost],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        resolver: Resolver = resolve,
        ssl_context: ssl.SSLContext | None = None,
        allow_loopback: bool = False,
    ) -> None:
        self.allowlist = tuple(
            entry if isinstance(entry, AllowedHost) else policy.parse_allowlist([entry])[0] for entry in allowlist
        )
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.resolver = resolver
        self.ssl_context = ssl_context
        self.allow_loopback = allow_loopback

    def fetch(self, url: str, headers: Mapping[str, str]) -> FetchResult:
        """One attempt with the whole body in memory (small files, tests)."""
        return self.stream(url, headers, lambda r: FetchResult(r.status, b"".join(r.chunks), r.final_url, r.reason))

    def stream(self, url: str, headers: Mapping[str, str], receive: Callable[[FetchResponse], T]) -> T:
        _check_header_values(headers)
        deadline = time.monotonic() + self.timeout
        sent = dict(headers)
        current = url
        previous: Target | None = None
        for hop in range(self.max_redirects + 1):
            target = self._check(current, hop)
            if previous is not None and target.origin != previous.origin:
                sent = {name: value for name, value in sent.items() if name.lower() not in CREDENTIAL_HEADERS}
            addresses = self._addresses(target)
            connection: _Pinned | None = None
            try:
                with self._network_errors(target):
                    connection = self._connection(target, addresses, deadline)
                    connection.request("GET", target.path, headers=_request_headers(sent))
                    response = connection.getresponse()
                status, phrase = response.status, response.reason or ""
                location = response.getheader("Location") if status in REDIRECT_STATUSES else None
                if location:
                    if hop == self.max_redirects:
                        raise FetchRefused(f"more than {self.max_redirects} redirects")
                    previous, current = target, urljoin(current, location.strip())
                    continue
                ok = 200 <= status <= 299
                chunks = self._chunks(response, connection, deadline, target) if ok else iter(())
                return receive(FetchResponse(status, current, phrase, chunks))
            finally:
                if connection is not None:
                    connection.close()
        raise AssertionError("unreachable")

    def _check(self, url: str, hop: int) -> Target:
        try:
            return policy.check_url(url, self.allowlist)
        except Refused as refused:
            raise FetchRefused(refused.reason if hop == 0 else f"redirected: {refused.reason}") from None

    def _addresses(self, target: Target) -> list[IpAddress]:
        try:
            resolved = self.resolver(target.host, target.port)
        except (socket.gaierror, UnicodeError):
            raise FetchFailed(f"host {target.host} could not be resolved") from None
        try:
            return policy.check_addresses(target, resolved, self.allow_loopback)
        except Refused as refused:
            raise FetchRefused(refused.reason) from None

    @contextmanager
    def _network_errors(self, target: Target) -> Iterator[None]:
        """Network failures as FetchFailed, in words officers read (never with a credential in them)."""
        try:
            yield
        except TimeoutError:
            raise FetchFailed(f"timed out (limit {self.timeout:g} s per attempt)") from None
        except ssl.SSLCertVerificationError:
            raise FetchFailed(f"the TLS certificate of host {target.host} could not be verified", False) from None
        except ssl.SSLError:
            raise FetchFailed(f"the TLS connection to host {target.host} failed") from None
        except http.client.HTTPException:
            raise FetchFailed(f"host {target.host} sent an invalid or incomplete response") from None
        except ConnectionRefusedError:
            raise FetchFailed(f"host {target.host} refused the connection") from None
        except OSError as error:
            raise FetchFailed(f"network error talking to host {target.host} ({type(error).__name__})") from None

    def _connection(self, target: Target, addresses: list[IpAddress], deadline: float) -> _Pinned:
        if target.scheme == "https":
            context = self.ssl_context or default_tls_context()
            return PinnedHTTPSConnection(target.host, target.port, addresses, deadline, context)
        return PinnedHTTPConnection(target.host, target.port, addresses, deadline)

    def _chunks(
        self, response: http.client.HTTPResponse, connection: _Pinned, deadline: float, target: Target
    ) -> Iterator[bytes]:
        declared = response.getheader("Content-Length")
        length = int(declared) if declared and declared.strip().isdigit() else None
        if length is not None and length > self.max_bytes:
            raise FetchRefused(policy.too_large_reason(self.max_bytes))
        size = 0
        while True:
            with self._network_errors(target):
                connection.set_read_timeout(_remaining(deadline))
                chunk = response.read1(CHUNK_BYTES)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchRefused(policy.too_large_reason(self.max_bytes))
            yield chunk
        if length is not None and size < length:
            raise FetchFailed(f"host {target.host} closed the connection before the whole file arrived")


class _Pinned(Protocol):
    def request(self, method: str, url: str, body: None = None, headers: Mapping[str, str] = ...) -> None: ...

    def getresponse(self) -> http.client.HTTPResponse: ...

    def set_read_timeout(self, seconds: float) -> None: ...

    def close(self) -> None: ...


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to `host` (sent as Host) that connects only to the already checked addresses."""

    def __init__(self, host: str, port: int, addresses: Sequence[IpAddress], deadline: float) -> None:
        super().__init__(host, port, timeout=_remaining(deadline))
        self.addresses = tuple(addresses)
        self.deadline = deadline
        self.pinned_socket: socket.socket | None = None

    def connect(self) -> None:
        self.sock = self.pinned_socket = connect_any(self.addresses, self.port, self.deadline)

    def set_read_timeout(self, seconds: float) -> None:
        if self.pinned_socket is not None:
            self.pinned_socket.settimeout(seconds)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address, with SNI and certificate verification for the host name."""

    def __init__(
        self, host: str, port: int, addresses: Sequence[IpAddress], deadline: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=_remaining(deadline), context=context)
        self.addresses = tuple(addresses)
        self.deadline = deadline
        self.tls_context = context
        self.pinned_socket: socket.socket | None = None

    def connect(self) -> None:
        raw = connect_any(self.addresses, self.port, self.deadline)
        try:
            raw.settimeout(_remaining(self.deadline))
            self.sock = self.pinned_socket = self.tls_context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise

    def set_read_timeout(self, seconds: float) -> None:
        if self.pinned_socket is not None:
            self.pinned_socket.settimeout(seconds)


def connect_any(addresses: Sequence[IpAddress], port: int, deadline: float) -> socket.socket:
    """A TCP connection to the first of the addresses that accepts one before the deadline."""
    last_error: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if isinstance(address, ipaddress.IPv6Address) else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect((str(address), port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except TimeoutError:
            sock.close()
            raise
        except OSError as error:
            sock.close()
            last_error = error
    raise last_error or OSError("no address to connect to")


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the attempt's time limit passed")
    return remaining


def _request_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        "User-Agent": USER_AGENT,
        "Accept": "application/pdf, image/png, image/jpeg;q=0.9, */*;q=0.1",
        "Accept-Encoding": "identity",
        "Connection": "close",
        **headers,
    }


_default_tls_lock = threading.Lock()
_default_tls: ssl.SSLContext | None = None


def default_tls_context() -> ssl.SSLContext:
    """The process's certificate-verifying TLS context with the system's CA certificates, made on first use."""
    global _default_tls
    with _default_tls_lock:
        if _default_tls is None:
            _default_tls = ssl.create_default_context()
        return _default_tls


def _check_header_values(headers: Mapping[str, str]) -> None:
    """Refuse header values http.client would reject with the value in its error message (a credential, maybe)."""
    for name, value in headers.items():
        if not value.isascii() or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise FetchRefused(f"the {name} header value is not printable ASCII, so it cannot be sent")
