"""A deployed council's config (from CDK's environment) is overlaid by the settings recorded on its stream."""

from __future__ import annotations

import json

from events.council import CouncilSettingsChanges
from services.councils.service import CouncilService
from shared import wiring


def test_deployment_config_then_stream_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(
        "BOPS_COUNCIL_DEPLOYMENT",
        json.dumps(
            {
                "code": "BRK",
                "slug": "borchester",
                "name": "Borchester Council",
                "allow_download_hosts": ["api.editor.planx.uk"],
                "reference_suffixes": {"pp.full.householder": "HH"},
            }
        ),
    )
    wiring.reset()
    deps = wiring.dependencies()
    before = deps.council_settings("BRK")  # deployed, nothing recorded yet
    assert before.allow_download_hosts == ("api.editor.planx.uk",)
    assert before.reference_suffix("pp.full.householder") == "HH"
    service = CouncilService(deps.event_store, deps.clock)
    service.create_council("BRK", "Borchester Council", "borchester")
    service.change_settings("BRK", CouncilSettingsChanges(allow_download_hosts=("files.example.org",)))
    after = deps.council_settings("BRK")
    assert after.allow_download_hosts == ("files.example.org",)
    assert after.reference_suffix("pp.full.householder") == "HH"
