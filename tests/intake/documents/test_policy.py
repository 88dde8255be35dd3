"""The fetcher's pure decisions: allowlist, addresses, content, names, reasons and the documents-stream fold."""

from __future__ import annotations

import re

import pytest

from events import RecordedEvent
from events.application import DocumentFetchFailed, DocumentFetchRequested, DocumentReceived
from services.intake.documents import policy
from services.intake.documents.credentials import (
    download_credential_name,
    load_download_credential,
    store_download_credential,
)
from services.intake.documents.policy import AllowedHost, Refused
from shared.secrets import InMemorySecrets
from tests.intake.documents.support import JPEG, PDF, PNG, T0
from tests.intake.support import recorded_events


def allow(*entries: str) -> tuple[AllowedHost, ...]:
    return policy.parse_allowlist(entries)


class TestAllowlist:
    def test_entries_with_and_without_port(self):
        assert allow("files.planx.uk", "127.0.0.1:8123") == (
            AllowedHost("files.planx.uk"),
            AllowedHost("127.0.0.1", 8123),
        )

    @pytest.mark.parametrize(
        "url",
        ["https://files.planx.uk/a.pdf", "http://files.planx.uk/a.pdf", "https://FILES.planx.uk:443/a.pdf"],
    )
    def test_host_without_port_allows_the_default_ports(self, url):
        target = policy.check_url(url, allow("files.planx.uk"))
        assert target.host == "files.planx.uk"
        assert target.port in (80, 443)

    @pytest.mark.parametrize("url", ["https://files.planx.uk:8443/a.pdf", "http://files.planx.uk:443/a.pdf"])
    def test_host_without_port_refuses_other_ports(self, url):
        with pytest.raises(Refused, match="is not on the council's download allowlist"):
            policy.check_url(url, allow("files.planx.uk"))

    def test_host_with_port_allows_that_port_only(self):
        assert policy.check_url("http://127.0.0.1:8123/x.pdf", allow("127.0.0.1:8123")).port == 8123
        with pytest.raises(Refused, match=r"host 127\.0\.0\.1:8124 is not on"):
            policy.check_url("http://127.0.0.1:8124/x.pdf", allow("127.0.0.1:8123"))
        with pytest.raises(Refused, match=re.escape("host 127.0.0.1 is not on")):
            policy.check_url("http://127.0.0.1/x.pdf", allow("127.0.0.1:8123"))

    def test_unlisted_host_reason(self):
        with pytest.raises(Refused) as refused:
            policy.check_url("https://files.planx.uk/a.pdf", allow("api.editor.planx.dev"))
        assert refused.value.reason == "host files.planx.uk is not on the council's download allowlist"

    def test_subdomains_are_not_allowed_by_their_parent(self):
        with pytest.raises(Refused):
            policy.check_url("https://evil.files.planx.uk/a.pdf", allow("files.planx.uk"))
        with pytest.raises(Refused):
            policy.check_url("https://files.planx.uk.evil.example/a.pdf", allow("files.planx.uk"))

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("ftp://files.planx.uk/a.pdf", "is not an http or https URL"),
            ("file:///etc/passwd", "is not an http or https URL"),
            ("files.planx.uk/a.pdf", "is not an http or https URL"),
            ("https:///a.pdf", "names no host"),
            ("https://user:pw@files.planx.uk/a.pdf", "carries a user name or password"),
            ("https://files.planx.uk:99999/a.pdf", "is not a valid URL"),
            ("https://files.planx.uk/a b.pdf", "spaces or control characters"),
            ("https://files.planx.uk/a.pdf\r\nX-Injected: 1", "spaces or control characters"),
        ],
    )
    def test_malformed_or_unsafe_urls(self, url, reason):
        with pytest.raises(Refused, match=reason):
            policy.check_url(url, allow("files.planx.uk"))

    def test_request_path_keeps_query_and_encodes_non_ascii(self):
        target = policy.check_url("https://files.planx.uk/plans/été.pdf?v=2#frag", allow("files.planx.uk"))
        assert target.path == "/plans/%C3%A9t%C3%A9.pdf?v=2"


class TestAddresses:
    @pytest.mark.parametrize(
        ("address", "problem"),
        [
            ("127.0.0.1", "loopback"),
            ("::1", "loopback"),
            ("10.1.2.3", "private"),
            ("192.168.0.10", "private"),
            ("172.16.5.4", "private"),
            ("fc00::1", "private"),
            ("169.254.169.254", "link-local"),
            ("fe80::1", "link-local"),
            ("224.0.0.1", "multicast"),
            ("ff02::1", "multicast"),
            ("0.0.0.0", "unspecified"),
            ("::", "unspecified"),
            ("240.0.0.1", "private"),  # reserved, which Python also counts as private
            ("100.64.0.1", "non-public"),  # carrier-grade NAT
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:10.0.0.1", "private"),
        ],
    )
    def test_non_public_addresses(self, address, problem):
        import ipaddress

        assert policy.address_problem(ipaddress.ip_address(address)) == problem

    @pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
    def test_public_addresses(self, address):
        import ipaddress

        assert policy.address_problem(ipaddress.ip_address(address)) is None

    def test_every_resolved_address_is_checked(self):
        target = policy.check_url("https://files.planx.uk/a.pdf", allow("files.planx.uk"))
        assert [str(a) for a in policy.check_addresses(target, ["93.184.216.34", "8.8.8.8"])] == [
            "93.184.216.34",
            "8.8.8.8",
        ]
        with pytest.raises(Refused) as refused:
            policy.check_addresses(target, ["93.184.216.34", "10.0.0.7"])
        assert refused.value.reason == (
            "host files.planx.uk resolves to private address 10.0.0.7, which is never fetched"
        )

    def test_a_loopback_address_named_in_the_allowlist_is_allowed_where_loopback_is(self):
        target = policy.check_url("http://127.0.0.1:8123/a.pdf", allow("127.0.0.1:8123"))
        policy.check_addresses(target, ["127.0.0.1"], allow_loopback=True)
        with pytest.raises(Refused):
            policy.check_addresses(target, ["127.0.0.2"], allow_loopback=True)  # only the address named
        with pytest.raises(Refused, match=re.escape("is this machine (loopback address 127.0.0.1), fetched only by")):
            policy.check_addresses(target, ["127.0.0.1"])

    def test_a_private_address_is_refused_even_when_the_allowlist_names_it(self):
        target = policy.check_url("http://10.0.0.5/a.pdf", allow("10.0.0.5"))
        with pytest.raises(Refused, match=re.escape("resolves to private address 10.0.0.5")):
            policy.check_addresses(target, ["10.0.0.5"], allow_loopback=True)

    def test_localhost_means_loopback_only_and_only_where_loopback_is_allowed(self):
        target = policy.check_url("http://localhost:8123/a.pdf", allow("localhost:8123"))
        policy.check_addresses(target, ["127.0.0.1", "::1"], allow_loopback=True)
        with pytest.raises(Refused, match=re.escape("resolves to private address 10.0.0.5")):
            policy.check_addresses(target, ["127.0.0.1", "10.0.0.5"], allow_loopback=True)
        with pytest.raises(Refused, match=re.escape("host localhost is this machine (loopback address 127.0.0.1)")):
            policy.check_addresses(target, ["127.0.0.1"])  # on AWS: the Lambda runtime API listens there

    def test_a_name_resolving_to_loopback_is_refused(self):
        target = policy.check_url("https://files.planx.uk/a.pdf", allow("files.planx.uk"))
        with pytest.raises(Refused, match=re.escape("resolves to loopback address 127.0.0.1")):
            policy.check_addresses(target, ["127.0.0.1"])

    def test_no_address(self):
        target = policy.check_url("https://files.planx.uk/a.pdf", allow("files.planx.uk"))
        with pytest.raises(Refused, match="has no address"):
            policy.check_addresses(target, [])


class TestContent:
    @pytest.mark.parametrize(
        ("content", "content_type"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
    )
    def test_sniffed_by_magic(self, content, content_type):
        assert policy.sniff(content) == content_type
        assert policy.check_content(content) == content_type

    @pytest.mark.parametrize(
        ("content", "reason"),
        [
            (b"<html><body>login</body></html>", "not a PDF, PNG or JPEG (starts with b'<html')"),
            (b"PK\x03\x04zipfile", "not a PDF, PNG or JPEG (starts with b'PK\\x03\\x04z')"),
            (b" %PDF-1.4", "not a PDF, PNG or JPEG (starts with b' %PDF')"),
            (b"", "the file is empty"),
        ],
    )
    def test_anything_else_is_refused(self, content, reason):
        assert policy.sniff(content) is None
        with pytest.raises(Refused) as refused:
            policy.check_content(content)
        assert refused.value.reason == reason


class TestFileNames:
    @pytest.mark.parametrize(
        ("url", "name"),
        [
            ("https://api.editor.planx.dev/file/private/tbp4kiba/myPlans.pdf", "myPlans.pdf"),
            ("https://x.uk/files/Site%20Plan%20(rev%202).pdf", "Site_Plan_rev_2_.pdf"),
            ("https://x.uk/files/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "passwd"),
            ("https://x.uk/files/..%5C..%5Cboot.ini", "boot.ini"),
            ("https://x.uk/files/.hidden.pdf", "hidden.pdf"),
            ("https://x.uk/files/plan%C3%A9.pdf?download=1", "plane.pdf"),
            ("https://x.uk/files/%00evil.pdf", "evil.pdf"),
            ("https://x.uk/files/", "files"),
        ],
    )
    def test_sanitised(self, url, name):
        assert policy.file_name(url) == name

    def test_nothing_left_gives_a_generic_name(self):
        assert policy.file_name("https://x.uk/", "image/png") == "document.png"
        assert policy.file_name("https://x.uk/%2E%2E", "application/pdf") == "document.pdf"

    @pytest.mark.parametrize(
        ("url", "content_type", "name"),
        [
            ("https://x.uk/png.pdf", "image/png", "png.png"),
            ("https://x.uk/plan%E2%80%AEfdp.exe", "application/pdf", "planfdp.pdf"),  # shown as planexe.pdf
            ("https://x.uk/%E2%80%AEgpj.exe", "image/jpeg", "gpj.jpg"),
            ("https://x.uk/a%E2%80%8F%E2%81%A6b%E2%81%A9.pdf", "application/pdf", "ab.pdf"),  # bidi marks, isolates
            ("https://x.uk/photo.JPEG", "image/jpeg", "photo.JPEG"),
            ("https://x.uk/site.plan.PDF", "application/pdf", "site.plan.PDF"),
            ("https://x.uk/plan", "application/pdf", "plan.pdf"),
            ("https://x.uk/plan.pdf.", "image/png", "plan.png"),
            ("https://x.uk/report.final%20version", "application/pdf", "report.final_version.pdf"),
        ],
    )
    def test_the_extension_is_the_detected_types(self, url, content_type, name):
        assert policy.file_name(url, content_type) == name

    def test_a_long_name_with_a_wrong_extension(self):
        name = policy.file_name("https://x.uk/" + "a" * 500 + ".exe", "application/pdf")
        assert len(name) == policy.MAX_FILE_NAME_LENGTH and name.endswith("a.pdf")

    def test_long_names_keep_their_extension(self):
        name = policy.file_name("https://x.uk/" + "a" * 500 + ".pdf")
        assert len(name) == policy.MAX_FILE_NAME_LENGTH
        assert name.endswith("a.pdf")

    def test_key(self):
        assert policy.document_key("DEMO", "26-00001-HAPP", "d1", "a.pdf") == ("DEMO/26-00001-HAPP/documents/d1/a.pdf")


class TestReasons:
    def test_http_reasons(self):
        assert policy.http_reason(404, "Not Found", 1) == "HTTP 404 Not Found after 1 attempt"
        assert policy.http_reason(503, "", 3) == "HTTP 503 after 3 attempts"

    def test_sizes(self):
        assert policy.too_large_reason(50 * policy.MB) == "larger than 50 MB"
        assert policy.too_large_reason(10 * 1024) == "larger than 10 KB"
        assert policy.too_large_reason(100) == "larger than 100 bytes"

    def test_retryable_statuses(self):
        assert [s for s in (200, 301, 400, 403, 404, 429, 500, 502, 503) if policy.is_retryable_status(s)] == [
            429,
            500,
            502,
            503,
        ]

    def test_scrub(self):
        assert policy.scrub("bad key s3cr3t", "s3cr3t", None) == "bad key [credential]"


def recorded(payloads, first_version=1) -> list[RecordedEvent]:
    return recorded_events(payloads, "application:DEMO:R1:documents", T0, first_version)


def received(index: int, document_id: str = "d") -> DocumentReceived:
    return DocumentReceived(
        document_id=document_id,
        file_index=index,
        source_url="https://x.uk/a.pdf",
        file_name="a.pdf",
        key=f"DEMO/R1/documents/{document_id}/a.pdf",
        sha256="0" * 64,
        size=1,
        content_type="application/pdf",
    )


class TestFold:
    def test_empty(self):
        state = policy.fold([])
        assert state.version == 0
        assert state.pending(3) == [0, 1, 2]

    def test_received_and_failed_are_recorded(self):
        failed = DocumentFetchFailed(file_index=2, source_url="https://x.uk/b", reason="HTTP 404", attempts=1)
        state = policy.fold(recorded([received(0, "d0"), failed]))
        assert state.version == 2
        assert state.received == {0: "d0"}
        assert state.failed == {2: "HTTP 404"}
        assert state.pending(4) == [1, 3]

    def test_folding_on_from_a_state_and_first_outcome_wins(self):
        state = policy.fold(recorded([received(0, "first")]))
        state = policy.fold(recorded([received(0, "second"), received(1, "d1")], first_version=2), state)
        assert state.version == 3
        assert state.received == {0: "first", 1: "d1"}

    def test_a_request_to_fetch_a_failed_file_again_waits_for_the_next_outcome(self):
        failed = DocumentFetchFailed(file_index=1, source_url="https://x.uk/b", reason="refused", attempts=3)
        events = recorded([failed, DocumentFetchRequested(file_index=1, source_url="https://x.uk/b")])
        state = policy.fold(events)
        request_id = events[1].event_id
        assert state.awaiting(request_id, 1) and not state.awaiting(request_id, 0)
        assert state.pending(2) == [0]  # the submission's own fetch does not fetch a failed file again
        state = policy.fold(recorded([received(1, "d1"), received(1, "duplicate")], first_version=3), state)
        assert state.received == {1: "d1"} and state.failed == {} and not state.awaiting(request_id, 1)

    def test_a_request_answered_by_another_failure_can_be_followed_by_another_request(self):
        failed = DocumentFetchFailed(file_index=0, source_url="https://x.uk/a", reason="timed out", attempts=1)
        again = DocumentFetchRequested(file_index=0, source_url="https://x.uk/a")
        events = recorded([failed, again, failed.model_copy(update={"reason": "HTTP 503"}), failed, again])
        state = policy.fold(events)
        assert state.failed == {0: "HTTP 503"}  # the duplicate failure after the answer does not count
        assert state.requested == {0: events[4].event_id}

    def test_requests_for_received_unknown_or_already_requested_files_are_ignored(self):
        failed = DocumentFetchFailed(file_index=1, source_url="https://x.uk/b", reason="refused", attempts=3)
        events = recorded(
            [
                received(0, "d0"),
                DocumentFetchRequested(file_index=0, source_url="https://x.uk/a"),
                DocumentFetchRequested(file_index=5, source_url="https://x.uk/f"),
                failed,
                DocumentFetchRequested(file_index=1, source_url="https://x.uk/b"),
                DocumentFetchRequested(file_index=1, source_url="https://x.uk/b"),
            ]
        )
        state = policy.fold(events)
        assert state.requested == {1: events[4].event_id}
        state = policy.fold(recorded([received(0, "other")], first_version=7), state)
        assert state.received == {0: "d0"}


class TestCredentials:
    def test_stored_under_the_council_name(self):
        secrets = InMemorySecrets()
        assert download_credential_name("DEMO") == "council/DEMO/download-credential"
        assert load_download_credential(secrets, "DEMO") is None
        store_download_credential(secrets, "DEMO", "k-123")
        assert secrets.get("council/DEMO/download-credential") == "k-123"
        assert load_download_credential(secrets, "DEMO") == "k-123"

    @pytest.mark.parametrize("value", ["", "a\r\nX-Evil: 1", "clé"])
    def test_values_that_cannot_be_a_header_are_refused(self, value):
        with pytest.raises(ValueError) as error:
            store_download_credential(InMemorySecrets(), "DEMO", value)
        assert value not in str(error.value) or not value
