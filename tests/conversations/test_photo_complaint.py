"""Live: 收到的和图片不符 with a photo, through the trained model, the order form and the vision check."""
from __future__ import annotations

import json

from shop.rules.policy import OrderStatus
from shop.store import models as m
from tests.vision.helpers import in_colour, other_colour, photo


def _delivered_single_item_order(sessions):
    with sessions() as s:
        complained = {t.shopper_id for t in s.query(m.ComplaintTicket).all()}
        orders = s.query(m.Order).filter(m.Order.status == OrderStatus.DELIVERED).order_by(m.Order.id).all()
        for o in orders:
            if len(o.items) == 1 and o.shopper_id not in complained:
                return o.order_no, o.shopper_id, o.items[0].product_id, o.items[0].color
    raise AssertionError("the seed has no delivered single-item order of a shopper without complaints")


def test_a_photo_complaint_files_a_ticket_with_the_colour_verdict(talk, sessions, media_root):
    order_no, shopper_id, product_id, colour = _delivered_single_item_order(sessions)
    received = other_colour(colour)
    (media_root / "uploads" / "live-got.jpg").write_bytes(photo(in_colour(product_id, received)))
    c = talk(shopper_id)
    answer = c.say(f"订单{order_no}收到的颜色和图片不一样",
                   metadata={"attachments": [{"type": "image", "path": "uploads/live-got.jpg"}]})
    assert "工单号" in answer and "颜色差异明显" in answer, "\n".join(c.transcript)
    with sessions() as s:
        ticket = s.query(m.ComplaintTicket).filter_by(shopper_id=shopper_id).order_by(m.ComplaintTicket.id.desc()).first()
    assert ticket.category == "mismatch" and ticket.photo_verdict == "colour_differs"
    assert json.loads(ticket.photo_measures)["expected_colour"] == colour
    assert ticket.photo_evidence in answer
