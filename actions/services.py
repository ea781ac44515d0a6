"""The action server's handles on the shop: one order service, and who the sender is.

Built lazily so importing the actions (rasa's loader, tests) never opens a database.
SHOP_DB_URL chooses the store (shop.store.settings); SHOP_NOW pins the clock for
recorded demos and conversation tests; SHOP_SMS_SENDER / SHOP_SMS_OUTBOX say how
one-time codes are sent (shop.identity.sms).
"""
from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from typing import Callable

from rasa_sdk import Tracker

from shop.identity import PhoneVerification, channel_of_sender, sms_sender_from_env
from shop.orders import OrderService
from shop.orders.views import ShopperView
from shop.store.clock import china_now
from shop.store.session import session_factory

def _clock() -> Callable[[], dt.datetime]:
    fixed = os.environ.get("SHOP_NOW")
    if fixed:
        moment = dt.datetime.fromisoformat(fixed).replace(tzinfo=None)
        return lambda: moment
    return china_now


@lru_cache(maxsize=1)
def order_service() -> OrderService:
    return OrderService(session_factory(), _clock())


@lru_cache(maxsize=1)
def phone_verification() -> PhoneVerification:
    # The real clock even when SHOP_NOW pins the shop's: codes expire and limits count in real time.
    return PhoneVerification(order_service().sessions, sms_sender_from_env())


def channel_of(tracker: Tracker) -> str:
    """The conversation's channel, read from its sender id ("app:u-1001" → app, else rest).

    Not ``tracker.get_latest_input_channel()``: a REST client used to choose that in the body.
    """
    return channel_of_sender(tracker.sender_id)


def shopper_of(tracker: Tracker, service: OrderService | None = None) -> ShopperView | None:
    """The shopper this conversation's sender has proven to be, or None until they do."""
    service = service or order_service()
    return service.shopper_for_sender(channel_of(tracker), tracker.sender_id)


@lru_cache(maxsize=1)
def graph_store():
    """The product knowledge graph (shop.graph settings from SHOP_GRAPH_* variables)."""
    from shop.graph import from_env
    return from_env()


def page_product(tracker: Tracker) -> str | None:
    """The product page the shopper is looking at, when the channel says so (metadata.product_id)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    pid = metadata.get("product_id") if isinstance(metadata, dict) else None
    return pid if isinstance(pid, str) and 0 < len(pid) <= 16 else None


def previous_turn(tracker: Tracker) -> list[dict]:
    """The events between the shopper's message before the latest one and the latest one, newest first:
    what the assistant did and said since the shopper last wrote (everything before, for the first message)."""
    events = list(tracker.events or [])
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if not users:
        return []
    return events[(users[-2] + 1 if len(users) > 1 else 0):users[-1]][::-1]
