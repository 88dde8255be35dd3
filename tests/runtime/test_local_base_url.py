"""`bops serve` on any port: a council without a public base URL is linked (e-mails, public faces) where it serves."""

from __future__ import annotations

import socket

import pytest

from bops.runtime import local_base_url
from shared import wiring


def test_a_council_without_a_base_url_of_its_own_is_linked_at_the_served_port(runtime):
    from services.councils.service import CouncilService

    deps = wiring.dependencies()
    CouncilService(deps.event_store, deps.clock).create_council("TEST", "Test Council", "test")
    port = runtime.server.server_address[1]
    assert port != 8000
    assert wiring.dependencies().council_settings("TEST").public_base_url == f"http://localhost:{port}"


@pytest.mark.parametrize(
    ("family", "host", "expected"),
    [
        (socket.AF_INET, "127.0.0.1", "http://localhost:{port}"),
        (socket.AF_INET, "0.0.0.0", "http://localhost:{port}"),
        (socket.AF_INET6, "::1", "http://localhost:{port}"),
    ],
)
def test_a_loopback_or_every_interface_address_is_named_localhost(family, host, expected):
    try:
        listening = socket.socket(family, socket.SOCK_STREAM)
        listening.bind((host, 0))
    except OSError:
        pytest.skip(f"{host} cannot be bound here")
    with listening:
        assert local_base_url(listening) == expected.format(port=listening.getsockname()[1])
