"""The document fetcher imports only what its usual first message needs.

A submission's files are listed in its event (`PlanningApplicationSubmitted.submission.files`); the ODP model and its
schema validator are only needed to re-read the original when the list was too long for the event
(`services.intake.originals`), so the handler and what its first call imports must not load them. Nor the ODP type
catalogue (the council settings need it only for reference suffixes) or the event store's audit (`verify`).
"""

from __future__ import annotations

from tests.module_probe import modules_loaded_after

FIRST_CALL = (  # the handler module and what `handle` imports on its first message
    "services.intake.documents.handler",
    "services.intake.documents.credentials",
    "services.intake.documents.fetcher",
    "services.intake.documents.service",
    "shared.wiring",
    "shared.eventstore.dynamodb",  # the event store the Lambda's wiring builds
    "shared.councils.settings",  # the council's settings, read first
)


def loaded_after_importing(modules: tuple[str, ...]) -> list[str]:
    return modules_loaded_after("\n".join(f"importlib.import_module({name!r})" for name in modules))


def test_the_document_fetcher_loads_neither_the_odp_model_nor_its_validator():
    loaded = loaded_after_importing(FIRST_CALL)
    assert "services.intake.originals" in loaded  # the probe did import the code that may re-read an original
    for module in (
        "shared.odp.model",
        "shared.odp.parse",
        "shared.odp.validation",
        "jsonschema_rs",
        "shared.odp.catalogue",
        "shared.eventstore.verification",
    ):
        assert module not in loaded
