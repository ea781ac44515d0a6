"""Product actions on tracker fixtures, over the real graph and order store: focus, lists, pending
questions, stock from the store, photos. The turn's own decisions: tests/dialogue/test_product_turn.py."""
import pytest

from actions import services
from actions.products import ActionCareMethod, ActionInform, ActionProductInfo, ActionProductPrice, ActionRecommend, \
    ActionSizeAdvice, \
    ActionStock
from shop.catalog import load_catalog
from tests.dialogue.conftest import run, tracker
from tests.graph.conftest import catalog, falkor_server, falkor_store  # noqa: F401  (fixtures)

IDS = {p["name"]: p["id"] for p in load_catalog().products}


@pytest.fixture
def graph(falkor_store, service, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services, "graph_store", lambda: falkor_store)
    from actions.products import GraphShelf
    GraphShelf._index = None  # this test's graph, not another's
    return falkor_store


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_naming_a_product_puts_it_in_focus(graph):
    out, events = run(ActionProductPrice(), tracker("s", "宽松真丝衬衫多少钱", "ask_price_promotion"))
    assert "¥549" in out[0] and slots_of(events)["product_in_focus"] == IDS["宽松真丝衬衫"]


def test_it_resolves_to_the_focus(graph):
    out, _ = run(ActionCareMethod(), tracker("s", "它怎么洗", "ask_care_method",
                                             slots={"product_in_focus": IDS["宽松真丝衬衫"]}))
    assert "宽松真丝衬衫" in out[0] and "手洗" in out[0]


def test_nothing_in_focus_asks_which_and_answers_after_the_pick(graph):
    out, events = run(ActionCareMethod(), tracker("s", "这个怎么洗", "ask_care_method"))
    assert "哪款商品" in out[0]
    pending = slots_of(events)["pending_question"]
    out, events = run(ActionInform(), tracker("s", "柔软真丝枕套", "inform", slots={"pending_question": pending}))
    assert "柔软真丝枕套" in out[0] and "手洗" in out[0]
    assert slots_of(events)["product_in_focus"] == IDS["柔软真丝枕套"] and slots_of(events)["pending_question"] is None


def test_material_question_without_product(graph):
    out, _ = run(ActionCareMethod(), tracker("s", "真丝的衣服能机洗吗", "ask_care_method", entities={"material": "真丝"}))
    assert "【真丝】" in out[0] and "不要：机洗" in out[0]


def test_recommendation_list_then_second_item(graph):
    out, events = run(ActionRecommend(), tracker("s", "去爬山穿什么鞋好", "ask_recommendation"))
    listed = slots_of(events)["listed_products"]
    assert len(listed) >= 2 and slots_of(events)["product_in_focus"] == listed[0]
    out, events = run(ActionStock(), tracker("s", "第二个有42码吗", "ask_stock",
                                             slots={"listed_products": listed, "product_in_focus": listed[0]}))
    assert slots_of(events)["product_in_focus"] == listed[1] and "42" in out[0]


def test_stock_comes_from_the_order_store(graph, sessions):
    from shop.store import models as m
    pid = IDS["宽松真丝衬衫"]
    out, _ = run(ActionStock(), tracker("s", "宽松真丝衬衫米色M码有货吗", "ask_stock"))
    assert "有货" in out[0]
    with sessions() as s, s.begin():   # an order takes the last pieces
        s.get(m.VariantStock, (pid, "米色", "M")).stock = 0
    out, _ = run(ActionStock(), tracker("s", "宽松真丝衬衫米色M码有货吗", "ask_stock"))
    assert "缺货" in out[0]


def test_size_advice_asks_for_measures_then_answers(graph):
    focus = IDS["防风速干运动T恤男款"]
    out, events = run(ActionSizeAdvice(), tracker("s", "它穿什么码", "ask_size_advice", slots={"product_in_focus": focus}))
    assert "身高和体重" in out[0]
    out, events = run(ActionInform(), tracker("s", "身高180 体重80kg", "inform", slots={
        "product_in_focus": focus, "pending_question": slots_of(events)["pending_question"]}))
    assert "建议选" in out[0] and slots_of(events)["height"] == "180"


def test_graph_down_is_a_polite_answer(monkeypatch):
    from shop.graph import GraphError

    def broken():
        raise GraphError("connection refused")
    monkeypatch.setattr(services, "graph_store", broken)
    out, events = run(ActionProductPrice(), tracker("s", "宽松真丝衬衫多少钱", "ask_price_promotion"))
    assert "暂时查询不到" in out[0] and events == []


def test_a_question_about_a_named_product_is_not_a_recommendation_request(graph):
    out, events = run(ActionRecommend(), tracker("s", "宽松真丝衬衫适合上班族吗", "ask_recommendation"))
    assert "适合上班族" in out[0] and slots_of(events)["product_in_focus"] == IDS["宽松真丝衬衫"]


def test_recommendations_without_facets_use_the_shopper_history(graph, service):
    out, events = run(ActionRecommend(), tracker("demo", "有什么推荐的吗", "ask_recommendation"))
    assert "为您挑了" in out[0] and len(slots_of(events)["listed_products"]) >= 1
    out, _ = run(ActionRecommend(), tracker("nobody", "有什么推荐的吗", "ask_recommendation"))
    assert "为您挑了" in out[0]


# -- a photo instead of a product name (visual lookup) ---------------------------------------------
from tests.vision.helpers import index_sharing_a_picture, media_dir, photo, picture, shared_index  # noqa: E402,F401


def _photo_message(root, name: str, data: bytes) -> dict:
    (root / "uploads" / name).write_bytes(data)
    return {"attachments": [{"type": "image", "path": f"uploads/{name}"}]}


def test_a_photo_of_a_product_with_its_own_picture_is_answered(graph, media_dir, shared_index):
    pid = next(p.product_ids[0] for p in shared_index.pictures if len(p.product_ids) == 1)
    meta = _photo_message(media_dir, "shot.jpg", photo(picture(pid)))
    out, events = run(ActionStock(), tracker("s", "这个有货吗", "ask_stock", metadata=meta))
    name = shared_index.name(pid)
    assert out[0].startswith(f"根据您发的图片，是这款「{name}」") and "有货" in out[0]
    assert slots_of(events)["product_in_focus"] == pid and slots_of(events)["pending_question"] is None


def test_a_photo_several_products_share_lists_them_and_the_pick_is_answered(graph, media_dir, tmp_path, monkeypatch):
    # Every generated product has its own picture; a catalog that reuses one photo is made here.
    import shop.vision.catalog_index as index_module
    shared = ("P0001", "P0002", "P0003")
    index = index_sharing_a_picture(tmp_path, monkeypatch, shared)
    monkeypatch.setattr(index_module, "_index", index)
    meta = _photo_message(media_dir, "p.png", photo(picture(shared[0])))
    out, events = run(ActionProductPrice(), tracker("s", "这个多少钱", "ask_price_promotion", metadata=meta))
    slots = slots_of(events)
    assert slots["listed_products"] == list(shared) and "product_in_focus" not in slots
    assert "1. " + index.name(shared[0]) in out[0] and "第几个" in out[0]
    out, events = run(ActionInform(), tracker("s", "第二个", "inform", slots=slots))
    assert index.name(shared[1]) in out[0] and "售价" in out[0]
    assert slots_of(events)["product_in_focus"] == shared[1]


def test_a_named_product_wins_over_the_photo(graph, media_dir, shared_index):
    meta = _photo_message(media_dir, "x.jpg", photo(picture("P0001")))
    out, events = run(ActionProductPrice(), tracker("s", "宽松真丝衬衫多少钱", "ask_price_promotion", metadata=meta))
    assert "¥549" in out[0] and slots_of(events)["product_in_focus"] == IDS["宽松真丝衬衫"]


@pytest.mark.parametrize("attachment,words", [
    ({"type": "image", "path": "uploads/notes.txt"}, "格式"),
    ({"type": "image", "path": "uploads/huge.jpg"}, "太大"),
    ({"type": "image", "path": "../../etc/passwd"}, "重新发送"),
    ({"type": "image", "url": "https://evil.example.com/p.jpg"}, "直接把图片发过来"),
    ({"type": "image", "media_id": "wx_media_1"}, "重新发送"),
])
def test_an_unusable_photo_gets_a_polite_request_to_resend(graph, media_dir, attachment, words):
    (media_dir / "uploads" / "notes.txt").write_text("not a picture")
    (media_dir / "uploads" / "huge.jpg").write_bytes(b"\xff\xd8\xff" + bytes(6 * 1024 * 1024))
    out, events = run(ActionStock(), tracker("s", "这个有货吗", "ask_stock", metadata={"attachments": [attachment]}))
    assert len(out) == 1 and out[0].startswith("亲") and words in out[0] and events == []


def test_a_photo_without_a_recognisable_product_asks_for_the_name(graph, media_dir):
    from PIL import Image
    from shop.vision import synth
    meta = _photo_message(media_dir, "wall.png", synth.encode(Image.new("RGB", (300, 300), (120, 120, 120))))
    out, events = run(ActionStock(), tracker("s", "这个有货吗", "ask_stock", metadata=meta))
    assert "没能认出" in out[0] and slots_of(events)["pending_question"].startswith("stock|")


def test_own_coupons_are_listed_only_for_a_proven_shopper(graph):
    out, _ = run(ActionProductPrice(), tracker("demo", "我账户里有什么券能用 别让我自己翻", "ask_price_promotion"))
    assert "满199减20" in out[0] and "无门槛" in out[0] and "双十一满300减40" not in out[0]   # expired: not listed
    out, _ = run(ActionProductPrice(), tracker("stranger-1", "我的优惠券呢", "ask_price_promotion"))
    assert "验证" in out[0] and "满199减20" not in out[0]
    out, _ = run(ActionProductPrice(), tracker("stranger-1", "现在有优惠券吗", "ask_price_promotion"))
    assert "验证" not in out[0]   # the shop's offers are for anyone


def test_a_shipping_question_that_also_asks_the_total_gets_both(graph):
    from actions.shipping import ActionShippingPolicy
    focus = {"product_in_focus": IDS["神经酰胺氨基酸洁面乳"]}
    out, _ = run(ActionShippingPolicy(), tracker("s", "那两瓶算下来一共多少钱？运费另算吗？", "ask_shipping_policy",
                                                 slots=focus))
    assert "142.2" in out[0] and "包邮" in " ".join(out)
    out, _ = run(ActionShippingPolicy(), tracker("s", "运费多少钱", "ask_shipping_policy", slots=focus))
    assert "¥79" not in out[0] and "包邮" in out[0]    # the fee of shipping, not the goods' price


def test_sending_goods_back_is_answered_by_the_return_policy():
    """我还没寄回去呢 要寄到哪 几天内要寄 (read as a shipping question): the return address and window."""
    from actions.shipping import reply
    answer = reply("我还没寄回去呢 要寄到哪 几天内要寄")
    assert "文一西路" in answer and "7 天" in answer
    assert "文一西路" not in reply("几天能到")


def test_a_yes_or_no_outside_a_form_is_acknowledged_unless_it_asks_about_the_order_just_handled():
    import asyncio
    from rasa_sdk.executor import CollectingDispatcher
    from actions.products import ActionAcknowledge
    from tests.dialogue.conftest import tracker

    def ack(text, intent, slots, events=()):
        d = CollectingDispatcher()
        out = asyncio.run(ActionAcknowledge().run(d, tracker("s", text, intent, slots=slots, events=list(events)), {}))
        return [m.get("response") for m in d.messages], out

    handled = [{"event": "action", "name": "action_order_task"}]
    # 确定是这个单号？ right after the tracking was shown: the order form answers it
    said, events = ack("确定是这个单号？我自己去查", "affirm", {"order_id": "202511220001"}, handled)
    assert said == [] and [(e["event"], e["name"]) for e in events] == [("followup", "order_form")]
    # the same words with no task just handled, or a plain yes/no: the acknowledgement
    assert ack("确定是这个单号？", "affirm", {"order_id": None}, handled)[0] == ["utter_affirm"]
    assert ack("好的", "affirm", {"order_id": "202511220001"}, handled)[0] == ["utter_affirm"]
    assert ack("不用了", "deny", {}, [])[0] == ["utter_deny"]
    # 对 就换这个吧 to "…需要的话回复「申请换货」": the yes takes up the task offered, in the order form
    offered = [{"event": "user", "text": "用了三天就开线了 给我换一个"}, *handled,
               {"event": "bot", "text": "您说想换货，换货的运费由我们承担。需要的话回复「申请换货」，我马上为您办理。"}]
    said, events = ack("对 就换这个吧", "affirm", {"order_id": "202511220001"}, offered)
    assert said == [] and [(e["event"], e["name"]) for e in events] == [("followup", "order_form")]


def test_a_greeting_that_asks_where_the_parcel_just_shown_is_goes_to_the_order_form():
    import asyncio
    from rasa_sdk.executor import CollectingDispatcher
    from actions.products import ActionAcknowledge
    from tests.dialogue.conftest import tracker
    d = CollectingDispatcher()
    trk = tracker("s", "那它现在放在哪里了呀", "greet", slots={"order_id": "202511170002"},
                  events=[{"event": "action", "name": "action_order_task"}])
    out = asyncio.run(ActionAcknowledge().run(d, trk, {}))
    assert [(e["event"], e["name"]) for e in out] == [("followup", "order_form")] and d.messages == []
    d = CollectingDispatcher()
    asyncio.run(ActionAcknowledge().run(d, tracker("s", "你好", "greet"), {}))
    assert [m.get("response") for m in d.messages] == ["utter_greet"]


def test_a_colour_and_size_after_picking_the_cheapest_is_about_that_one(graph):
    """最便宜的那个多少 → 白色L码有吗 → 那粉色L呢: the product picked stays in focus; the variant is its stock,
    not the list again filtered by colour."""
    slots = {}
    replies = []
    for act, text, intent in [(ActionRecommend(), "冰丝防晒衣有哪些款 想囤一件明年夏天穿", "ask_recommendation"),
                              (ActionProductPrice(), "最便宜的那个多少", "ask_price_promotion"),
                              (ActionStock(), "白色L码有吗", "ask_stock"),
                              (ActionInform(), "那粉色L呢", "inform")]:
        out, events = run(act, tracker("s", text, intent, slots=dict(slots)))
        slots.update(slots_of(events))
        replies.append(out[0])
    cheapest = replies[1].split("「")[1].split("」")[0]
    assert all(cheapest in r and "您问的是哪一款" not in r for r in replies[2:])
    assert "白色" in replies[2] and "L" in replies[2] and "粉色" in replies[3]


def test_a_new_wish_after_something_not_sold_is_asked_of_what_is_sold(graph):
    """想送条围巾 → not sold → 那送啥好 三百以内 她特别怕冷: a list within the budget, not "no scarves" again."""
    slots = {}
    replies = []
    for text in ("对象生日 想送条围巾", "那送啥好 三百以内 她特别怕冷"):
        out, events = run(ActionRecommend(), tracker("s", text, "ask_recommendation", slots=dict(slots)))
        slots.update(slots_of(events))
        replies.append(out[0])
    assert "围巾" in replies[0]
    assert "围巾" not in replies[1] and "¥" in replies[1]
    assert all(int(x) <= 300 for x in __import__("re").findall(r"¥(\d+)", replies[1]))


@pytest.mark.parametrize("text,must", [("加厚不锈钢保温杯有几大容量？几钱一个？", ("350ml", "¥99")),
                                       ("宽松真丝衬衫有咩色？有咩码？", ("米色", "XL"))])
def test_cantonese_price_and_size_words_are_asked_aspects(graph, text, must):
    out, _ = run(ActionProductInfo(), tracker("s", text, "ask_product_info"))
    assert all(m in out[0] for m in must), out[0]


def test_what_size_to_take_is_advice_not_the_size_list(graph):
    out, _ = run(ActionSizeAdvice(), tracker("s", "一米七八，一百四十斤，复古直筒牛仔裤要啥码", "ask_size_advice"))
    assert "建议选 XL" in out[0] and "XXL" not in out[0]


def test_a_question_after_a_greeting_is_answered(graph):
    from actions.products import ActionAcknowledge
    out, _ = run(ActionAcknowledge(), tracker("s", "你好，想先了解一下你们店主要卖哪些类目？", "greet"))
    assert any(w in out[0] for w in ("服装", "鞋靴", "护肤"))
    out, _ = run(ActionAcknowledge(), tracker("s", "😂😂😂👍👍", "affirm"))
    assert "亲" in out[0]
    out, _ = run(ActionAcknowledge(), tracker("s", "你好", "greet"))
    assert out == []   # utter_greet, a response template


def test_cheaper_from_a_student_is_a_cheaper_list_not_a_fit_question(graph):
    slots = {}
    for act, text, intent in [(ActionRecommend(), "想给我妈买点保暖的东西 她快60了 特别怕冷 预算300以内", "ask_recommendation"),
                              (ActionProductInfo(), "那第二个呢 有啥颜色", "ask_product_info")]:
        _, events = run(act, tracker("s", text, intent, slots=dict(slots)))
        slots.update(slots_of(events))
    out, _ = run(ActionRecommend(), tracker("s", "有没有便宜点的 学生党钱包瘦瘦", "ask_recommendation", slots=dict(slots)))
    assert "推荐人群" not in out[0] and "¥" in out[0]


def test_a_discount_for_two_is_a_promotion_question(graph):
    out, _ = run(ActionProductPrice(), tracker("s", "积雪草控油清爽爽肤水如果買兩支有冇折？", "ask_price_promotion"))
    assert "九折" in out[0] or "两件" in out[0]


def test_a_colour_and_size_after_which_one_is_answered_for_each_listed(graph):
    """那个抓绒外套209的 … 穿啥码 → three listed, none chosen → 那L码呢 藏青色还有货没: each one's stock."""
    _, events = run(ActionSizeAdvice(), tracker("s", "那个抓绒外套209的 男的 175 140斤穿啥码", "ask_size_advice"))
    slots = slots_of(events)
    out, _ = run(ActionStock(), tracker("s", "那L码呢 藏青色还有货没", "ask_stock", slots=slots))
    assert "哪款商品" not in out[0] and "藏青色" in out[0] and "L" in out[0]


def test_change_of_colour_after_a_list_is_about_the_goods_not_an_exchange(graph):
    """换个颜色 / 有就下单了 read as order business by the intent model, right after a product answer."""
    from actions.order_form import ValidateOrderForm
    out, events = run(ActionRecommend(), tracker("s10", "保温杯有哪些", "ask_recommendation"))
    slots = slots_of(events)
    before = [{"event": "action", "name": "action_recommend"}]
    out, events = run(ValidateOrderForm(), tracker("s10", "换个颜色 要绿的", "request_exchange", slots=slots,
                                                   events=before, active=True))
    assert out and "手机号" not in out[0] and "绿色" in out[0]
    assert slots_of(events)["order_task"] is None and slots_of(events)["requested_slot"] is None
    # the same words after an order was handled are the order's business (the form asks who is asking)
    after_order = [{"event": "action", "name": "action_order_task"}]
    out, _ = run(ValidateOrderForm(), tracker("s10", "换个颜色 要绿的", "request_exchange", slots=slots,
                                              events=after_order, active=True))
    assert out and "手机号" in out[0]


def test_a_no_to_a_colour_after_a_list_refines_it_instead_of_a_plain_no(graph):
    from actions.products import ActionAcknowledge
    _, events = run(ActionRecommend(), tracker("s11", "碎花连衣裙有几款", "ask_recommendation"))
    before = [{"event": "action", "name": "action_recommend"}]
    out, _ = run(ActionAcknowledge(), tracker("s11", "不要黄色的", "deny", slots=slots_of(events), events=before))
    assert out and "连衣裙" in out[0] and "改主意" not in out[0]
    out, _ = run(ActionAcknowledge(), tracker("s11", "不用了", "deny", slots=slots_of(events), events=before))
    assert out == []   # a plain no stays a no: utter_deny (a domain response, not text)


@pytest.mark.parametrize("said", ["想换一口炒锅，要无涂层的，400元以内，请给出具体价格。", "枕头睡塌了 该换个新枕头了 有推荐吗"])
def test_buying_a_new_one_is_not_an_exchange(graph, said):
    """想换一口炒锅 要无涂层的 (w11 writer), read as an exchange by the intent model: a wish for goods, answered
    with the shop's products, not a request for the phone number."""
    from actions.order_form import ValidateOrderForm
    out, events = run(ValidateOrderForm(), tracker("s12", said, "request_exchange", active=True))
    assert out and "手机号" not in out[0] and "¥" in out[0], out
    assert slots_of(events)["order_task"] is None


@pytest.mark.parametrize("said", ["我买的炒锅想换一口", "内衣买小了想换大一号 XL的"])   # the second: a4-023 (tuning)
def test_an_exchange_of_ones_own_goods_is_still_an_exchange(graph, said):
    from actions.order_form import ValidateOrderForm
    out, _ = run(ValidateOrderForm(), tracker("s13", said, "request_exchange", active=True))
    assert out and "手机号" in out[0], out


def test_a_complaint_that_ends_asking_for_other_goods_gets_the_goods(graph):
    """上次买的枕头硬得要死 … 你们到底有没有护颈的枕头: the goods asked for, after the apology, not a login for a
    complaint nobody asked to file; a complaint that asks for nothing keeps the complaint flow."""
    from actions.order_form import ValidateOrderForm
    from actions.products import goods_asked_last
    assert goods_asked_last("上次买的枕头太软了 睡得脖子疼 有没有硬一点的乳胶枕") == "有没有硬一点的乳胶枕"
    assert goods_asked_last("枕头买回来一股味 差评") is None
    texts, events = run(ValidateOrderForm(), tracker("s", "上次买的枕头太软了 睡得脖子疼 有没有硬一点的乳胶枕",
                                                     "complain_quality"))
    reply = "\n".join(texts)
    assert "抱歉" in reply and "乳胶枕" in reply and "手机号" not in reply, reply
    assert {"event": "slot", "name": "order_task", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]
