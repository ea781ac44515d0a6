"""Product retrieval: the products a shopper's words mean, best first.

    index = ProductIndex(rows)            # rows: product dicts as shop.graph.queries returns them
    result = index.search(parse("五百以内的羽绒服"), k=3)

Type first, never relaxed: a question about 洗面奶 is only ever answered with 洁面乳 (or
nothing). Then the cut (男款 / 女款 exclude the other cut), then the budget; within that,
products are ranked by BM25 (bm25s, over jieba tokens of names, types, synonyms, tags,
materials, scenes and profiles) plus one point per facet asked for and met (attribute,
audience/skin type, scene, season, material, colour). When a hard condition leaves
nothing, it is dropped and named in `SearchResult.unmet`, so the caller can say which
condition could not be met and show the closest products instead (the cheapest 羽绒服
when none is within 500).

With the shop's date (`today`) and no season in the words, goods for a season in view (the
current one, and the next near the switch, as shop.recommend.seasons sees them) go before
goods made only for other seasons when they fit equally well: 外套 in late November lists
羽绒服 and 冲锋衣 before a summer 防晒衣. Only a tie-break: shoppers buy gym shorts in winter.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import bm25s
import numpy as np

from shop.recommend.seasons import seasons_in_view
from shop.search.lexicon import lexicon, tokenizer
from shop.search.query import STOPWORDS, ProductQuery, with_young

NAME_WEIGHT = 2      # name words count twice in a product's document
BM25_WEIGHT = 1.5          # a perfect match of the name, type and tags is worth one and a half facets
DESCRIPTION_WEIGHT = 0.5   # the type's description only tips the balance
EXACT_CUT_BONUS = 0.3
SEASON_FOCUS = 0.4
OFF_SEASON = 0.1   # a tie-break, below any facet or the cut bonus
OTHER_PEOPLE = 1.5
MADE_FOR_THEM = 0.5
WEAKER = 1.0
TYPE_DRIFT = 0.5   # another kind than the best one's only when it scores at least half as well


@dataclass
class SearchResult:
    products: list[dict]                 # best first
    query: ProductQuery
    unmet: list[str] = field(default_factory=list)   # hard conditions dropped: 'gender', 'price'
    reason: str | None = None            # why nothing: 'not_sold' | 'no_match'
    scores: list[float] = field(default_factory=list)


_LATIN = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    words = [w.strip().lower() for w in tokenizer().cut_for_search(text or "") if w.strip()]
    # "t恤" is also "t"; "iphone16pro" also "iphone": shoppers type the Latin part alone.
    return words + [m for w in words if not _LATIN.fullmatch(w) for m in _LATIN.findall(w)]


def document(p: dict) -> list[str]:
    """A product's BM25 document: what a shopper could call it or ask it for."""
    lex = lexicon()
    t = lex.types.get(p.get("type") or "", {})
    words = _tokens(p["name"]) * NAME_WEIGHT
    for w in (p.get("type"), *t.get("synonyms", []), *t.get("broader", [])):
        if w:
            words += _tokens(w)
    for key in ("tags", "materials", "scenes", "profiles", "colors", "sizes"):
        for w in p.get(key) or []:
            words += _tokens(w)
    cat = lex.category_names.get(p.get("category") or "")
    if cat:
        words += _tokens(cat)
    return words


def description(p: dict) -> list[str]:
    """What the product's type is for, in shoppers' words (descriptions.yaml): 脚冷, 带饭, 宝宝踢被子 …"""
    return [w for w in _tokens(lexicon().descriptions.get(p.get("type") or "", "")) if w not in STOPWORDS]


def facet_hits(p: dict, q: ProductQuery) -> dict[str, bool]:
    """For each facet the query asks for, whether the product has it."""
    lex = lexicon()
    hits: dict[str, bool] = {}
    if q.attributes:
        carried = set(p.get("tags") or [])
        hits["attributes"] = all(
            any(tag in carried or tag in p["name"] for tag in lex.attribute_tags.get(a, {a})) for a in q.attributes)
    if q.profiles:
        # 孩子 says no age: goods for babies meet it as goods for children do (with_young)
        hits["profiles"] = bool(with_young(q.profiles) & set(p.get("profiles") or []))
    if q.scenes:
        hits["scenes"] = bool(q.scenes & set(p.get("scenes") or []))
    if q.seasons:
        hits["seasons"] = bool(q.seasons & set(p.get("seasons") or []))
    if q.materials:
        hits["materials"] = bool(q.materials & set(p.get("materials") or []))
    if q.colors:
        hits["colors"] = bool(q.colors & set(p.get("colors") or []))
    return hits


def refused(p: dict, q: ProductQuery) -> bool:
    """Is the product one the shopper said no to (不要黄色的, 羊毛过敏, 不要羽绒服, 不要加绒的)?

    A material, kind or feature refused rules a product out when it has it; a colour only when
    the product comes in no other (a dress in yellow and blue is still a blue dress)."""
    if q.baby_months is not None and not q.types:
        # 闺蜜刚生了宝宝: nothing the baby cannot use yet (walking shoes, a pot for solid food); a kind the
        # shopper names (5个月 想买个吸管杯) is shown all the same
        if (lexicon().types.get(p.get("type") or "", {}).get("from_months") or 0) > q.baby_months:
            return True
    no = q.excluded
    if not no:
        return False
    if no.get("materials") and no["materials"] & set(p.get("materials") or []):
        return True
    if no.get("types") and p.get("type") in no["types"]:
        return True
    colors = set(p.get("colors") or [])
    if no.get("colors") and colors and colors <= no["colors"]:
        return True
    if no.get("attributes"):
        lex = lexicon()
        carried = set(p.get("tags") or [])
        if any(any(tag in carried or tag in p["name"] for tag in lex.attribute_tags.get(a, {a}))
               for a in no["attributes"]):
            return True
    return False


def in_budget(p: dict, price: tuple | None) -> bool:
    return price is None or price[0] <= p["price"] <= price[1]


def budget_distance(p: dict, price: tuple) -> float:
    low, high = price
    return low - p["price"] if p["price"] < low else (p["price"] - high if p["price"] > high else 0.0)


class ProductIndex:
    def __init__(self, rows: Iterable[dict]):
        self.rows: list[dict] = [dict(r) for r in rows]
        self.by_id = {r["id"]: i for i, r in enumerate(self.rows)}
        docs = [document(r) or ["_"] for r in self.rows]
        descs = [description(r) or ["_"] for r in self.rows]
        # Words that name products (names, types, tags …); description words only rank.
        self.vocabulary = frozenset(w for d in docs for w in d)
        self.bm25 = bm25s.BM25()
        self.bm25.index(docs, show_progress=False)
        self.desc_bm25 = bm25s.BM25()
        self.desc_bm25.index(descs, show_progress=False)

    def known(self, words) -> list[str]:
        """The words that occur in some product's document (the others cannot describe a product)."""
        return [w for w in words if w in self.vocabulary]

    def _bm25(self, words: Sequence[str], engine=None) -> np.ndarray:
        # One CJK character (腿, 说, 粗) names nothing on its own: it only adds noise to the ranking.
        words = [w for w in words if w and not (len(w) == 1 and "\u4e00" <= w <= "\u9fff")]
        if not words or not self.rows:
            return np.zeros(len(self.rows))
        scores = np.asarray((engine or self.bm25).get_scores(list(words)), dtype=float)
        top = scores.max() if scores.size else 0.0
        return scores / top if top > 0 else scores

    def _serving(self, q: ProductQuery) -> set:
        """The kinds made for goods the shop does not sell (types.yaml `fits`: 无线充电器 for 手机)
        whose names, tags or detail copy the query's other words match; empty when none do (你们卖
        手机吗 is about phones)."""
        lex = lexicon()
        kinds = {t for t, e in lex.types.items() if set(e.get("fits") or []) & set(q.not_sold)}
        # Only Chinese words say what the goods are for (充电, 出门带); iPhone16 names the phone itself.
        words = [w for w in q.keywords if not w.isascii()]
        if not kinds or not words:
            return set()
        bm = self._bm25(words) + self._bm25(words, self.desc_bm25)
        return {r["type"] for r in self.rows if r.get("type") in kinds and bm[self.by_id[r["id"]]] > 0}

    def category_names(self) -> list[str]:
        """The shop's categories that hold products, as shoppers see them, in catalog order."""
        held = {r.get("category") for r in self.rows}
        return [name for code, name in lexicon().category_names.items() if code in held]

    def search(self, q: ProductQuery, k: int = 3, *, reference_price: float | None = None,
               exclude: Iterable[str] = (), today: dt.date | None = None) -> SearchResult:
        """The k best products for the query (see the module docstring for the order of conditions).

        reference_price: for 便宜点的 / 贵点的, the price to undercut or exceed (the product in focus).
        exclude: ids not to show again (the list already shown, for "换一批").
        today: the shop's date; without a season in the words, kinds for another season give way."""
        excluded = set(exclude)
        named = [self.rows[self.by_id[pid]] for pid in q.named if pid in self.by_id]
        wanted = q.wanted_types
        if q.not_sold and not wanted and not named:
            # 手机放上去就能充电的: goods made for what is not sold, when the other words say which.
            serving = self._serving(q)
            if not serving:
                return SearchResult([], q, reason="not_sold")
            wanted = frozenset(serving)
        if q.no_such_kind and not named:
            return SearchResult([], q, reason="no_match")
        if q.unknown_kinds and not wanted and not named:
            return SearchResult([], q, reason="not_sold")
        pool = [r for r in self.rows if r["id"] not in excluded and (not wanted or r.get("type") in wanted)
                and not refused(r, q)]
        if not pool and not named:
            return SearchResult([], q, reason="no_match")
        unmet: list[str] = []
        if not wanted and q.attributes:
            # No kind named: what it must do (防晒, 保暖) is the kind — never shown something that does not.
            kind = [r for r in pool if facet_hits(r, q).get("attributes")]
            if kind:
                pool = kind
        if q.gender:
            cut = [r for r in pool if r.get("gender") in ("", q.gender)]
            if cut:
                pool = cut
            else:
                unmet.append("gender")
        ref = reference_price
        if q.cheaper and ref is not None:
            cheaper = [r for r in pool if r["price"] < ref]
            pool, unmet = (cheaper, unmet) if cheaper else (pool, unmet + ["cheaper"])
        if q.dearer and ref is not None:
            dearer = [r for r in pool if r["price"] > ref]
            pool, unmet = (dearer, unmet) if dearer else (pool, unmet + ["dearer"])
        budget_ok = [r for r in pool if in_budget(r, q.price)]
        if q.price and not budget_ok and pool:
            unmet.append("price")
            # 三四百左右 with nothing from 300 to 400: a budget's ceiling is firm, its floor is not — the
            # closest of those below it, before anything dearer
            below = [r for r in pool if r["price"] < q.price[0]]
            if below and q.price[0] > 0:
                pool = below
        else:
            pool = budget_ok
        in_view = set(seasons_in_view(today)) if today is not None and not q.seasons else set()
        bm = BM25_WEIGHT * self._bm25(q.keywords) + DESCRIPTION_WEIGHT * self._bm25(q.keywords, self.desc_bm25)
        lex = lexicon()
        scored = []
        asked = len(q.facets())
        people = with_young(q.profiles)
        for r in pool:
            hits = facet_hits(r, q)
            score = bm[self.by_id[r["id"]]] + sum(hits.values())
            made_for = lex.types.get(r.get("type") or "", {}).get("for")
            if made_for and not set(made_for) & people:
                score -= OTHER_PEOPLE  # a baby's sunscreen is not what an adult asking for 防晒 means
            elif made_for and not wanted:
                score += MADE_FOR_THEM  # 孩子用的防晒: the child's sunscreen before an adult's sun hat
            if hits.get("seasons"):
                score += SEASON_FOCUS / len(r.get("seasons") or [1])  # a winter-only boot is more "winter" than an all-year one
            elif in_view and r.get("seasons") and not set(r["seasons"]) & in_view:
                score -= OFF_SEASON  # no season said: this one's goods first when all else is equal
            if q.gender and r.get("gender") == q.gender:
                score += EXACT_CUT_BONUS
            if "price" in unmet:
                score -= budget_distance(r, q.price) / 100.0  # the closest to the budget first
            if q.cheaper and ref is None:
                score -= r["price"] / 10000.0
            if q.dearer and ref is None:
                score += r["price"] / 10000.0
            if q.price and not wanted and not q.facets():
                score += r["price"] / 10000.0  # filling a budget: the ones that use most of it first
            scored.append((score, hits, r))
        scored.sort(key=lambda x: (-x[0], x[2]["price"], x[2]["id"]))
        budget_only = q.price and not q.facets() and not (bm > 0).any()   # 一百以内随便什么 凑满减
        if not wanted and not named and not budget_only:
            # Nothing but free words and facets: keep only products that match at least something.
            # (A budget alone — 一百以内随便什么 — is a wish of its own: anything within it.)
            scored = [s for s in scored if s[0] > 0 and (bm[self.by_id[s[2]["id"]]] > 0 or any(s[1].values()))]
            if not scored:
                return SearchResult([], q, reason="no_match")
        if scored and asked:
            # A list shows what fits: when two or more meet every wish, the rest are not shown (a 男士控油
            # 洗面奶 for 敏感肌); otherwise nothing missing more than one wish of the best one's.
            full = [s for s in scored if s[1] and all(s[1].values())]
            floor = scored[0][0] - WEAKER
            scored = full if len(full) >= 2 else [s for s in scored if s[0] >= floor]
        if len(scored) > 1:
            # Another kind than the best one's shown only when it scores nearly as well (厚底的鞋: 老爹鞋,
            # not a 拖鞋 to fill the third place).
            lead_score, _, lead = scored[0]
            scored = [s for s in scored if s[2].get("type") == lead.get("type")
                      or s[0] >= lead_score * (1 - TYPE_DRIFT)]
        ranked = [r for _, _, r in scored]
        scores = [s for s, _, _ in scored]
        top = named + [r for r in ranked if r["id"] not in {n["id"] for n in named}]
        top_scores = [math.inf] * len(named) + [s for s, r in zip(scores, ranked) if r["id"] not in
                                                {n["id"] for n in named}]
        if asked and scored:
            best_hits = scored[0][1]
            unmet += [f for f, ok in best_hits.items() if not ok]
        return SearchResult(top[:k], q, unmet=unmet, scores=top_scores[:k])
