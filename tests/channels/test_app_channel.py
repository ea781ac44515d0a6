"""The app channel: bearer token, JSON in and out, duplicates, limits, Server-Sent Events."""
import asyncio
import json

import pytest

from channels.app import AppInput
from channels.duplicates import MemoryDuplicateStore
from tests.channels.harness import RecordingBot, client, event_stream

pytestmark = pytest.mark.anyio

TOKEN = "app-test-token-7f3c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "/webhooks/app/webhook"


def message(**changes):
    body = {"sender": "u-1001", "message_id": "a1b2-0001", "text": "这件有M码吗", "timestamp": 1732500000}
    return {**body, **changes}


async def test_message_reaches_bot_as_one_internal_message_and_reply_comes_back_as_json():
    bot = RecordingBot({"text": "有的，M码还有3件"})
    async with client(AppInput(TOKEN), bot) as c:
        r = await c.post(URL, json=message(product_id="P003"), headers=AUTH)
    assert r.status_code == 200
    assert r.json() == {"message_id": "a1b2-0001", "messages": [{"text": "有的，M码还有3件"}]}
    [m] = bot.received
    assert (m.text, m.sender_id, m.input_channel, m.message_id) == ("这件有M码吗", "app:u-1001", "app", "a1b2-0001")
    assert m.metadata == {"channel": "app", "message_id": "a1b2-0001", "timestamp": 1732500000.0,
                          "attachments": [], "product_id": "P003"}


async def test_image_and_voice_attachments_are_mapped_into_metadata():
    bot = RecordingBot()
    attachments = [{"type": "image", "url": "https://cdn.example.com/u/defect.jpg"},
                   {"type": "voice", "media_id": "v-88", "format": "amr"}]
    async with client(AppInput(TOKEN), bot) as c:
        r = await c.post(URL, json=message(text="", attachments=attachments), headers=AUTH)
    assert r.status_code == 200
    assert bot.received[0].text == "/ask_product_info"  # a photo alone is a product question
    assert bot.received[0].metadata["attachments"] == [
        {"type": "image", "url": "https://cdn.example.com/u/defect.jpg"},
        {"type": "voice", "media_id": "v-88", "format": "amr"}]


async def test_reply_keeps_images_and_buttons_in_rasa_collector_shape():
    bot = RecordingBot({"text": "要哪个尺码？", "buttons": [{"title": "M", "payload": "/inform"}]},
                       {"image": "https://cdn.example.com/size-chart.png"})
    async with client(AppInput(TOKEN), bot) as c:
        r = await c.post(URL, json=message(), headers=AUTH)
    assert r.json()["messages"] == [{"text": "要哪个尺码？", "buttons": [{"title": "M", "payload": "/inform"}]},
                                    {"image": "https://cdn.example.com/size-chart.png"}]


@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    ({"Authorization": "Bearer wrong-token"}, 401),
    ({"Authorization": f"Basic {TOKEN}"}, 401),
    ({"Authorization": "Bearer"}, 401),
])
async def test_missing_or_wrong_token_is_refused_and_nothing_reaches_the_bot(headers, status):
    bot = RecordingBot()
    async with client(AppInput(TOKEN), bot) as c:
        r = await c.post(URL, json=message(), headers=headers)
    assert r.status_code == status
    assert r.headers["www-authenticate"] == "Bearer"
    assert bot.received == []


async def test_without_a_configured_token_every_request_is_refused():
    bot = RecordingBot()
    async with client(AppInput(None), bot) as c:
        r = await c.post(URL, json=message(), headers={"Authorization": "Bearer "})
        s = await c.post(URL, json=message(), headers=AUTH)
    assert (r.status_code, s.status_code) == (503, 503)
    assert bot.received == []


@pytest.mark.parametrize("body", [
    b"{not json",
    b"\xff\xfe\x00",
    b"[1, 2]",
    json.dumps(message(message_id=None)).encode(),
    json.dumps(message(sender="")).encode(),
    json.dumps(message(sender=42)).encode(),
    json.dumps(message(text="", attachments=[])).encode(),
    json.dumps(message(text=["x"])).encode(),
    json.dumps(message(attachments=[{"type": "video", "url": "https://cdn.example.com/v.mp4"}])).encode(),
    json.dumps(message(attachments=[{"type": "image", "url": "file:///etc/passwd"}])).encode(),
    json.dumps(message(attachments=[{"type": "image"}])).encode(),
    json.dumps(message(attachments={"type": "image"})).encode(),
    json.dumps(message(product_id="P" * 17)).encode(),
    json.dumps(message(timestamp="yesterday")).encode(),
    json.dumps(message(text="很" * 4001)).encode(),
])
async def test_malformed_body_is_refused_and_nothing_is_stored(body):
    bot = RecordingBot()
    async with client(AppInput(TOKEN), bot) as c:
        r = await c.post(URL, content=body, headers={**AUTH, "Content-Type": "application/json"})
        assert r.status_code == 400, r.text
        assert "error" in r.json()
        # Nothing was remembered: the same id, well formed, still gets through.
        ok = await c.post(URL, json=message(), headers=AUTH)
    assert ok.status_code == 200 and "duplicate" not in ok.json()
    assert len(bot.received) == 1


async def test_oversized_body_is_refused():
    bot = RecordingBot()
    small = json.dumps(message()).encode()
    at_limit = small[:-1] + b" " * (1024 - len(small)) + b"}"
    over = small[:-1] + b" " * (1025 - len(small)) + b"}"
    headers = {**AUTH, "Content-Type": "application/json"}
    async with client(AppInput(TOKEN, max_body_bytes=1024), bot) as c:
        refused = await c.post(URL, content=over, headers=headers)
        accepted = await c.post(URL, content=at_limit, headers=headers)
    assert (len(over), len(at_limit)) == (1025, 1024)
    assert refused.status_code == 413
    assert accepted.status_code == 200
    assert len(bot.received) == 1


async def test_a_stranger_is_refused_before_the_body_is_read():
    bot = RecordingBot()
    async with client(AppInput(TOKEN), bot) as c:
        r = await c.post(URL, content=b"{" + b" " * 200 * 1024 + b"}", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert bot.received == []


async def test_default_limit_is_64_kb():
    bot = RecordingBot()
    async with client(AppInput(TOKEN), bot) as c:
        r = await c.post(URL, content=b"{" + b" " * 64 * 1024 + b"}", headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413


async def test_body_without_a_declared_length_is_refused_before_it_is_all_read():
    pulled = []

    async def chunks():
        for i in range(128):  # 1 MB in 8 KB chunks, no Content-Length
            pulled.append(i)
            yield b" " * 8192

    bot = RecordingBot()
    async with client(AppInput(TOKEN), bot) as c:
        r = await c.post(URL, content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert len(pulled) < 16  # stopped just past 64 KB
    assert bot.received == []


async def test_duplicate_message_id_is_processed_once():
    bot = RecordingBot()
    async with client(AppInput(TOKEN), bot) as c:
        first = await c.post(URL, json=message(), headers=AUTH)
        again = await c.post(URL, json=message(), headers=AUTH)
        other = await c.post(URL, json=message(message_id="a1b2-0002"), headers=AUTH)
    assert first.json()["messages"] and "duplicate" not in first.json()
    assert again.status_code == 200
    assert again.json() == {"message_id": "a1b2-0001", "duplicate": True, "messages": []}
    assert other.status_code == 200
    assert [m.message_id for m in bot.received] == ["a1b2-0001", "a1b2-0002"]


async def test_duplicate_store_is_pluggable():
    seen = []

    class RecordingStore(MemoryDuplicateStore):
        async def claim(self, key):
            seen.append(key)
            return await super().claim(key)

    async with client(AppInput(TOKEN, duplicates=RecordingStore()), RecordingBot()) as c:
        await c.post(URL, json=message(), headers=AUTH)
    assert seen == ["app:a1b2-0001"]


async def test_replies_are_pushed_to_the_senders_open_stream():
    bot = RecordingBot({"text": "您的订单已发货"}, {"image": "https://cdn.example.com/track.png"})
    channel = AppInput(TOKEN)
    async with client(channel, bot) as c:
        async with event_stream(c.app, "/webhooks/app/stream/u-1001", AUTH) as stream:
            assert stream.status == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert await stream.frame() == "retry: 3000"
            assert channel.hub.streams("app:u-1001") == 1
            r = await c.post(URL, json=message(), headers=AUTH)
            assert r.status_code == 200
            assert await stream.event() == {"text": "您的订单已发货", "in_reply_to": "a1b2-0001"}
            assert await stream.event() == {"image": "https://cdn.example.com/track.png", "in_reply_to": "a1b2-0001"}
        # The stream is forgotten when the client goes away.
        assert channel.hub.streams("app:u-1001") == 0


async def test_a_stream_gets_only_its_own_senders_messages():
    channel = AppInput(TOKEN)
    async with client(channel, RecordingBot({"text": "回复 {text}"})) as c:
        async with event_stream(c.app, "/webhooks/app/stream/u-1001", AUTH) as mine:
            await mine.frame()
            await c.post(URL, json=message(sender="u-2002", message_id="x-1", text="别人的"), headers=AUTH)
            await c.post(URL, json=message(text="我的"), headers=AUTH)
            assert await mine.event() == {"text": "回复 我的", "in_reply_to": "a1b2-0001"}


async def test_messages_sent_without_a_request_reach_the_stream():
    # What Rasa does with get_output_channel(): reminders, a human agent's reply.
    channel = AppInput(TOKEN, keepalive_seconds=0.05)
    async with client(channel, RecordingBot()) as c:
        async with event_stream(c.app, "/webhooks/app/stream/u-1001", AUTH) as stream:
            await stream.frame()
            assert await stream.frame() == ": keepalive"  # a quiet stream says it is alive
            await channel.get_output_channel().send_text_message("app:u-1001", "客服小美为您服务")
            assert await stream.event() == {"text": "客服小美为您服务"}


@pytest.mark.parametrize("headers, status", [({}, 401), ({"Authorization": "Bearer nope"}, 401)])
async def test_stream_needs_the_token(headers, status):
    channel = AppInput(TOKEN)
    async with client(channel, RecordingBot()) as c:
        async with event_stream(c.app, "/webhooks/app/stream/u-1001", headers) as stream:
            assert stream.status == status
            assert json.loads(await stream.body()) == {"error": "bearer token required" if not headers
                                                       else "invalid token"}
    assert channel.hub.streams("app:u-1001") == 0


async def test_streams_per_sender_are_capped():
    channel = AppInput(TOKEN)
    channel.hub.max_streams = 1
    async with client(channel, RecordingBot()) as c:
        async with event_stream(c.app, "/webhooks/app/stream/u-1001", AUTH) as first:
            await first.frame()
            async with event_stream(c.app, "/webhooks/app/stream/u-1001", AUTH) as second:
                assert second.status == 429
            async with event_stream(c.app, "/webhooks/app/stream/u-2002", AUTH) as other:
                assert other.status == 200


async def test_health():
    async with client(AppInput(TOKEN), RecordingBot()) as c:
        r = await c.get("/webhooks/app/")
    assert r.json() == {"status": "ok"}


async def test_concurrent_redeliveries_reach_the_bot_once():
    bot = RecordingBot()
    async with client(AppInput(TOKEN), bot) as c:
        results = await asyncio.gather(*(c.post(URL, json=message(), headers=AUTH) for _ in range(5)))
    assert [r.status_code for r in results] == [200] * 5
    assert len(bot.received) == 1
    assert sum(1 for r in results if r.json().get("duplicate")) == 4
