"""Demo data for the order store: 20 shoppers, ~80 orders in every state, parcels, after-sales.

    python -m shop.store.seed            migrate to head, then seed unless already seeded
    python -m shop.store.seed --reset    wipe the demo rows and seed again
    SHOP_SEED_NOW=2025-11-24T10:00 python -m shop.store.seed   fixed anchor (tests, recorded demos)

Every choice comes from a fixed random seed, and every time is an offset from an
anchor ("now" at seeding, or SHOP_SEED_NOW): the same anchor gives the same rows,
order numbers included (they start with the order's date). Anchoring on the
seeding time keeps the scenarios true for a demo — "delivered 3 days ago" is still
inside the 7-day window, "no update for 5 days" is still delayed.

Shopper 1 (张伟, the demo REST sender "demo") owns one order of each kind. No other sender
is bound by name: the others identify with a one-time code sent to their phone on file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shop.rules.invoices import uscc_check_char, USCC_ALPHABET
from shop.rules.policy import (
    OrderStatus, RefundStatus, ReturnKind, ReturnReason, ReturnStatus, SEND_BACK_DAYS,
)
from shop.rules.returns import refund_expected_by
from shop.store import models as m
from shop.store.clock import china_now
from shop.store.products import Product, demo_products
from shop.store.session import make_engine, session_factory

SEED = 20231124
SEED_VERSION = "1"
DEMO_SENDER = "demo"  # the REST sender make run binds to shopper 1 (demo mode only)
FREE_SHIPPING_THRESHOLD = Decimal("99")
SHIPPING_FEE = Decimal("8")

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏",
         "徐强", "孙悦", "马超", "朱婷", "胡斌", "郭佳", "何欣", "林峰", "罗琳", "高原"]
PHONE_PREFIXES = ["138", "139", "135", "136", "150", "151", "186", "187", "177", "188", "158", "199"]
# (province, city, district, street address, destination hub)
ADDRESSES = [
    ("北京市", "北京市", "朝阳区", "建国路 88 号 SOHO 现代城 2 号楼 1203 室", "北京"),
    ("上海市", "上海市", "浦东新区", "张杨路 500 号华润时代广场 18 楼", "上海"),
    ("广东省", "广州市", "天河区", "天河北路 233 号中信广场 3506 室", "广州"),
    ("广东省", "深圳市", "南山区", "科技园南区深南大道 9988 号 7 栋 502", "深圳"),
    ("浙江省", "杭州市", "西湖区", "文三路 478 号华星时代广场 A 座 1101", "杭州"),
    ("江苏省", "南京市", "鼓楼区", "中山北路 30 号 21 幢 602 室", "南京"),
    ("四川省", "成都市", "武侯区", "人民南路四段 19 号 3 单元 801", "成都"),
    ("湖北省", "武汉市", "洪山区", "珞喻路 1037 号华中科技大学东校区 12 栋", "武汉"),
    ("陕西省", "西安市", "雁塔区", "小寨东路 126 号百隆广场 15 楼", "西安"),
    ("山东省", "青岛市", "市南区", "香港中路 10 号颐和国际 B 座 2203", "青岛"),
    ("福建省", "厦门市", "思明区", "湖滨南路 90 号立信广场 1606", "厦门"),
    ("湖南省", "长沙市", "岳麓区", "麓山南路 932 号 4 栋 305", "长沙"),
]
CARRIERS = [("顺丰速运", "SF", 13), ("中通快递", "7", 13), ("圆通速递", "YT", 13),
            ("韵达快递", "43", 13), ("京东物流", "JDV", 12), ("EMS", "98", 11)]
COURIERS = ["王师傅", "李师傅", "张师傅", "刘师傅", "陈师傅", "赵师傅"]
SIGNERS = ["本人签收", "家门口签收", "丰巢快递柜签收", "物业前台代签收", "菜鸟驿站代收"]
PAYMENTS = ["alipay", "wechat", "bank_card"]

# Scenario → count. Together ~80 orders covering every state the flows care about.
SCENARIOS = [
    ("pending_payment", 8), ("paid", 8), ("paid_late", 2), ("in_transit", 10), ("delayed", 6),
    ("delivered_recent", 14), ("delivered_old", 14), ("cancelled_unpaid", 4), ("cancelled_paid", 4),
    ("refunded", 4), ("return_requested", 3), ("return_received", 3), ("exchanged", 2),
]
# Shopper 1's orders, so one demo sender can try every flow.
DEMO_SHOPPER_SCENARIOS = ["pending_payment", "paid", "in_transit", "delayed", "delivered_recent",
                          "delivered_old", "cancelled_paid", "refunded", "return_requested"]


def seed_anchor(env=None) -> dt.datetime:
    env = os.environ if env is None else env
    text = env.get("SHOP_SEED_NOW")
    if text:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None, second=0, microsecond=0)
    return china_now().replace(second=0, microsecond=0)


@dataclass
class _Planned:
    scenario: str
    shopper: m.Shopper
    created_at: dt.datetime


class _Seeder:
    def __init__(self, session: Session, now: dt.datetime):
        self.s = session
        self.now = now
        self.rng = random.Random(SEED)
        self.products = demo_products()
        self.tracking_seq = 0

    # -- helpers ----------------------------------------------------------
    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> dt.datetime:
        return self.now - dt.timedelta(days=days, hours=hours, minutes=minutes)

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + "".join(self.rng.choice("0123456789") for _ in range(8))

    def code(self, prefix: str, n: int) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(n))

    # -- shoppers, stock, coupons ----------------------------------------
    def shoppers(self) -> list[m.Shopper]:
        phones: set[str] = set()
        out = []
        for i, name in enumerate(NAMES, start=1):
            phone = self.phone()
            while phone in phones:
                phone = self.phone()
            phones.add(phone)
            created = self.ago(days=400 - i * 9, hours=self.rng.randint(0, 12))
            shopper = m.Shopper(name=name, phone=phone, created_at=created)
            if i == 1:
                # The one sender the demo trusts by name (README: demo mode); every other
                # sender proves who they are with a one-time code (shop.identity).
                shopper.channels.append(m.ShopperChannel(channel="rest", external_id=DEMO_SENDER, created_at=created,
                                                         verified_by="demo"))
            self.s.add(shopper)
            out.append(shopper)
        self.s.flush()
        return out

    def stock(self) -> None:
        for p in self.products:
            for v in p.variants:
                self.s.add(m.VariantStock(product_id=p.id, color=v.color, size=v.size, stock=v.stock))

    def coupons(self, shoppers: list[m.Shopper]) -> dict[int, list[m.Coupon]]:
        kinds = [("满199减20", Decimal("20"), Decimal("199")), ("满99减10", Decimal("10"), Decimal("99")),
                 ("无门槛5元券", Decimal("5"), Decimal("0"))]
        out: dict[int, list[m.Coupon]] = {}
        for shopper in shoppers:
            for title, amount, threshold in kinds:
                c = m.Coupon(code=self.code("QY", 8), shopper_id=shopper.id, title=title, amount=amount,
                             threshold=threshold, valid_from=self.ago(days=60), valid_until=self.ago(days=-30),
                             source="promotion")
                self.s.add(c)
                out.setdefault(shopper.id, []).append(c)
            # An expired one, so "coupon expired" can be seen.
            self.s.add(m.Coupon(code=self.code("QY", 8), shopper_id=shopper.id, title="双十一满300减40",
                                amount=Decimal("40"), threshold=Decimal("300"), valid_from=self.ago(days=90),
                                valid_until=self.ago(days=20), source="promotion"))
        return out

    # -- orders -----------------------------------------------------------
    def plan(self, shoppers: list[m.Shopper]) -> list[_Planned]:
        bag = [name for name, count in SCENARIOS for _ in range(count)]
        for name in DEMO_SHOPPER_SCENARIOS:
            bag.remove(name)
        self.rng.shuffle(bag)
        plans = [(name, shoppers[0]) for name in DEMO_SHOPPER_SCENARIOS]
        others = shoppers[1:] + shoppers[:1]
        plans += [(name, others[i % len(others)]) for i, name in enumerate(bag)]
        out = []
        for name, shopper in plans:
            out.append(_Planned(name, shopper, self._created_at(name)))
        return out

    def _created_at(self, scenario: str) -> dt.datetime:
        r = self.rng
        span = {
            "pending_payment": (0.02, 0.8), "paid": (0.1, 1.5), "paid_late": (2.5, 4), "in_transit": (1.2, 3),
            "delayed": (6, 12), "delivered_recent": (3, 9), "delivered_old": (12, 45),
            "cancelled_unpaid": (1, 30), "cancelled_paid": (2, 30), "refunded": (18, 40),
            "return_requested": (4, 8), "return_received": (8, 11), "exchanged": (20, 35),
        }[scenario]
        return self.ago(days=r.uniform(*span)).replace(second=0, microsecond=0)

    def items(self, order: m.Order, *, single: bool = False) -> None:
        count = 1 if single else self.rng.choice([1, 1, 1, 2, 2, 3])
        for product in self.rng.sample(self.products, count):
            variant = self.rng.choice(product.variants)
            order.items.append(m.OrderItem(product_id=product.id, product_name=product.name,
                                           category=product.category, color=variant.color, size=variant.size,
                                           qty=self.rng.choice([1, 1, 1, 2]), unit_price=product.price))

    def orders(self, plans: list[_Planned], coupons: dict[int, list[m.Coupon]]) -> list[m.Order]:
        # Order numbers: date of creation + that day's running number, in creation order.
        plans = sorted(plans, key=lambda p: p.created_at)
        per_day: dict[str, int] = {}
        out = []
        for plan in plans:
            day = plan.created_at.strftime("%Y%m%d")
            per_day[day] = per_day.get(day, 0) + 1
            order_no = f"{day}{per_day[day]:04d}"
            province, city, district, detail, _hub = self.rng.choice(ADDRESSES)
            order = m.Order(order_no=order_no, shopper_id=plan.shopper.id, status=OrderStatus.PENDING_PAYMENT,
                            receiver_name=plan.shopper.name, receiver_phone=plan.shopper.phone,
                            province=province, city=city, district=district, address_detail=detail,
                            created_at=plan.created_at, updated_at=plan.created_at,
                            items_total=Decimal("0"), shipping_fee=Decimal("0"), discount=Decimal("0"),
                            pay_amount=Decimal("0"))
            self.items(order, single=plan.scenario in ("refunded", "return_requested", "return_received", "exchanged"))
            self.s.add(order)
            self.s.flush()
            self._price(order, coupons.get(plan.shopper.id, []))
            getattr(self, "_scenario_" + plan.scenario.replace("paid_late", "paid"))(order, plan)
            self._behaviour(order)
            out.append(order)
        return out

    def _price(self, order: m.Order, coupons: list[m.Coupon]) -> None:
        order.items_total = sum((i.unit_price * i.qty for i in order.items), Decimal("0"))
        order.shipping_fee = Decimal("0") if order.items_total >= FREE_SHIPPING_THRESHOLD else SHIPPING_FEE
        # About one order in five uses a coupon it qualifies for (one per order).
        usable = [c for c in coupons if c.used_order_id is None and c.threshold <= order.items_total]
        if usable and self.rng.random() < 0.2:
            coupon = usable[0]
            coupon.used_order_id = order.id
            coupon.used_at = order.created_at
            order.discount = min(coupon.amount, order.items_total)
        order.pay_amount = order.items_total + order.shipping_fee - order.discount

    def _pay(self, order: m.Order, after_minutes: float | None = None) -> None:
        order.payment_method = self.rng.choice(PAYMENTS)
        order.paid_at = order.created_at + dt.timedelta(minutes=after_minutes or self.rng.uniform(1, 30))
        order.status = OrderStatus.PAID
        order.updated_at = order.paid_at

    def _ship(self, order: m.Order, *, deliver: bool, stall_days: float | None = None,
              kind: str = "outbound", start: dt.datetime | None = None) -> m.Shipment:
        carrier, prefix, digits = self.rng.choice(CARRIERS)
        self.tracking_seq += 1
        tail = f"{self.rng.randint(0, 10 ** (digits - 5) - 1):0{digits - 5}d}{self.tracking_seq:05d}"
        shipped_at = start or (order.paid_at + dt.timedelta(hours=self.rng.uniform(3, 30)))
        hub = next(a[4] for a in ADDRESSES if a[1] == order.city)
        courier = self.rng.choice(COURIERS)
        courier_phone = self.phone()
        steps = [
            (0, "collected", "杭州市", f"【杭州市】商家已发货，{carrier}【杭州余杭仓配营业部】已揽收"),
            (3.5, "in_transit", "杭州市", "快件已到达【杭州转运中心】"),
            (6, "in_transit", "杭州市", f"快件已从【杭州转运中心】发出，下一站【{hub}转运中心】"),
            (26, "in_transit", order.city, f"快件已到达【{hub}转运中心】"),
            (31, "in_transit", order.city, f"快件已从【{hub}转运中心】发出，下一站【{order.district}营业部】"),
            (37, "in_transit", order.city, f"快件已到达【{order.city}{order.district}营业部】"),
            (39, "out_for_delivery", order.city,
             f"【{order.city}{order.district}】快递员{courier}（电话 {courier_phone}）正在为您派件，请保持电话畅通"),
            (43, "delivered", order.city,
             f"您的快件已{self.rng.choice(SIGNERS)}，感谢使用{carrier}，期待再次为您服务"),
        ]
        shipment = m.Shipment(kind=kind, carrier=carrier, tracking_no=prefix + tail, shipped_at=shipped_at)
        order.shipments.append(shipment)
        jitter = self.rng.uniform(0, 2)
        for hours, status, location, text in steps:
            at = (shipped_at + dt.timedelta(hours=hours + jitter * (hours > 0))).replace(second=0, microsecond=0)
            if status == "delivered" and not deliver:
                break
            if stall_days is not None and at > self.now - dt.timedelta(days=stall_days):
                break  # the carrier went silent: no events in the last stall_days
            if at > self.now:
                break
            shipment.events.append(m.TrackingEvent(occurred_at=at, status=status, location=location, description=text))
            if status == "delivered":
                shipment.delivered_at = at
        if kind == "outbound":
            order.status = OrderStatus.DELIVERED if shipment.delivered_at else OrderStatus.SHIPPED
            order.shipped_at = shipped_at
            order.delivered_at = shipment.delivered_at
            order.updated_at = shipment.events[-1].occurred_at
        return shipment

    # -- scenarios ----------------------------------------------------------
    def _scenario_pending_payment(self, order, plan):
        pass

    def _scenario_paid(self, order, plan):
        self._pay(order)

    def _scenario_in_transit(self, order, plan):
        self._pay(order)
        self._ship(order, deliver=False, start=min(order.paid_at + dt.timedelta(hours=4), self.ago(hours=20)))

    def _scenario_delayed(self, order, plan):
        self._pay(order)
        # The newest event is 4-9 days old (never older than the order allows);
        # shipping started up to two days before the stall.
        age = (self.now - order.paid_at) / dt.timedelta(days=1)
        stall = self.rng.uniform(4, min(9, age - 1.5))
        start = max(order.paid_at + dt.timedelta(hours=2), self.ago(days=stall + 2))
        self._ship(order, deliver=False, stall_days=stall, start=start)

    def _deliver_days_ago(self, order, days_ago: float) -> None:
        self._pay(order)
        start = self.ago(days=days_ago, hours=43 + 1)  # 43 h from pickup to delivery
        start = max(start, order.paid_at + dt.timedelta(hours=1))
        self._ship(order, deliver=True, start=start)

    def _scenario_delivered_recent(self, order, plan):
        self._deliver_days_ago(order, self.rng.uniform(0.3, 5.5))

    def _scenario_delivered_old(self, order, plan):
        self._deliver_days_ago(order, self.rng.uniform(9, 40))

    def _scenario_cancelled_unpaid(self, order, plan):
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = order.created_at + dt.timedelta(hours=self.rng.uniform(0.2, 20))
        order.cancel_reason = self.rng.choice(["超时未付款，系统自动取消", "不想要了", "拍错了"])
        order.updated_at = order.cancelled_at
        self._release_coupon(order)

    def _scenario_cancelled_paid(self, order, plan):
        self._pay(order)
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = order.paid_at + dt.timedelta(hours=self.rng.uniform(0.5, 10))
        order.cancel_reason = self.rng.choice(["信息填写错误", "不想要了", "其他渠道买到了"])
        order.updated_at = order.cancelled_at
        self.s.add(m.Refund(order_id=order.id, cause="cancel", amount=order.pay_amount,
                            payment_method=order.payment_method, status=RefundStatus.SUCCEEDED,
                            created_at=order.cancelled_at,
                            expected_by=refund_expected_by(order.cancelled_at, order.payment_method),
                            completed_at=order.cancelled_at + dt.timedelta(hours=20)))

    def _release_coupon(self, order) -> None:
        # A coupon on an order cancelled before payment goes back to the shopper.
        if order.discount:
            coupon = self.s.scalars(select(m.Coupon).where(m.Coupon.used_order_id == order.id)).first()
            if coupon:
                coupon.used_order_id = None
                coupon.used_at = None

    def _return(self, order, *, requested_after_days: float, status: str, kind=ReturnKind.RETURN,
                reason=None) -> m.ReturnRequest:
        item = order.items[0]
        created = order.delivered_at + dt.timedelta(days=requested_after_days)
        reason = reason or self.rng.choice([ReturnReason.NO_REASON, ReturnReason.SIZE, ReturnReason.QUALITY])
        target = {}
        if kind == ReturnKind.EXCHANGE:
            product = next(p for p in self.products if p.id == item.product_id)
            others = [v for v in product.variants if (v.color, v.size) != (item.color, item.size)] or list(product.variants)
            v = self.rng.choice(others)
            target = {"target_color": v.color, "target_size": v.size}
        req = m.ReturnRequest(order_id=order.id, order_item_id=item.id, kind=kind, reason=reason,
                              detail={ReturnReason.QUALITY: "收到后发现有开线", ReturnReason.SIZE: "尺码偏小",
                                      ReturnReason.NO_REASON: "不太喜欢"}.get(reason, "与描述不符"),
                              qty=item.qty, status=status, opened=False, created_at=created,
                              send_back_by=(created + dt.timedelta(days=SEND_BACK_DAYS)).date(), **target)
        self.s.add(req)
        self.s.flush()
        return req

    def _scenario_refunded(self, order, plan):
        self._deliver_days_ago(order, self.rng.uniform(12, 30))
        req = self._return(order, requested_after_days=self.rng.uniform(0.5, 4), status=ReturnStatus.REFUNDED)
        req.received_at = req.created_at + dt.timedelta(days=3)
        issued = req.received_at + dt.timedelta(hours=20)
        req.completed_at = issued
        self.s.add(m.Refund(order_id=order.id, return_request_id=req.id, cause="return", amount=order.pay_amount,
                            payment_method=order.payment_method, status=RefundStatus.SUCCEEDED, created_at=issued,
                            expected_by=refund_expected_by(issued, order.payment_method),
                            completed_at=issued + dt.timedelta(days=1)))
        order.status = OrderStatus.REFUNDED
        order.updated_at = issued

    def _scenario_return_requested(self, order, plan):
        self._deliver_days_ago(order, self.rng.uniform(2, 4))
        self._return(order, requested_after_days=1, status=ReturnStatus.REQUESTED)

    def _scenario_return_received(self, order, plan):
        self._deliver_days_ago(order, self.rng.uniform(5, 6))
        req = self._return(order, requested_after_days=1, status=ReturnStatus.RECEIVED)
        req.received_at = self.ago(hours=self.rng.uniform(30, 40))
        issued = req.received_at + dt.timedelta(hours=12)
        self.s.add(m.Refund(order_id=order.id, return_request_id=req.id, cause="return",
                            amount=order.items[0].unit_price * order.items[0].qty,
                            payment_method=order.payment_method, status=RefundStatus.PROCESSING, created_at=issued,
                            expected_by=refund_expected_by(issued, order.payment_method)))

    def _scenario_exchanged(self, order, plan):
        self._deliver_days_ago(order, self.rng.uniform(14, 20))
        req = self._return(order, requested_after_days=1, status=ReturnStatus.EXCHANGED, kind=ReturnKind.EXCHANGE,
                           reason=ReturnReason.SIZE)
        req.received_at = req.created_at + dt.timedelta(days=3)
        req.completed_at = req.received_at + dt.timedelta(hours=18)
        self._ship(order, deliver=True, kind="exchange", start=req.completed_at)

    # -- the rest -----------------------------------------------------------
    def _behaviour(self, order: m.Order) -> None:
        for item in order.items:
            t = order.created_at - dt.timedelta(hours=self.rng.uniform(1, 48))
            self.s.add(m.BehaviourEvent(shopper_id=order.shopper_id, product_id=item.product_id, kind="view", occurred_at=t))
            self.s.add(m.BehaviourEvent(shopper_id=order.shopper_id, product_id=item.product_id, kind="add_to_cart",
                                        occurred_at=t + dt.timedelta(minutes=self.rng.randint(1, 50))))
            self.s.add(m.BehaviourEvent(shopper_id=order.shopper_id, product_id=item.product_id, kind="order",
                                        order_id=order.id, occurred_at=order.created_at))
            if order.paid_at:
                self.s.add(m.BehaviourEvent(shopper_id=order.shopper_id, product_id=item.product_id, kind="pay",
                                            order_id=order.id, occurred_at=order.paid_at))

    def browsing(self, shoppers: list[m.Shopper]) -> None:
        """Views and carts that did not become orders, so recommendations have more than purchases."""
        for shopper in shoppers:
            for _ in range(self.rng.randint(5, 15)):
                product = self.rng.choice(self.products)
                t = self.ago(days=self.rng.uniform(0, 60)).replace(second=0, microsecond=0)
                self.s.add(m.BehaviourEvent(shopper_id=shopper.id, product_id=product.id, kind="view", occurred_at=t))
                if self.rng.random() < 0.3:
                    self.s.add(m.BehaviourEvent(shopper_id=shopper.id, product_id=product.id, kind="add_to_cart",
                                                occurred_at=t + dt.timedelta(minutes=3)))

    def invoices(self, orders: list[m.Order]) -> None:
        paid = [o for o in orders if o.status in (OrderStatus.DELIVERED, OrderStatus.SHIPPED)]
        for i, order in enumerate(self.rng.sample(paid, 6)):
            if i % 2:
                head = "91" + "".join(self.rng.choice("0123456789") for _ in range(6)) + "".join(
                    self.rng.choice(USCC_ALPHABET) for _ in range(9))
                tax, title_type, title = head + uscc_check_char(head), "company", self.rng.choice(
                    ["杭州云帆科技有限公司", "上海启明贸易有限公司", "深圳市前海数智网络有限公司"])
            else:
                tax, title_type, title = None, "personal", order.receiver_name
            self.s.add(m.Invoice(order_id=order.id, title_type=title_type, title=title, tax_number=tax,
                                 email=f"invoice{order.shopper_id:02d}@example.com", amount=order.pay_amount,
                                 status="issued", created_at=order.paid_at + dt.timedelta(hours=1)))

    def complaints(self, orders: list[m.Order]) -> None:
        samples = [
            ("quality", "normal", False, "衣服收到就开线了，质量太差"),
            ("logistics", "normal", False, "快递好几天都不动了"),
            ("mismatch", "high", True, "和图片完全不一样，色差太大，骗子吧，我要投诉到12315"),
            ("service", "low", False, "客服回复太慢了"),
        ]
        delivered = [o for o in orders if o.status == OrderStatus.DELIVERED]
        for n, (category, priority, flagged, text) in enumerate(samples, start=1):
            order = delivered[(n * 7) % len(delivered)]
            created = order.delivered_at + dt.timedelta(hours=5)
            self.s.add(m.ComplaintTicket(ticket_no=f"TS{created:%Y%m%d}{n:06d}", shopper_id=order.shopper_id,
                                         order_id=order.id, category=category, priority=priority,
                                         flagged_for_human=flagged, text=text,
                                         offers="", status="closed" if not flagged else "open", created_at=created))


DATA_TABLES = [t for t in reversed(m.Base.metadata.sorted_tables)]


def is_seeded(session: Session) -> bool:
    return session.get(m.StoreMeta, "seed_version") is not None


def wipe(session: Session) -> None:
    for table in DATA_TABLES:  # children before parents
        session.execute(delete(table))


def seed(session: Session, now: dt.datetime | None = None, *, reset: bool = False) -> bool:
    """Seed inside the caller's transaction; False when already seeded (and not reset)."""
    if is_seeded(session):
        if not reset:
            return False
    if reset:
        wipe(session)
        session.flush()
    now = now or seed_anchor()
    seeder = _Seeder(session, now)
    seeder.stock()
    shoppers = seeder.shoppers()
    coupons = seeder.coupons(shoppers)
    session.flush()
    orders = seeder.orders(seeder.plan(shoppers), coupons)
    seeder.browsing(shoppers)
    seeder.invoices(orders)
    seeder.complaints(orders)
    session.add(m.StoreMeta(key="seed_version", value=SEED_VERSION))
    session.add(m.StoreMeta(key="seed_anchor", value=now.isoformat()))
    session.flush()
    return True


def main(argv: list[str] | None = None) -> int:
    from shop.store.migrate import upgrade
    from shop.store.settings import db_url

    parser = argparse.ArgumentParser(prog="python -m shop.store.seed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="database URL (default: SHOP_DB_URL or var/shop.db)")
    parser.add_argument("--reset", action="store_true", help="delete all store rows and seed again")
    args = parser.parse_args(argv)
    url = args.url or db_url()
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as session, session.begin():
        done = seed(session, reset=args.reset)
        anchor = session.get(m.StoreMeta, "seed_anchor").value
        counts = {name: session.scalar(select(func.count()).select_from(m.Base.metadata.tables[name]))
                  for name in ("shoppers", "orders", "tracking_events")}
    engine.dispose()
    print(("seeded" if done else "already seeded (use --reset to reseed)")
          + f": {counts['shoppers']} shoppers, {counts['orders']} orders, {counts['tracking_events']} tracking events"
          + f", anchor {anchor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
