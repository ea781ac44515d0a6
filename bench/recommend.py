"""Offline quality of the recommender's levels: hit-rate@5 and NDCG@5 against a popularity baseline.

(a) Simulated log over the real catalog (fixed seed): shoppers with a few favourite
    categories, a pull towards in-season goods and new arrivals, carts they abandon
    (and sometimes come back to), consumables bought again about once per cycle. Each
    shopper's last visit with a cart or a purchase is held out; every level ranks from
    the events before it, and is scored on the products carted or bought in that visit.
    The simulation is built on the same assumptions the levels encode, so it shows the
    levels do what they were designed for — not that real shoppers behave so.
    The history level is also run with each part of its score left out (ablation).
(b) Real log: bench/data/UserBehavior.csv (Taobao, user,item,category,behavior,timestamp;
    source in bench/data/README.md). Each user's last buy or cart event is held out; the
    history level's category interest (from the user's earlier events, recency-weighted)
    ranks categories, against the categories most interacted with by everyone before
    that moment. Category hit-rate@5, with a 95% Wilson interval (the sample is small).

Both run the very functions shop.recommend serves with, on in-memory events.
Writes bench/results/recommend.json.

    .venv/bin/python bench/recommend.py [--shoppers 1500] [--seed 20251124]
"""
from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import json
import math
import os
import platform
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shop.recommend.bestsellers import popular_picks  # noqa: E402
from shop.recommend.cart import abandoned_cart, cart_picks  # noqa: E402
from shop.recommend.catalog_index import ProductIndex, ProductInfo, catalog_index  # noqa: E402
from shop.recommend.interests import category_interest, history_picks, top_categories  # noqa: E402
from shop.recommend.mixing import all_levels, mix, predictive_picks  # noqa: E402
from shop.recommend.policy import (  # noqa: E402
    HISTORY_WEIGHTS, KIND_WEIGHTS, NEXT_SEASON, POPULAR_WINDOW_DAYS, SEASON_LOOKAHEAD_DAYS,
)
from shop.recommend.replenish import replenish_picks  # noqa: E402
from shop.recommend.seasons import season_of, seasonal_picks  # noqa: E402
from shop.recommend.types import Event  # noqa: E402

K = 5
SEED = 20251124
REAL_LOG = ROOT / "bench" / "data" / "UserBehavior.csv"
RESULTS = ROOT / "bench" / "results" / "recommend.json"


# -- metrics ---------------------------------------------------------------------------
def hit_at_k(ranked: Sequence, relevant: Iterable, k: int = K) -> float:
    """1.0 when any of the first k is relevant."""
    relevant = set(relevant)
    if not relevant:
        raise ValueError("a held-out case needs at least one relevant item")
    return 1.0 if any(item in relevant for item in ranked[:k]) else 0.0


def ndcg_at_k(ranked: Sequence, relevant: Iterable, k: int = K) -> float:
    """Binary-relevance NDCG: sum of 1/log2(rank+1) over relevant hits in the first k,
    divided by the same sum for a perfect list (all relevant items first)."""
    relevant = set(relevant)
    if not relevant:
        raise ValueError("a held-out case needs at least one relevant item")
    seen: set = set()
    dcg = 0.0
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant and item not in seen:  # a repeated item earns nothing twice
            dcg += 1.0 / math.log2(rank + 1)
        seen.add(item)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def wilson(hits: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (sound for small n and rates near 0 or 1)."""
    if n == 0:
        return (0.0, 0.0)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(centre - half, 4), round(centre + half, 4))


def summarize(cases: Sequence[tuple[Sequence, set]], k: int = K) -> dict:
    """cases: (ranked list, relevant set). Coverage = share of cases with any answer."""
    n = len(cases)
    hits = [hit_at_k(r, rel, k) for r, rel in cases]
    ndcgs = [ndcg_at_k(r, rel, k) for r, rel in cases]
    answered = [i for i, (r, _) in enumerate(cases) if r]
    return {
        "n": n,
        f"hit_rate@{k}": round(sum(hits) / n, 4) if n else None,
        f"ndcg@{k}": round(sum(ndcgs) / n, 4) if n else None,
        f"hit_rate@{k}_ci95": wilson(sum(hits), n),
        "coverage": round(len(answered) / n, 4) if n else None,
        f"hit_rate@{k}_when_answered": round(sum(hits[i] for i in answered) / len(answered), 4) if answered else None,
    }


# -- (a) simulated log -----------------------------------------------------------------
SIM_START = dt.datetime(2025, 3, 1)
SIM_END = dt.datetime(2026, 3, 1)
EXPLORE = 0.15            # share of visits to a category outside the shopper's taste
CART_RATE = 0.30          # viewed → carted
BUY_RATE = 0.55           # carted → bought in the same visit (else abandoned)
COME_BACK_RATE = 0.40     # abandoned → bought later, within two days
REPURCHASE_RATE = 0.60    # a consumable is bought again, about one cycle later
MIN_HISTORY = 3           # events before the held-out visit, or the shopper is skipped


@dataclass
class Visit:
    start: dt.datetime
    events: list[Event]


def _season_pull(p: ProductInfo, day: dt.date) -> float:
    if not p.is_seasonal:
        return 1.0
    season = season_of(day)
    if season in p.seasons:
        return 2.5
    upcoming = NEXT_SEASON[season]
    soon = day + dt.timedelta(days=SEASON_LOOKAHEAD_DAYS)
    if upcoming in p.seasons and season_of(soon) == upcoming:
        return 1.5
    return 0.15


def _novelty_pull(p: ProductInfo, day: dt.date) -> float:
    return 1.0 + 1.5 * math.exp(-(day - p.launch).days / 45.0)


def _weighted_sample(rng: random.Random, items: list, weights: list[float], n: int) -> list:
    items, weights = list(items), list(weights)
    out = []
    for _ in range(min(n, len(items))):
        i = rng.choices(range(len(items)), weights=weights)[0]
        out.append(items.pop(i))
        weights.pop(i)
    return out


def simulate(products: ProductIndex, shoppers: int, seed: int) -> dict[int, list[Visit]]:
    rng = random.Random(seed)
    catalog = list(products)
    categories = sorted(products.by_category)
    appeal = {p.id: rng.lognormvariate(0.0, 0.7) for p in catalog}
    out: dict[int, list[Visit]] = {}
    for sid in range(1, shoppers + 1):
        gammas = [rng.gammavariate(0.3, 1.0) for _ in categories]
        taste = [g / sum(gammas) for g in gammas]
        mean_gap = rng.uniform(3.0, 10.0)
        t = SIM_START + dt.timedelta(days=rng.uniform(0, 120))
        visits: list[Visit] = []
        owned: set[str] = set()
        pays: list[tuple[ProductInfo, dt.datetime]] = []
        while True:
            t += dt.timedelta(days=rng.expovariate(1.0 / mean_gap))
            t = t.replace(hour=rng.randint(8, 22), minute=rng.randint(0, 59), second=0, microsecond=0)
            if t >= SIM_END:
                break
            category = rng.choice(categories) if rng.random() < EXPLORE else rng.choices(categories, weights=taste)[0]
            on_sale = [p for p in products.by_category[category] if p.launch <= t.date()]
            if not on_sale:
                continue
            weights = [appeal[p.id] * _season_pull(p, t.date()) * _novelty_pull(p, t.date())
                       * (0.3 if p.id in owned and p.repurchase_cycle_days is None else 1.0) for p in on_sale]
            visit = Visit(t, [])
            at = t
            for p in _weighted_sample(rng, on_sale, weights, rng.choice([1, 1, 2, 2, 3, 4])):
                at += dt.timedelta(minutes=rng.randint(1, 6))
                visit.events.append(Event(p.id, "view", at))
                durable_owned = p.id in owned and p.repurchase_cycle_days is None
                if rng.random() >= (0.05 if durable_owned else CART_RATE):
                    continue
                cart_at = at + dt.timedelta(minutes=2)
                visit.events.append(Event(p.id, "add_to_cart", cart_at))
                if rng.random() < BUY_RATE:
                    order_at = cart_at + dt.timedelta(minutes=rng.randint(5, 25))
                    visit.events += [Event(p.id, "order", order_at), Event(p.id, "pay", order_at + dt.timedelta(minutes=3))]
                    owned.add(p.id)
                    pays.append((p, order_at))
                elif rng.random() < COME_BACK_RATE:
                    back = cart_at + dt.timedelta(hours=rng.uniform(1, 48))
                    if back < SIM_END:
                        visits.append(Visit(back, [Event(p.id, "view", back), Event(p.id, "order", back + dt.timedelta(minutes=4)),
                                                   Event(p.id, "pay", back + dt.timedelta(minutes=6))]))
                        owned.add(p.id)
                        pays.append((p, back))
            visits.append(visit)
        # Consumables come back about once per cycle, each repurchase maybe leading to the next.
        while pays:
            p, paid_at = pays.pop()
            if p.repurchase_cycle_days is None or rng.random() >= REPURCHASE_RATE:
                continue
            again = paid_at + dt.timedelta(days=p.repurchase_cycle_days * rng.lognormvariate(0.0, 0.15))
            if again >= SIM_END:
                continue
            visits.append(Visit(again, [Event(p.id, "view", again), Event(p.id, "add_to_cart", again + dt.timedelta(minutes=1)),
                                        Event(p.id, "order", again + dt.timedelta(minutes=3)),
                                        Event(p.id, "pay", again + dt.timedelta(minutes=5))]))
            pays.append((p, again))
        visits.sort(key=lambda v: v.start)
        out[sid] = visits
    return out


@dataclass
class HeldOut:
    shopper: int
    now: dt.datetime
    history: list[Event]
    targets: set[str]


def hold_out(shopper: int, visits: list[Visit]) -> HeldOut | None:
    """The last visit with a cart or purchase is the future; everything before its start is history."""
    for visit in reversed(visits):
        targets = {e.product_id for e in visit.events if e.kind in ("add_to_cart", "order", "pay")}
        if targets:
            now = visit.start - dt.timedelta(seconds=1)
            history = sorted((e for v in visits for e in v.events if e.at <= now), key=lambda e: e.at)
            if len(history) < MIN_HISTORY:
                return None
            return HeldOut(shopper, now, history, targets)
    return None


class RecentBuyers:
    """Distinct buyers per product in the POPULAR_WINDOW_DAYS before each moment, for
    moments asked in increasing order (a sliding window over all shoppers' purchases)."""

    def __init__(self, purchases: list[tuple[dt.datetime, int, str]]):
        self.purchases = sorted(purchases)
        self.added = self.removed = 0
        self.per_product: dict[str, Counter] = defaultdict(Counter)

    def at(self, now: dt.datetime) -> dict[str, int]:
        while self.added < len(self.purchases) and self.purchases[self.added][0] <= now:
            at, shopper, pid = self.purchases[self.added]
            self.per_product[pid][shopper] += 1
            self.added += 1
        since = now - dt.timedelta(days=POPULAR_WINDOW_DAYS)
        while self.removed < self.added and self.purchases[self.removed][0] <= since:
            _, shopper, pid = self.purchases[self.removed]
            self.per_product[pid][shopper] -= 1
            if not self.per_product[pid][shopper]:
                del self.per_product[pid][shopper]
            self.removed += 1
        return {pid: len(buyers) for pid, buyers in self.per_product.items() if buyers}


def evaluate_simulated(shoppers: int, seed: int) -> dict:
    products = catalog_index()
    log = simulate(products, shoppers, seed)
    purchases = [(e.at, sid, e.product_id) for sid, visits in log.items() for v in visits for e in v.events
                 if e.kind == "order"]
    cases = sorted(filter(None, (hold_out(sid, visits) for sid, visits in log.items())), key=lambda c: c.now)
    buyers = RecentBuyers(purchases)
    levels: dict[str, Callable] = {
        "realtime": lambda c, b: cart_picks(abandoned_cart(c.history, c.now, products), c.now, K),
        "history": lambda c, b: history_picks(c.history, c.now, K, products),
        "predictive": lambda c, b: predictive_picks(c.history, c.now, K, products),
        "predictive.replenish": lambda c, b: replenish_picks(c.history, c.now, K, products),
        "predictive.seasonal": lambda c, b: seasonal_picks(c.history, c.now, K, products),
        "popularity_baseline": lambda c, b: popular_picks(b, c.now, K, products,
                                                          exclude={e.product_id for e in c.history if e.is_purchase}),
        "mix (recommend)": lambda c, b: mix(all_levels(c.history, c.now, K, products, b), K),
    }
    # The history level with one part of its score left out at a time (ablation).
    for part in ("new", "related", "seen"):
        weights = {**HISTORY_WEIGHTS, part: 0.0}
        levels[f"history without {part} (ablation)"] = (
            lambda c, b, weights=weights: history_picks(c.history, c.now, K, products, weights=weights))
    levels["history without decay (ablation)"] = (
        lambda c, b: history_picks(c.history, c.now, K, products, half_life_days=None))
    ranked: dict[str, list] = {name: [] for name in levels}
    for case in cases:
        recent = buyers.at(case.now)
        for name, level in levels.items():
            ranked[name].append(([r.product_id for r in level(case, recent)], case.targets))
    targets_per_case = [len(c.targets) for c in cases]
    return {
        "seed": seed, "shoppers": shoppers, "period": [SIM_START.date().isoformat(), SIM_END.date().isoformat()],
        "events": sum(len(v.events) for visits in log.values() for v in visits),
        "evaluated_shoppers": len(cases),
        "mean_targets_per_case": round(sum(targets_per_case) / len(cases), 3) if cases else None,
        "target_is_repurchase_share": round(sum(1 for c in cases if c.targets & {e.product_id for e in c.history
                                                                               if e.kind == "pay"}) / len(cases), 4),
        "levels": {name: summarize(r) for name, r in ranked.items()},
        "note": ("The simulation is built on the assumptions the levels encode (category taste, seasons, "
                 "consumption cycles, abandoned carts), so it checks the levels work as designed, not that "
                 "shoppers behave so. realtime and predictive.replenish answer only when they have something "
                 "(coverage); the popularity baseline, like every level but replenishment, leaves out what the "
                 "shopper already bought."),
    }


# -- (b) the real log ------------------------------------------------------------------
# Taobao behaviours in our kinds. There is no "favourite" kind here: 收藏 is read as
# cart-strength intent, between a view and a purchase.
TAOBAO_KINDS = {"pv": "view", "fav": "add_to_cart", "cart": "add_to_cart", "buy": "pay"}


@dataclass(frozen=True)
class LogRow:
    user: str
    category: str
    behaviour: str   # as logged: pv / fav / cart / buy
    at: dt.datetime
    line: int

    @property
    def weight(self) -> float:
        return KIND_WEIGHTS[TAOBAO_KINDS[self.behaviour]]


def read_taobao(path: Path) -> list[LogRow]:
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for line, rec in enumerate(csv.reader(f)):
            if len(rec) != 5 or rec[3] not in TAOBAO_KINDS or not rec[4].isdigit():
                continue  # a header or a broken line
            rows.append(LogRow(rec[0], rec[2], rec[3], dt.datetime.utcfromtimestamp(int(rec[4])), line))
    return rows


def evaluate_real(path: Path) -> dict | None:
    if not path.exists():
        return None
    rows = read_taobao(path)
    by_user: dict[str, list[LogRow]] = defaultdict(list)
    for r in rows:
        by_user[r.user].append(r)
    everyone = sorted(rows, key=lambda r: (r.at, r.line))
    times = [r.at for r in everyone]
    cases = {"history (recency-weighted)": [], "history without decay (ablation)": [],
             "category_popularity_baseline": []}
    skipped = 0
    for user in sorted(by_user):
        events = sorted(by_user[user], key=lambda r: (r.at, r.line))
        held = next((r for r in reversed(events) if r.behaviour in ("buy", "cart")), None)
        if held is None:
            continue
        # Strictly earlier: an event in the same second (often the view of that very item)
        # would hand the answer over.
        earlier = [r for r in events if r.at < held.at]
        if not earlier:
            skipped += 1
            continue
        signals = [(r.category, r.weight, r.at) for r in earlier]
        target = {held.category}
        cases["history (recency-weighted)"].append(
            (top_categories(category_interest(signals, held.at), K), target))
        cases["history without decay (ablation)"].append(
            (top_categories(category_interest(signals, held.at, half_life_days=None), K), target))
        before = everyone[:bisect.bisect_left(times, held.at)]
        popularity = category_interest(((r.category, r.weight, r.at) for r in before), held.at,
                                       half_life_days=None)
        cases["category_popularity_baseline"].append((top_categories(popularity, K), target))
    return {
        "source": _shown(path), "events": len(rows), "users": len(by_user),
        "categories": len({r.category for r in rows}),
        "evaluated_users": len(cases["category_popularity_baseline"]),
        "skipped_without_earlier_events": skipped,
        "target": "category of each user's last buy or cart event",
        "levels": {name: summarize(c) for name, c in cases.items()},
        "note": ("A small public sample: read the 95% intervals before the point figures. Popularity counts "
                 "every user's events before the held-out moment (as a live system would know them)."),
    }


# -- report ----------------------------------------------------------------------------
def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _print_levels(title: str, levels: dict) -> None:
    print(f"\n{title}")
    print(f"  {'level':<38} {'n':>5} {'hit@5':>7} {'ndcg@5':>7} {'covered':>8} {'hit@5|answered':>15}  95% CI (hit)")
    for name, s in levels.items():
        answered = s[f"hit_rate@{K}_when_answered"]
        print(f"  {name:<38} {s['n']:>5} {s[f'hit_rate@{K}']:>7.3f} {s[f'ndcg@{K}']:>7.3f} {s['coverage']:>8.3f} "
              f"{(f'{answered:.3f}' if answered is not None else '-'):>15}  {s[f'hit_rate@{K}_ci95']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--log", type=Path, default=REAL_LOG, help="Taobao UserBehavior CSV")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    simulated = evaluate_simulated(args.shoppers, args.seed)
    sim_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    real = evaluate_real(args.log)
    real_s = time.perf_counter() - t1
    report = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "k": K,
        "simulated": {**simulated, "seconds": round(sim_s, 1)},
        "real_log": {**real, "seconds": round(real_s, 1)} if real else None,
    }
    print(f"simulated log: {simulated['shoppers']} shoppers, {simulated['events']} events, "
          f"{simulated['evaluated_shoppers']} held-out visits ({sim_s:.1f} s)")
    _print_levels("simulated — products carted or bought in the held-out visit", simulated["levels"])
    if real is None:
        print(f"\nreal log: {args.log} not found — put the Taobao UserBehavior CSV there "
              "(see bench/data/README.md); recorded as \"real_log\": null")
    else:
        print(f"\nreal log: {real['events']} events, {real['users']} users, {real['categories']} categories, "
              f"{real['evaluated_users']} users evaluated ({real_s:.1f} s)")
        _print_levels("real log — category of the last buy/cart event", real["levels"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {_shown(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
