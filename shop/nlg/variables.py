"""Values a response may name besides the slots: facts derived from what the slots hold.

Slots keep ids (product_in_focus = "P0001"); a shopper should read the product's name,
so `{product}` in a response is the catalog name of the product in focus.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Callable, Mapping

logger = logging.getLogger(__name__)

# Longer values are not something a sentence should echo back (a pasted paragraph as a "colour").
MAX_VALUE_CHARS = 40


@lru_cache(maxsize=1)
def _catalog_names() -> dict[str, str]:
    from shop.catalog import load_catalog

    return {p["id"]: p["name"] for p in load_catalog().products}


def catalog_product_name(product_id: str) -> str | None:
    try:
        return _catalog_names().get(product_id)
    except Exception:  # noqa: BLE001 - a broken catalog must not take replies down, only {product}
        logger.exception("catalog unavailable; responses naming {product} are skipped")
        return None


def derived(slots: Mapping[str, Any], product_name: Callable[[str], str | None] = catalog_product_name
            ) -> dict[str, Any]:
    focus = slots.get("product_in_focus")
    name = product_name(focus) if isinstance(focus, str) and focus else None
    return {"product": name} if name else {}


def usable(value: Any) -> bool:
    """Whether a value can stand in a sentence: present, not empty, short, plain."""
    if value is None or isinstance(value, (list, dict, set, tuple)):
        return False
    text = str(value).strip()
    return bool(text) and len(text) <= MAX_VALUE_CHARS and "\n" not in text
