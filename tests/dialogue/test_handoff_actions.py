"""action_handoff and action_rate_service on rasa_sdk trackers over the seeded store."""

import datetime as dt

import pytest
from sqlalchemy.exc import OperationalError

from actions import handoff as handoff_actions
from actions.handoff import ActionHandoff, ActionRateService
from actions.order_form import ValidateOrderForm
from shop.handoff import HandoffQueue
from shop.handoff.ratings import stars_in
from shop.store import models as m
from shop.store.clock import china_now
from tests.dialogue.conftest import run, tracker


def hand_over(sender, text="转人工", intent="request_human", slots=None):
    return run(ActionHandoff(), tracker(sender, text, intent, slots=slots))


def test_asking_for_a_human_queues_pauses_and_tells_the_position(service, sessions, agent_on_duty):
    out, events = hand_over("miniprogram:oA")
    assert "转接人工" in out[0] and "下一位" in out[0]
    assert [e["event"] for e in events] == ["slot", "pause"]
    queue = HandoffQueue(sessions, service.clock)
    view = queue.open_for("miniprogram:oA")
    assert (view.reason, view.channel, view.summary, view.status) == ("asked", "miniprogram", "转人工", "waiting")

    out, _ = hand_over("app:u2", "你们这个机器人听不懂", "nlu_fallback")
    assert "前面还有 1 位" in out[0]
    assert queue.open_for("app:u2").reason == "not_understood"


def test_the_slot_given_reason_and_context_reach_the_queue(service, sessions):
    slots = {"handoff_reason": "angry_complaint", "order_id": "202511230006", "product_in_focus": "P0007"}
    _, events = hand_over("demo", "你们客服态度太差了", "complain_service", slots=slots)
    assert {"event": "slot", "name": "handoff_reason", "value": None, "timestamp": None} in events
    view = HandoffQueue(sessions, service.clock).open_for("demo")
    assert view.reason == "angry_complaint"
    assert view.context == {"order_id": "202511230006", "product_in_focus": "P0007"}


def test_asking_twice_keeps_the_place(service, sessions, agent_on_duty):
    hand_over("a")
    hand_over("b")
    out, _ = hand_over("a", "人呢？转人工啊")
    assert "下一位" in out[0]


def test_with_nobody_on_duty_the_shopper_is_told_at_once_and_the_bot_stays_on(service, sessions):
    """Nights and holidays: the request is left in the queue for the agents, but the bot is not paused
    for a conversation nobody can take, and the shopper is offered to go on with it (issue 16)."""
    out, events = hand_over("rest-night", "人工")
    assert "不在线" in out[0] and "留言" in out[0] and "继续问我" in out[0]
    assert "pause" not in [e["event"] for e in events]
    assert HandoffQueue(sessions, service.clock).open_for("rest-night").status == "waiting"


def test_with_nobody_on_duty_an_order_question_in_the_same_words_is_answered(service, sessions):
    """叫你们人工出来 我要谈赔偿 枕套那单快一个礼拜没动静了 (a4 writer): queued for the agents, and the bot
    looks the parcel up (with the compensation the rules allow) instead of leaving the question hanging."""
    text = "叫你们人工出来，我要谈赔偿，枕套那单快一个礼拜没动静了"
    out, events = hand_over("demo", text)
    assert "不在线" in out[0]
    assert {"event": "followup", "name": "order_form", "timestamp": None} in events
    # the form then starts from the same words, without queueing the shopper a second time
    said, events = run(ValidateOrderForm(), tracker("demo", text, "request_human",
                                                    after=[{"event": "action", "name": "action_handoff"}]))
    reply = "\n".join(said)
    assert "YT6965970600030" in reply and "10 元" in reply and "handoff_reason" not in {e.get("name") for e in events}
    # a plain ask for a person names no order: the bot just stays on
    _, events = hand_over("demo-2", "人工")
    assert "order_form" not in [e.get("name") for e in events]


def test_when_the_queue_is_down_the_bot_stays_on(service, monkeypatch):
    def broken(*_, **__):
        raise OperationalError("INSERT", {}, Exception("database is locked"))
    monkeypatch.setattr(HandoffQueue, "enqueue", broken)
    out, events = hand_over("demo")
    assert "暂时无法接入" in out[0] and "pause" not in [e["event"] for e in events]


@pytest.mark.parametrize("text, stars", [("给你五星好评", 5), ("5", 5), ("3分吧", 3), ("一星，太差了", 1),
                                         ("打4分", 4), ("⭐⭐⭐⭐", 4), ("差评", 1), ("满分", 5), ("５", 5),
                                         ("谢谢", None), ("", None), ("9分", None), ("订单202511230006", None)])
def test_stars_in_words(text, stars):
    assert stars_in(text) == stars


def test_a_rating_is_stored_with_the_agent_who_served(service, sessions):
    queue = HandoffQueue(sessions)
    h = queue.enqueue("miniprogram:oA", "asked")
    queue.take(h.id, "agent01")
    queue.release(h.id, "agent01")
    out, _ = run(ActionRateService(), tracker("miniprogram:oA", "五星好评", "rate_service"))
    assert "5 星" in out[0]
    out, _ = run(ActionRateService(), tracker("demo", "2", "inform"))
    assert "转人工" in out[0]
    with sessions() as s:
        rows = s.query(m.Rating).order_by(m.Rating.id).all()
    assert [(r.conversation_id, r.stars, r.agent) for r in rows] == [("miniprogram:oA", 5, "agent01"),
                                                                     ("demo", 2, None)]
    assert abs(rows[0].created_at - china_now()) < dt.timedelta(minutes=1)  # the real clock, not SHOP_NOW


def test_praise_without_a_number_asks_for_one_and_stores_nothing(service, sessions):
    out, _ = run(ActionRateService(), tracker("demo", "你真棒", "rate_service"))
    assert "1-5" in out[0]
    with sessions() as s:
        assert s.query(m.Rating).count() == 0


def test_reason_of_falls_back_to_unresolved():
    trk = tracker("demo", "嗯", "affirm")
    assert handoff_actions.reason_of(trk) == "unresolved"


def test_made_up_senders_missing_twice_do_not_fill_the_queue(service, sessions, agent_on_duty):
    """Finding 5: two messages the bot did not understand, from any sender, opened a waiting handoff."""
    queue = HandoffQueue(sessions, service.clock)
    paused = 0
    for i in range(12):
        out, events = hand_over(f"nobody-{i}", "asdfgh", "nlu_fallback")
        if "pause" in [e["event"] for e in events]:
            paused += 1
        else:
            assert "暂时无法为您转接" in out[0] and "验证" in out[0]
    assert paused == 5
    assert queue.open_for("nobody-11") is None
    out, events = hand_over("demo")  # the demo sender is a verified shopper: queued all the same
    assert "pause" in [e["event"] for e in events]
    view = queue.open_for("demo")
    assert view.verified and view.trigger == {"words": ["转人工"], "intent": "request_human"}
