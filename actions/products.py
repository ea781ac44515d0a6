"""Product questions, searches and recommendations: thin Rasa actions over shop.dialogue.product_turn.

Every product intent's action runs the same turn (`ProductAction.respond`): the turn reads
the message and the dialogue state (slots: product_in_focus, listed_products, last_aspect,
last_query, pending_question, height, weight) and answers from the shelf — graph facts,
the order store's live stock, the rules' promotions and the shopper's own history. The
action names stay one per intent (rules and stories name them), the decision is one.
A photo in the message (visual lookup) says which product when the words do not.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from abc import ABC, abstractmethod
import time
from typing import Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from shop.dialogue import parsing, products as P
from shop.dialogue.order_tasks import corrects_order, follow_up_task, own_order_task
from shop.dialogue.product_turn import MAX_TEXT, State, Turn, asks_own_coupons, read, respond
from shop.search.query import parse
from shop.graph import GraphError
from shop.graph import queries as gq
from shop.media import first_attachment, media_store
from shop.search.index import ProductIndex
from shop.vision import confident
from shop.vision.service import photo_lookup

logger = logging.getLogger(__name__)

GRAPH_DOWN = "抱歉亲，商品信息暂时查询不到，请稍后再试，或回复「转人工」由人工客服为您解答。"
INDEX_TTL_S = 300  # the search index is rebuilt from the graph at most this often
SLOTS = ("product_in_focus", "listed_products", "seen_products", "last_aspect", "last_query", "pending_question",
         "height", "weight")


class GraphShelf:
    """The Shelf the product turn reads: the graph for facts, the order store for stock and the
    shopper's history, the shop clock for promotions."""
    _index: tuple[float, ProductIndex] | None = None

    def __init__(self, tracker: Tracker):
        self.store = services.graph_store()
        self.tracker = tracker
        self._rows: dict[str, dict | None] = {}

    def product(self, pid: str) -> dict | None:
        if pid not in self._rows:
            self._rows[pid] = gq.product_attributes(self.store, pid)
        return self._rows[pid]

    def index(self) -> ProductIndex:
        cached = GraphShelf._index
        if cached is None or time.monotonic() - cached[0] > INDEX_TTL_S:
            GraphShelf._index = cached = (time.monotonic(), ProductIndex(gq.all_products(self.store)))
        return cached[1]

    def care(self, pid: str) -> list[dict]:
        return gq.care_for_product(self.store, pid)

    def care_of_material(self, material: str) -> list[dict]:
        return gq.care_for_material(self.store, material)

    def size_chart(self, category: str) -> list[dict]:
        return gq.size_chart(self.store, category)

    def size_for(self, pid: str, height, weight, foot) -> str | None:
        return gq.size_for_product(self.store, pid, height=height, weight=weight, foot=foot)

    def stock(self, pid: str, color: str | None = None, size: str | None = None) -> list[dict]:
        return services.order_service().stock(pid)

    def today(self) -> dt.date:
        return services.order_service().clock().date()

    def personal_rank(self, pids: Sequence[str]) -> dict[str, float]:
        """A small boost for products the shopper's own levels (cart, history, season) would pick."""
        from shop.recommend import recommend
        from shop.recommend.policy import MAX_K
        service = services.order_service()
        shopper = services.shopper_of(self.tracker, service)
        if shopper is None:
            return {}
        picks = recommend(service.sessions, shopper.id, service.clock(), k=MAX_K)
        ranked = {r.product_id: 0.5 / (1 + i) for i, r in enumerate(picks)}
        return {pid: ranked[pid] for pid in pids if pid in ranked}


def _float(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def state_of(tracker: Tracker) -> State:
    listed, seen = tracker.get_slot("listed_products"), tracker.get_slot("seen_products")
    return State(focus=tracker.get_slot("product_in_focus"),
                 listed=[x for x in listed if isinstance(x, str)] if isinstance(listed, list) else [],
                 seen=[x for x in seen if isinstance(x, str)] if isinstance(seen, list) else [],
                 last_aspect=tracker.get_slot("last_aspect"), last_query=tracker.get_slot("last_query"),
                 pending=tracker.get_slot("pending_question"), page_product=services.page_product(tracker),
                 height=_float(tracker.get_slot("height")), weight=_float(tracker.get_slot("weight")))


def slot_events(turn: Turn) -> list[dict]:
    return [SlotSet(k, v) for k, v in turn.slots.items() if k in SLOTS]


def _learned_product_words(tracker: Tracker) -> list[str]:
    """Product words the pipeline's learned extractor (CRF) tagged; the vocabulary's own entities
    are read again by the turn itself."""
    entities = (tracker.latest_message or {}).get("entities") or []
    return [str(e.get("value")) for e in entities if isinstance(e, dict)
            and e.get("entity") in ("product", "product_type") and e.get("extractor") != "ShopEntityExtractor"
            and e.get("value")][:5]


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


class ProductAction(Action, ABC):
    """Answer the message as a product turn; what to do when it is not one is the subclass's."""
    strict = False  # answer only plain product questions (the intent model saw none)

    @abstractmethod
    def name(self) -> str:  # abstract, so rasa_sdk's executor does not register the base class
        raise NotImplementedError

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        text = ((tracker.latest_message or {}).get("text") or "")[:MAX_TEXT]
        photo = first_attachment((tracker.latest_message or {}).get("metadata"), "image")
        if photo is None and asks_own_coupons(text):
            return own_coupons(dispatcher, tracker)
        if photo is None and (own_order_task(text) or order_follow_up(tracker) and not _names_a_product(tracker, text)
                              or _identifies(tracker, text)):
            # 我买的那个砧板还没付钱 / 确定是这个单号？ right after a parcel was shown: the shopper's own order, which
            # the order form handles, whatever product question the intent model read into the words
            return [FollowupAction("order_form")]
        try:
            if photo is not None and not _names_a_product(tracker, text):
                return self.respond_to_photo(dispatcher, tracker, text, photo)
            turn = respond(_intent(tracker), text, state_of(tracker), GraphShelf(tracker), strict=self.strict,
                           hints=_learned_product_words(tracker))
        except GraphError:
            logger.exception("graph query failed")
            dispatcher.utter_message(text=GRAPH_DOWN)
            return []
        if turn is None:
            return self.not_a_product_turn(dispatcher, tracker, text)
        dispatcher.utter_message(text=turn.reply)
        return slot_events(turn)

    def not_a_product_turn(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[dict]:
        dispatcher.utter_message(text="亲，您想了解哪款商品呢？可以告诉我商品名称，或者说说用途、预算，我帮您挑～")
        return []

    def respond_to_photo(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str,
                         photo: dict) -> list[dict]:
        """Visual lookup: a confident match is put in focus and the question answered about it,
        otherwise the closest three are listed to pick from."""
        found = photo_lookup(photo, media_store())
        if found.refused:
            dispatcher.utter_message(text=found.refused)
            return []
        pending = _pending_of(text)
        if not found.matches:
            dispatcher.utter_message(text=P.PHOTO_UNRECOGNISED)
            return [SlotSet("pending_question", pending)]
        shelf = GraphShelf(tracker)
        best = confident(list(found.matches))
        if best is not None and shelf.product(best.product_id):
            state = state_of(tracker)
            state.focus, state.page_product = best.product_id, best.product_id
            turn = respond(_intent(tracker) or "ask_product_info", text, state, shelf) or Turn("", {})
            row = shelf.product(best.product_id)
            dispatcher.utter_message(text=P.photo_recognised(row) + turn.reply.removeprefix("亲，"))
            return [*slot_events(turn), SlotSet("product_in_focus", row["id"]), SlotSet("pending_question", None)]
        shown = [(shelf.product(m.product_id), m.similarity) for m in found.matches]
        shown = [(row, sim) for row, sim in shown if row]
        if not shown:
            dispatcher.utter_message(text=P.PHOTO_UNRECOGNISED)
            return [SlotSet("pending_question", pending)]
        dispatcher.utter_message(text=P.photo_choose_list([r for r, _ in shown], [s for _, s in shown]))
        return [SlotSet("listed_products", [r["id"] for r, _ in shown]), SlotSet("pending_question", pending)]


# Actions that answer a product turn: the conversation is about goods on the table while one of these spoke last.
PRODUCT_ACTIONS = {"action_product_info", "action_care_method", "action_recommend", "action_product_price",
                   "action_size_advice", "action_stock", "action_inform", "action_out_of_scope"}
# Words that are about an order, whatever else a message says (换个颜色 is not; 换货 / 订单 / 收到的 are).
ORDER_TALK = re.compile(r"订单|单号|单子|快递|物流|包裹|收到|签收|寄回|退货|退款|换货|发货|买的|买了|到货|运单|售后|"
                        r"买(?:小|大|错)了|拍(?:小|大|错)了")   # 内衣买小了想换大一号: goods bought, not new ones


def _spoke_last(tracker: Tracker) -> str | None:
    """The last action before the latest message (action_listen and the session start aside)."""
    return next((e.get("name") for e in services.previous_turn(tracker) if e.get("event") == "action"
                 and e.get("name") not in ("action_listen", "action_session_start")), None)


# 想换一口炒锅 要无涂层的 / 该换个新枕头了: buying a new one of a kind (replacing one's own at home), not an
# exchange of an order — read so only when no order is pointed at (the checks below)
BUY_NEW = re.compile(r"(?:想|要|打算|准备|该|得)换(?![大小]一?[号码]|[大小]点|个?(?:颜色|尺码|码))"
                     r"(?:一|个|一个)?(?:口|只|双|件|条|台|把|套|床|个)?(?:新的?)?(?=[\u4e00-\u9fff])")


def product_side_turn(tracker: Tracker) -> Turn | None:
    """换个颜色 要绿的 / 500ml绿的有货？有就下单了 right after a product answer: still about the goods on the
    table, though the intent model read order business (an exchange, an order) into 换 / 下单. The product
    turn for it, or None when the words point at an order or the last answer was not about products."""
    text = ((tracker.latest_message or {}).get("text") or "")[:MAX_TEXT]
    last = _spoke_last(tracker)
    if ORDER_TALK.search(text) or own_order_task(text) or parsing.find_order_no(text) or parsing.find_phone(text):
        return None
    # 想换一口炒锅 at the start or after product talk (never right after an order was handled)
    new_one = bool(BUY_NEW.search(text) and (last is None or last in PRODUCT_ACTIONS) and parse(text).wanted_types)
    if not new_one and (last not in PRODUCT_ACTIONS
                        or not (tracker.get_slot("listed_products") or tracker.get_slot("product_in_focus"))):
        return None
    try:
        return respond("ask_recommendation" if new_one else None, text, state_of(tracker), GraphShelf(tracker),
                       strict=True, hints=_learned_product_words(tracker))
    except GraphError:
        logger.exception("graph query failed")
        return None


COMPLAINTS = ("complain_quality", "complain_mismatch", "complain_service")
# …你们到底有没有护颈的枕头 / …有没有好一点的推荐: the last clause asks whether the shop has (other) goods
GOODS_ASKED_LAST = re.compile(r"(?:有没有|有木有|有冇|有无|推荐(?:一下|个|款)?|求推荐)")


def goods_asked_last(text: str | None) -> str | None:
    """The last clause of a message when it asks whether the shop has goods of a kind it names
    (上次买的枕头硬得要死 … 你们到底有没有护颈的枕头 → 你们到底有没有护颈的枕头), else None."""
    clauses = [c for c in re.split(r"[，。！？!?,.;；\s]+", (text or "")[:MAX_TEXT]) if c]
    last = clauses[-1] if clauses else ""
    return last if GOODS_ASKED_LAST.search(last) and parse(last).wanted_types else None


def goods_after_complaint(tracker: Tracker) -> Turn | None:
    """A complaint about goods bought before that ends asking for other goods: the goods asked for, after the
    apology, with the way to after-sales for the old ones — not an identification for a complaint the
    shopper did not ask to file. None when the message is not such a complaint."""
    latest = tracker.latest_message or {}
    if ((latest.get("intent") or {}).get("name")) not in COMPLAINTS:
        return None
    text = (latest.get("text") or "")[:MAX_TEXT]
    asked = goods_asked_last(text)
    if asked is None or parsing.find_order_no(text):
        return None
    try:
        turn = respond("ask_recommendation", asked, state_of(tracker), GraphShelf(tracker))
    except GraphError:
        logger.exception("graph query failed")
        return None
    if turn is None or not turn.reply:
        return None
    return Turn("非常抱歉之前的商品让您不满意。" + turn.reply.removeprefix("亲，")
                + "\n之前买的那件如需售后，直接告诉我「投诉」或「退货」，我帮您处理。", turn.slots)


def own_coupons(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict]:
    """我账户里有什么券能用: the shopper's own coupons, only once they have proven who they are."""
    service = services.order_service()
    shopper = services.shopper_of(tracker, service)
    dispatcher.utter_message(text=P.own_coupons(service.usable_coupons(shopper.id)) if shopper
                             else P.OWN_COUPONS_UNVERIFIED)
    return []


def _identifies(tracker: Tracker, text: str) -> bool:
    """不等了 你查吧 我手机13519035646 from a sender not yet known: the phone on file, so identification
    starts (the order form texts the code), whatever product question the intent model read."""
    phone = parsing.find_phone(text)
    if not phone:
        return False
    # 我孙子说要先报个手机号 是135… / 我是张伟他奶奶 他手机号是135… 你给我看看: a longer message still gives the
    # phone to be checked when it says so; otherwise only a short one (a phone and little else) does
    if len(re.sub(r"[\s\d+\-，,。.！!]", "", text)) > 12 and not parsing.GIVES_PHONE.search(text):
        return False
    return services.shopper_of(tracker) is None


def _pending_of(text: str) -> str:
    r = read(text)
    return f"{','.join(r.aspects)}|{text[:200]}"


def _names_a_product(tracker: Tracker, text: str) -> bool:
    """The words pick one product without a photo's help: its full name, or 第N个 of the last list."""
    r = read(text)
    return bool(r.query.named) or bool(tracker.get_slot("listed_products") and r.pick is not None)


class ActionProductInfo(ProductAction):
    def name(self) -> str:
        return "action_product_info"


class ActionProductPrice(ProductAction):
    def name(self) -> str:
        return "action_product_price"



class ActionCareMethod(ProductAction):
    def name(self) -> str:
        return "action_care_method"


class ActionStock(ProductAction):
    def name(self) -> str:
        return "action_stock"


class ActionSizeAdvice(ProductAction):
    def name(self) -> str:
        return "action_size_advice"


class ActionRecommend(ProductAction):
    """A described wish gets a list (type first, then cut, budget, facets; personal re-rank); a bare
    "有什么推荐的" gets the three-level recommender (cart coupon, history, season) or bestsellers."""

    def name(self) -> str:
        return "action_recommend"

    def not_a_product_turn(self, dispatcher, tracker, text):
        return personal_recommendations(dispatcher, tracker)


def personal_recommendations(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict]:
    """No kind, scene, person, season or budget given: the three-level recommender (shop.recommend)
    for a known shopper — cart left unpaid (with a real coupon), their categories, the season and
    replenishment — and the shop's bestsellers for anyone else."""
    from shop.recommend import popular, recommend
    service = services.order_service()
    shopper = services.shopper_of(tracker, service)
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
    return [SlotSet("listed_products", [r.product_id for r in recs]), SlotSet("product_in_focus", recs[0].product_id),
            SlotSet("last_aspect", "list")]


class ActionProductFallback(ProductAction):
    """NLU was unsure (nlu_fallback): a message that plainly names a kind of product, a product, a
    pick from the list or asks about the product in focus is still answered; anything else gets
    utter_ask_rephrase (and a second miss in a row a human, data/rules.yml). The slot
    fallback_answered tells the rules which happened."""
    strict = True

    def name(self) -> str:
        return "action_product_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        if order_follow_up(tracker):
            return [SlotSet("fallback_answered", True), FollowupAction("order_form")]
        events = await super().run(dispatcher, tracker, domain)
        answered = not any(e.get("event") == "slot" and e.get("name") == "fallback_answered" for e in events)
        return events + ([SlotSet("fallback_answered", True)] if answered else [])

    def not_a_product_turn(self, dispatcher, tracker, text):
        # The rules go on to utter_ask_rephrase (data/rules.yml) when this slot is false.
        return [SlotSet("fallback_answered", False)]


def order_follow_up(tracker: Tracker, within: int = 2) -> bool:
    """Is this message a short follow-up about the order a task has just handled (退哪了 / 那它放在哪了)?
    Then the order form answers it for that order, whatever the intent model could not read."""
    text = (tracker.latest_message or {}).get("text")
    if not tracker.get_slot("order_id") or not (follow_up_task(text) or corrects_order(text)):
        return False
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users > within:
                return False
        elif event.get("event") == "action" and event.get("name") == "action_order_task":
            return True
    return False


# What a finished order task says when it did something (the order service's own words).
DONE = re.compile(r"已提交|修改成功|已为您取消|已申请|已为您发放|已改为")


def just_done(tracker: Tracker, within: int = 1) -> str | None:
    """The sentence saying what the order task just did (退货申请已提交（售后单号 13，2 件）。), when the
    shopper's message comes right after it; None otherwise."""
    users, done = 0, None
    for event in reversed(tracker.events[:-1] if tracker.events else []):
        if event.get("event") == "user":
            users += 1
            if users > within:
                return None
        elif event.get("event") == "bot" and DONE.search(event.get("text") or ""):
            done = next((s + "。" for s in (event.get("text") or "").split("。") if DONE.search(s)), None)
        elif event.get("event") == "action" and event.get("name") == "action_order_task":
            return done
    return None


class ActionAcknowledge(Action):
    """好的 / 不用了 / 你好 outside a form: the plain acknowledgement (utter_affirm / utter_deny / utter_greet),
    unless the message is a question about the order a task has just handled that the model read as one of
    those (确定是这个单号？ / 确定是87不是79？ / 那它现在放在哪里了呀): then the order form answers it for that order."""

    def name(self) -> str:
        return "action_acknowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        if order_follow_up(tracker):
            return [FollowupAction("order_form")]
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent == "affirm" and tracker.get_slot("order_id"):
            from actions.order_form import offered_task   # (order_form imports this module)
            if offered_task(tracker):
                return [FollowupAction("order_form")]   # a yes to "需要的话回复「申请退货」": that task
        done = just_done(tracker) if intent == "affirm" else None
        if done:
            # 对的，确认推货 after the return was already submitted: it is done, say so rather than "收到"
            dispatcher.utter_message(text=f"好的，已经为您办好了：{done.strip()}不用再确认啦～")
            return []
        if intent in ("deny", "affirm"):
            product = product_side_turn(tracker)
            if product is not None and product.reply:
                # 不要黄色的 after a list of dresses: a wish about the goods on the table, not a plain no
                dispatcher.utter_message(text=product.reply)
                return slot_events(product)
        text = ((tracker.latest_message or {}).get("text") or "")[:MAX_TEXT]
        if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", text):
            # 😂😂👍👍: nothing said in words, so nothing to acknowledge; invite the question
            dispatcher.utter_message(text="亲，请问有什么可以帮您？商品、尺码、订单、售后都可以问我～")
            return []
        if intent == "greet" and len(_GREETING.sub("", text)) >= 4:
            # 你好，想先了解一下你们店主要卖哪些类目？: the question after the greeting is answered, when it is
            # plainly a product question (the strict reading of the product turn)
            try:
                turn = respond(None, text, state_of(tracker), GraphShelf(tracker), strict=True)
            except GraphError:
                turn = None
            if turn is not None and turn.reply:
                dispatcher.utter_message(text=turn.reply)
                return slot_events(turn)
        dispatcher.utter_message(response={"deny": "utter_deny", "greet": "utter_greet"}.get(intent, "utter_affirm"))
        return []


_GREETING = re.compile(r"你好|您好|哈喽|嗨|hi|hello|在吗|在不在|亲|[\s,，。.!！?？~～]", re.I)


class ActionOutOfScope(ProductAction):
    """Off-topic by the intent model: answered as a product question only when the words plainly
    are one (看看冲锋衣 is not chit-chat); otherwise the polite steer back to shopping."""
    strict = True

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        if order_follow_up(tracker):
            return [FollowupAction("order_form")]
        return await super().run(dispatcher, tracker, domain)

    def not_a_product_turn(self, dispatcher, tracker, text):
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


class ActionInform(ProductAction):
    """A bare answer ("第二个", "175 70公斤", "黑色", "那L码呢"): the product turn it continues, if any."""

    def name(self) -> str:
        return "action_inform"

    def not_a_product_turn(self, dispatcher, tracker, text):
        dispatcher.utter_message(text="收到～亲想查询什么或者办理什么业务呢？可以直接告诉我哦。")
        return []
