"""SafeHttpFetcher against a real local HTTP(S) server: allowlist, address checks, redirects, caps and timeouts."""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.intake.documents.fetcher import FetchFailed, FetchRefused, SafeHttpFetcher, default_tls_context
from tests.intake.documents.support import CREDENTIAL, HUGE, PDF, PNG, FileServer, make_self_signed_certificate


def fetcher_for(*allowlist: str, **options) -> SafeHttpFetcher:
    return SafeHttpFetcher(allowlist, **{"allow_loopback": True, **options})  # the test servers are on 127.0.0.1


def resolving(mapping: dict[str, list[str]], calls: list[str] | None = None):
    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return mapping[host]

    return resolve


def test_fetches_a_file_from_an_allowlisted_address(server):
    result = fetcher_for(server.host).fetch(server.url("/files/plan.pdf"), {})
    assert (result.status, result.body, result.final_url) == (200, PDF, server.url("/files/plan.pdf"))
    [seen] = server.state.requests_to("/files/plan.pdf")
    assert seen.headers["host"] == server.host
    assert seen.headers["accept-encoding"] == "identity"


def test_error_statuses_are_returned_without_body(server):
    result = fetcher_for(server.host).fetch(server.url("/files/missing.pdf"), {})
    assert (result.status, result.reason, result.body) == (404, "Not Found", b"")


def test_a_host_not_on_the_allowlist_is_refused_before_resolving(server):
    calls: list[str] = []
    fetcher = fetcher_for("files.planx.uk", resolver=resolving({}, calls))
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch(server.url("/files/plan.pdf"), {})
    assert refused.value.reason == f"host {server.host} is not on the council's download allowlist"
    assert calls == []
    assert server.state.seen == []


class TestAddresses:
    def test_loopback_by_name_is_refused(self, server):
        fetcher = fetcher_for(
            f"files.example.test:{server.port}", resolver=resolving({"files.example.test": ["127.0.0.1"]})
        )
        with pytest.raises(FetchRefused, match=re.escape("resolves to loopback address 127.0.0.1")):
            fetcher.fetch(f"http://files.example.test:{server.port}/files/plan.pdf", {})
        assert server.state.seen == []

    def test_one_private_address_among_public_ones_refuses_the_host(self, server):
        resolver = resolving({"files.example.test": ["93.184.216.34", "10.20.30.40"]})
        with pytest.raises(FetchRefused, match=re.escape("resolves to private address 10.20.30.40")):
            fetcher_for("files.example.test", resolver=resolver).fetch("https://files.example.test/a.pdf", {})

    @pytest.mark.parametrize("address", ["169.254.169.254", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.251", "::"])
    def test_metadata_unspecified_mapped_and_multicast_addresses_are_refused(self, address):
        resolver = resolving({"files.example.test": [address]})
        with pytest.raises(FetchRefused, match="which is never fetched"):
            fetcher_for("files.example.test", resolver=resolver).fetch("http://files.example.test/a.pdf", {})

    def test_localhost_on_the_allowlist_means_loopback(self, server):
        result = fetcher_for(f"localhost:{server.port}").fetch(f"http://localhost:{server.port}/files/plan.pdf", {})
        assert result.body == PDF
        assert server.state.seen[0].headers["host"] == f"localhost:{server.port}"

    def test_connects_to_the_checked_address_and_resolves_once(self, server):
        calls: list[str] = []
        fetcher = fetcher_for(f"localhost:{server.port}", resolver=resolving({"localhost": ["127.0.0.1"]}, calls))
        assert fetcher.fetch(f"http://localhost:{server.port}/files/plan.pdf", {}).body == PDF
        assert calls == ["localhost"]  # http.client never resolved the name again

    def test_unresolvable_host_is_a_retryable_failure(self):
        def fail(host, port):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        with pytest.raises(FetchFailed) as failed:
            fetcher_for("files.example.test", resolver=fail).fetch("https://files.example.test/a.pdf", {})
        assert failed.value.retryable
        assert failed.value.reason == "host files.example.test could not be resolved"

    def test_connection_refused_is_retryable(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with pytest.raises(FetchFailed) as failed:
            fetcher_for(f"127.0.0.1:{port}").fetch(f"http://127.0.0.1:{port}/a.pdf", {})
        assert failed.value.retryable
        assert "refused the connection" in failed.value.reason


def test_one_fetcher_serves_several_threads_at_once(server):
    fetcher = fetcher_for(server.host)
    paths = [f"/named/{index}.pdf" for index in range(16)] + ["/files/photo.png", "/redirect/chain/2"]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda path: fetcher.fetch(server.url(path), {"api-key": CREDENTIAL}), paths))
    assert [(r.status, r.final_url) for r in results[:16]] == [(200, server.url(p)) for p in paths[:16]]
    assert [r.body for r in results[16:]] == [PNG, PDF]
    assert all(server.state.hits[path] == 1 for path in paths)


class TestRedirects:
    def test_same_host_redirect_is_followed(self, server):
        result = fetcher_for(server.host).fetch(server.url("/redirect/same"), {})
        assert result.body == PDF
        assert result.final_url == server.url("/files/plan.pdf")

    def test_redirect_to_another_allowed_host_is_followed(self, server):
        fetcher = fetcher_for(server.host, f"localhost:{server.port}")
        result = fetcher.fetch(server.url("/redirect/to-localhost"), {})
        assert result.body == PDF
        assert result.final_url == f"http://localhost:{server.port}/files/plan.pdf"

    def test_redirect_to_a_host_not_allowed_is_refused(self, server):
        with pytest.raises(FetchRefused) as refused:
            fetcher_for(server.host).fetch(server.url("/redirect/to-localhost"), {})
        assert refused.value.reason == (
            f"redirected: host localhost:{server.port} is not on the council's download allowlist"
        )
        with pytest.raises(FetchRefused, match=re.escape("redirected: host files.elsewhere.test is not on")):
            fetcher_for(server.host).fetch(server.url("/redirect/to-elsewhere"), {})
        with pytest.raises(FetchRefused, match=r"redirected: .* is not an http or https URL"):
            fetcher_for(server.host).fetch(server.url("/redirect/to-ftp"), {})

    def test_redirect_hops_get_the_address_checks(self, server):
        resolver = resolving({"127.0.0.1": ["127.0.0.1"], "files.elsewhere.test": ["10.0.0.1"]})
        fetcher = fetcher_for(server.host, "files.elsewhere.test", resolver=resolver)
        with pytest.raises(FetchRefused, match=re.escape("files.elsewhere.test resolves to private address 10.0.0.1")):
            fetcher.fetch(server.url("/redirect/to-elsewhere"), {})

    def test_at_most_three_redirects(self, server):
        assert fetcher_for(server.host).fetch(server.url("/redirect/chain/2"), {}).body == PDF  # 3 redirects
        with pytest.raises(FetchRefused) as refused:
            fetcher_for(server.host).fetch(server.url("/redirect/chain/3"), {})  # 4 redirects
        assert refused.value.reason == "more than 3 redirects"

    def test_credential_is_kept_on_the_same_origin_and_dropped_across_origins(self, server):
        fetcher = fetcher_for(server.host, f"localhost:{server.port}")
        fetcher.fetch(server.url("/redirect/same"), {"api-key": CREDENTIAL})
        assert server.state.requests_to("/files/plan.pdf")[0].headers["api-key"] == CREDENTIAL
        result = fetcher.fetch(server.url("/redirect/private-to-localhost"), {"api-key": CREDENTIAL})
        assert result.status == 403
        assert "api-key" not in server.state.requests_to("/private/plan.pdf")[0].headers


class TestLimits:
    def test_declared_length_over_the_cap_is_refused_before_reading(self, server):
        with pytest.raises(FetchRefused) as refused:
            fetcher_for(server.host, max_bytes=10_000).fetch(server.url("/files/huge.pdf"), {})
        assert refused.value.reason == "larger than 9.76562 KB"

    def test_streamed_body_over_the_cap_is_refused(self, server):
        with pytest.raises(FetchRefused, match="larger than 16 KB"):
            fetcher_for(server.host, max_bytes=16 * 1024).fetch(server.url("/files/huge-stream.pdf"), {})

    def test_under_the_cap_is_fine(self, server):
        result = fetcher_for(server.host, max_bytes=len(HUGE)).fetch(server.url("/files/huge-stream.pdf"), {})
        assert result.body == HUGE

    def test_slow_response_times_out(self, server):
        started = time.monotonic()
        with pytest.raises(FetchFailed) as failed:
            fetcher_for(server.host, timeout=0.3).fetch(server.url("/files/slow.pdf"), {})
        assert failed.value.retryable
        assert failed.value.reason == "timed out (limit 0.3 s per attempt)"
        assert time.monotonic() - started < 1.2

    def test_the_limit_is_for_the_whole_attempt_not_each_read(self, server):
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="timed out"):
            fetcher_for(server.host, timeout=0.5).fetch(server.url("/files/drip.pdf"), {})
        assert time.monotonic() - started < 1.5

    def test_header_values_that_cannot_be_sent_are_refused_without_echoing_them(self, server):
        with pytest.raises(FetchRefused) as refused:
            fetcher_for(server.host).fetch(server.url("/files/plan.pdf"), {"api-key": "abc\r\nX-Evil: 1"})
        assert "abc" not in refused.value.reason
        assert server.state.seen == []


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    return make_self_signed_certificate(tmp_path_factory.mktemp("tls"), "DNS:localhost")


@pytest.fixture
def https_server(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    running = FileServer(ssl_context=context).start()
    yield running
    running.stop()


class TestHttps:
    def test_https_checks_the_certificate_for_the_host_name_while_connecting_to_the_checked_address(
        self, https_server, certificate
    ):
        client = ssl.create_default_context(cafile=str(certificate[0]))
        calls: list[str] = []
        fetcher = fetcher_for(
            f"localhost:{https_server.port}",
            ssl_context=client,
            resolver=resolving({"localhost": ["127.0.0.1"]}, calls),
        )
        result = fetcher.fetch(f"https://localhost:{https_server.port}/private/plan.pdf", {"api-key": CREDENTIAL})
        assert (result.status, result.body) == (200, PDF)
        assert calls == ["localhost"]
        assert https_server.state.seen[0].headers["host"] == f"localhost:{https_server.port}"

    def test_a_certificate_for_another_name_is_not_accepted_nor_retried(self, https_server, certificate):
        client = ssl.create_default_context(cafile=str(certificate[0]))
        fetcher = fetcher_for(https_server.host, ssl_context=client)  # the cert names localhost, not 127.0.0.1
        with pytest.raises(FetchFailed) as failed:
            fetcher.fetch(f"https://127.0.0.1:{https_server.port}/files/plan.pdf", {})
        assert not failed.value.retryable
        assert failed.value.reason == "the TLS certificate of host 127.0.0.1 could not be verified"

    def test_an_untrusted_certificate_is_not_accepted(self, https_server):
        fetcher = fetcher_for(f"localhost:{https_server.port}")
        with pytest.raises(FetchFailed, match="could not be verified"):
            fetcher.fetch(f"https://localhost:{https_server.port}/files/plan.pdf", {})

    def test_the_default_tls_context_is_made_once_and_verifies(self):
        context = default_tls_context()
        assert context is default_tls_context()  # loading the CA certificates again for each file costs ~50 ms
        assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
