"""The officers' console session: the sign-in token in a cookie, and the CSRF token of every form.

The cookie is `__Host-bops_officer` (Secure, Path=/, no Domain: the browser binds it to this origin) whenever the page
is served over HTTPS — always on AWS, and locally behind a proxy that says `X-Forwarded-Proto: https` — and plain
`bops_officer` over local HTTP, where a browser refuses `Secure` and the `__Host-` prefix. Both are HttpOnly and
SameSite=Lax. The authorizer reads either (`session_token`), so the same officer routes work in both runtimes.

CSRF: every form carries a token derived from the session token (`csrf_token`: a keyed hash of it). A forger on
another site can neither read the cookie nor the pages, so cannot compute it; the handler compares in constant time
(`csrf_matches`). The sign-in form has no session yet: it uses a random token in its own short-lived cookie
(double submit, `SIGN_IN_CSRF_COOKIE`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import quote, urlencode, urlsplit

SESSION_COOKIE = "bops_officer"
SECURE_SESSION_COOKIE = "__Host-bops_officer"
SESSION_COOKIES = (SECURE_SESSION_COOKIE, SESSION_COOKIE)
SIGN_IN_CSRF_COOKIE = "bops_sign_in"
SECURE_SIGN_IN_CSRF_COOKIE = "__Host-bops_sign_in"
CSRF_FIELD = "csrf_token"
SIGN_IN_PATH = "/sign-in"
SIGN_OUT_PATH = "/sign-out"
CONSOLE_HOME = "/"
NEXT_FIELD = "next"
MAX_NEXT_LENGTH = 2048


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in (headers or {}).items() if key.lower() == wanted), None)


def cookies(headers: Mapping[str, str] | None) -> dict[str, str]:
    """The request's cookies (the first of each name)."""
    found: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if name.lower() != "cookie":
            continue
        for pair in value.split(";"):
            key, _, cookie = pair.strip().partition("=")
            if key and key not in found:
                found[key] = cookie.strip().strip('"')
    return found


def session_token(headers: Mapping[str, str] | None) -> str | None:
    """The session token of either cookie (the secure one first)."""
    jar = cookies(headers)
    return next((jar[name] for name in SESSION_COOKIES if jar.get(name)), None)


def served_over_https(headers: Mapping[str, str] | None, runtime: str) -> bool:
    """On AWS always (API Gateway answers HTTPS only); locally when a proxy in front says so."""
    return runtime == "aws" or (header(headers, "x-forwarded-proto") or "").lower() == "https"


def _cookie(name: str, value: str, https: bool, max_age: int, path: str = "/") -> str:
    secure = "; Secure" if https else ""
    return f"{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"


def session_cookie(token: str, https: bool, max_age: int) -> str:
    return _cookie(SECURE_SESSION_COOKIE if https else SESSION_COOKIE, token, https, max_age)


def cleared_session_cookies(https: bool) -> list[str]:
    """Set-Cookie values that remove the session (both names: the one of this scheme is the one that counts)."""
    if https:
        return [_cookie(SECURE_SESSION_COOKIE, "", True, 0), _cookie(SESSION_COOKIE, "", True, 0)]
    return [_cookie(SESSION_COOKIE, "", False, 0)]


def sign_in_csrf_cookie(value: str, https: bool, max_age: int = 3600) -> str:
    """The sign-in form's double-submit cookie (`max_age=0` removes it)."""
    return _cookie(SECURE_SIGN_IN_CSRF_COOKIE if https else SIGN_IN_CSRF_COOKIE, value, https, max_age)


def sign_in_csrf_value(headers: Mapping[str, str] | None) -> str | None:
    jar = cookies(headers)
    return jar.get(SECURE_SIGN_IN_CSRF_COOKIE) or jar.get(SIGN_IN_CSRF_COOKIE) or None


def new_csrf_value() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(session: str) -> str:
    """The forms' CSRF token of a session: a keyed hash of the session token (never the token itself)."""
    return hmac.new(session.encode("utf-8"), b"bops console csrf v1", hashlib.sha256).hexdigest()


def csrf_matches(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def safe_next(value: str | None) -> str:
    """Where sign-in returns to: a path on this site only (never an open redirect), else the console's home.

    A path starts with one `/` (not `//` nor `/\\`, which browsers read as another host), has no backslash, no
    control character or space, and is not the sign-in or sign-out page itself."""
    if not value or len(value) > MAX_NEXT_LENGTH or not value.startswith("/") or value.startswith("//"):
        return CONSOLE_HOME
    if "\\" in value or any(ord(character) <= 0x20 or ord(character) == 0x7F for character in value):
        return CONSOLE_HOME
    if value.split("?", 1)[0] in (SIGN_IN_PATH, SIGN_OUT_PATH):
        return CONSOLE_HOME
    return value


def sign_in_location(path: str, query: Mapping[str, str] | None = None) -> str:
    """The sign-in page that returns to `path` (with its query) once the officer has signed in."""
    wanted = quote(path, safe="/-_.~") + (f"?{urlencode(dict(query))}" if query else "")
    return f"{SIGN_IN_PATH}?{urlencode({NEXT_FIELD: safe_next(wanted)})}"


def sign_in_redirect_headers(path: str, query: Mapping[str, str] | None = None) -> dict[str, str]:
    """The headers of the 303 that sends a browser without a session to sign in (and back to `path` after)."""
    return {"Location": sign_in_location(path, query), "Cache-Control": "no-store"}


def sign_in_redirect_for(
    method: str, path: str, query: Mapping[str, str] | None, headers: Mapping[str, str] | None
) -> dict[str, str]:
    """The 303's headers for a browser whose session ended: a page asked for (GET) is returned to after sign-in; a
    form posted returns to the page it was sent from (its Referer, when it is this site's), where the officer sends it
    again, since nothing of it was stored."""
    if method == "GET":
        return sign_in_redirect_headers(path, query)
    wanted = CONSOLE_HOME
    referer = header(headers, "referer")
    if referer:
        parts = urlsplit(referer)
        if not parts.netloc or parts.netloc == header(headers, "host"):
            wanted = parts.path + (f"?{parts.query}" if parts.query else "")
    return {"Location": f"{SIGN_IN_PATH}?{urlencode({NEXT_FIELD: safe_next(wanted)})}", "Cache-Control": "no-store"}
