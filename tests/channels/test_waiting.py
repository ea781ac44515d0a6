"""A shopper waiting for a human: 排第几了 is answered from the queue, 算了不等了 leaves it (issue 16).

channels.common.waiting_turn on a real HandoffQueue over the seeded SQLite store and Rasa's in-memory
tracker and lock stores, as the REST channel calls it before the bot.
"""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused

from channels import common
from shop.handoff import HandoffQueue
from shop.handoff.waiting import reading, rest_of
from shop.workbench.accounts import Accounts
from tests.store.conftest import sqlite_sessions, sqlite_template  # noqa: F401  (fixture re-export)

SENDER = "rest-waiting-1"


@pytest.fixture
def queue(sqlite_sessions, monkeypatch):
    q = HandoffQueue(sqlite_sessions)
    monkeypatch.setattr(common, "_QUEUE", [q])
    return q


@pytest.fixture
def agent():
    domain = Domain.empty()
    return SimpleNamespace(domain=domain, tracker_store=InMemoryTrackerStore(domain), lock_store=InMemoryLockStore())


def turn(agent, text):
    return asyncio.run(common.waiting_turn(agent, SENDER, text))


@pytest.mark.parametrize("text, kind", [("排第几了", "ask_wait"), ("前面几个人", "ask_wait"), ("要排多久啊", "ask_wait"),
                                        ("那我排队 等着", "ask_wait"), ("算了不等了", "leave"), ("不用人工了", "leave"),
                                        ("/restart", "leave"), ("那就你帮我看看吧", "leave"),
                                        ("我的快递到哪了", None), ("这个能机洗吗", None)])
def test_what_a_waiting_shopper_means(text, kind):
    assert reading(text) == kind


def test_a_bare_no_leaves_the_queue_only_while_the_bot_is_paused_for_it():
    """确认取消订单吗？— 不用了: with the bot on (nobody on duty) it answers the bot, not the queue."""
    assert reading("不用了", paused=True) == "leave"
    assert reading("不用了", paused=False) is None


def test_leaving_with_a_request_passes_the_request_on():
    assert rest_of("不等了 帮我取消202511230014") == "帮我取消202511230014"
    assert rest_of("算了不等了") == ""


def test_nobody_waiting_means_the_bot_answers(agent, queue):
    assert turn(agent, "排第几了") is None and turn(agent, "算了") is None


def test_place_in_the_queue_and_nobody_on_duty(agent, queue):
    queue.enqueue("someone-else", "asked")
    queue.enqueue(SENDER, "asked")
    reply = turn(agent, "排第几了")
    assert "第 2 位" in reply and "不在线" in reply and "不等了" in reply
    tracker = asyncio.run(agent.tracker_store.retrieve(SENDER))
    assert [e.type_name for e in tracker.events][-2:] == ["user", "bot"]  # kept in the conversation


def test_expected_wait_from_how_long_taken_requests_waited(agent, queue, sqlite_sessions):
    accounts = Accounts(sqlite_sessions)
    accounts.open_session(accounts.add_agent("duty01", "值班客服", "a-long-enough-password-1"))
    first = queue.enqueue("earlier", "asked")
    queue.take(first.id, "duty01")
    queue.enqueue(SENDER, "asked")
    reply = turn(agent, "还要等多久")
    assert "第 1 位" in reply and "预计还要等约" in reply and "不在线" not in reply


def test_giving_up_leaves_the_queue_and_resumes_a_paused_bot(agent, queue):
    queue.enqueue(SENDER, "asked")
    tracker = asyncio.run(agent.tracker_store.get_or_create_tracker(SENDER))
    tracker.update(ConversationPaused())
    asyncio.run(agent.tracker_store.save(tracker))
    assert "取消人工排队" in turn(agent, "算了不等了")
    assert queue.open_for(SENDER) is None
    assert not asyncio.run(agent.tracker_store.retrieve(SENDER)).is_paused()


def test_giving_up_with_a_request_leaves_and_lets_the_bot_answer(agent, queue):
    queue.enqueue(SENDER, "asked")
    assert turn(agent, "不等了 帮我取消202511230014") is None
    assert queue.open_for(SENDER) is None


def test_an_agent_already_serving_keeps_the_conversation(agent, queue):
    h = queue.enqueue(SENDER, "asked")
    queue.take(h.id, "duty01")
    assert turn(agent, "算了不等了") is None and queue.open_for(SENDER).status == "active"


def test_every_channel_asks_the_queue_before_the_bot(agent, queue):
    """APP, mini-program and social messages go through ShopChannel.deliver, which asks the queue first."""
    from rasa.core.channels.channel import CollectingOutputChannel
    message = common.InboundMessage(channel="app", sender_id="u-wait", message_id="m-1", text="前面还有几个人")
    queue.enqueue(message.conversation_id, "asked")
    bot_calls = []

    async def on_new_message(user_message):
        bot_calls.append(user_message.text)

    output = CollectingOutputChannel()
    asyncio.run(common.ShopChannel().deliver(on_new_message, message, output, agent))
    assert bot_calls == [] and "第 1 位" in output.messages[0]["text"]
    later = common.InboundMessage(channel="app", sender_id="u-wait", message_id="m-2", text="这件衬衫多少钱")
    asyncio.run(common.ShopChannel().deliver(on_new_message, later, CollectingOutputChannel(), agent))
    assert bot_calls == ["这件衬衫多少钱"]   # anything else is the bot's, waiting or not


def test_a_bare_no_right_after_the_queue_was_explained_leaves_it(agent, queue):
    """人工 → 多久能有人 → 6 那算了: with nobody on duty the bot is on, but 算了 answers the queue's message."""
    queue.enqueue(SENDER, "asked")
    assert "第 1 位" in turn(agent, "多久能有人")
    assert "取消人工排队" in turn(agent, "6 那算了")
    assert queue.open_for(SENDER) is None
