"""Sender → shopper bindings, and which of them count as proof of identity."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shop.store import models as m

TRUSTED_KINDS = ("otp", "platform", "demo")
# The channels whose sender ids the platform signs; everything else is REST (the REST
# channel refuses ':' in sender ids, so "app:…" can only come from the app channel).
PLATFORM_CHANNELS = ("app", "miniprogram", "social")
REST_BINDING_HOURS = 12


def channel_of_sender(sender_id: str) -> str:
    """The channel a Rasa sender id belongs to: "app:u-1001" → app; a bare REST sender → rest.

    Taken from the id itself, never from a message's ``input_channel``, which a REST
    client could set to anything.
    """
    head, sep, rest = (sender_id or "").partition(":")
    return head if sep and rest and head in PLATFORM_CHANNELS else "rest"


def trusted_shopper_id(s: Session, channel: str, sender_id: str, now: dt.datetime) -> Optional[int]:
    """The shopper a sender was proven to be, if the binding is trusted and has not lapsed."""
    return s.scalar(select(m.ShopperChannel.shopper_id).where(
        m.ShopperChannel.channel == channel, m.ShopperChannel.external_id == sender_id,
        m.ShopperChannel.verified_by.in_(TRUSTED_KINDS),
        or_(m.ShopperChannel.expires_at.is_(None), m.ShopperChannel.expires_at > now)).limit(1))


def bind(s: Session, channel: str, sender_id: str, shopper_id: int, verified_by: str, now: dt.datetime) -> None:
    """Binds the sender to the shopper (replacing any earlier binding of that sender)."""
    if verified_by not in TRUSTED_KINDS:
        raise ValueError(f"a binding must be proven: {TRUSTED_KINDS}")
    if verified_by == "platform" and channel not in PLATFORM_CHANNELS:
        raise ValueError("only a platform channel's ids can be vouched for by the platform")
    expires = now + dt.timedelta(hours=REST_BINDING_HOURS) if channel not in PLATFORM_CHANNELS else None
    row = s.scalars(select(m.ShopperChannel).where(m.ShopperChannel.channel == channel,
                                                   m.ShopperChannel.external_id == sender_id)).first()
    if row is None:
        s.add(m.ShopperChannel(shopper_id=shopper_id, channel=channel, external_id=sender_id, created_at=now,
                               verified_by=verified_by, expires_at=expires))
    else:
        row.shopper_id, row.verified_by, row.expires_at, row.created_at = shopper_id, verified_by, expires, now
    s.flush()
