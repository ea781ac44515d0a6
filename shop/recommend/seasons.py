"""Level 3, predictive (a): what the season calls for.

Only goods tied to some seasons count (all-year goods are never "当季"), the more
specific the better (a winter-only down jacket before an autumn-and-winter scarf). Near
a season's end the next season's goods come in too, as shoppers stock up early. The
shopper's own category interest tilts the list, so a parent sees baby sleeping bags
before ski gloves, but a shopper without history still gets the season's goods.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from shop.recommend.catalog_index import ProductIndex, ProductInfo
from shop.recommend.interests import shopper_category_interest
from shop.recommend.policy import NEXT_SEASON, NEXT_SEASON_FACTOR, SEASON_BY_MONTH, SEASON_LOOKAHEAD_DAYS
from shop.recommend.types import Event, Recommendation

SEASON_WORDS = {"春": "春天", "夏": "夏天", "秋": "秋天", "冬": "冬天"}
# Personal tilt: a category the shopper never touched still keeps this base.
BASE_TILT = 0.5


def season_of(day: dt.date) -> str:
    return SEASON_BY_MONTH[day.month]


def _season_start(season: str, year_of: dt.date) -> dt.date:
    """First day of `season` on or after the given day's season."""
    first_month = min((m for m, s in SEASON_BY_MONTH.items() if s == season),
                      key=lambda m: (m - year_of.month) % 12)
    year = year_of.year + (1 if first_month < year_of.month else 0)
    return dt.date(year, first_month, 1)


def seasons_in_view(day: dt.date) -> dict[str, float]:
    """Season → how much it counts today: the current one fully, the next one near the switch."""
    current = season_of(day)
    view = {current: 1.0}
    upcoming = NEXT_SEASON[current]
    if (_season_start(upcoming, day) - day).days <= SEASON_LOOKAHEAD_DAYS:
        view[upcoming] = NEXT_SEASON_FACTOR
    return view


def seasonal_picks(events: Iterable[Event], now: dt.datetime, k: int, products: ProductIndex) -> list[Recommendation]:
    if k <= 0:
        return []
    events = [e for e in events if e.at <= now and e.product_id in products]
    bought = {e.product_id for e in events if e.is_purchase}
    interest = shopper_category_interest(events, now, products)
    total = sum(interest.values())
    view = seasons_in_view(now.date())
    current = season_of(now.date())
    scored = []
    for p in products:
        if not p.is_seasonal or p.id in bought or not products.on_sale(p, now):
            continue
        fit, season = max(((view[s], s) for s in p.seasons if s in view), default=(0.0, ""), key=lambda x: x[0])
        if not fit:
            continue
        specificity = 1.0 / len(p.seasons)
        tilt = BASE_TILT + (interest.get(p.category, 0.0) / total if total else 0.0)
        score = fit * specificity * tilt
        scored.append((score, p.launch, p, season))
    # Equal scores: the newer product first, then by id, so the answer never wobbles.
    scored.sort(key=lambda x: (-x[0], -x[1].toordinal(), x[2].id))
    return [Recommendation(p.id, p.name, _reason(p, season, current), round(score, 6), "seasonal")
            for score, _, p, season in scored[:k]]


def _reason(p: ProductInfo, season: str, current: str) -> str:
    selling = "、".join(p.tags[:2])
    if season == current:
        return f"{SEASON_WORDS[season]}到了，这款{selling}的「{p.name}」正当季，给您推荐～"
    return f"马上就要入{season}啦，这款{selling}的「{p.name}」可以提前备起来哦～"
