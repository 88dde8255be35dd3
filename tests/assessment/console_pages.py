"""Test support for the console's pages through `bops serve`: requests with the session cookie, forms with the CSRF
token (urlencoded or multipart), no redirects followed (a 303 is asserted as it is)."""

from __future__ import annotations

import http.client
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit


class Browser:
    """One officer's session: the cookie, and the CSRF token every form carries."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.parts = urlsplit(base_url)
        self.token = token

    @property
    def csrf(self) -> str:
        from shared.pages.session import csrf_token

        return csrf_token(self.token) if self.token else ""

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str | bytes]:
        connection = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=30)
        all_headers = dict(headers or {})
        if self.token:
            all_headers["Cookie"] = f"bops_officer={self.token}"
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            found = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        text: str | bytes = raw.decode("utf-8") if found.get("content-type", "").startswith("text/html") else raw
        return response.status, found, text

    def get(self, path: str) -> tuple[int, dict[str, str], Any]:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, Any], *, csrf: bool = True) -> tuple[int, dict[str, str], Any]:
        data = {**({"csrf_token": self.csrf} if csrf else {}), **fields}
        body = urlencode(data, doseq=True).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(
        self, path: str, fields: dict[str, str], file: tuple[str, bytes] | None, *, csrf: bool = True
    ) -> tuple[int, dict[str, str], Any]:
        boundary = uuid.uuid4().hex
        chunks: list[bytes] = []
        for name, value in {**({"csrf_token": self.csrf} if csrf else {}), **fields}.items():
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        if file is not None:
            name, content = file
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            chunks.append(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n")
        chunks.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, b"".join(chunks), headers)
