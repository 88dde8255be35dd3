"""schemathesis against the public OpenAPI documents, served by `bops serve`: every operation of each document is
called with generated parameters (valid and invalid ones), with a reference that exists and with generated ones, and
every answer must match the document (status, content type, body schema) and none may be a server error. (Whether a
generated request the document allows is accepted is not checked: a face may refuse a value its document does not
constrain, e.g. a range that ends before it starts.)

Bounded in time: `EXAMPLES` generated cases per operation (a few seconds per document)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from services.publication.read_model.wiring import public_register
from shared import wiring
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)
from tests.publication.register_contract import application

pytestmark = pytest.mark.slow

EXAMPLES = 12
# What the documents promise: no server error; the status, content type and body each as documented.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# The public documents: each face serves its own (a face not built yet is skipped).
DOCUMENTS = {"bops-v2": "/api/v2/public/openapi.json", "odp": "/api/@next/public/openapi.json"}
REFERENCES = ("26-00001-HAPP", "DEMO-26-00002-HAPP")


@pytest.fixture
def published(served: Served) -> Iterator[Served]:  # noqa: F811
    deps = wiring.dependencies()
    store = public_register(deps)
    for record in (
        application(1, status="determined", decision="granted"),
        application(2),
        application(1, council="LBH"),
    ):
        store.put(record, [])
    deps.documents.put("DEMO/26-00001-HAPP/plan-redacted.pdf", b"%PDF-1.4", "application/pdf")
    yield served


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_answer_matches_the_public_document(published, name):
    status, _, spec = published.client.request("GET", DOCUMENTS[name])
    if status == 404:
        pytest.skip(f"the {name} face serves no OpenAPI document yet")
    assert status == 200
    schema = schemathesis.openapi.from_dict(spec)
    base_url = published.client.base_url
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the document has no operation"
    for operation in operations:
        exercise(operation, base_url)


def exercise(operation: Any, base_url: str) -> None:
    references = st.sampled_from((None, *REFERENCES))

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), reference=references)
    def check(case: Any, reference: str | None) -> None:
        if reference is not None and case.path_parameters and "reference" in case.path_parameters:
            case.path_parameters["reference"] = reference
        response = case.call(base_url=base_url)
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.parametrize(
    ("module", "path"),
    [
        ("services.publication.odp.openapi", "/api/@next/public/applications/{reference}/documents/{documentId}/file"),
        (
            "services.publication.bops_v2.openapi",
            "/api/v2/public/planning_applications/{reference}/documents/{document_id}",
        ),
    ],
)
def test_file_routes_document_the_redirect_to_a_short_lived_link(module, path):
    """On AWS a file route answers 302 to a presigned S3 link (tests/cdk/test_wiring_public.py follows it): each face's
    document says so, with the Location header, beside the embedded runtime's 200."""
    import importlib
    import json

    answers = json.loads(importlib.import_module(module).document())["paths"][path]["get"]["responses"]
    assert {"200", "302"} <= set(answers)
    assert "Location" in answers["302"]["headers"]
