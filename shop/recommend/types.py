"""What goes into the recommender (events) and what comes out (recommendations)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

PURCHASE_KINDS = ("order", "pay")


@dataclass(frozen=True)
class Event:
    """One thing a shopper did with a product (a BehaviourEvent, or a simulated one).

    order_status is the order's status for order/pay events read from the store, so a
    cancelled order is not taken for a purchase; None when unknown (simulations)."""
    product_id: str
    kind: str            # view / add_to_cart / order / pay
    at: dt.datetime
    order_status: str | None = None

    @property
    def is_purchase(self) -> bool:
        return self.kind in PURCHASE_KINDS and self.order_status != "cancelled"

    @property
    def is_kept_purchase(self) -> bool:
        """Paid for and not sent back: the shopper has the goods and may run out of them."""
        return self.kind == "pay" and self.order_status not in ("cancelled", "refunded")


@dataclass(frozen=True)
class CouponOffer:
    """A coupon row as the chat shows it. newly_issued is False when the period's coupon
    had already been given (the same coupon is shown again, never a second one)."""
    code: str
    title: str
    amount: Decimal
    threshold: Decimal
    valid_from: dt.datetime
    valid_until: dt.datetime
    newly_issued: bool
    used: bool = False

    def usable_at(self, now: dt.datetime) -> bool:
        return not self.used and self.valid_from <= now <= self.valid_until


@dataclass(frozen=True)
class Recommendation:
    product_id: str
    name: str
    reason: str          # Chinese, addressed to the shopper
    score: float
    level: str = ""      # realtime / history / seasonal / replenish / popular
    coupon: CouponOffer | None = None
