"""The shop's promotions, from shop/rules/promotions.yaml: which apply, and how to say so.

`active(on)` lists the offers valid on a date; `for_product(on, product)` those that cover a
product (by category or type); `wording(promo)` says one in a line. Nothing about an
offer is written here: titles, thresholds, amounts, dates and scope are the file's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import yaml

PROMOTIONS_FILE = Path(__file__).with_name("promotions.yaml")
KINDS = ("满减", "折扣", "新人券")


class PromotionError(ValueError):
    """promotions.yaml says something that cannot be an offer (unknown kind, dates reversed ...)."""


@dataclass(frozen=True)
class Promotion:
    id: str
    title: str
    kind: str
    valid_from: dt.date
    valid_until: dt.date                 # inclusive
    threshold: float = 0.0               # 元 of eligible goods (满减, 新人券)
    amount: float = 0.0                  # 元 off (满减, 新人券)
    rate: float = 1.0                    # price factor (折扣: 0.9 = 九折)
    min_items: int = 1                   # eligible items needed (折扣)
    categories: tuple[str, ...] = ()     # catalog codes covered; empty with types empty = whole shop
    types: tuple[str, ...] = ()          # product types covered
    stackable: bool = True
    aliases: tuple[str, ...] = ()

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until

    def covers(self, product: dict) -> bool:
        if not self.categories and not self.types:
            return True
        return product.get("category") in self.categories or product.get("type") in self.types


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def parse(doc: dict) -> list[Promotion]:
    out = []
    for raw in doc.get("promotions") or []:
        scope = raw.get("scope") or {}
        p = Promotion(id=str(raw["id"]), title=str(raw["title"]), kind=str(raw["kind"]),
                      valid_from=_date(raw["valid_from"]), valid_until=_date(raw["valid_until"]),
                      threshold=float(raw.get("threshold", 0)), amount=float(raw.get("amount", 0)),
                      rate=float(raw.get("rate", 1)), min_items=int(raw.get("min_items", 1)),
                      categories=tuple(scope.get("categories") or ()), types=tuple(scope.get("types") or ()),
                      stackable=bool(raw.get("stackable", True)), aliases=tuple(raw.get("aliases") or ()))
        if p.kind not in KINDS:
            raise PromotionError(f"{p.id}: kind must be one of {KINDS}")
        if p.valid_until < p.valid_from:
            raise PromotionError(f"{p.id}: valid_until before valid_from")
        if p.kind in ("满减", "新人券") and (p.amount <= 0 or (p.threshold and p.amount >= p.threshold)):
            raise PromotionError(f"{p.id}: amount must be positive and below the threshold")
        if p.kind == "折扣" and not 0 < p.rate < 1:
            raise PromotionError(f"{p.id}: rate must be between 0 and 1")
        out.append(p)
    ids = [p.id for p in out]
    if len(ids) != len(set(ids)):
        raise PromotionError("duplicate promotion ids")
    return out


@lru_cache(maxsize=1)
def _doc() -> dict:
    return yaml.safe_load(PROMOTIONS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def promotions() -> tuple[Promotion, ...]:
    return tuple(parse(_doc()))


def events() -> tuple[str, ...]:
    """Sales days the shop runs no offer for (promotions.yaml `events`)."""
    return tuple(str(e) for e in _doc().get("events") or ())


def mentioned(text: str) -> bool:
    """Does the text name an offer (title or alias) or a sales day (双十一)?"""
    text = text or ""
    return any(p.title in text or any(a in text for a in p.aliases) for p in promotions()) or any(
        e in text for e in events())


def asked_about(text: str, on: dt.date | dt.datetime, offers: Iterable[Promotion] | None = None
                ) -> tuple[list[Promotion], list[str]]:
    """The offers a message names (by title or alias), the one running on the date first or else the
    next, and the sales days it names that the shop has no offer for (双十一)."""
    day = on.date() if isinstance(on, dt.datetime) else on
    text = text or ""
    named: dict[str, list[Promotion]] = {}
    for p in (promotions() if offers is None else offers):
        if p.title in text or any(a in text for a in p.aliases):
            named.setdefault(p.title, []).append(p)
    chosen = []
    for same in named.values():
        running = [p for p in same if p.valid_on(day)]
        upcoming = sorted((p for p in same if p.valid_from > day), key=lambda p: p.valid_from)
        past = sorted((p for p in same if p.valid_until < day), key=lambda p: p.valid_until, reverse=True)
        chosen.append((running or upcoming or past)[0])
    missing = [e for e in events() if e in text]
    return chosen, missing


def best_deal(product: dict, qty: int, on: dt.date | dt.datetime, offers: Iterable[Promotion] | None = None
              ) -> tuple[float, float, Promotion | None]:
    """(goods total, after the best offer that applies to qty of one product, that offer or None)."""
    subtotal = round(float(product["price"]) * qty, 2)
    best, best_total = None, subtotal
    for p in for_product(on, product, offers):
        if p.kind == "满减" and subtotal >= p.threshold:
            total = subtotal - p.amount
        elif p.kind == "折扣" and qty >= p.min_items:
            total = round(subtotal * p.rate, 2)
        else:
            continue
        if total < best_total:
            best, best_total = p, total
    return subtotal, round(best_total, 2), best


def best_cart_deal(lines: Sequence[tuple[dict, int]], on: dt.date | dt.datetime,
                   offers: Iterable[Promotion] | None = None) -> tuple[float, float, Promotion | None]:
    """(goods total, after the one best offer, that offer or None) for several products with their
    quantities: a 满减 counts the goods it covers against its threshold, a 折扣 their number of items.
    One offer per order here (the rules' stackable offers are the shopper's coupons, not these)."""
    subtotal = round(sum(float(p["price"]) * q for p, q in lines), 2)
    best, best_total = None, subtotal
    for offer in active(on, offers):
        if offer.kind == "新人券":
            continue
        covered = [(p, q) for p, q in lines if offer.covers(p)]
        eligible = sum(float(p["price"]) * q for p, q in covered)
        if offer.kind == "满减" and covered and eligible >= offer.threshold:
            total = subtotal - offer.amount
        elif offer.kind == "折扣" and sum(q for _, q in covered) >= offer.min_items:
            total = subtotal - eligible * (1 - offer.rate)
        else:
            continue
        if total < best_total:
            best, best_total = offer, total
    return subtotal, round(best_total, 2), best


def active(on: dt.date | dt.datetime, offers: Iterable[Promotion] | None = None) -> list[Promotion]:
    day = on.date() if isinstance(on, dt.datetime) else on
    return [p for p in (promotions() if offers is None else offers) if p.valid_on(day)]


def for_product(on: dt.date | dt.datetime, product: dict, offers: Iterable[Promotion] | None = None, *,
                newcomer: bool = False) -> list[Promotion]:
    """Offers valid on the date that cover the product; the newcomer coupon is the shopper's, not the
    product's, so it is listed only for a shopper who says this is their first order (newcomer)."""
    return [p for p in active(on, offers) if (newcomer or p.kind != "新人券") and p.covers(product)]


def _yuan(x: float) -> str:
    return f"{x:g}"


def _rate(rate: float) -> str:
    tenths = round(rate * 10, 1)
    return {9: "九折", 8: "八折", 7: "七折", 8.5: "八五折", 9.5: "九五折"}.get(tenths, f"{tenths:g}折")


def wording(p: Promotion, *, with_dates: bool = True) -> str:
    """One offer in a line: 「冬季保暖节」服装、鞋靴…满 300 减 30（11月15日-12月15日）."""
    from shop.store.products import category_names
    names = category_names()
    scope = "、".join([names.get(c, c) for c in p.categories] + list(p.types))
    scope = f"{scope}类商品" if scope else "全场"
    if p.kind == "满减":
        deal = f"{scope}满{_yuan(p.threshold)}减{_yuan(p.amount)}"  # as shops write it: 满300减30
    elif p.kind == "折扣":
        deal = f"{scope}{'买' + str(p.min_items) + '件及以上' if p.min_items > 1 else ''}打{_rate(p.rate)}"
    else:
        deal = f"首单满{_yuan(p.threshold)}减{_yuan(p.amount)}"
    when = f"（{p.valid_from.month}月{p.valid_from.day}日-{p.valid_until.month}月{p.valid_until.day}日）" if with_dates else ""
    return f"「{p.title}」{deal}{when}"
