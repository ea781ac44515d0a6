"""The REST channel (channels/rest.py): Rasa's URL and JSON, nothing trusted from the body, 4xx for bad input."""
import json

import pytest

from channels.rest import RestInput
from tests.channels.harness import RecordingBot, client

pytestmark = pytest.mark.anyio

URL = "/webhooks/rest/webhook"


async def test_a_message_is_answered_in_rasas_rest_json():
    bot = RecordingBot({"text": "您好"}, {"image": "https://cdn.example.com/a.png"})
    async with client(RestInput(mode="demo"), bot) as c:
        r = await c.post(URL, json={"sender": "demo", "message": "你好", "metadata": {"product_id": "P003"}})
    assert r.status_code == 200
    assert r.json() == [{"recipient_id": "demo", "text": "您好"},
                        {"recipient_id": "demo", "image": "https://cdn.example.com/a.png"}]
    [m] = bot.received
    assert (m.text, m.sender_id, m.input_channel, m.metadata) == ("你好", "demo", "rest", {"product_id": "P003"})


async def test_input_channel_in_the_body_is_ignored():
    """Finding 2: "input_channel": "app" let a REST client act as an app shopper."""
    bot = RecordingBot()
    async with client(RestInput(mode="demo"), bot) as c:
        r = await c.post(URL, json={"sender": "u-1001", "message": "我的订单", "input_channel": "app"})
        assert r.status_code == 200 and bot.received[0].input_channel == "rest"
        # Nor may a REST sender take a platform conversation's id.
        r = await c.post(URL, json={"sender": "app:u-1001", "message": "我的订单", "input_channel": "app"})
    assert r.status_code == 400 and len(bot.received) == 1


@pytest.mark.parametrize("body", [b"null", b"[]", b"", b'"hello"', b"5", b"{", b"\xff\xfe", b"[" * 10000 + b"]" * 10000,
                                  json.dumps({"sender": "a", "message": "x", "metadata": "not an object"}).encode(),
                                  json.dumps({"sender": "a", "message": "x", "metadata": [1, 2]}).encode(),
                                  json.dumps({"sender": 5, "message": "x"}).encode(),
                                  json.dumps({"sender": "a", "message": 5}).encode(),
                                  json.dumps({"sender": "a"}).encode(),
                                  json.dumps({"sender": "a" * 129, "message": "x"}).encode(),
                                  json.dumps({"sender": "a\u0000b", "message": "x"}).encode(),
                                  b'{"sender": "a", "message": "x", "metadata": {"t": NaN}}',
                                  b'{"sender": "a", "message": "x", "metadata": {"t": 1e999}}',
                                  b'{"sender": "a", "message": "x", "metadata": ' + b'{"a":' * 500 + b"1" + b"}" * 501])
async def test_a_body_that_is_not_a_message_is_a_400_and_reaches_nobody(body):
    """Finding 8: null, [], empty, a string, deep nesting or a non-object metadata were 500s or lost."""
    bot = RecordingBot()
    async with client(RestInput(mode="demo"), bot) as c:
        r = await c.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    assert bot.received == []


async def test_text_and_body_limits():
    """Finding 4: REST text had no length limit."""
    bot = RecordingBot()
    async with client(RestInput(mode="demo"), bot) as c:
        long = await c.post(URL, json={"sender": "a", "message": "长" * 1001})
        huge = await c.post(URL, json={"sender": "a", "message": "x", "metadata": {"pad": "x" * 70000}})
        fits = await c.post(URL, json={"sender": "a", "message": "长" * 1000})
    assert (long.status_code, huge.status_code, fits.status_code) == (400, 413, 200)
    assert len(bot.received) == 1
    assert "1000" in long.json()["message"]   # what a chat window can show the shopper


async def test_an_empty_message_is_a_400_with_words_for_the_shopper():
    bot = RecordingBot()
    async with client(RestInput(mode="demo"), bot) as c:
        empty = await c.post(URL, json={"sender": "a", "message": "  "})
    assert empty.status_code == 400 and not bot.received
    assert empty.json()["error"] and "请输入" in empty.json()["message"]


async def test_lone_surrogates_and_nul_are_kept_as_replacement_characters_and_answered():
    """Finding 9: a lone surrogate gave a 200 with no reply and nothing stored."""
    bot = RecordingBot()
    async with client(RestInput(mode="demo"), bot) as c:
        r = await c.post(URL, content=b'{"sender": "a", "message": "\\ud800\\u0000hi", '
                                      b'"metadata": {"k\\udfff": ["\\ud83d"]}}')
    assert r.status_code == 200 and r.json()[0]["text"] == "收到：\ufffd\ufffdhi"
    [m] = bot.received
    assert m.text == "\ufffd\ufffdhi" and m.metadata == {"k\ufffd": ["\ufffd"]}
    m.text.encode("utf-8")  # storable


async def test_demo_mode_serves_this_machine_only():
    bot = RecordingBot()
    async with client(RestInput(mode="demo"), bot) as c:
        c._transport = type(c._transport)(app=c.app, client=("203.0.113.9", 4000))
        r = await c.post(URL, json={"sender": "demo", "message": "你好"})
    assert r.status_code == 403 and bot.received == []


async def test_token_mode_needs_the_token_from_any_address():
    bot = RecordingBot()
    async with client(RestInput(mode="token", token="rest-secret"), bot) as c:
        c._transport = type(c._transport)(app=c.app, client=("203.0.113.9", 4000))
        none = await c.post(URL, json={"sender": "u1", "message": "你好"})
        wrong = await c.post(URL, json={"sender": "u1", "message": "你好"}, headers={"Authorization": "Bearer x"})
        right = await c.post(URL, json={"sender": "u1", "message": "你好"},
                             headers={"Authorization": "Bearer rest-secret"})
    assert (none.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    async with client(RestInput(mode="token"), bot) as c:  # no token configured: refuse everything
        assert (await c.post(URL, json={"sender": "u1", "message": "你好"})).status_code == 503


async def test_a_failed_turn_is_not_a_200():
    async def failing(message):
        raise RuntimeError("tracker store down")
    async with client(RestInput(mode="demo"), failing) as c:
        r = await c.post(URL, json={"sender": "a", "message": "你好"})
    assert r.status_code == 503 and "again" in r.json()["error"]


async def test_streaming_keeps_rasas_format():
    bot = RecordingBot({"text": "一"}, {"text": "二"})
    async with client(RestInput(mode="demo"), bot) as c:
        r = await c.post(URL + "?stream=true", json={"sender": "a", "message": "你好"})
    assert r.status_code == 200
    assert [json.loads(line)["text"] for line in r.text.splitlines() if line] == ["一", "二"]


async def test_a_message_while_queued_for_a_human_is_acknowledged_not_met_with_silence():
    from types import SimpleNamespace

    from rasa.shared.core.events import BotUttered, ConversationPaused, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from channels.common import WAITING_FOR_AGENT

    trackers = {"queued": DialogueStateTracker.from_events("queued", [UserUttered("转人工"), BotUttered("正在转接"),
                                                                      ConversationPaused()]),
                "talking": DialogueStateTracker.from_events("talking", [ConversationPaused(),
                                                                        BotUttered("您好", metadata={"agent": "li"})])}

    async def retrieve(sender):
        return trackers.get(sender)

    bot = RecordingBot()
    bot.replies = []     # paused: Rasa logs the message and the bot says nothing
    async with client(RestInput(mode="demo"), bot) as c:
        c.app.ctx.agent.tracker_store = SimpleNamespace(retrieve=retrieve)
        queued = (await c.post(URL, json={"sender": "queued", "message": "asdjkl 嗯嗯"})).json()
        talking = (await c.post(URL, json={"sender": "talking", "message": "好的"})).json()
        nobody = (await c.post(URL, json={"sender": "fresh", "message": "嗯"})).json()
    assert queued == [{"recipient_id": "queued", "text": WAITING_FOR_AGENT}]
    assert talking == [] and nobody == []   # an agent is writing; a conversation not paused
