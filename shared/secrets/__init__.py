"""Secrets, never in the event log: a port and its adapters (a local file, AWS Secrets Manager, memory)."""

from shared.secrets.local import InsecureSecretsFile, LocalSecretsFile
from shared.secrets.memory import InMemorySecrets
from shared.secrets.port import SecretStore

__all__ = ["InMemorySecrets", "InsecureSecretsFile", "LocalSecretsFile", "SecretStore"]
