"""Product questions answered from the knowledge graph, with the product in focus remembered.

Every action first works out which product the message is about (shop.dialogue.products.
resolve: a name, 第N个 of the last list, the page the shopper is on, or 这个/它 → the
focus), then answers and sets `product_in_focus` so the next 它 resolves to it. When the
product is unclear the question is kept (`pending_question`) and answered as soon as the
shopper picks one ("第二个"), via action_inform.
"""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from shop.dialogue import products as P
from shop.graph import GraphError
from shop.graph.store import Row

logger = logging.getLogger(__name__)

GRAPH_DOWN = "抱歉亲，商品信息暂时查询不到，请稍后再试，或回复「转人工」由人工客服为您解答。"


def _entity(tracker: Tracker, name: str) -> str | None:
    for e in (tracker.latest_message or {}).get("entities") or []:
        if e.get("entity") == name and e.get("value"):
            return str(e["value"])
    return None


class ProductAction(Action, ABC):
    """Resolve the product, then `answer(row)`; subclasses say what to answer."""

    @abstractmethod
    def answer(self, store, row: Row, text: str, tracker: Tracker) -> tuple[str, list[dict]]:
        raise NotImplementedError

    def without_product(self, store, text: str, tracker: Tracker) -> tuple[str, list[dict]] | None:
        """An answer that needs no product (e.g. care of a material); None: ask which product."""
        return None

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        text = ((tracker.latest_message or {}).get("text") or "")[:500]
        return self.respond(dispatcher, tracker, text)

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[dict]:
        try:
            store = services.graph_store()
            found = P.resolve(store, text, entity=_entity(tracker, "product"),
                              focus=tracker.get_slot("product_in_focus"),
                              listed=tracker.get_slot("listed_products") or [],
                              page_product=services.page_product(tracker))
            events: list[dict] = []
            if found.kind == "one":
                reply, extra = self.answer(store, found.product, text, tracker)
                events = [SlotSet("product_in_focus", found.product["id"]), SlotSet("pending_question", None),
                          *extra]
            elif found.kind == "many":
                reply = P.choose_list(found.options, found.term)
                events = [SlotSet("listed_products", [r["id"] for r in found.options[:P.SHOWN]]),
                          SlotSet("pending_question", self._pending(text))]
            elif found.kind == "unknown":
                reply = P.unknown_product(found.term)
            else:
                done = self.without_product(store, text, tracker)
                if done is not None:
                    reply, events = done
                else:
                    reply = P.ASK_WHICH
                    events = [SlotSet("pending_question", self._pending(text))]
        except GraphError:
            logger.exception("graph query failed")
            reply, events = GRAPH_DOWN, []
        dispatcher.utter_message(text=reply)
        return events

    def _pending(self, text: str) -> str:
        return f"{self.name()}|{text[:200]}"


class ActionProductInfo(ProductAction):
    def name(self) -> str:
        return "action_product_info"

    def answer(self, store, row, text, tracker):
        return P.describe(row, text, profile=_entity(tracker, "skin_type")), []


class ActionProductPrice(ProductAction):
    """Price and promotion questions: the product's price when one is meant, the shop's offers otherwise."""

    def name(self) -> str:
        return "action_product_price"

    def answer(self, store, row, text, tracker):
        return (f"亲，「{row['name']}」售价 ¥{row['price']:.0f}。店铺满 300 减 30，领券中心还有新人券，"
                "结算时会自动选最优惠的组合～"), []

    def without_product(self, store, text, tracker):
        return ("亲，店铺正在满 300 减 30，领券中心有新人券和品类券，结算时自动抵扣；"
                "告诉我想买的商品，我帮您看看到手价～"), []


class ActionCareMethod(ProductAction):
    def name(self) -> str:
        return "action_care_method"

    def answer(self, store, row, text, tracker):
        return P.care_for_product(store, row), []

    def without_product(self, store, text, tracker):
        material = _entity(tracker, "material") or next(
            (m for m in services_material_names(store) if m in text), None)
        if material:
            reply = P.care_for_material(store, material)
            if reply:
                return reply, []
        return None

    def respond(self, dispatcher, tracker, text):
        # "真丝的衣服能机洗吗": a material with no product means the material, not the focus.
        material = _entity(tracker, "material")
        if material and not _entity(tracker, "product") and not any(w in text for w in P.REFERRING):
            try:
                reply = P.care_for_material(services.graph_store(), material)
            except GraphError:
                reply = GRAPH_DOWN
            if reply:
                dispatcher.utter_message(text=reply)
                return []
        return super().respond(dispatcher, tracker, text)


def services_material_names(store) -> list[str]:
    from shop.graph import queries as q
    return sorted(q.names(store, "Material"), key=len, reverse=True)


class ActionStock(ProductAction):
    def name(self) -> str:
        return "action_stock"

    def answer(self, store, row, text, tracker):
        return P.stock_answer(store, row, text, color=_entity(tracker, "color"), size=_entity(tracker, "size")), []


class ActionSizeAdvice(ProductAction):
    def name(self) -> str:
        return "action_size_advice"

    def answer(self, store, row, text, tracker):
        m = _measures(tracker, text)
        reply = P.size_answer(store, row, m)
        if reply is None:
            return P.size_question(row, P.needs_foot(store, row)), [SlotSet("pending_question", self._pending(text))]
        return reply, [SlotSet("height", _fmt(m.get("height"))), SlotSet("weight", _fmt(m.get("weight")))]


def _fmt(v: Any) -> str | None:
    return None if v is None else f"{v:g}"


def _measures(tracker: Tracker, text: str) -> dict:
    """This message's measures on top of those the shopper gave earlier (slots)."""
    m = P.measures(" ".join(x for x in (tracker.get_slot("height") and f"{tracker.get_slot('height')}cm",
                                         tracker.get_slot("weight") and f"{tracker.get_slot('weight')}kg") if x))
    m.update(P.measures(text, _entity(tracker, "height"), _entity(tracker, "weight")))
    return m


class ActionRecommend(Action):
    """Recommendations by scene / profile / season / budget from the graph; the list is remembered
    (第二个 …) and its first product becomes the focus."""

    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        text = ((tracker.latest_message or {}).get("text") or "")[:500]
        try:
            store = services.graph_store()
            f = P.facets(store, text, scene=_entity(tracker, "scene"), skin_type=_entity(tracker, "skin_type"),
                         season=_entity(tracker, "season"))
            term = _entity(tracker, "product")
            rows = P.recommend(store, f, category_term=term) if (f or term) else []
        except GraphError:
            logger.exception("graph query failed")
            dispatcher.utter_message(text=GRAPH_DOWN)
            return []
        if not f and not term:
            dispatcher.utter_message(text="亲，想买什么类型的商品呢？告诉我使用场景（比如通勤、爬山）、肤质、季节或预算，"
                                          "我帮您挑几款～")
            return []
        if not rows:
            dispatcher.utter_message(text="亲，暂时没有完全符合这些条件的商品，可以放宽一下预算或换个场景试试～")
            return []
        dispatcher.utter_message(text=P.recommend_text(rows, f, term))
        return [SlotSet("listed_products", [r["id"] for r in rows]), SlotSet("product_in_focus", rows[0]["id"])]


PENDING_ACTIONS = {a().name(): a for a in (ActionProductInfo, ActionProductPrice, ActionCareMethod, ActionStock,
                                           ActionSizeAdvice)}


class ActionInform(Action):
    """A bare answer ("第二个", "175 70公斤", "黑色"): finish the product question it answers, if any."""

    def name(self) -> str:
        return "action_inform"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        text = ((tracker.latest_message or {}).get("text") or "")[:500]
        pending = tracker.get_slot("pending_question") or ""
        action_name, _, question = pending.partition("|")
        has_measures = bool(P.measures(text, _entity(tracker, "height"), _entity(tracker, "weight")))
        if action_name not in PENDING_ACTIONS and has_measures and tracker.get_slot("product_in_focus"):
            action_name, question = "action_size_advice", ""
        if action_name in PENDING_ACTIONS:
            action = PENDING_ACTIONS[action_name]()
            return action.respond(dispatcher, tracker, f"{text} {question}".strip())
        dispatcher.utter_message(text="收到～亲想查询什么或者办理什么业务呢？可以直接告诉我哦。")
        return []
