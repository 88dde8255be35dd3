"""The public register adapter of this runtime: SQLite beside the other read models (embedded), DynamoDB on AWS
(its own table, `BOPS_PUBLIC_REGISTER_TABLE`: the stack gives it only to the functions that declare the register)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.publication.read_model.port import PublicRegister
    from shared.wiring import Dependencies


def public_register(deps: Dependencies) -> PublicRegister:
    return deps.memo("public-register", _build)


def _build(deps: Dependencies) -> PublicRegister:
    if deps.settings.runtime == "aws":
        from services.publication.read_model.generations import SwitchingRegister

        table = deps.settings.public_register_table
        if not table:
            raise RuntimeError("BOPS_PUBLIC_REGISTER_TABLE must be set when BOPS_RUNTIME=aws")
        return SwitchingRegister(table, deps.aws_client("dynamodb"))  # the live partition (rebuilds switch it)
    from services.publication.read_model.sqlite import SqlitePublicRegister

    return SqlitePublicRegister(deps.settings.read_models_path)
