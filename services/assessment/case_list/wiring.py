"""The case list adapter of this runtime: SQLite beside the other read models (embedded), DynamoDB on AWS."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.assessment.case_list.port import CaseList
    from shared.wiring import Dependencies


def case_list(deps: Dependencies) -> CaseList:
    return deps.memo("case-list", _build)


def _build(deps: Dependencies) -> CaseList:
    if deps.settings.runtime == "aws":
        from services.assessment.case_list.dynamodb import DynamoDbCaseList

        table = deps.settings.read_model_table
        if not table:
            raise RuntimeError("BOPS_READ_MODEL_TABLE must be set when BOPS_RUNTIME=aws")
        return DynamoDbCaseList(table, deps.aws_client("dynamodb"))
    from services.assessment.case_list.sqlite import SqliteCaseList

    return SqliteCaseList(deps.settings.read_models_path)
