"""The port every caller uses: run parameterised Cypher, get plain rows back."""
from __future__ import annotations

import math
from typing import Any, Mapping, Protocol, runtime_checkable

from shop.graph.identifiers import check_identifier

Row = dict[str, Any]


class GraphError(RuntimeError):
    """The graph server refused or failed a query; the message names the adapter."""


@runtime_checkable
class GraphStore(Protocol):
    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a read-only query; rows are dicts of str, int, float, bool, None, lists, dicts."""

    def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a writing query (seed, admin); never with text typed by a shopper."""

    def ensure_index(self, label: str, prop: str) -> None:
        """Create an index on (label, prop) if missing; the syntax differs per server."""

    def close(self) -> None: ...


def check_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Reject values a parameter cannot carry faithfully on every adapter.

    redis-py writes parameters into a `CYPHER name=value` header as text: names
    and map keys go in unquoted, so they must be identifiers; a NUL would end
    the C string early on the server; NaN/inf have no Cypher literal.
    """
    params = dict(params or {})
    for name, value in params.items():
        _check_name(name)
        _check_value(value)
    return params


def _check_name(name: Any) -> None:
    check_identifier(name)


def _check_value(value: Any) -> None:
    if value is None or isinstance(value, (bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("parameter floats must be finite")
    elif isinstance(value, str):
        if "\x00" in value:
            raise ValueError("parameter strings must not contain NUL")
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_value(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_name(key)
            _check_value(item)
    else:
        raise ValueError(f"unsupported parameter type {type(value).__name__}")
