"""Officers' sign-in tokens: they verify for 15 minutes of the injected clock and never after; forged, malformed and
other councils' or retired keys' tokens never verify; rotation keeps the previous key for its tokens' lifetime."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from services.councils.officer_tokens import (
    RING_CACHE_SECONDS,
    TOKEN_LIFETIME,
    InvalidToken,
    OfficerTokens,
    key_secret_name,
    parse_ring,
)
from shared.clock import FrozenClock
from shared.secrets.memory import InMemorySecrets

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class Ticks:
    """A monotonic clock the test moves (the key ring's cache)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def secrets() -> InMemorySecrets:
    return InMemorySecrets()


@pytest.fixture
def tokens(secrets, clock) -> OfficerTokens:
    return OfficerTokens(secrets, clock)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_token_names_its_council_and_officer_and_verifies_until_it_expires(tokens, clock, secrets):
    assert secrets.get(key_secret_name("DEMO")) is None
    token, expires_at = tokens.issue("DEMO", "officer-1")
    assert secrets.get(key_secret_name("DEMO")) is not None  # the key is created on first use
    assert expires_at == T0.replace(microsecond=0) + TOKEN_LIFETIME
    claims = tokens.verify(token)
    assert (claims.council, claims.officer_id, claims.expires_at) == ("DEMO", "officer-1", expires_at)
    clock.advance(TOKEN_LIFETIME - timedelta(seconds=1))
    assert tokens.verify(token).officer_id == "officer-1"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token)


def test_a_token_whose_claims_or_signature_changed_never_verifies(tokens):
    token, _ = tokens.issue("DEMO", "officer-1")
    prefix, key_id, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    for changed in ({**claims, "o": "officer-2"}, {**claims, "exp": claims["exp"] + 3600}):
        forged = ".".join([prefix, key_id, _b64(json.dumps(changed, separators=(",", ":")).encode()), signature])
        with pytest.raises(InvalidToken):
            tokens.verify(forged)
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for forged in (
        ".".join([prefix, key_id, body, flipped]),
        ".".join([prefix, key_id, body, ""]),
        ".".join([prefix, "kdeadbeef", body, signature]),
    ):
        with pytest.raises(InvalidToken):
            tokens.verify(forged)


@pytest.mark.parametrize(
    "token",
    ["", "bops_abc_def", "a.b.c.d", "bopso1.k1.@@@.sig", "bopso1..e30.", "bopso1.k1.e30.c2ln", "x" * 5000, "bopso1"],
)
def test_malformed_tokens_never_verify(tokens, token):
    tokens.issue("DEMO", "officer-1")
    with pytest.raises(InvalidToken):
        tokens.verify(token)


def test_a_token_is_valid_only_under_its_own_council_s_key(secrets, clock):
    tokens = OfficerTokens(secrets, clock)
    token, _ = tokens.issue("DEMO", "officer-1")
    tokens.issue("LBH", "officer-9")
    prefix, key_id, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    # The same claims naming another council, signed by the first council's key: refused.
    other = _b64(json.dumps({**claims, "c": "LBH"}, separators=(",", ":")).encode())
    with pytest.raises(InvalidToken):
        tokens.verify(".".join([prefix, key_id, other, signature]))
    # A key of another deployment (another secrets store) signs nothing this one trusts.
    elsewhere, _ = OfficerTokens(InMemorySecrets(), clock).issue("DEMO", "officer-1")
    with pytest.raises(InvalidToken):
        tokens.verify(elsewhere)


class CountingSecrets(InMemorySecrets):
    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def get(self, name: str) -> str | None:
        self.read.append(name)
        return super().get(name)


def test_a_council_s_stack_refuses_another_council_s_token_without_reading_its_key(clock):
    """On AWS a stack's role may read only its council's key ring: a token naming another is refused unread."""
    secrets = CountingSecrets()
    other, _ = OfficerTokens(secrets, clock).issue("LBH", "officer-9")  # valid where LBH is served
    own, _ = OfficerTokens(secrets, clock).issue("DEMO", "officer-1")
    served = OfficerTokens(secrets, clock, served="DEMO")
    secrets.read.clear()
    with pytest.raises(InvalidToken):
        served.verify(other)
    assert secrets.read == []
    assert served.verify(own).council == "DEMO"
    assert OfficerTokens(secrets, clock).verify(other).council == "LBH"  # embedded: every council is served


def test_a_token_lasting_longer_than_the_lifetime_is_refused_even_if_signed(tokens, secrets):
    import hashlib
    import hmac

    tokens.issue("DEMO", "officer-1")
    [key] = parse_ring(secrets.get(key_secret_name("DEMO")))
    claims = {"c": "DEMO", "o": "officer-1", "iat": int(T0.timestamp()), "exp": int(T0.timestamp()) + 86400}
    signed = f"bopso1.{key.id}.{_b64(json.dumps(claims).encode())}"
    token = f"{signed}.{_b64(hmac.new(key.secret, signed.encode(), hashlib.sha256).digest())}"
    with pytest.raises(InvalidToken):
        tokens.verify(token)


def test_rotation_keeps_the_previous_key_until_its_tokens_have_expired(secrets, clock):
    ticks = Ticks()
    signer = OfficerTokens(secrets, clock, ticks)
    verifier = OfficerTokens(secrets, clock, ticks)  # another process: it caches the key ring
    old, _ = signer.issue("DEMO", "officer-1")
    assert verifier.verify(old).officer_id == "officer-1"
    new_key = OfficerTokens(secrets, clock).rotate("DEMO")  # `bops officers rotate-signing-key`
    ticks.now += RING_CACHE_SECONDS
    new, _ = signer.issue("DEMO", "officer-1")
    assert new.split(".")[1] == new_key.id != old.split(".")[1]
    assert verifier.verify(new).officer_id == "officer-1"
    assert verifier.verify(old).officer_id == "officer-1"  # still within its lifetime
    clock.advance(TOKEN_LIFETIME)
    with pytest.raises(InvalidToken):
        verifier.verify(old)
    # A second rotation once the first's grace is over drops the oldest key from the ring altogether.
    clock.advance(timedelta(seconds=RING_CACHE_SECONDS))
    OfficerTokens(secrets, clock).rotate("DEMO")
    ring = parse_ring(secrets.get(key_secret_name("DEMO")))
    assert old.split(".")[1] not in {key.id for key in ring} and new_key.id in {key.id for key in ring}


def test_a_retired_key_never_verifies_even_a_token_that_has_not_expired(secrets, clock):
    tokens = OfficerTokens(secrets, clock)
    tokens.issue("DEMO", "officer-1")
    tokens.rotate("DEMO")
    clock.advance(TOKEN_LIFETIME + timedelta(seconds=RING_CACHE_SECONDS))
    [_, previous] = parse_ring(secrets.get(key_secret_name("DEMO")))
    import hashlib
    import hmac

    now = int(clock.now().timestamp())
    claims = {"c": "DEMO", "o": "officer-1", "iat": now, "exp": now + 60}
    signed = f"bopso1.{previous.id}.{_b64(json.dumps(claims).encode())}"
    token = f"{signed}.{_b64(hmac.new(previous.secret, signed.encode(), hashlib.sha256).digest())}"
    with pytest.raises(InvalidToken, match="retired"):
        tokens.verify(token)


def test_the_key_the_deployment_generated_signs_as_the_first_key(secrets, clock):
    secrets.put(key_secret_name("DEMO"), "generated-by-cloudformation-0123456789abcdef")
    tokens = OfficerTokens(secrets, clock)
    token, _ = tokens.issue("DEMO", "officer-1")
    assert tokens.verify(token).council == "DEMO"
    tokens.rotate("DEMO")  # the generated key becomes the previous one: its tokens keep verifying
    assert OfficerTokens(secrets, clock).verify(token).council == "DEMO"
