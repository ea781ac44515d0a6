"""Free ports for throwaway graph servers (tests, benchmarks)."""
from __future__ import annotations

import random
import socket


def free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_bolt_port() -> int:
    """A port FalkorDB's Bolt listener will really use.

    FalkorDB 4.16 silently ignores a BOLT_PORT above 32767 (no listener, no log
    line) and binds it on every interface, so probe the wildcard address below
    that limit.
    """
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(20000, 32767)
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32768 for FalkorDB's Bolt listener")
