"""What the assistant misunderstood, gathered from Rasa's SQL tracker store (issue 19).

The conversations are real Rasa trackers saved by Rasa's own SQLTrackerStore into a
SQLite file; ratings go through the shop's rating code into the shop store.
"""
import asyncio
import json
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from shop.handoff.ratings import record_rating
from shop.review import collect as collect_module
from shop.review.collect import collect, fallback_threshold
from shop.review.masking import PHONE

T = 1_796_000_000.0  # unix seconds


@pytest.fixture(scope="module")
def domain():
    return Domain.load("domain")


def user(text, intent, confidence, t, ranking=None, entities=None, message_id=None):
    ranking = ranking or [(intent, confidence)]
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
             "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking], "text": text}
    e = UserUttered(text, parse["intent"], entities or [], parse, timestamp=t, message_id=message_id)
    return e


def bot(text, t):
    return BotUttered(text, timestamp=t)


def act(name, t):
    return ActionExecuted(name, timestamp=t)


@pytest.fixture
def tracker_url(tmp_path, domain):
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))

    def save(sender, events):
        tracker = DialogueStateTracker(sender, domain.slots)
        for e in events:
            tracker.update(e, domain)
        asyncio.run(store.save(tracker))

    save("guest-1", [  # understood: nothing to review
        SessionStarted(timestamp=T), act("action_listen", T),
        user("宽松真丝衬衫多少钱", "ask_price_promotion", 0.98, T + 1), act("action_product_price", T + 2),
        bot("549元", T + 2), act("action_listen", T + 3)])
    save("guest-2", [  # unsure, then the fallback, then the same question again, then a human
        SessionStarted(timestamp=T), act("action_listen", T),
        user("老丈人过冬穿啥暖和", "nlu_fallback", 0.45, T + 1,
             ranking=[("nlu_fallback", 0.45), ("ask_recommendation", 0.31), ("ask_product_info", 0.2),
                      ("ask_size_advice", 0.1)]),
        act("utter_ask_rephrase", T + 2), bot("没太明白，能换个说法吗", T + 2), act("action_listen", T + 2),
        user("老丈人过冬穿啥暖和啊", "ask_recommendation", 0.62, T + 10), act("action_recommend", T + 11),
        bot("推荐：保暖内衣", T + 11), act("action_listen", T + 11),
        user("你们这个不行 转人工", "request_human", 0.97, T + 20), act("action_handoff", T + 21),
        act("action_listen", T + 21)])
    save("guest-3", [  # personal data in the shopper's words and in the bot's
        SessionStarted(timestamp=T), act("action_listen", T),
        user("我手机13812345678 王芳 地址改成杭州市西湖区文三路100号", "modify_order", 0.3, T + 1,
             ranking=[("modify_order", 0.3), ("inform", 0.29)]),
        SlotSet("phone", "13812345678", timestamp=T + 1), SlotSet("new_value", "杭州市西湖区文三路100号", timestamp=T + 1),
        act("order_form", T + 2), bot("王芳您好，新地址 杭州市西湖区文三路100号，手机 13812345678，确认吗？", T + 2),
        act("action_listen", T + 2)])
    save("guest-4", [  # answered, then rated badly
        SessionStarted(timestamp=T), act("action_listen", T),
        user("退的钱咋还没到", "ask_refund_status", 0.9, T + 1), act("action_order_task", T + 2),
        bot("退款已受理", T + 2), act("action_listen", T + 2),
        user("1", "rate_service", 0.95, T + 30), act("action_rate_service", T + 31), act("action_listen", T + 31)])
    return f"sqlite:///{path}"


def run(queue, tracker_url, store_url=None, since=T - 10, until=T + 3600):
    return collect(queue, tracker_url, since, until, 0.45, store_url)


def texts(queue):
    return {g["text"]: g for g in queue.groups("all")}


def test_unsure_fallback_repeated_and_handed_over_messages_are_collected(queue, tracker_url):
    report = run(queue, tracker_url)
    found = texts(queue)
    assert "宽松真丝衬衫多少钱" not in found
    first = found["老丈人过冬穿啥暖和"]
    assert set(first["reasons"]) == {"low_confidence", "fallback", "repeated"}
    assert first["count"] == 2  # "…暖和啊" reads the same: one group
    # the model's own top three, without Rasa's nlu_fallback
    assert [t[0] for t in first["top_intents"]] == ["ask_recommendation", "ask_product_info", "ask_size_advice"]
    second = queue.group(first["id"])["items"]
    assert any("handoff" in i["reasons"] for i in second)  # the last message with content before the handoff
    assert "你们这个不行 转人工" not in found  # asking for a human is not a misunderstanding
    assert report.senders == 4 and report.collected == 3 and report.reasons["fallback"] == 1


def test_personal_data_is_masked_in_the_message_and_its_context(queue, tracker_url):
    run(queue, tracker_url)
    group = next(g for g in queue.groups("all") if PHONE in g["text"])
    detail = json.dumps(queue.group(group["id"]), ensure_ascii=False)
    for secret in ("13812345678", "王芳", "文三路100号", "guest-3"):
        assert secret not in detail
    assert "地址改成" in group["text"]  # what the message asks stays readable


def test_a_low_rating_sends_the_message_before_it_to_review(queue, tracker_url, store_url, sessions):
    record_rating(sessions, "guest-4", "rest", 1)
    # the rating is stored at the shop clock's now; put it inside the contact
    from shop.store import models as m
    from shop.metrics.reader import china_time
    with sessions() as s, s.begin():
        s.query(m.Rating).update({"created_at": china_time(T + 31)})
    run(queue, tracker_url, store_url)
    assert texts(queue)["退的钱咋还没到"]["reasons"] == ["low_rating"]


def test_collecting_again_adds_nothing_and_a_window_bounds_what_is_read(queue, tracker_url):
    run(queue, tracker_url)
    again = run(queue, tracker_url)
    assert again.collected == 0 and again.already == 3
    assert sum(g["count"] for g in queue.groups("all")) == 3
    later = run(queue, tracker_url, since=T + 5, until=T + 3600)
    assert later.collected == 0  # only messages inside the window count


def test_no_tracker_store_yet_is_no_messages(queue, tmp_path):
    report = collect(queue, f"sqlite:///{tmp_path / 'missing.db'}", 0, time.time(), 0.45)
    assert report.collected == 0 and not (tmp_path / "missing.db").exists()


def test_the_threshold_is_the_fallback_classifiers():
    assert fallback_threshold() == 0.45


def test_the_command_remembers_how_far_it_read(tracker_url, store_url, monkeypatch, capsys):
    monkeypatch.setenv("SHOP_DB_URL", store_url)
    monkeypatch.setattr(collect_module.time, "time", lambda: T + 7200)
    assert collect_module.main(["--tracker-url", tracker_url, "--hours", "3", "--settle-minutes", "0"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["collected"] == 3
    assert collect_module.main(["--tracker-url", tracker_url, "--settle-minutes", "0"]) == 0
    assert "nothing new" in capsys.readouterr().out
