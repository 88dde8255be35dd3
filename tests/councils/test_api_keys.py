from __future__ import annotations

import hashlib
import re

from services.councils.api_keys import hash_api_key, key_matches, new_api_key, parse_key_id


def test_new_key_has_the_documented_format():
    issued = new_api_key()
    assert re.fullmatch(r"[0-9a-f]{12}", issued.key_id)
    assert re.fullmatch(rf"bops_{issued.key_id}_[A-Za-z0-9_-]{{43}}", issued.key)
    assert issued.prefix == f"bops_{issued.key_id}"
    assert issued.key_hash == hashlib.sha256(issued.key.encode()).hexdigest() == hash_api_key(issued.key)


def test_keys_are_random():
    keys = [new_api_key() for _ in range(50)]
    assert len({k.key for k in keys}) == len({k.key_id for k in keys}) == 50


def test_the_key_stays_out_of_repr():
    issued = new_api_key()
    assert issued.key not in repr(issued) and issued.key_id in repr(issued)


def test_parse_key_id():
    issued = new_api_key()
    assert parse_key_id(issued.key) == issued.key_id
    for bad in ["", "bops_", f"bops_{issued.key_id}", issued.key + "x", issued.key.replace("bops_", "pk_"), "x" * 61]:
        assert parse_key_id(bad) is None


def test_parse_key_id_copes_with_underscores_in_the_secret():
    key = "bops_0123456789ab_" + "_" * 43
    assert parse_key_id(key) == "0123456789ab"


def test_key_matches():
    issued = new_api_key()
    assert key_matches(issued.key, issued.key_hash)
    assert not key_matches(issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B"), issued.key_hash)
