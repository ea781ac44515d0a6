"""Level 2, history: what a shopper is into, and what to show them for it.

Interest in a category is the sum of the shopper's events in it, each weighted by how
much it says (pay/order > cart > view) and halved every INTEREST_HALF_LIFE_DAYS. The
strongest categories are searched for new arrivals and for products like the ones the
shopper looked at; what they already bought is left out.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Iterable

from shop.recommend.catalog_index import ProductIndex, ProductInfo
from shop.recommend.policy import (
    CANCELLED_PURCHASE_WEIGHT, HISTORY_WEIGHTS, INTEREST_HALF_LIFE_DAYS, KIND_WEIGHTS, NEW_ARRIVAL_DAYS,
    TOP_CATEGORIES,
)
from shop.recommend.types import PURCHASE_KINDS, Event, Recommendation

DAY = 86400.0


def decay(age: dt.timedelta, half_life_days: float | None = INTEREST_HALF_LIFE_DAYS) -> float:
    """Weight left after `age`; None or 0 = no decay (used by the bench's ablation)."""
    if not half_life_days:
        return 1.0
    return 0.5 ** (max(age.total_seconds(), 0.0) / DAY / half_life_days)


def event_weight(event: Event) -> float:
    if event.kind in PURCHASE_KINDS and event.order_status == "cancelled":
        return CANCELLED_PURCHASE_WEIGHT
    return KIND_WEIGHTS.get(event.kind, 0.0)


def category_interest(signals: Iterable[tuple[str, float, dt.datetime]], now: dt.datetime,
                      half_life_days: float | None = INTEREST_HALF_LIFE_DAYS) -> dict[str, float]:
    """(category, weight, when) → decayed interest per category. Signals after `now` are
    ignored: the recommender must never learn from what has not happened yet."""
    interest: dict[str, float] = defaultdict(float)
    for category, weight, at in signals:
        if at <= now and weight > 0:
            interest[category] += weight * decay(now - at, half_life_days)
    return dict(interest)


def top_categories(interest: dict[str, float], n: int) -> list[str]:
    return [c for c, _ in sorted(interest.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def shopper_category_interest(events: Iterable[Event], now: dt.datetime, products: ProductIndex) -> dict[str, float]:
    return category_interest(((products[e.product_id].category, event_weight(e), e.at)
                              for e in events if e.product_id in products), now)


class _Profile:
    """The shopper's taste as weighted product features (tags, scenes), so a candidate can
    be compared with what they looked at — leaving the candidate's own events out, or every
    viewed product would look "related" to itself."""

    def __init__(self, product_interest: dict[str, float], products: ProductIndex):
        self.product_interest = product_interest
        self.products = products
        self.weights: dict[str, float] = defaultdict(float)
        for pid, w in product_interest.items():
            for f in products[pid].features:
                self.weights[f] += w
        self.sq_norm = sum(w * w for w in self.weights.values())

    def similarity(self, product: ProductInfo) -> float:
        """Cosine between the product's features and the profile without the product itself."""
        own = self.product_interest.get(product.id, 0.0)
        feats = product.features
        if not feats:
            return 0.0
        dot, sq_norm = 0.0, self.sq_norm
        for f in feats:
            w = self.weights.get(f, 0.0)
            dot += w - own
            sq_norm += (w - own) ** 2 - w * w
        if dot <= 0 or sq_norm <= 1e-12:
            return 0.0
        return dot / (math.sqrt(len(feats)) * math.sqrt(sq_norm))

    def anchor(self, product: ProductInfo) -> tuple[ProductInfo, list[str]] | None:
        """The looked-at product sharing the most with `product`, and the shared selling points."""
        best = None
        for pid, w in self.product_interest.items():
            if pid == product.id:
                continue
            other = self.products[pid]
            shared = [t for t in product.tags if t in other.tags]
            key = (len(shared), w, pid)
            if shared and (best is None or key > best[0]):
                best = (key, other, shared)
        return (best[1], best[2]) if best else None


def history_picks(events: Iterable[Event], now: dt.datetime, k: int, products: ProductIndex,
                  half_life_days: float | None = INTEREST_HALF_LIFE_DAYS,
                  weights: dict[str, float] = HISTORY_WEIGHTS) -> list[Recommendation]:
    past = [e for e in events if e.at <= now and e.product_id in products]
    interest = category_interest(((products[e.product_id].category, event_weight(e), e.at) for e in past), now,
                                 half_life_days)
    top = top_categories(interest, TOP_CATEGORIES)
    if not top or k <= 0:
        return []
    total = sum(interest[c] for c in top)
    bought = {e.product_id for e in past if e.is_purchase}
    product_interest: dict[str, float] = defaultdict(float)
    for e in past:
        product_interest[e.product_id] += event_weight(e) * decay(now - e.at, half_life_days)
    profile = _Profile(dict(product_interest), products)
    looked_not_bought = {pid: w for pid, w in product_interest.items() if pid not in bought}
    max_seen = max(looked_not_bought.values(), default=0.0)
    bought_ever = {e.product_id for e in past if e.kind in PURCHASE_KINDS}

    scored = []
    for category in top:
        share = interest[category] / total
        for p in products.by_category.get(category, ()):
            if p.id in bought or not products.on_sale(p, now):
                continue
            age_days = (now.date() - p.launch).days
            parts = {
                "new": max(0.0, 1.0 - age_days / NEW_ARRIVAL_DAYS),
                "related": profile.similarity(p),
                "seen": looked_not_bought.get(p.id, 0.0) / max_seen if max_seen else 0.0,
            }
            contributions = {name: weights[name] * value for name, value in parts.items()}
            score = share * (sum(contributions.values()) + weights["base"])
            scored.append((score, p, contributions, age_days))
    scored.sort(key=lambda x: (-x[0], x[1].id))
    return [Recommendation(p.id, p.name, _reason(p, contributions, age_days, profile, products, bought_ever),
                           round(score, 6), "history")
            for score, p, contributions, age_days in scored[:k]]


def _reason(p: ProductInfo, contributions: dict[str, float], age_days: int, profile: _Profile,
            products: ProductIndex, bought_ever: set[str]) -> str:
    category = products.category_name(p.category)
    main = max(contributions, key=lambda name: (contributions[name], name))
    if contributions[main] <= 0:
        return f"亲，根据您对{category}的喜好，为您挑了这款「{p.name}」，看看合不合心意～"
    if main == "seen":
        return f"您之前看过这款「{p.name}」，还在考虑吗？喜欢的话可以放心下单哦～"
    if main == "new":
        when = {0: "今天", 1: "昨天"}.get(age_days, f"{age_days}天前")
        return f"亲，您最近常逛{category}，这款「{p.name}」{when}刚上新，来先睹为快吧～"
    anchor = profile.anchor(p)
    if anchor is None:
        return f"亲，和您最近关注的{category}好物风格相近，这款「{p.name}」您可能也会喜欢～"
    other, shared = anchor
    verb = "买过" if other.id in bought_ever else "看过"
    return f"和您{verb}的「{other.name}」一样{'、'.join(shared[:2])}，这款「{p.name}」您可能也会喜欢～"
