"""Whatever arrives at the applicant routes (bodies, content types, tokens, paths), the answer is never a 5xx and a
refused answer stores nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.assessment.applicant.pages import lambda_handler
from shared.apigateway import proxy_event
from tests.applicant.support import invalid_application

pytestmark = pytest.mark.xdist_group("applicant-pages")
CONTENT_TYPES = st.sampled_from(
    [
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "application/json",
        "text/plain",
        "",
        "multipart/form-data; boundary=",
    ]
)
BODIES = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda name, value: (
            b'--x\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + b"\r\n--x--\r\n"
        ),
        st.sampled_from([b"agreed", b"reason", b"response", b"document", b"", b'"', b"\xff"]),
        st.binary(max_size=100),
    ),
    st.builds(
        lambda value: json.dumps(value).encode(),
        st.dictionaries(
            st.sampled_from(["agreed", "reason", "response", "document", "x"]),
            st.one_of(
                st.none(),
                st.booleans(),
                st.text(max_size=20),
                st.integers(),
                st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
            ),
            max_size=4,
        ),
    ),
)


@pytest.fixture
def case(runtime):
    return invalid_application(runtime, ("description_change", "other_change"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    request_type=st.sampled_from(["description_change", "other_change"]),
    json_twin=st.booleans(),
    body=BODIES,
    content_type=CONTENT_TYPES,
    good_token=st.booleans(),
)
def test_nothing_is_a_5xx_and_nothing_refused_is_stored(case, request_type, json_twin, body, content_type, good_token):
    link = case.link(request_type, json_twin)
    if not good_token:
        link = link[:-2] + "xx"
    path, _, query = link.partition("?")
    resource = "/api/applicant/v1" if json_twin else "/applicant"
    resource += "/{council}/{reference}/validation_requests/{request_id}"
    _, council, reference, _, request_id = path.rsplit("/", 4)
    event = proxy_event(
        "POST",
        path,
        resource,
        {"council": council, "reference": reference, "request_id": request_id},
        [("Content-Type", content_type)] if content_type else [],
        [("token", query.removeprefix("token="))],
        body,
    )
    before = case.versions()
    response = lambda_handler(event, None)
    assert response["statusCode"] < 500, response
    if response["statusCode"] != 200:
        assert case.versions() == before
