"""Secrets made on first use (the applicant link secret, the officer token key, the checkpoint key): processes making
one at the same moment all go on with the one value that was stored (`SecretStore.put_if_absent`)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from services.councils.officer_tokens import OfficerTokens, key_secret_name
from shared.applicant_links import link_secret, link_secret_name
from shared.clock import SystemClock
from shared.eventstore.checkpoints import KEY_SECRET, checkpoint_key
from shared.secrets.local import LocalSecretsFile

RACERS = 6


def race(path, make):
    """Each racer has its own handle on the secrets file (as each process would) and starts at the same moment."""
    handles = [LocalSecretsFile(path) for _ in range(RACERS)]
    start = threading.Barrier(RACERS)

    def run(index):
        start.wait()
        return make(handles[index])

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(run, range(RACERS)))


def test_racing_first_links_share_one_link_secret(tmp_path):
    path = tmp_path / "secrets.json"
    answers = race(path, lambda store: link_secret(store, "DEMO", create=True))
    assert len(set(answers)) == 1
    assert LocalSecretsFile(path).get(link_secret_name("DEMO")).encode() == answers[0]


def test_racing_first_checkpoints_share_one_key(tmp_path):
    path = tmp_path / "secrets.json"
    answers = race(path, lambda store: checkpoint_key(store, create=True))
    assert len(set(answers)) == 1 and LocalSecretsFile(path).get(KEY_SECRET) == answers[0]


def test_racing_first_sign_ins_share_one_token_key(tmp_path):
    path = tmp_path / "secrets.json"
    issued = race(path, lambda store: OfficerTokens(store, SystemClock()).issue("DEMO", "officer-1")[0])
    verifier = OfficerTokens(LocalSecretsFile(path), SystemClock())
    assert LocalSecretsFile(path).get(key_secret_name("DEMO")) is not None
    assert [verifier.verify(token).officer_id for token in issued] == ["officer-1"] * RACERS
