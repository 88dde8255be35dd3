"""The applicant's secure link: the token is good for one request of one application of one council, nothing else."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.applicant_links import (
    NoLinkSecret,
    applicant_link,
    applicant_token,
    link_secret,
    link_secret_name,
    verify_applicant_token,
)
from shared.secrets import InMemorySecrets, LocalSecretsFile

SECRET = b"s" * 32
REQUEST = "2b7c1b7e-4d0e-4c57-9f55-b1a8a2f7a4e1"
OTHER_REQUEST = "9e0b0f59-05d8-4a43-8f1c-3b9f5a9a7c10"


def test_the_link_names_the_request_and_carries_its_token():
    link = applicant_link(SECRET, "https://planning.example.org/", "DEMO", "26-00001-HAPP", REQUEST)
    parts = urlsplit(link)
    assert parts.scheme == "https" and parts.netloc == "planning.example.org"
    assert parts.path == f"/applicant/DEMO/26-00001-HAPP/validation_requests/{REQUEST}"
    [token] = parse_qs(parts.query)["token"]
    assert token == applicant_token(SECRET, "DEMO", "26-00001-HAPP", REQUEST)
    assert len(token) == 43 and "=" not in token  # urlsafe base64 of 32 bytes, no padding
    assert verify_applicant_token(SECRET, "DEMO", "26-00001-HAPP", REQUEST, token)


@pytest.mark.parametrize(
    ("council", "reference", "request_id"),
    [
        ("OTHR", "26-00001-HAPP", REQUEST),  # another council
        ("DEMO", "26-00002-HAPP", REQUEST),  # another application
        ("DEMO", "26-00001-HAPP", OTHER_REQUEST),  # another request
    ],
)
def test_a_token_is_refused_for_anything_but_its_own_request(council, reference, request_id):
    token = applicant_token(SECRET, "DEMO", "26-00001-HAPP", REQUEST)
    assert not verify_applicant_token(SECRET, council, reference, request_id, token)


def test_forged_truncated_and_odd_tokens_are_refused():
    good = applicant_token(SECRET, "DEMO", "26-00001-HAPP", REQUEST)
    forged = applicant_token(b"t" * 32, "DEMO", "26-00001-HAPP", REQUEST)  # the right message, another key
    for token in (forged, good[:-1], good[:20], "", good + "A", good + "=", good.upper(), "é" * 43, "\x00" * 43):
        assert not verify_applicant_token(SECRET, "DEMO", "26-00001-HAPP", REQUEST, token), token


def test_the_separator_cannot_be_shifted_between_fields():
    token = applicant_token(SECRET, "DEMO", "26-00001-HAPP", REQUEST)
    assert not verify_applicant_token(SECRET, "DEMO:26", "00001-HAPP", REQUEST, token)


def test_the_secret_is_created_on_first_use_and_kept():
    store = InMemorySecrets()
    with pytest.raises(NoLinkSecret):
        link_secret(store, "DEMO")  # verifying never creates one
    assert store.get(link_secret_name("DEMO")) is None
    created = link_secret(store, "DEMO", create=True)
    assert len(created) >= 32
    assert link_secret(store, "DEMO") == created == link_secret(store, "DEMO", create=True)
    assert store.get("DEMO/applicant-link-secret") == created.decode()
    assert link_secret(store, "OTHR", create=True) != created  # one secret per council


def test_racing_first_uses_agree_on_the_stored_secret(tmp_path):
    store = LocalSecretsFile(tmp_path / "secrets.json")
    found: list[bytes] = []
    start = threading.Barrier(8)

    def first_use() -> None:
        start.wait()
        found.append(link_secret(store, "DEMO", create=True))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = link_secret(store, "DEMO")
    # Each racer re-read after its write: a racer may have read a value that a later write replaced (the documented
    # window), but whatever is stored now is one that some racer created, and every later use agrees on it.
    assert stored in found
    assert link_secret(store, "DEMO", create=True) == stored
