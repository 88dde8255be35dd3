from __future__ import annotations

from shared.secrets import InMemorySecrets
from tests.secrets.contract import SecretStoreContract


class TestInMemorySecrets(SecretStoreContract):
    def make_store(self):
        return InMemorySecrets()

    def reopen(self, store):
        return store
