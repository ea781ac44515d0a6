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
from shop.dialogue import parsing
from shop.dialogue import products as P
from shop.graph import GraphError
from shop.graph import queries as gq
from shop.graph.store import Row
from shop.media import first_attachment, media_store
from shop.vision import confident
from shop.vision.service import photo_lookup

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

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str,
                routed: bool = False) -> list[dict]:
        photo = first_attachment((tracker.latest_message or {}).get("metadata"), "image")
        if photo is not None and not names_exactly(tracker, text):
            # "这个有货吗" with a photo: the photo says which product; the words say what to answer.
            action = PENDING_ACTIONS.get(route(text, self.name()), type(self))()
            return action.respond_to_photo(dispatcher, tracker, text, photo)
        target = route(text, self.name())
        if not routed and target != self.name() and names_a_product(tracker, text):
            return PENDING_ACTIONS[target]().respond(dispatcher, tracker, text, routed=True)
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

    def respond_to_photo(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str,
                         photo: dict) -> list[dict]:
        """Visual lookup: a confident match is answered and put in focus, otherwise the closest three are listed."""
        found = photo_lookup(photo, media_store())
        if found.refused:
            dispatcher.utter_message(text=found.refused)
            return []
        if not found.matches:
            dispatcher.utter_message(text=P.PHOTO_UNRECOGNISED)
            return [SlotSet("pending_question", self._pending(text))]
        try:
            store = services.graph_store()
            best = confident(list(found.matches))
            if best is not None:
                row = gq.product_attributes(store, best.product_id)
                if row:
                    reply, extra = self.answer(store, row, text, tracker)
                    dispatcher.utter_message(text=P.photo_recognised(row) + reply)
                    return [SlotSet("product_in_focus", row["id"]), SlotSet("pending_question", None), *extra]
            shown = [(gq.product_attributes(store, m.product_id), m.similarity) for m in found.matches]
            shown = [(row, sim) for row, sim in shown if row]
        except GraphError:
            logger.exception("graph query failed")
            dispatcher.utter_message(text=GRAPH_DOWN)
            return []
        if not shown:
            dispatcher.utter_message(text=P.PHOTO_UNRECOGNISED)
            return [SlotSet("pending_question", self._pending(text))]
        dispatcher.utter_message(text=P.photo_choose_list([r for r, _ in shown], [s for _, s in shown]))
        return [SlotSet("listed_products", [r["id"] for r, _ in shown]),
                SlotSet("pending_question", self._pending(text))]


# What a question about one product asks, by its words. Intents already say "a product
# question"; with a product named, the words are the surer guide to which answer.
ROUTES = (
    ("action_care_method", ("怎么洗", "洗涤", "清洗", "保养", "机洗", "手洗", "干洗", "清洁", "能洗", "怎么洗护")),
    ("action_size_advice", ("什么码", "哪个码", "多大码", "选多大", "穿多大", "买多大", "尺码建议", "选哪个码", "穿几码")),
    ("action_stock", ("有货", "现货", "库存", "补货", "缺货", "还有吗")),
    ("action_product_price", ("多少钱", "价格", "什么价", "卖多少", "价钱", "几块钱")),
    ("action_product_info", ("颜色", "材质", "面料", "材料", "特点", "适合", "规格", "能用", "怎么样", "功能")),
)


def route(text: str, default: str) -> str:
    for action, words in ROUTES:
        if any(w in text for w in words):
            return action
    if ("吗" in text or "有没有" in text) and "有" in text and "颜色" not in text and (
            any(c in text for c in P.all_colors()) or parsing.size(text)):
        return "action_stock"  # "有黑色L码吗", "这双有38码吗"
    return default


def names_exactly(tracker: Tracker, text: str) -> bool:
    """The words pick one product without a photo's help: its full name, or 第N个 of the last list."""
    if P.named_product(text):
        return True
    return bool(tracker.get_slot("listed_products") and P.LIST_PICK.search(text))


def names_a_product(tracker: Tracker, text: str) -> bool:
    """The message names a catalog product, or points at the one in focus / on the last list."""
    if P.named_product(text):
        return True
    if tracker.get_slot("listed_products") and P.LIST_PICK.search(text):
        return True
    return bool(tracker.get_slot("product_in_focus")) and any(w in text for w in P.REFERRING)


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
            (m for m in material_names(store) if m in text), None)
        if material:
            reply = P.care_for_material(store, material)
            if reply:
                return reply, []
        return None

    def respond(self, dispatcher, tracker, text, routed=False):
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
        return super().respond(dispatcher, tracker, text, routed)


def material_names(store) -> list[str]:
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
        if names_a_product(tracker, text):  # "X适合学生吗" is about X, not a request for a list
            return PENDING_ACTIONS[route(text, "action_product_info")]().respond(dispatcher, tracker, text, routed=True)
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
            return personal_recommendations(dispatcher, tracker)
        if not rows:
            dispatcher.utter_message(text="亲，暂时没有完全符合这些条件的商品，可以放宽一下预算或换个场景试试～")
            return []
        dispatcher.utter_message(text=P.recommend_text(rows, f, term))
        return [SlotSet("listed_products", [r["id"] for r in rows]), SlotSet("product_in_focus", rows[0]["id"])]


def personal_recommendations(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict]:
    """No scene, skin type, season or budget given: the three-level recommender (shop.recommend)
    for a known shopper — cart left unpaid (with a real coupon), their categories, the season and
    replenishment — and the shop's bestsellers for anyone else."""
    from shop.recommend import popular, recommend
    service = services.order_service()
    shopper = service.shopper_for_sender(services.channel_of(tracker), tracker.sender_id)
    now = service.clock()
    recs = (recommend(service.sessions, shopper.id, now, k=P.SHOWN) if shopper
            else popular(service.sessions, None, now, k=P.SHOWN))
    if not recs:
        dispatcher.utter_message(text="亲，想买什么类型的商品呢？告诉我使用场景（比如通勤、爬山）、肤质、季节或预算，"
                                      "我帮您挑几款～")
        return []
    lines = [f"{i}. {r.name}——{r.reason}" for i, r in enumerate(recs, start=1)]
    coupon = next((r.coupon for r in recs if r.coupon and not r.coupon.used), None)
    text = "亲，为您挑了这几款：\n" + "\n".join(lines)
    if coupon:
        text += (f"\n购物车里的宝贝还没付款哦，送您一张「{coupon.title}」（券码 {coupon.code}，"
                 f"{coupon.valid_until.month}月{coupon.valid_until.day}日前有效），结算时自动抵扣～")
    dispatcher.utter_message(text=text + "\n想了解哪一款？可以说「第一个怎么样」～")
    return [SlotSet("listed_products", [r.product_id for r in recs]), SlotSet("product_in_focus", recs[0].product_id)]


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
            return action.respond(dispatcher, tracker, f"{text} {question}".strip(), routed=True)
        if names_a_product(tracker, text):  # "柔软真丝枕套" on its own: show it
            return ActionProductInfo().respond(dispatcher, tracker, text)
        dispatcher.utter_message(text="收到～亲想查询什么或者办理什么业务呢？可以直接告诉我哦。")
        return []
