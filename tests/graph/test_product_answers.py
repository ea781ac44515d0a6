"""Product answers over the real graph (FalkorDB): the product turn with the graph's rows.

The turn's decisions are tested in milliseconds over the catalog files
(tests/dialogue/test_product_turn.py); here the same turn reads the seeded graph, so the
Cypher rows carry everything the answers need (type, cut, care, size chart)."""
from __future__ import annotations

import datetime as dt

import pytest

from shop.catalog import load_catalog
from shop.dialogue.product_turn import State, respond
from shop.graph import queries as q
from shop.search.index import ProductIndex

CATALOG = {p["name"]: p for p in load_catalog().products}


class GraphOnlyShelf:
    """The action server's shelf without the order store: stock from the catalog file."""

    def __init__(self, store):
        self.store = store
        self._index = ProductIndex(q.all_products(store))

    def product(self, pid):
        return q.product_attributes(self.store, pid)

    def index(self):
        return self._index

    def care(self, pid):
        return q.care_for_product(self.store, pid)

    def care_of_material(self, material):
        return q.care_for_material(self.store, material)

    def size_chart(self, category):
        return q.size_chart(self.store, category)

    def size_for(self, pid, height, weight, foot):
        return q.size_for_product(self.store, pid, height=height, weight=weight, foot=foot)

    def stock(self, pid, color=None, size=None):
        return [v for v in load_catalog().variants if v["product_id"] == pid]

    def today(self):
        return dt.date(2025, 11, 24)

    def personal_rank(self, pids):
        return {}


@pytest.fixture(scope="module")
def shelf(falkor_store):
    return GraphOnlyShelf(falkor_store)


def test_rows_from_the_graph_answer_like_the_catalog(shelf):
    turn = respond("ask_price_promotion", "宽松真丝衬衫多少钱 什么面料的 怎么洗", State(), shelf)
    assert "549" in turn.reply and "真丝" in turn.reply and "手洗" in turn.reply
    assert turn.slots["product_in_focus"] == CATALOG["宽松真丝衬衫"]["id"]


def test_size_advice_from_the_graph_chart(shelf):
    turn = respond("ask_size_advice", "轻量三合一冲锋衣 身高172 体重65公斤", State(), shelf)
    assert "建议选 L" in turn.reply
    foot = respond("ask_size_advice", "透气网面跑步鞋男款 脚长26厘米", State(), shelf)
    assert "建议选 42" in foot.reply


def test_search_over_the_graph_rows(shelf):
    turn = respond("ask_recommendation", "冬天穿的靴子推荐一下", State(), shelf)
    listed = turn.slots["listed_products"]
    assert listed and {shelf.product(p)["type"] for p in listed} <= {"雪地靴", "马丁靴"}


@pytest.mark.parametrize("text", ["火箭多少钱", "' OR 1=1 //多少钱", "x" * 5000, "}) MATCH (n) DETACH DELETE n //"])
def test_unknown_and_hostile_words_are_answered_politely(shelf, falkor_store, text):
    before = falkor_store.query("MATCH (n) RETURN count(n) AS n")[0]["n"]
    turn = respond("ask_price_promotion", text, State(), shelf)
    assert turn is None or turn.reply.startswith("亲")
    assert falkor_store.query("MATCH (n) RETURN count(n) AS n")[0]["n"] == before
