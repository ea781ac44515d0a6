"""Graph access for the shop: the only package that talks to a graph database.

`from_env()` returns a `GraphStore` (FalkorDB over the Redis protocol by default,
Neo4j over Bolt in production); `shop.graph.queries` holds the answering queries.
"""
from shop.graph.settings import GraphSettings
from shop.graph.store import GraphError, GraphStore
from shop.graph.factory import from_env, open_store

__all__ = ["GraphError", "GraphSettings", "GraphStore", "from_env", "open_store"]
