"""The one contract suite every SecretStore adapter passes (subclass it and provide `make_store` and `reopen`)."""

from __future__ import annotations

import abc
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.secrets import SecretStore


class SecretStoreContract(abc.ABC):
    @abc.abstractmethod
    def make_store(self) -> SecretStore:
        """A fresh, empty store of the adapter under test."""

    @abc.abstractmethod
    def reopen(self, store: SecretStore) -> SecretStore:
        """Another handle on the same secrets (another process would open one)."""

    @pytest.fixture
    def store(self) -> SecretStore:
        return self.make_store()

    def test_a_missing_secret_is_none(self, store):
        assert store.get("officer-password/nobody") is None

    def test_put_then_get(self, store):
        store.put("notify-api-key", "key-123")
        assert store.get("notify-api-key") == "key-123"

    def test_put_replaces(self, store):
        store.put("notify-api-key", "old")
        store.put("notify-api-key", "new")
        assert store.get("notify-api-key") == "new"

    def test_secrets_are_separate(self, store):
        store.put("officer-password/o-1", "one")
        store.put("officer-password/o-2", "two")
        assert (store.get("officer-password/o-1"), store.get("officer-password/o-2")) == ("one", "two")

    def test_delete(self, store):
        store.put("officer-password/o-1", "one")
        store.put("officer-password/o-2", "two")
        store.delete("officer-password/o-1")
        assert store.get("officer-password/o-1") is None
        assert store.get("officer-password/o-2") == "two"

    def test_delete_of_a_missing_secret_does_nothing(self, store):
        store.delete("never-there")
        assert store.get("never-there") is None

    def test_put_after_delete(self, store):
        store.put("link-secret", "a")
        store.delete("link-secret")
        store.put("link-secret", "b")
        assert store.get("link-secret") == "b"

    def test_values_keep_every_character(self, store):
        value = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA "quoted" \\ ünïcødé\nline 2'
        store.put("officer-password/o-1", value)
        assert store.get("officer-password/o-1") == value

    @pytest.mark.parametrize("value", ["", "x" * 65537])
    def test_empty_and_huge_values_are_refused(self, store, value):
        with pytest.raises(ValueError, match="a secret value must be 1 to 65536 bytes"):
            store.put("name", value)
        assert store.get("name") is None

    def test_another_handle_sees_the_same_secrets(self, store):
        store.put("notify-api-key", "key-123")
        other = self.reopen(store)
        assert other.get("notify-api-key") == "key-123"
        other.delete("notify-api-key")
        assert store.get("notify-api-key") is None

    @pytest.mark.parametrize("name", ["", "has space", "semi;colon", "ünï", "x" * 257])
    def test_bad_names_are_refused(self, store, name):
        with pytest.raises(ValueError, match="secret name"):
            store.put(name, "value")

    def test_values_must_be_strings(self, store):
        with pytest.raises(TypeError, match="a secret value must be a string"):
            store.put("name", b"bytes")  # type: ignore[arg-type]

    def test_put_if_absent_creates_a_missing_secret(self, store):
        assert store.put_if_absent("link-secret/DEMO", "first") == "first"
        assert store.get("link-secret/DEMO") == "first"

    def test_put_if_absent_keeps_an_existing_secret(self, store):
        store.put("link-secret/DEMO", "first")
        assert store.put_if_absent("link-secret/DEMO", "second") == "first"
        assert store.get("link-secret/DEMO") == "first"

    def test_put_if_absent_checks_names_and_values(self, store):
        with pytest.raises(ValueError, match="secret name"):
            store.put_if_absent("has space", "value")
        with pytest.raises(ValueError, match="a secret value must be 1 to 65536 bytes"):
            store.put_if_absent("name", "")
        assert store.get("name") is None

    def test_racing_first_uses_all_get_the_one_stored_value(self, store):
        """Eight handles (as eight processes would have) create the same first-use secret at once."""
        handles = [self.reopen(store) for _ in range(8)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda i: handles[i].put_if_absent("token-key/DEMO", f"value-{i}"), range(8)))
        assert len(set(answers)) == 1
        assert store.get("token-key/DEMO") == answers[0]
