"""The public register: the read model of published applications and the public change feed, behind one port
(`port.PublicRegister`) with a SQLite FTS5 adapter (embedded) and a DynamoDB adapter (AWS)."""

from services.publication import PUBLIC_READ_MODEL

__all__ = ["PUBLIC_READ_MODEL"]
