"""Connection settings from environment variables (endpoints.yml may pass the same keys).

SHOP_GRAPH_URL       falkor://127.0.0.1:6390/shop (default) or bolt://host:7687 / neo4j://… / neo4j+s://…
                     for falkor:// the path is the graph name; for bolt the path, if any, is the database.
SHOP_GRAPH_USER      default "shop" (falkor) / "neo4j" (bolt)
SHOP_GRAPH_PASSWORD  default for a loopback falkor:// URL: the password file the embedded server wrote
SHOP_GRAPH_NAME      overrides the graph/database name from the URL
SHOP_GRAPH_TIMEOUT_MS  per-query timeout (default 2000)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote, urlsplit

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_URL = "falkor://127.0.0.1:6390/shop"
DEFAULT_DATA_DIR = PROJECT_DIR / "var" / "graph"
BOLT_SCHEMES = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}


@dataclass(frozen=True)
class GraphSettings:
    url: str = DEFAULT_URL
    user: str | None = None
    password: str | None = None
    name: str | None = None
    timeout_ms: int = 2000

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or (6390 if self.scheme == "falkor" else 7687)

    @property
    def graph_name(self) -> str | None:
        """Graph (FalkorDB) or database (Neo4j) name; None = the server's default database."""
        if self.name:
            return self.name
        path = unquote(urlsplit(self.url).path).strip("/")
        return path or ("shop" if self.scheme == "falkor" else None)

    @property
    def username(self) -> str:
        return self.user or ("shop" if self.scheme == "falkor" else "neo4j")


def settings_from_env(env: Mapping[str, str] | None = None) -> GraphSettings:
    env = os.environ if env is None else env
    url = env.get("SHOP_GRAPH_URL") or DEFAULT_URL
    password = env.get("SHOP_GRAPH_PASSWORD")
    settings = GraphSettings(
        url=url, user=env.get("SHOP_GRAPH_USER") or None, password=password,
        name=env.get("SHOP_GRAPH_NAME") or None,
        timeout_ms=int(env.get("SHOP_GRAPH_TIMEOUT_MS") or 2000),
    )
    if settings.scheme not in BOLT_SCHEMES | {"falkor"}:
        raise ValueError(f"SHOP_GRAPH_URL must start with falkor:// or bolt:// (got {url!r})")
    if password is None and settings.scheme == "falkor" and settings.host in {"127.0.0.1", "localhost", "::1"}:
        # The embedded server generated the password once; read it from its data folder.
        pw_file = Path(env.get("SHOP_GRAPH_DIR") or DEFAULT_DATA_DIR) / "password"
        if pw_file.exists():
            settings = GraphSettings(settings.url, settings.user, pw_file.read_text().strip(),
                                     settings.name, settings.timeout_ms)
    return settings
