"""The secure link an applicant answers a validation request through: no login, the link itself is the credential.

The link names the council, the application and the request, and carries `token` = HMAC-SHA256 over
`council:reference:request_id` under the council's link secret (urlsafe base64, no padding). The notifications
service builds it with `applicant_link`; the applicant pages check it with `verify_applicant_token` (constant time).
A token is good for exactly one request of one application of one council; the pages also refuse it once the request
is closed or cancelled (that is the domain's state, not the token's).

The secret lives in the secrets store under `{council}/applicant-link-secret`, never in the log. On AWS the stack
creates it (a generated value, readable by the functions that declare it); embedded, the first caller that issues a
link creates it (`link_secret(..., create=True)`) with the store's `put_if_absent`: two first uses at the same moment
both go on with the one value that was stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import quote

from shared.secrets.port import SecretStore

LINK_SECRET = "{council}/applicant-link-secret"  # the secret's name, `{council}` standing for the council's code
SECRET_BYTES = 32


class NoLinkSecret(LookupError):
    """The council has no link secret yet: it has never issued a link, so no link of it can be good."""


def link_secret_name(council: str) -> str:
    return LINK_SECRET.format(council=council)


def link_secret(store: SecretStore, council: str, *, create: bool = False) -> bytes:
    """The council's link secret (the UTF-8 bytes of the stored value, whatever produced it).

    With `create`, a missing secret is made from `secrets.token_bytes` if absent (atomically), so two racing first
    uses agree on the value that was stored.
    """
    name = link_secret_name(council)
    value = store.get(name)
    if value is None:
        if not create:
            raise NoLinkSecret(f"council {council} has no applicant link secret")
        value = store.put_if_absent(name, base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii"))
    return value.encode("utf-8")


def applicant_token(secret: bytes, council: str, reference: str, request_id: str) -> str:
    """HMAC-SHA256 over `council:reference:request_id`, urlsafe base64 without padding (43 characters)."""
    message = f"{council}:{reference}:{request_id}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verify_applicant_token(secret: bytes, council: str, reference: str, request_id: str, token: str) -> bool:
    """Whether `token` is this request's token (constant-time comparison; any other string is simply False)."""
    if not isinstance(token, str) or not token.isascii():
        return False
    expected = applicant_token(secret, council, reference, request_id)
    return hmac.compare_digest(expected.encode("ascii"), token.encode("ascii"))


def applicant_path(council: str, reference: str, request_id: str) -> str:
    """The page's path (without the token): `/applicant/{council}/{reference}/validation_requests/{request_id}`."""
    parts = (quote(part, safe="") for part in (council, reference, request_id))
    return "/applicant/{}/{}/validation_requests/{}".format(*parts)


def applicant_link(secret: bytes, base_url: str, council: str, reference: str, request_id: str) -> str:
    """`{base_url}/applicant/{council}/{reference}/validation_requests/{request_id}?token={hmac}`."""
    token = applicant_token(secret, council, reference, request_id)
    return f"{base_url.rstrip('/')}{applicant_path(council, reference, request_id)}?token={token}"
