"""A small HTTP/1.1 client over a raw loopback socket: every byte of a hostile request is the test's.

Each request is one connection (``Connection: close``). A connection counts as dropped
when no status line came back: reset, closed or timed out before the server answered.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Optional


class Dropped(Exception):
    """The server closed or reset the connection without an answer."""


@dataclass
class Response:
    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def request(port: int, method: str, path: str, body: bytes = b"", headers: Optional[dict] = None,
            timeout: float = 30, stream: bool = False, raw: Optional[bytes] = None,
            source: str = "127.0.0.1") -> Response:
    """Sends one request and reads the answer; ``stream``: only the status and headers (SSE).

    ``raw`` replaces the whole request (malformed HTTP framing); ``source``: the client's
    loopback address (any 127.x.y.z), to be another client than the test's own.
    """
    if raw is None:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace") + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer before reading everything (413): read what it said
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, socket.timeout) as e:
            if b"\r\n\r\n" not in data:
                raise Dropped(f"{method} {path}: {type(e).__name__} before an answer") from None
        if b"\r\n\r\n" not in data:
            raise Dropped(f"{method} {path}: closed before an answer ({data[:80]!r})")
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise Dropped(f"{method} {path}: not an HTTP answer: {status_line!r}")
        headers_out = {}
        for line in header_lines:
            k, _, v = line.partition(":")
            headers_out[k.strip().lower()] = v.strip()
        if stream:
            return Response(int(parts[1]), headers_out, rest)
        length = headers_out.get("content-length")
        try:
            while length is None or len(rest) < int(length):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                rest += chunk
                if len(rest) > 8 * 1024 * 1024:
                    break
        except (ConnectionResetError, socket.timeout):
            pass  # the status came back; the body is what arrived
        return Response(int(parts[1]), headers_out, rest)
