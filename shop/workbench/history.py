"""What an agent sees of a conversation: the turns, who said them, and the bot's context."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional

from shop.store.clock import CHINA

MAX_TURNS = 200
CONTEXT_SLOTS = ("product_in_focus", "order_id", "listed_products", "order_task", "requested_slot")


@lru_cache(maxsize=1)
def _catalog():
    from shop.catalog import load_catalog
    return load_catalog()


def product_name(product_id: Any) -> Optional[str]:
    if not isinstance(product_id, str):
        return None
    try:
        return _catalog().product(product_id).get("name")
    except (StopIteration, KeyError, OSError):
        return None


def _time(ts: Any) -> Optional[str]:
    if not isinstance(ts, (int, float)):
        return None
    return dt.datetime.fromtimestamp(ts, CHINA).strftime("%Y-%m-%d %H:%M:%S")


def turns(events: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The conversation's messages and the handoff markers, oldest first, at most MAX_TURNS (the latest)."""
    out: list[dict] = []
    for e in events:
        kind = e.get("event")
        when = _time(e.get("timestamp"))
        if kind == "user":
            meta = e.get("metadata") or {}
            parse = e.get("parse_data") or {}
            intent = (parse.get("intent") or {}).get("name")
            out.append({"who": "shopper", "text": e.get("text") or "", "time": when, "intent": intent,
                        "message_id": e.get("message_id") if isinstance(e.get("message_id"), str) else None,
                        "attachments": [a.get("type") for a in meta.get("attachments") or [] if isinstance(a, dict)],
                        "transcript": meta.get("transcript")})
        elif kind == "bot":
            meta = e.get("metadata") or {}
            agent = meta.get("agent") if isinstance(meta, dict) else None
            out.append({"who": "agent" if agent else "bot", "text": e.get("text") or "", "time": when,
                        "agent": agent, "delivery": meta.get("delivery") if agent else None})
        elif kind == "pause":
            out.append({"who": "system", "text": "转人工：机器人暂停应答", "time": when})
        elif kind == "resume":
            out.append({"who": "system", "text": "已交还机器人", "time": when})
    return out[-MAX_TURNS:]


def context(slots: Mapping[str, Any]) -> dict:
    ctx = {k: slots.get(k) for k in CONTEXT_SLOTS if slots.get(k) not in (None, [], "")}
    if ctx.get("product_in_focus"):
        ctx["product_name"] = product_name(ctx["product_in_focus"])
    if ctx.get("listed_products"):
        ctx["listed_products"] = [{"id": p, "name": product_name(p)} for p in ctx["listed_products"][:10]]
    return ctx


def quick_replies(responses: Mapping[str, list], limit: int = 30) -> list[dict]:
    """The domain's plain responses as canned replies: the first variation of each, unfilled slots skipped."""
    out = []
    for name, variations in sorted(responses.items()):
        text = next((v.get("text") for v in variations or [] if isinstance(v, dict) and v.get("text")), None)
        if text and "{" not in text:
            out.append({"name": name, "text": text})
    return out[:limit]
