"""The demo's document host: a few small, valid sample files (PDF, PNG, JPEG) served on `localhost` by `bops serve`.

The demo council allowlists this server, and the demo's example submission names its files, so a newcomer's first
submission shows the whole intake path: the relay downloads each file and records `DocumentReceived`.
The files are made here, in code: nothing is fetched from elsewhere.
"""

from __future__ import annotations

import struct
import threading
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "localhost"


def pdf(title: str) -> bytes:
    """A one-page PDF 1.4 with one line of text (a correct cross-reference table, so any reader opens it)."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png(width: int = 16, height: int = 16, rgb: tuple[int, int, int] = (0, 112, 60)) -> bytes:
    """A solid-colour RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """An 8x8 mid-grey baseline JPEG: one block whose coefficients are all zero, with one-code Huffman tables."""

    def segment(marker: int, data: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(data) + 2) + data

    one_code = bytes([1] + [0] * 15) + b"\x00"  # a single code of length 1, for symbol 0
    return (
        b"\xff\xd8"
        + segment(0xDB, b"\x00" + b"\x01" * 64)  # quantisation table 0: all ones
        + segment(0xC0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00")  # 8x8, one component
        + segment(0xC4, b"\x00" + one_code)  # DC table 0: category 0 only
        + segment(0xC4, b"\x10" + one_code)  # AC table 0: end-of-block only
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")  # scan: component 1, tables 0/0, coefficients 0-63
        + b"\x3f"  # DC difference 0 ("0"), end of block ("0"), padded with ones
        + b"\xff\xd9"
    )


@cache
def samples() -> dict[str, tuple[str, bytes]]:
    """File name -> (media type, content)."""
    return {
        "drawings.pdf": ("application/pdf", pdf("BOPS demo: drawings")),
        "plans.pdf": ("application/pdf", pdf("BOPS demo: plans")),
        "drawing.png": ("image/png", png()),
        "photo.jpg": ("image/jpeg", jpeg()),
    }


class SampleFileHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # the relay logs each download; this would repeat it
        pass

    def do_GET(self) -> None:
        sample = samples().get(self.path.lstrip("/").split("?", 1)[0])
        if sample is None:
            self.send_error(404)
            return
        media_type, body = sample
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class DemoFileServer:
    """The sample files on 127.0.0.1, named `localhost:<port>` (the allowlist entry the demo council holds)."""

    def __init__(self, preferred_port: int) -> None:
        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", preferred_port), SampleFileHandler)
        except OSError:  # taken: any free port (the demo council's allowlist follows it)
            self.server = ThreadingHTTPServer(("127.0.0.1", 0), SampleFileHandler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="bops-demo-files", daemon=True)

    @property
    def allowlist_entry(self) -> str:
        return f"{HOST}:{self.server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"http://{self.allowlist_entry}"

    def start(self) -> DemoFileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
