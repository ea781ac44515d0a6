"""FalkorDB over the Redis protocol (the embedded default), via redis-py 4.x graph commands.

The Redis protocol honours `bind 127.0.0.1` and ACL users, unlike FalkorDB's
Bolt listener; redis-py's graph client is already installed by Rasa's pins.
"""
from __future__ import annotations

from typing import Any, Mapping

import redis
from redis.commands.graph.edge import Edge
from redis.commands.graph.node import Node
from redis.commands.graph.path import Path

from shop.graph.settings import GraphSettings
from shop.graph.store import GraphError, Row, check_params
from shop.graph.identifiers import check_identifier


def plain(value: Any) -> Any:
    """Turn redis-py result values into plain Python values (maps come back as OrderedDict)."""
    if isinstance(value, (Node, Edge, Path)):
        raise GraphError("return properties (n.name), not nodes/relationships: rows must be plain values")
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


class FalkorStore:
    def __init__(self, host: str = "127.0.0.1", port: int = 6390, graph: str = "shop",
                 username: str | None = "shop", password: str | None = None, timeout_ms: int = 2000):
        self._client = redis.Redis(host=host, port=port, username=username, password=password,
                                   socket_timeout=max(1.0, timeout_ms / 1000 * 2),
                                   socket_connect_timeout=2.0)
        self._graph = self._client.graph(graph)
        self._timeout_ms = int(timeout_ms)
        self.name = graph

    @classmethod
    def from_settings(cls, s: GraphSettings) -> "FalkorStore":
        return cls(s.host, s.port, s.graph_name or "shop", s.username, s.password, s.timeout_ms)

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(cypher, params, read_only=True)

    def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> None:
        self._run(cypher, params, read_only=False)

    def ensure_index(self, label: str, prop: str) -> None:
        check_identifier(label), check_identifier(prop)
        try:
            self._graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
        except redis.ResponseError as exc:
            if "already indexed" not in str(exc):
                raise GraphError(f"falkor: {exc}") from exc

    def ping(self) -> bool:
        return bool(self._client.ping())

    def close(self) -> None:
        self._client.close()

    def _run(self, cypher: str, params: Mapping[str, Any] | None, read_only: bool) -> list[Row]:
        params = check_params(params)
        try:
            # GRAPH.RO_QUERY: the server itself refuses any write in an answering query.
            result = self._graph.query(cypher, params or None, read_only=read_only,
                                       timeout=self._timeout_ms if read_only else None)
        except redis.RedisError as exc:
            raise GraphError(f"falkor: {exc}") from exc
        if not result.header:
            return []
        columns = [plain(col[1]) for col in result.header]
        return [dict(zip(columns, plain(row))) for row in result.result_set]
