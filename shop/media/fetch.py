"""Downloading a shopper's media from a platform URL, to allowed hosts only.

The host must be on the configured allow-list (exact name, or ``.suffix`` for
a domain and its subdomains). The name is resolved once, every address is
checked, and the connection goes to that checked address (TLS still verifies
the certificate against the host name), so DNS cannot swap in an internal
address between the check and the request. Loopback, private and link-local
addresses are refused unless ``allow_private`` is set (tests use a loopback
server). Redirects are not followed: a platform's media URL answers directly.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from shop.media.errors import MediaRejected

MAX_URL_CHARS = 2048


@dataclass(frozen=True)
class FetchPolicy:
    allowed_hosts: tuple[str, ...] = ()
    allow_private: bool = False
    timeout: float = 10.0

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for allowed in self.allowed_hosts:
            allowed = allowed.lower().strip()
            if not allowed:
                continue
            if allowed.startswith("."):
                if host == allowed[1:] or host.endswith(allowed):
                    return True
            elif host == allowed:
                return True
        return False


def download(url: str, policy: FetchPolicy, max_bytes: int) -> bytes:
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        raise MediaRejected("bad_reference", "url must be a string of at most 2048 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise MediaRejected("bad_reference", "only plain http(s) URLs without credentials")
    host = parts.hostname
    if not policy.host_allowed(host):
        raise MediaRejected("host_not_allowed", f"host {host!r} is not on the allow-list")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise MediaRejected("bad_reference", "bad port") from None
    address = _checked_address(host, port, policy)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + policy.timeout
    conn = _connection(parts.scheme, host, address, port, policy.timeout)
    try:
        conn.request("GET", path, headers={"Host": parts.netloc.rsplit("@", 1)[-1], "Accept": "*/*",
                                           "User-Agent": "shop-media/1"})
        resp = conn.getresponse()
        if resp.status != 200:
            raise MediaRejected("fetch_failed", f"HTTP {resp.status}")
        declared = resp.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise MediaRejected("too_large", f"declared {declared} bytes > {max_bytes}")
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise MediaRejected("fetch_failed", f"slower than {policy.timeout} s")
            chunk = resp.read1(min(65536, max_bytes + 1 - size))  # one recv: the deadline is checked between them
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise MediaRejected("too_large", f"body over {max_bytes} bytes")
        return b"".join(chunks)
    except MediaRejected:
        raise
    except (OSError, http.client.HTTPException, ssl.SSLError) as e:
        raise MediaRejected("fetch_failed", f"{type(e).__name__}: {e}") from None
    finally:
        conn.close()


def _checked_address(host: str, port: int, policy: FetchPolicy) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise MediaRejected("fetch_failed", f"cannot resolve {host!r}: {e}") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise MediaRejected("fetch_failed", f"no address for {host!r}")
    if not policy.allow_private and any(_internal(a) for a in addresses):
        raise MediaRejected("host_not_allowed", f"{host!r} resolves to an internal address")
    return addresses[0]


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified)


def _connection(scheme: str, host: str, address: str, port: int, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return _PinnedHTTPS(host, address, port, timeout)
    return http.client.HTTPConnection(address, port, timeout=timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an already checked address, certificate verified against the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def split_hosts(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(h.strip().lower() for h in items if h and h.strip())
