"""Pick the adapter that matches the settings' URL scheme."""
from __future__ import annotations

from typing import Mapping

from shop.graph.settings import BOLT_SCHEMES, GraphSettings, settings_from_env
from shop.graph.store import GraphStore


def open_store(settings: GraphSettings) -> GraphStore:
    if settings.scheme == "falkor":
        from shop.graph.falkor_store import FalkorStore
        return FalkorStore.from_settings(settings)
    if settings.scheme in BOLT_SCHEMES:
        from shop.graph.bolt_store import BoltStore
        return BoltStore.from_settings(settings)
    raise ValueError(f"no graph adapter for {settings.url!r}")


def from_env(env: Mapping[str, str] | None = None) -> GraphStore:
    return open_store(settings_from_env(env))
