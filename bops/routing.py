"""Which declared route serves a request, and the refusal to serve a route whose authentication cannot be checked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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

    def match(self, method: str, path: str) -> tuple[BoundRoute, dict[str, str]] | Literal["method"] | None:
        """The route and its path parameters; "method" when the path exists for another method; None if unknown."""
        other_method = False
        for bound in self.routes:
            parameters = bound.route.matches(method, path)
            if parameters is not None:
                return bound, parameters
            if bound.route.matches(bound.route.method, path) is not None:
                other_method = True
        return "method" if other_method else None

    def handler(self, dotted: str) -> Callable[..., Any]:
        if dotted not in self._handlers:
            self._handlers[dotted] = load_handler(dotted)
        return self._handlers[dotted]
