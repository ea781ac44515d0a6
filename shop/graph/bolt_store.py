"""Neo4j 5 over Bolt (production) with the official `neo4j` driver.

Tests also point it at FalkorDB's Bolt listener, which stands in for Neo4j here.
"""
from __future__ import annotations

from typing import Any, Mapping

import neo4j
from neo4j.exceptions import ClientError, Neo4jError, ServiceUnavailable

from shop.graph.identifiers import check_identifier
from shop.graph.settings import GraphSettings
from shop.graph.store import GraphError, Row, check_params


def plain(value: Any) -> Any:
    if isinstance(value, (neo4j.graph.Node, neo4j.graph.Relationship, neo4j.graph.Path)):
        raise GraphError("return properties (n.name), not nodes/relationships: rows must be plain values")
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


class BoltStore:
    def __init__(self, url: str, auth: tuple[str, str] | None, database: str | None = None,
                 timeout_ms: int = 2000):
        self._driver = neo4j.GraphDatabase.driver(url, auth=auth, connection_timeout=5.0,
                                                  max_connection_lifetime=3600)
        self._database = database
        self._timeout_s = timeout_ms / 1000
        self.name = database

    @classmethod
    def from_settings(cls, s: GraphSettings) -> "BoltStore":
        if not s.password:
            # Production Neo4j always needs credentials; a test stand-in builds BoltStore directly.
            raise ValueError("bolt:// needs SHOP_GRAPH_USER and SHOP_GRAPH_PASSWORD")
        return cls(s.url, (s.username, s.password), s.graph_name, s.timeout_ms)

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        params = check_params(params)

        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [{k: plain(v) for k, v in rec.items()} for rec in tx.run(cypher, params)]

        return self._execute(lambda s: s.execute_read(work))

    def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> None:
        params = check_params(params)
        self._execute(lambda s: s.execute_write(lambda tx: tx.run(cypher, params).consume()))

    def ensure_index(self, label: str, prop: str) -> None:
        check_identifier(label), check_identifier(prop)
        name = f"idx_{label.lower()}_{prop.lower()}"
        try:
            self.write(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})")
        except GraphError:
            # FalkorDB's Bolt stand-in knows neither index names nor IF NOT EXISTS, and
            # reports "already indexed" only as an unknown error, so look first.
            existing = self.query("CALL db.indexes() YIELD label, properties RETURN label, properties")
            if not any(r["label"] == label and prop in r["properties"] for r in existing):
                self.write(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")

    def close(self) -> None:
        self._driver.close()

    def _execute(self, fn):
        try:
            with self._driver.session(database=self._database) as session:
                return fn(session)
        except (Neo4jError, ServiceUnavailable, ClientError) as exc:
            raise GraphError(f"bolt: {exc}") from exc
