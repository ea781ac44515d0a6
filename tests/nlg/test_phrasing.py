"""shop.dialogue.phrasing and the replies built with it (order texts, shipping answers)."""
from __future__ import annotations

import random

import pytest

import actions.shipping as shipping_action
from shop.dialogue import order_text, phrasing
from shop.dialogue.phrasing import PhrasingError, last_bot_text, phrases
from shop.rules import shipping


@pytest.fixture
def fresh_registry(monkeypatch):
    monkeypatch.setattr(phrasing, "REGISTRY", {})


def test_wording_varies_but_facts_are_exact(fresh_registry):
    p = phrases("t.paid", "订单 {no} 已付款。", "您的订单 {no} 付款成功。", "订单 {no} 已经付过款了。")
    texts = {p.say(no="202511240001", rng=random.Random(i)) for i in range(40)}
    assert len(texts) == 3 and all("202511240001" in t for t in texts)


def test_no_two_consecutive_texts_are_equal_over_many_draws(fresh_registry):
    p = phrases("t.greet", "您好。", "您好，请讲。", "在的，您请说。")
    rng, last = random.Random(1), None
    for _ in range(300):
        text = p.say(last, rng=rng)
        assert text != last
        last = text


def test_a_wording_already_in_the_last_message_is_avoided(fresh_registry):
    p = phrases("t.part", "已于 {when} 发货。", "包裹 {when} 已经发出。", "{when} 已从仓库发货。")
    last = "订单 1：T恤，状态「已发货」。已于 11月24日 10:00 发货。最新物流：运输中"
    assert {p.say(last, rng=random.Random(i), when="11月24日 10:00") for i in range(40)} == {
        "包裹 11月24日 10:00 已经发出。", "11月24日 10:00 已从仓库发货。"}


def test_a_single_wording_repeats(fresh_registry):
    p = phrases("t.one", "只有这一句。")
    assert p.say("只有这一句。") == "只有这一句。"


def test_seed_makes_draws_repeatable(fresh_registry):
    p = phrases("t.seed", "一。", "二。", "三。")
    phrasing.seed(42)
    first = [p.say() for _ in range(10)]
    phrasing.seed(42)
    assert [p.say() for _ in range(10)] == first


@pytest.mark.parametrize("variants", [
    ("订单 {no} 已付款。", "付款成功。", "订单 {no} 已经付过款。"),   # one wording drops the fact
    ("订单 {no} 已付款。", "订单 {no} 已付款。", "订单 {no} 付过了。"),  # listed twice
    ("订单 {no 已付款。", "订单 {no} 已付款。", "订单 {no} 付过了。"),   # malformed
])
def test_inconsistent_declarations_are_refused(fresh_registry, variants):
    with pytest.raises(PhrasingError):
        phrases("t.bad", *variants)


def test_a_situation_cannot_be_declared_twice_or_empty(fresh_registry):
    phrases("t.twice", "一。", "二。", "三。")
    with pytest.raises(PhrasingError):
        phrases("t.twice", "四。", "五。", "六。")
    with pytest.raises(PhrasingError):
        phrases("t.empty")


def test_missing_or_unknown_facts_are_refused(fresh_registry):
    p = phrases("t.facts", "订单 {no}。", "单号 {no}。", "订单号 {no}。")
    with pytest.raises(PhrasingError, match="missing"):
        p.say()
    with pytest.raises(PhrasingError, match="unknown"):
        p.say(no="1", amount="2")


def test_facts_are_not_reinterpreted_as_templates(fresh_registry):
    p = phrases("t.inject", "备注：{note}", "您的备注：{note}", "备注内容：{note}")
    assert "{0.__class__}" in p.say(note="{0.__class__}")


def test_last_bot_text_from_rasa_sdk_events():
    events = [{"event": "bot", "text": "第一句"}, {"event": "user", "text": "嗯"},
              {"event": "bot", "text": "第二句"}, {"event": "action", "name": "action_listen"}]
    assert last_bot_text(events) == "第二句"
    assert last_bot_text([{"event": "user", "text": "嗯"}]) is None
    assert last_bot_text([{"event": "bot", "data": {"image": "x.png"}}]) is None
    assert last_bot_text(None) is None

    class Tracker:
        pass
    t = Tracker()
    t.events = events
    assert last_bot_text(t) == "第二句"


# -- the shop's own situations ---------------------------------------------------------------------
def test_every_declared_situation_has_enough_wordings():
    assert order_text.HEAD.situation in phrasing.REGISTRY and "shipping.answer" in phrasing.REGISTRY
    for situation, p in phrasing.REGISTRY.items():
        assert len(p.variants) >= phrasing.MIN_VARIANTS, situation


@pytest.mark.parametrize("question", ["", "新疆包邮吗", "几点前付款当天发", "能寄到香港吗", "满多少包邮"])
def test_shipping_reply_keeps_every_fact_and_never_repeats(question):
    facts = shipping.answer(question).removeprefix(shipping_action.RULES_OPENER)
    rng, last = random.Random(3), None
    for _ in range(30):
        text = shipping_action.ANSWER.say(last, rng=rng, facts=facts)
        assert facts in text and text != last and not text.startswith("亲，亲")
        last = text
    assert shipping_action.reply(question, avoid=last) != last


def test_the_shipping_action_avoids_its_own_last_answer():
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    question = "新疆包邮吗"
    latest = {"text": question, "intent": {"name": "ask_shipping_policy", "confidence": 1.0}, "entities": []}
    last = None
    for _ in range(20):
        events = [{"event": "bot", "text": last}] if last else []
        events.append({"event": "user", "text": question, "parse_data": latest})
        dispatcher = CollectingDispatcher()
        tracker = Tracker("s", {}, latest, events, False, None, {}, "action_listen")
        asyncio.run(shipping_action.ActionShippingPolicy().run(dispatcher, tracker, {}))
        (message,) = dispatcher.messages
        assert message["text"] != last and "新疆属于偏远地区" in message["text"] and "20 元" in message["text"]
        last = message["text"]
