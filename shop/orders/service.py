"""The service the Rasa actions call: look up, change and complain about orders.

Every method that takes a shopper id only ever sees that shopper's orders: an order
number of someone else's raises exactly the same `OrderNotFound` as a number that
does not exist (one query with both conditions, so neither the answer nor the work
done differs). Every change checks a rule from shop.rules and writes in one
transaction; a refusal changes nothing and carries the rule's Chinese reason.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterator

from contextlib import contextmanager
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from shop.orders.views import (
    CouponView, OrderSummary, OrderView, Outcome, ShipmentView, ShopperView, order_summary, order_view, refund_view,
    return_view, shipment_view, shopper_view,
)
from shop.rules import complaints as complaint_rules
from shop.rules import coupons as coupon_rules
from shop.rules import orders as order_rules
from shop.rules import returns as return_rules
from shop.rules.decision import Decision
from shop.rules.formats import validate_order_no, validate_phone
from shop.identity.bindings import trusted_shopper_id
from shop.rules.invoices import validate_invoice
from shop.rules.logistics import detect_delay
from shop.rules.policy import (
    COMPENSATION_COUPON_VALID_DAYS, PAYMENT_LABELS, REPEAT_WINDOW_DAYS, OrderStatus, RefundStatus, ReturnKind, ReturnReason,
    ReturnStatus, days,
)
from shop.store import models as m
from shop.store.clock import china_now

NOT_FOUND = "没有找到这个订单，请核对订单号；您也可以说「查看我的订单」从最近的订单里选择。"
CENT = Decimal("0.01")


class OrderNotFound(LookupError):
    """Unknown order number, or one that is not this shopper's — indistinguishable on purpose."""

    def __init__(self) -> None:
        super().__init__(NOT_FOUND)
        self.reason = NOT_FOUND


class InvalidOrderNumber(ValueError):
    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision
        self.reason = decision.reason


PHOTO_VERDICTS = ("match", "colour_differs", "different_item", "unclear")


def _photo_evidence(photo: dict | None) -> dict:
    """Ticket columns for a complaint photo; a malformed one is refused before anything is written."""
    if not photo:
        return {}
    if not isinstance(photo, dict) or photo.get("verdict") not in PHOTO_VERDICTS:
        raise ValueError(f"photo verdict must be one of {PHOTO_VERDICTS}")
    media_id = photo.get("media_id")
    if media_id is not None and not (isinstance(media_id, str) and 0 < len(media_id) <= 100):
        raise ValueError("photo media_id must be a string of 1-100 characters")
    measures = photo.get("measures") or {}
    return {"evidence_media_id": media_id, "photo_verdict": photo["verdict"],
            "photo_evidence": str(photo.get("evidence") or "")[:1000] or None,
            "photo_measures": json.dumps(measures, ensure_ascii=False, sort_keys=True)[:4000] if measures else None}


def _outcome(decision: Decision, **data) -> Outcome:
    return Outcome(decision.allowed, decision.code, decision.reason, {**decision.details, **data})


class OrderService:
    def __init__(self, sessions: sessionmaker, clock: Callable[[], dt.datetime] = china_now, *,
                 dry_run: bool = False):
        self.sessions = sessions
        self.clock = clock
        self.dry_run = dry_run

    def preview(self) -> "OrderService":
        """The same service, but every change is rolled back: a shopper is asked to confirm
        exactly what the real call would do (or told the rule's refusal) without a second
        copy of the rules."""
        return OrderService(self.sessions, self.clock, dry_run=True)

    # What a change did, worded as a proposal when it is only previewed: the shopper reads
    # "将改为…确认修改吗？" before the yes and "已改为…" after it (issue 16).
    # A change made also says so in a word (修改成功): "已把…改为" alone was read as a preview by shoppers.
    PROPOSAL_WORDS = (("修改成功：", ""), ("已改为", "将改为"), ("已把", "将把"), ("已为您预留库存", "确认后为您预留库存"))

    def _worded(self, outcome: Outcome) -> Outcome:
        if not self.dry_run or not outcome.ok:
            return outcome
        reason = outcome.reason
        for done, proposed in self.PROPOSAL_WORDS:
            reason = reason.replace(done, proposed)
        return Outcome(outcome.ok, outcome.code, reason, outcome.data)

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self.sessions() as session:
            tx = session.begin()
            try:
                yield session
                session.flush()
            except BaseException:
                tx.rollback()
                raise
            if self.dry_run:
                tx.rollback()
            else:
                tx.commit()

    # -- identity ---------------------------------------------------------------
    def shopper_for_sender(self, channel: str, sender_id: str, now: dt.datetime | None = None) -> ShopperView | None:
        """The shopper this sender has proven to be (shop.identity), or None until they do.

        Only trusted bindings count (a one-time code, the platform, the demo sender) and a
        REST binding only until it lapses; ``now`` is the real time, not the shop's pinned clock.
        """
        with self._tx() as s:
            shopper_id = trusted_shopper_id(s, channel, sender_id, now or china_now())
            return shopper_view(s.get(m.Shopper, shopper_id)) if shopper_id is not None else None

    # -- reading ------------------------------------------------------------------
    def recent_orders(self, shopper_id: int, limit: int = 5) -> list[OrderSummary]:
        with self._tx() as s:
            orders = s.scalars(select(m.Order).where(m.Order.shopper_id == shopper_id)
                               .order_by(m.Order.created_at.desc(), m.Order.id.desc()).limit(limit)
                               .options(selectinload(m.Order.items))).all()
            return [order_summary(o) for o in orders]

    def orders(self, shopper_id: int, limit: int = 20) -> list[OrderView]:
        """The shopper's latest orders in full (items, shipments …), newest first."""
        with self._tx() as s:
            rows = s.scalars(select(m.Order).where(m.Order.shopper_id == shopper_id)
                             .order_by(m.Order.created_at.desc(), m.Order.id.desc()).limit(max(1, min(limit, 50)))).all()
            return [order_view(o) for o in rows]

    def get_order(self, shopper_id: int, order_no: str) -> OrderView:
        with self._tx() as s:
            return order_view(self._order(s, shopper_id, order_no))

    def track(self, shopper_id: int, order_no: str) -> tuple[OrderView, Decision]:
        """The order (with shipments and events) and whether it is late (Decision from detect_delay)."""
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no)
            view = order_view(order)
            outbound = next((sh for sh in view.shipments if sh.kind == "outbound"), None)
            delay = detect_delay(order.status, now=self.clock(), paid_at=order.paid_at,
                                 last_update_at=outbound.last_update_at if outbound else None)
            return view, delay

    def _order(self, s: Session, shopper_id: int, order_no: str, *, lock: bool = False) -> m.Order:
        check = validate_order_no(order_no)
        if not check.allowed:
            raise InvalidOrderNumber(check)
        query = select(m.Order).where(m.Order.order_no == check.details["value"], m.Order.shopper_id == shopper_id)
        if lock:
            query = query.with_for_update()  # PostgreSQL row lock; SQLite serialises writers anyway
        order = s.scalars(query).first()
        if order is None:
            raise OrderNotFound()
        return order

    def _order_item(self, s: Session, shopper_id: int, order_no: str,
                    item: int | str | None) -> tuple[m.Order, m.OrderItem | Outcome]:
        """The shopper's order, locked for a change, and the item the change is about (or why not)."""
        order = self._order(s, shopper_id, order_no, lock=True)
        return order, self._item(order, item)

    @staticmethod
    def _item(order: m.Order, item: int | str | None) -> m.OrderItem | Outcome:
        """The item a change is about: by item id or product id; may be omitted on one-item orders."""
        if item is None:
            if len(order.items) == 1:
                return order.items[0]
            names = "；".join(f"{i.product_name}（{i.color} {i.size}）" for i in order.items)
            return Outcome(False, "item_ambiguous", f"这个订单有 {len(order.items)} 件商品：{names}。请问是哪一件？",
                           {"items": [i.id for i in order.items]})
        for i in order.items:
            if str(item) in (str(i.id), i.product_id):
                return i
        return Outcome(False, "item_unknown", "这个订单里没有这件商品，请重新选择。", {})

    # -- stock ------------------------------------------------------------------
    def stock(self, product_id: str) -> list[dict]:
        """Live sellable stock of every variant of a product: [{'color', 'size', 'stock'}], in a
        stable order. The one source of stock for the chat: orders and exchanges change these rows."""
        if not isinstance(product_id, str) or not 0 < len(product_id) <= 16:
            return []
        with self._tx() as s:
            rows = s.scalars(select(m.VariantStock).where(m.VariantStock.product_id == product_id)
                             .order_by(m.VariantStock.color, m.VariantStock.size)).all()
            return [{"color": r.color, "size": r.size, "stock": r.stock} for r in rows]

    @staticmethod
    def _stock(s: Session, product_id: str, color: str, size: str) -> m.VariantStock | None:
        return s.get(m.VariantStock, (product_id, color, size))

    @staticmethod
    def _take_stock(s: Session, product_id: str, color: str, size: str, qty: int) -> bool:
        """Atomic decrement: two shoppers cannot both take the last piece."""
        result = s.execute(update(m.VariantStock)
                           .where(m.VariantStock.product_id == product_id, m.VariantStock.color == color,
                                  m.VariantStock.size == size, m.VariantStock.stock >= qty)
                           .values(stock=m.VariantStock.stock - qty))
        return result.rowcount == 1

    @staticmethod
    def _give_stock(s: Session, product_id: str, color: str, size: str, qty: int) -> None:
        s.execute(update(m.VariantStock)
                  .where(m.VariantStock.product_id == product_id, m.VariantStock.color == color,
                         m.VariantStock.size == size)
                  .values(stock=m.VariantStock.stock + qty))

    def _refund(self, s: Session, order: m.Order, amount: Decimal, cause: str,
                return_request: m.ReturnRequest | None = None) -> m.Refund:
        now = self.clock()
        refund = m.Refund(order_id=order.id, cause=cause, amount=amount, payment_method=order.payment_method,
                          status=RefundStatus.PROCESSING, created_at=now,
                          expected_by=return_rules.refund_expected_by(now, order.payment_method),
                          return_request=return_request)
        s.add(refund)
        return refund

    @staticmethod
    def _reprice(order: m.Order) -> None:
        order.items_total = sum((i.unit_price * i.qty for i in order.items), Decimal("0"))
        order.discount = min(order.discount, order.items_total)
        order.pay_amount = order.items_total + order.shipping_fee - order.discount

    # -- cancel and modify ----------------------------------------------------------
    def cancel(self, shopper_id: int, order_no: str, reason: str = "") -> Outcome:
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no, lock=True)
            now = self.clock()
            decision = order_rules.can_cancel(order.status, now=now, payment_method=order.payment_method,
                                              amount=order.pay_amount)
            if not decision.allowed:
                return _outcome(decision, order_no=order.order_no)
            was_paid = order.status == OrderStatus.PAID
            order.status = OrderStatus.CANCELLED
            order.cancelled_at = order.updated_at = now
            order.cancel_reason = reason[:200] or "买家申请取消"
            for item in order.items:  # the goods go back on sale
                self._give_stock(s, item.product_id, item.color, item.size, item.qty)
            if was_paid:
                self._refund(s, order, order.pay_amount, "cancel")
            elif order.coupon is not None:  # unpaid: the coupon returns to the shopper
                order.coupon.used_order_id = None
                order.coupon.used_at = None
            return _outcome(decision, order_no=order.order_no)

    def change_address(self, shopper_id: int, order_no: str, *, province: str, city: str, district: str,
                       detail: str, receiver_name: str | None = None) -> Outcome:
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no, lock=True)
            decision = order_rules.can_modify(order.status, "address")
            if not decision.allowed:
                return _outcome(decision)
            if not all(x and x.strip() for x in (province, city, district, detail)):
                return Outcome(False, "address_incomplete", "地址需要包含省、市、区和详细地址，请补充完整。")
            order.province, order.city, order.district = province.strip(), city.strip(), district.strip()
            order.address_detail = detail.strip()[:200]
            if receiver_name:
                order.receiver_name = receiver_name.strip()[:64]
            order.updated_at = self.clock()
            return self._worded(Outcome(True, "address_changed", f"收货地址已改为：{order.province}{order.city}"
                                        f"{order.district}{order.address_detail}。", {"order_no": order.order_no}))

    def change_phone(self, shopper_id: int, order_no: str, phone: str) -> Outcome:
        check = validate_phone(phone)
        if not check.allowed:
            return _outcome(check)
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no, lock=True)
            decision = order_rules.can_modify(order.status, "phone")
            if not decision.allowed:
                return _outcome(decision)
            order.receiver_phone = check.details["value"]
            order.updated_at = self.clock()
            # In full: the shopper typed it in this chat and checks it for a slip (15866668888 / 15866686888)
            return self._worded(Outcome(True, "phone_changed", f"收货手机号已改为 {order.receiver_phone}。",
                                        {"order_no": order.order_no}))

    def change_variant(self, shopper_id: int, order_no: str, *, color: str, size: str,
                       item: int | str | None = None) -> Outcome:
        with self._tx() as s:
            order, target = self._order_item(s, shopper_id, order_no, item)
            if isinstance(target, Outcome):
                return target
            stock = self._stock(s, target.product_id, color, size)
            decision = order_rules.can_change_variant(
                order.status, same_product=True, target_exists=stock is not None,
                target_stock=stock.stock if stock else 0, current_color=target.color, current_size=target.size,
                color=color, size=size)
            if not decision.allowed:
                return _outcome(decision)
            if not self._take_stock(s, target.product_id, color, size, target.qty):
                return Outcome(False, "variant_no_stock", f"{color} {size}库存不足，无法更换，可以选择其他规格。")
            self._give_stock(s, target.product_id, target.color, target.size, target.qty)
            target.color, target.size = color, size
            order.updated_at = self.clock()
            return self._worded(Outcome(True, "variant_changed", f"修改成功：已把「{target.product_name}」改为{color} {size}。",
                                        {"order_no": order.order_no, "item_id": target.id}))

    def change_quantity(self, shopper_id: int, order_no: str, qty: int, *, item: int | str | None = None) -> Outcome:
        with self._tx() as s:
            order, target = self._order_item(s, shopper_id, order_no, item)
            if isinstance(target, Outcome):
                return target
            stock = self._stock(s, target.product_id, target.color, target.size)
            decision = order_rules.can_change_quantity(order.status, current_qty=target.qty, new_qty=qty,
                                                       stock=stock.stock if stock else 0)
            if not decision.allowed:
                return _outcome(decision)
            delta = qty - target.qty
            if delta > 0 and not self._take_stock(s, target.product_id, target.color, target.size, delta):
                return Outcome(False, "quantity_no_stock", "库存不足，无法增加数量。")
            if delta < 0:
                self._give_stock(s, target.product_id, target.color, target.size, -delta)
            old_pay = order.pay_amount
            target.qty = qty
            self._reprice(order)
            order.updated_at = self.clock()
            data = {"order_no": order.order_no, "pay_amount": order.pay_amount}
            if decision.details.get("refund") and old_pay > order.pay_amount:
                refund = self._refund(s, order, old_pay - order.pay_amount, "quantity")
                data.update(refund_amount=refund.amount, refund_expected_by=refund.expected_by,
                            refund_arrival=return_rules.arrival(order.payment_method, refund.expected_by))
            return self._worded(Outcome(True, "quantity_changed",
                                        "修改成功：" + decision.reason.replace("可以把数量改为", "已把数量改为"), data))

    # -- after-sales ------------------------------------------------------------------
    def _open_request(self, order: m.Order, item: m.OrderItem) -> bool:
        return any(r.order_item_id == item.id and r.status in ReturnStatus.OPEN for r in order.return_requests)

    @staticmethod
    def _open_refused(order: m.Order, item: m.OrderItem, decision) -> Outcome:
        """The rules' refusal for an item already under an after-sales request, naming the order, the
        goods and where that request is (外套买大了 能换小一号吗 → which coat, which request)."""
        if decision.code != "after_sales_open":
            return _outcome(decision)
        r = next(r for r in order.return_requests if r.order_item_id == item.id and r.status in ReturnStatus.OPEN)
        kind = "换货" if r.kind == ReturnKind.EXCHANGE else "退货"
        where = ReturnStatus.LABELS.get(r.status, r.status)
        back_by = f"，请在 {r.send_back_by.month}月{r.send_back_by.day}日前寄回" \
            if r.status == ReturnStatus.REQUESTED and r.send_back_by else ""
        return Outcome(False, decision.code, f"订单 {order.order_no} 的「{item.product_name}」（{item.color} {item.size}）"
                       f"已有一个进行中的{kind}申请（{where}{back_by}），同一件商品要等这个申请完成或撤销后才能再申请。",
                       {"return_id": r.id})

    def request_return(self, shopper_id: int, order_no: str, *, reason: str = ReturnReason.NO_REASON,
                       item: int | str | None = None, detail: str | None = None, photo_path: str | None = None,
                       opened: bool = False, qty: int | None = None) -> Outcome:
        """A return of `qty` pieces of one item (all of them when None)."""
        with self._tx() as s:
            order, target = self._order_item(s, shopper_id, order_no, item)
            if isinstance(target, Outcome):
                return target
            qty = _part(target, qty, "退")
            if isinstance(qty, Outcome):
                return qty
            now = self.clock()
            decision = return_rules.can_return(order.status, delivered_at=order.delivered_at, now=now,
                                               category=target.category, product_name=target.product_name,
                                               reason=reason, opened=opened,
                                               has_open_request=self._open_request(order, target))
            if not decision.allowed:
                return self._open_refused(order, target, decision)
            req = m.ReturnRequest(order_id=order.id, order_item_id=target.id, kind=ReturnKind.RETURN, reason=reason,
                                  detail=(detail or "")[:1000] or None, qty=qty, photo_path=photo_path,
                                  opened=opened, status=ReturnStatus.REQUESTED,
                                  send_back_by=decision.details["send_back_by"], created_at=now)
            s.add(req)
            s.flush()
            return _outcome(decision, return_id=req.id, order_no=order.order_no)

    def request_exchange(self, shopper_id: int, order_no: str, *, color: str, size: str,
                         reason: str = ReturnReason.SIZE, item: int | str | None = None, detail: str | None = None,
                         photo_path: str | None = None, opened: bool = False, qty: int | None = None) -> Outcome:
        """An exchange of `qty` pieces of one item (all of them when None) for another colour/size."""
        with self._tx() as s:
            order, target = self._order_item(s, shopper_id, order_no, item)
            if isinstance(target, Outcome):
                return target
            qty = _part(target, qty, "换")
            if isinstance(qty, Outcome):
                return qty
            now = self.clock()
            stock = self._stock(s, target.product_id, color, size)
            decision = return_rules.can_exchange(
                order.status, delivered_at=order.delivered_at, now=now, category=target.category,
                product_name=target.product_name, reason=reason, current_color=target.color,
                current_size=target.size, color=color, size=size, target_exists=stock is not None,
                target_stock=stock.stock if stock else 0, opened=opened,
                has_open_request=self._open_request(order, target))
            if not decision.allowed:
                return self._open_refused(order, target, decision)
            # Reserve the replacement now, so it is still there when the original arrives back.
            if not self._take_stock(s, target.product_id, color, size, qty):
                return Outcome(False, "exchange_no_stock", f"{color} {size}库存不足 {qty} 件，无法换货。")
            req = m.ReturnRequest(order_id=order.id, order_item_id=target.id, kind=ReturnKind.EXCHANGE,
                                  reason=reason, detail=(detail or "")[:1000] or None, qty=qty,
                                  target_color=color, target_size=size, photo_path=photo_path, opened=opened,
                                  status=ReturnStatus.REQUESTED, send_back_by=decision.details["send_back_by"],
                                  created_at=now)
            s.add(req)
            s.flush()
            return self._worded(_outcome(decision, return_id=req.id, order_no=order.order_no))

    def _item_refund_amount(self, order: m.Order, item: m.OrderItem, qty: int, reason: str) -> Decimal:
        """The item's share of what was paid: its subtotal less its share of the discount;
        shipping is refunded only when the whole order comes back for a seller fault."""
        subtotal = item.unit_price * qty
        share = (order.discount * subtotal / order.items_total) if order.items_total else Decimal("0")
        amount = (subtotal - share).quantize(CENT, rounding=ROUND_HALF_UP)
        if reason in ReturnReason.SELLER_FAULT and len(order.items) == 1:
            amount += order.shipping_fee
        return amount

    def receive_return(self, return_id: int) -> Outcome:
        """Warehouse side (not a shopper action): the parcel came back. A return is refunded,
        an exchange gets its replacement shipped."""
        with self._tx() as s:
            req = s.get(m.ReturnRequest, return_id)
            if req is None or req.status != ReturnStatus.REQUESTED:
                return Outcome(False, "return_not_open", "没有待收货的售后申请。")
            now = self.clock()
            req.status = ReturnStatus.RECEIVED
            req.received_at = now
            order = req.order
            if req.kind == ReturnKind.RETURN:
                decision = return_rules.can_refund(req.status)
                refund = self._refund(s, order, self._item_refund_amount(order, req.item, req.qty, req.reason),
                                      "return", return_request=req)
                self._give_stock(s, req.item.product_id, req.item.color, req.item.size, req.qty)
                return _outcome(decision, refund_amount=refund.amount, refund_expected_by=refund.expected_by)
            req.status = ReturnStatus.EXCHANGED
            req.completed_at = now
            return Outcome(True, "exchange_shipping", f"已收到退回商品，{req.target_color} {req.target_size}的新商品将于 "
                           "24 小时内发出。", {"return_id": req.id})

    def complete_refund(self, refund_id: int) -> Outcome:
        """Payment side (not a shopper action): the money arrived; a fully returned order closes."""
        with self._tx() as s:
            refund = s.get(m.Refund, refund_id)
            if refund is None or refund.status != RefundStatus.PROCESSING:
                return Outcome(False, "refund_not_open", "没有进行中的退款。")
            refund.status = RefundStatus.SUCCEEDED
            refund.completed_at = self.clock()
            if refund.return_request is not None:
                refund.return_request.status = ReturnStatus.REFUNDED
                refund.return_request.completed_at = refund.completed_at
                order = refund.order
                returned = {r.order_item_id for r in order.return_requests
                            if r.kind == ReturnKind.RETURN and r.status == ReturnStatus.REFUNDED}
                if returned >= {i.id for i in order.items}:
                    order.status = OrderStatus.REFUNDED
                    order.updated_at = refund.completed_at
            return Outcome(True, "refund_done", "退款已到账。", {"refund_id": refund.id})

    def refund_status(self, shopper_id: int, order_no: str) -> Outcome:
        """Every refund on the order (cancel, quantity, returns), each with its progress and dates."""
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no)
            now = self.clock()
            lines = []
            for r in order.refunds:
                if r.return_request_id is None:
                    d = return_rules.refund_progress(ReturnStatus.RECEIVED, now=now, payment_method=r.payment_method,
                                                     refund_status=r.status, refund_expected=r.expected_by)
                    lines.append((d, refund_view(r), None))
            for req in order.return_requests:
                if req.kind != ReturnKind.RETURN:
                    continue
                ref = req.refund
                d = return_rules.refund_progress(req.status, now=now, payment_method=order.payment_method,
                                                 send_back_by=req.send_back_by,
                                                 refund_status=ref.status if ref else None,
                                                 refund_expected=ref.expected_by if ref else None)
                lines.append((d, refund_view(ref) if ref else None, return_view(req)))
            if not lines:
                # 202511220009取消了钱啥时候退 about an order never cancelled: say where it stands, and where the
                # money would go, rather than only "no refund"
                paid_by = PAYMENT_LABELS.get(order.payment_method or "", "")
                state = f"订单 {order.order_no} 目前「{OrderStatus.LABELS[order.status]}」，没有取消或退货，所以没有退款。"
                if order.status == OrderStatus.PAID:
                    state += f"如果取消，货款会原路退回{paid_by or '原支付账户'}；需要的话回复「取消订单」。"
                return Outcome(False, "refund_none_for_order", "这个订单没有退款或退货记录。" + state,
                               {"order_no": order.order_no})
            # Each line says how much and for what, then where it stands (之前退的表带 钱退回来了没 → 57 元).
            reason = "\n".join((f"退款 {rv.amount:.2f} 元" + (f"（{ret.product_name}）" if ret else _made_of(order, rv))
                                 + "：" if rv else (f"{ret.product_name}：" if ret else "")) + d.reason
                                for d, rv, ret in lines)
            return Outcome(True, lines[0][0].code if len(lines) == 1 else "refund_several", reason,
                           {"order_no": order.order_no,
                            "refunds": [{"code": d.code, "reason": d.reason, "expected_by": d.details.get("expected_by"),
                                         "refund": rv, "return": ret} for d, rv, ret in lines]})

    # -- coupons and delays ---------------------------------------------------------------
    def usable_coupons(self, shopper_id: int, limit: int = 10) -> list[CouponView]:
        """The shopper's own coupons that can still be used now (unused, started, not expired),
        soonest to expire first; at most `limit`."""
        now = self.clock()
        with self._tx() as s:
            rows = s.scalars(select(m.Coupon).where(
                m.Coupon.shopper_id == shopper_id, m.Coupon.used_order_id.is_(None),
                m.Coupon.valid_from <= now, m.Coupon.valid_until >= now)
                .order_by(m.Coupon.valid_until, m.Coupon.id).limit(limit)).all()
            return [CouponView(c.code, c.title, c.amount, c.threshold, c.valid_until) for c in rows]

    def apply_coupon(self, shopper_id: int, order_no: str, code: str) -> Outcome:
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no, lock=True)
            coupon = s.scalars(select(m.Coupon).where(m.Coupon.code == code.strip().upper())).first()
            if coupon is None:
                return Outcome(False, "coupon_unknown", "没有找到这张优惠券，请核对券码。")
            decision = coupon_rules.can_apply_coupon(
                order.status, order_has_coupon=order.coupon is not None, owned_by_shopper=coupon.shopper_id == shopper_id,
                already_used=coupon.used_order_id is not None, now=self.clock(), valid_from=coupon.valid_from,
                valid_until=coupon.valid_until, threshold=coupon.threshold, items_total=order.items_total)
            if not decision.allowed:
                return _outcome(decision)
            coupon.used_order_id = order.id
            coupon.used_at = self.clock()
            order.discount = coupon_rules.coupon_discount(coupon.amount, order.items_total)
            self._reprice(order)
            # Under a race the rule can pass twice; UNIQUE(coupons.used_order_id) then makes
            # the second commit fail (IntegrityError) instead of storing two coupons.
            return Outcome(True, "coupon_applied", f"已使用优惠券「{coupon.title}」，优惠 {order.discount:.2f} 元，"
                           f"实付 {order.pay_amount:.2f} 元。", {"pay_amount": order.pay_amount})

    def claim_delay_compensation(self, shopper_id: int, order_no: str) -> Outcome:
        """Issue the coupon detect_delay offered; once per order, however often asked."""
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no, lock=True)
            outbound = next((sh for sh in order.shipments if sh.kind == "outbound"), None)
            last = max((e.occurred_at for e in outbound.events), default=None) if outbound else None
            now = self.clock()
            decision = detect_delay(order.status, now=now, last_update_at=last, paid_at=order.paid_at)
            if not decision.allowed:
                return _outcome(decision)
            given = s.scalars(select(m.Coupon).where(m.Coupon.source == "delay_compensation",
                                                     m.Coupon.source_order_id == order.id)).first()
            if given is not None:
                return Outcome(False, "compensation_given", f"这个订单的延误补偿券（{given.code}）已经发放过了。",
                               {"coupon_code": given.code})
            amount = decision.details["compensation"]
            coupon = m.Coupon(code="PC" + secrets.token_hex(5).upper(), shopper_id=shopper_id,
                              title=f"物流延误补偿 {amount:.0f} 元无门槛券", amount=amount, threshold=Decimal("0"),
                              valid_from=now, valid_until=now + days(COMPENSATION_COUPON_VALID_DAYS),
                              source="delay_compensation", source_order_id=order.id)
            s.add(coupon)
            return Outcome(True, "compensation_issued", f"已为您发放 {amount:.0f} 元无门槛优惠券（券码 {coupon.code}），"
                           f"{COMPENSATION_COUPON_VALID_DAYS} 天内有效，下单时可直接使用。",
                           {"coupon_code": coupon.code, "amount": amount})

    # -- invoices and complaints ------------------------------------------------------------
    def request_invoice(self, shopper_id: int, order_no: str, *, title_type: str, title: str,
                        tax_number: str | None = None, email: str | None = None) -> Outcome:
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no, lock=True)
            if order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, OrderStatus.REFUNDED):
                return Outcome(False, "invoice_not_paid", f"订单{OrderStatus.LABELS[order.status]}，无法开具发票。")
            if order.invoice is not None:
                return Outcome(False, "invoice_exists", f"这个订单已经申请过发票（抬头「{order.invoice.title}」），"
                               "如需修改请联系人工客服。")
            decision = validate_invoice(title_type, title, tax_number, email)
            if not decision.allowed:
                return _outcome(decision)
            s.add(m.Invoice(order_id=order.id, title_type=title_type, title=decision.details["title"],
                            tax_number=decision.details.get("tax_number"), email=decision.details.get("email"),
                            amount=order.pay_amount, status="requested", created_at=self.clock()))
            return Outcome(True, "invoice_requested", "发票已申请：" + decision.reason + f"电子发票金额 {order.pay_amount:.2f} 元，"
                           "将在 1-3 个工作日内开具" + ("并发送到您的邮箱。" if email else "，可在订单详情中下载。"),
                           {"order_no": order.order_no})

    def file_complaint(self, shopper_id: int, text: str, *, order_no: str | None = None,
                       category: str | None = None, photo: dict | None = None) -> Outcome:
        """``photo``: the shopper's photo and the comparison with the catalog, kept on the ticket —
        ``{"media_id", "verdict", "evidence", "measures"}`` (shop.vision's verdict)."""
        evidence = _photo_evidence(photo)
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no) if order_no else None
            now = self.clock()
            previous = s.scalar(select(func.count()).select_from(m.ComplaintTicket).where(
                m.ComplaintTicket.shopper_id == shopper_id,
                m.ComplaintTicket.created_at >= now - days(REPEAT_WINDOW_DAYS)))
            decision = complaint_rules.assess_complaint(text, category=category, previous_complaints=previous)
            d = decision.details
            # The ticket number carries the row id, known only after the insert.
            ticket = m.ComplaintTicket(ticket_no="TMP" + secrets.token_hex(6), shopper_id=shopper_id,
                                       order_id=order.id if order else None, category=d["category"],
                                       priority=d["priority"], flagged_for_human=d["flagged_for_human"],
                                       text=text[:2000], offers=",".join(d["offers"]), status="open", created_at=now,
                                       **evidence)
            s.add(ticket)
            s.flush()
            ticket.ticket_no = f"TS{now:%Y%m%d}{ticket.id:06d}"
            return _outcome(decision, ticket_no=ticket.ticket_no, photo_verdict=evidence.get("photo_verdict"))

    def record_event(self, shopper_id: int, kind: str, product_id: str, *, order_no: str | None = None) -> None:
        """Behaviour for recommendations: view / add_to_cart / order / pay."""
        with self._tx() as s:
            order = self._order(s, shopper_id, order_no) if order_no else None
            s.add(m.BehaviourEvent(shopper_id=shopper_id, product_id=product_id, kind=kind,
                                   order_id=order.id if order else None, occurred_at=self.clock()))


def _part(item: m.OrderItem, qty: int | None, verb: str) -> int | Outcome:
    """How many pieces of `item` an after-sales request covers: all when `qty` is None or 0."""
    if not qty:
        return item.qty
    if not 1 <= qty <= item.qty:
        return Outcome(False, "qty_over", f"「{item.product_name}」您买了 {item.qty} 件，最多可以{verb} {item.qty} 件。")
    return qty


def _made_of(order: m.Order, refund) -> str:
    """What a whole-order refund is made of (确定是87不是79？ → goods 79 + shipping 8), when it holds shipping."""
    if refund.amount != order.pay_amount or not order.shipping_fee:
        return ""
    goods = order.items_total - order.discount
    return f"（商品 {goods:.2f} 元 + 运费 {order.shipping_fee:.2f} 元，全额退回）"
