"""Recommendations in three levels, plus a popularity baseline and the chat's mix.

    from shop.recommend import recommend, realtime, history, predictive, popular
    recs = recommend(sessions, shopper_id, now, k=5)   # sessions: Session or sessionmaker
    for r in recs: r.product_id, r.name, r.reason, r.score, r.level, r.coupon

1. realtime   — cart items left 30+ minutes without an order; issues one real Coupon
                row (source cart_reminder) per shopper per 7 days and shows it.
2. history    — the shopper's strongest categories (pay/order > cart > view, decayed
                by age) → new arrivals and similar products, never what they bought.
3. predictive — consumables due again by their category's cycle, then the season's goods.
   popular    — bestsellers of the last 90 days (the baseline the levels must beat).

Numbers live in shop.recommend.policy. The level logic is pure functions over events
(interests, seasons, replenish, cart, bestsellers, mixing), so bench/recommend.py runs
the very same code on simulated and real logs; api reads and writes the store.
"""
from shop.recommend.api import history, popular, predictive, realtime, recommend
from shop.recommend.types import CouponOffer, Event, Recommendation

__all__ = ["CouponOffer", "Event", "Recommendation", "history", "popular", "predictive", "realtime", "recommend"]
