"""Which declared route serves a request, and the refusal to serve a route whose authentication cannot be checked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from shared.declarations import HttpFunction, Route, load_handler

# The methods API Gateway routes; any other token is answered 501 (a route may exist for another method: 405).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# What the embedded runtime can check before calling a handler: API keys and officer tokens go through the declared
# authorizer, as on API Gateway.
ENFORCED_AUTH = frozenset({"public", "api_key", "officer"})
AUTHORIZED = frozenset({"api_key", "officer"})


class UnenforceableRoute(ValueError):
    """A declared route needs an authentication this runtime cannot check: serving it would leave it open."""


@dataclass(frozen=True)
class BoundRoute:
    route: Route
    function: HttpFunction


class Router:
    def __init__(self, functions: Sequence[HttpFunction]) -> None:
        self.routes = [BoundRoute(route, function) for function in functions for route in function.routes]
        unenforced = [bound.route for bound in self.routes if bound.route.auth not in ENFORCED_AUTH]
        if unenforced:
            names = ", ".join(f"{route.method} {route.path} (auth={route.auth!r})" for route in unenforced)
            raise UnenforceableRoute(
                f"Refusing to serve routes whose authentication the embedded runtime cannot check: {names}. "
                f"It checks {', '.join(sorted(ENFORCED_AUTH))}."
            )
        self._handlers: dict[str, Callable[..., Any]] = {}

    def match(self, method: str, path: str) -> tuple[BoundRoute, dict[str, str]] | frozenset[str] | None:
        """The route and its path parameters (HEAD is served by the GET route); the path's methods when it exists only
        for others (a 405 lists them in `Allow`); None if the path is unknown.

        `path` is the request's raw (percent-encoded) path, matched as it came, so an encoded `/` (`%2F`) stays in its
        segment; the parameters are then percent-decoded, as API Gateway's REST proxy integration gives
        `pathParameters` (its event's `path` stays as sent). A `+` stays a `+`: only query strings encode spaces so."""
        methods: set[str] = set()
        for bound in self.routes:
            parameters = bound.route.matches(served_method(method), path)
            if parameters is not None:
                return bound, {name: unquote(value, errors="replace") for name, value in parameters.items()}
            if bound.route.matches(bound.route.method, path) is not None:
                methods.add(bound.route.method)
        return frozenset(methods) or None

    def handler(self, dotted: str) -> Callable[..., Any]:
        if dotted not in self._handlers:
            self._handlers[dotted] = load_handler(dotted)
        return self._handlers[dotted]


def served_method(method: str) -> str:
    """The method whose route serves a request: HEAD is a GET whose body is not sent (RFC 9110 section 9.3.2)."""
    return "GET" if method == "HEAD" else method


def allow(methods: frozenset[str]) -> str:
    """The `Allow` header of a 405 (RFC 9110 section 15.5.6): the path's methods, HEAD wherever GET is."""
    return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))
