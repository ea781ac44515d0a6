"""A throwaway media store and a loopback HTTP server that serves whatever a test puts in it."""
from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from shop.media import MediaStore


def png(size=(64, 64), colour=(200, 40, 45), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, format="PNG")
    return buf.getvalue()


def jpeg(size=(64, 64), colour=(50, 110, 200), **save) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="JPEG", **save)
    return buf.getvalue()


class Served:
    """Routes of the loopback server: path -> (status, body, headers)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, dict]] = {}
        self.requests: list[str] = []
        self.base = ""

    def put(self, path: str, body: bytes, status: int = 200, headers: dict | None = None) -> str:
        self.routes[path] = (status, body, headers or {})
        return self.base + path


@pytest.fixture
def server():
    served = Served()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            served.requests.append(self.path)
            status, body, headers = served.routes.get(self.path, (404, b"", {}))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def store(tmp_path):
    return MediaStore(tmp_path / "media", allowed_hosts=("127.0.0.1",), allow_private=True, timeout=3)
