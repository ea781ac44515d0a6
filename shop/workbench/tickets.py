"""The complaint tickets of the shopper behind a conversation, with the photo verdict, for agents."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shop.identity.bindings import channel_of_sender, trusted_shopper_id
from shop.store import models as m
from shop.store.clock import china_now

CATEGORY_LABELS = {"quality": "质量问题", "mismatch": "与描述/图片不符", "logistics": "物流", "service": "服务",
                   "payment": "支付", "other": "其他"}


def _shopper_of(s, conversation_id: str) -> Optional[int]:
    # Only a proven binding: an agent must not be shown someone else's tickets because a
    # sender once typed their phone number.
    return trusted_shopper_id(s, channel_of_sender(conversation_id), conversation_id, china_now())


def tickets_for(sessions: sessionmaker, conversation_id: str, limit: int = 5) -> list[dict]:
    with sessions() as s:
        shopper = _shopper_of(s, conversation_id)
        if shopper is None:
            return []
        rows = s.execute(select(m.ComplaintTicket, m.Order.order_no)
                         .outerjoin(m.Order, m.Order.id == m.ComplaintTicket.order_id)
                         .where(m.ComplaintTicket.shopper_id == shopper)
                         .order_by(m.ComplaintTicket.created_at.desc(), m.ComplaintTicket.id.desc())
                         .limit(limit)).all()
        return [{"id": t.id, "ticket_no": t.ticket_no, "order_no": order_no, "category": t.category,
                 "category_label": CATEGORY_LABELS.get(t.category, t.category), "priority": t.priority,
                 "flagged": bool(t.flagged_for_human), "text": t.text, "status": t.status,
                 "created_at": t.created_at.isoformat(timespec="seconds"), "photo_verdict": t.photo_verdict,
                 "photo_evidence": t.photo_evidence, "has_photo": bool(t.evidence_media_id)}
                for t, order_no in rows]


def ticket_photo_id(sessions: sessionmaker, conversation_id: str, ticket_id: int) -> Optional[str]:
    """The stored photo of a ticket, only if the ticket is this conversation's shopper's."""
    with sessions() as s:
        shopper = _shopper_of(s, conversation_id)
        if shopper is None:
            return None
        return s.scalar(select(m.ComplaintTicket.evidence_media_id).where(
            m.ComplaintTicket.id == ticket_id, m.ComplaintTicket.shopper_id == shopper))
