"""The local secrets file: the contract, plus its mode, its refusal of readable files and several writing processes."""

from __future__ import annotations

import multiprocessing
import os
import stat

import orjson
import pytest

from shared.secrets import InsecureSecretsFile, LocalSecretsFile
from tests.secrets.contract import SecretStoreContract


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / "secrets.json"


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class TestLocalSecretsFile(SecretStoreContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path):
        self.directory = tmp_path

    def make_store(self):
        return LocalSecretsFile(self.directory / "secrets.json")

    def reopen(self, store):
        return LocalSecretsFile(store.path)


def test_nothing_is_created_until_a_secret_is_put(path):
    assert LocalSecretsFile(path).get("x") is None
    assert not path.exists()


def test_the_file_and_its_lock_are_readable_only_by_their_owner(path):
    previous = os.umask(0)  # even with a permissive umask
    try:
        LocalSecretsFile(path).put("notify-api-key", "key-123")
    finally:
        os.umask(previous)
    assert mode(path) == 0o600
    assert mode(path.with_name("secrets.json.lock")) == 0o600
    assert mode(path.parent) == 0o700
    assert orjson.loads(path.read_bytes()) == {"notify-api-key": "key-123"}


def test_rewrites_keep_the_mode_and_leave_no_temporary_files(path):
    secrets = LocalSecretsFile(path)
    for index in range(5):
        secrets.put(f"s{index}", "v")
    secrets.delete("s0")
    assert mode(path) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secrets.json", "secrets.json.lock"]


@pytest.mark.parametrize("bad_mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_a_file_other_users_can_read_or_write_is_refused(path, bad_mode):
    secrets = LocalSecretsFile(path)
    secrets.put("notify-api-key", "key-123")
    path.chmod(bad_mode)
    with pytest.raises(InsecureSecretsFile, match=rf"has mode {bad_mode:o}: other users could read it.*chmod 600"):
        secrets.get("notify-api-key")
    with pytest.raises(InsecureSecretsFile):
        secrets.put("other", "value")
    assert mode(path) == bad_mode  # refused, not silently fixed
    path.chmod(0o600)
    assert secrets.get("notify-api-key") == "key-123"


def test_a_symlink_is_not_followed(path, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    target.chmod(0o600)
    path.parent.mkdir()
    path.symlink_to(target)
    with pytest.raises(OSError):
        LocalSecretsFile(path).get("x")


def test_a_file_that_is_not_an_object_is_refused(path):
    path.parent.mkdir()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"[1, 2]")
    os.close(fd)
    with pytest.raises(ValueError, match="does not hold a JSON object"):
        LocalSecretsFile(path).get("x")


def _put_many(path: str, worker: int, count: int) -> None:
    secrets = LocalSecretsFile(path)
    for index in range(count):
        secrets.put(f"worker-{worker}/{index}", f"value {worker} {index}")


def test_several_processes_lose_no_write(path):
    LocalSecretsFile(path).put("before", "x")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_put_many, args=(str(path), worker, 15)) for worker in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    values = orjson.loads(path.read_bytes())
    assert len(values) == 1 + 4 * 15
    assert values["worker-3/14"] == "value 3 14"
