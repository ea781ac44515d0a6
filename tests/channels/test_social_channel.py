"""The social-media channel: Meta-style webhook, HMAC-SHA256 over the raw body, DMs and comments."""
import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from channels.social import SocialInput
from tests.channels.harness import RecordingBot, client

pytestmark = pytest.mark.anyio

SECRET = "social-app-secret-test"
VERIFY = "social-verify-token-test"
URL = "/webhooks/social/webhook"
OUR_ACCOUNT, SHOPPER = "17841400000000001", "6123456789012345"
MS = 1732500000123


def dm(mid="m_AAA1", text="有M码吗", attachments=None, **message):
    msg = {"mid": mid, **({"text": text} if text is not None else {}), **message}
    if attachments is not None:
        msg["attachments"] = attachments
    return {"sender": {"id": SHOPPER}, "recipient": {"id": OUR_ACCOUNT}, "timestamp": MS, "message": msg}


def comment(comment_id="c_17900001", text="怎么退货", author=SHOPPER):
    return {"field": "comments", "value": {"id": comment_id, "text": text, "from": {"id": author, "username": "lin"},
                                           "media": {"id": "p_17950001", "media_product_type": "FEED"}}}


def delivery(messaging=(), changes=()):
    return {"object": "instagram", "entry": [{"id": OUR_ACCOUNT, "time": MS, "messaging": list(messaging),
                                              "changes": list(changes)}]}


def signed(body, secret=SECRET):
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            "Content-Type": "application/json"}


async def post(c, payload, headers=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    return await c.post(URL, content=body, headers=signed(body) if headers is None else headers)


def channel(**kwargs):
    return SocialInput(SECRET, VERIFY, **kwargs)


# --- subscription handshake ---

async def test_subscription_handshake_echoes_the_challenge():
    async with client(channel(), RecordingBot()) as c:
        r = await c.get(URL + "?" + urlencode({"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                               "hub.challenge": "1158201444"}))
    assert (r.status_code, r.text) == (200, "1158201444")


@pytest.mark.parametrize("args, status", [
    ({"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}, 403),
    ({"hub.mode": "subscribe", "hub.challenge": "1"}, 401),
    ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"}, 400),
])
async def test_subscription_handshake_refuses_wrong_tokens(args, status):
    async with client(channel(), RecordingBot()) as c:
        r = await c.get(URL + "?" + urlencode(args))
    assert r.status_code == status and r.text != "1"


# --- messages ---

async def test_direct_message_reaches_the_bot_and_replies_come_back_as_send_api_bodies():
    bot = RecordingBot({"text": "M码有货"}, {"image": "https://cdn.example.com/size.png"},
                       {"text": "要下单吗？", "buttons": [{"title": "要", "payload": "/affirm"},
                                                       {"title": "再看看", "payload": "/deny"}]})
    async with client(channel(), bot) as c:
        r = await post(c, delivery([dm()]))
    assert r.status_code == 200
    to = {"recipient": {"id": SHOPPER}, "messaging_type": "RESPONSE"}
    assert r.json() == {"replies": [
        {**to, "message": {"text": "M码有货"}},
        {**to, "message": {"attachment": {"type": "image", "payload": {"url": "https://cdn.example.com/size.png",
                                                                       "is_reusable": True}}}},
        {**to, "message": {"text": "要下单吗？", "quick_replies": [
            {"content_type": "text", "title": "要", "payload": "/affirm"},
            {"content_type": "text", "title": "再看看", "payload": "/deny"}]}}]}
    [m] = bot.received
    assert (m.text, m.sender_id, m.input_channel, m.message_id) == ("有M码吗", f"social:{SHOPPER}", "social", "m_AAA1")
    assert m.metadata == {"channel": "social", "message_id": "m_AAA1", "timestamp": MS / 1000,
                          "attachments": [], "kind": "dm"}


async def test_image_and_audio_attachments_are_mapped_into_metadata():
    bot = RecordingBot()
    attachments = [{"type": "image", "payload": {"url": "https://lookaside.example.com/img/1.jpg"}},
                   {"type": "audio", "payload": {"url": "https://lookaside.example.com/a/2.mp4"}},
                   {"type": "share", "payload": {"url": "https://example.com/post"}},
                   {"type": "image", "payload": {"url": "http://insecure.example.com/x.jpg"}}]
    async with client(channel(), bot) as c:
        await post(c, delivery([dm(text=None, attachments=attachments)]))
    [m] = bot.received
    assert m.text == "/ask_product_info"  # a photo alone is a product question
    assert m.metadata["attachments"] == [{"type": "image", "url": "https://lookaside.example.com/img/1.jpg"},
                                         {"type": "voice", "url": "https://lookaside.example.com/a/2.mp4"}]


async def test_tapped_quick_reply_sends_its_payload():
    bot = RecordingBot()
    async with client(channel(), bot) as c:
        await post(c, delivery([dm(text="要", quick_reply={"payload": "/affirm"})]))
    assert bot.received[0].text == "/affirm"


async def test_comment_is_marked_as_comment_and_answered_privately_in_one_reply():
    bot = RecordingBot({"text": "您好，退货请"}, {"text": "在订单页点 申请退货", "buttons": [{"title": "去退货"}]})
    async with client(channel(), bot) as c:
        r = await post(c, delivery(changes=[comment()]))
    assert r.json() == {"replies": [{"recipient": {"comment_id": "c_17900001"},
                                     "message": {"text": "您好，退货请\n\n在订单页点 申请退货\n1. 去退货"}}]}
    [m] = bot.received
    assert (m.text, m.sender_id, m.message_id) == ("怎么退货", f"social:{SHOPPER}", "c_17900001")
    assert m.metadata["kind"] == "comment"
    assert (m.metadata["comment_id"], m.metadata["post_id"]) == ("c_17900001", "p_17950001")


async def test_a_delivery_with_several_messages_reaches_the_bot_in_order():
    bot = RecordingBot({"text": "答：{text}"})
    async with client(channel(), bot) as c:
        r = await post(c, delivery([dm("m_1", "第一句"), dm("m_2", "第二句")], [comment("c_1", "评论")]))
    assert [m.message_id for m in bot.received] == ["m_1", "m_2", "c_1"]
    assert [reply["message"]["text"] for reply in r.json()["replies"]] == ["答：第一句", "答：第二句", "答：评论"]


async def test_echoes_receipts_and_our_own_comments_are_acknowledged_not_passed_on():
    bot = RecordingBot()
    echo = dm("m_echo", "我们发的", is_echo=True)
    read = {"sender": {"id": SHOPPER}, "recipient": {"id": OUR_ACCOUNT}, "timestamp": MS, "read": {"mid": "m_AAA1"}}
    sticker = dm("m_sticker", None, attachments=[{"type": "sticker", "payload": {"sticker_id": 369239263222822}}])
    async with client(channel(), bot) as c:
        r = await post(c, delivery([echo, read, sticker], [comment("c_ours", "谢谢支持", author=OUR_ACCOUNT)]))
    assert (r.status_code, r.json(), bot.received) == (200, {"replies": []}, [])


# --- refusals ---

@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, 403),
    ({"X-Hub-Signature-256": "0" * 64}, 403),
    (signed(json.dumps(delivery([dm()])).encode(), secret="another-secret"), 403),
    (signed(b"a different body"), 403),
])
async def test_bad_or_missing_signature_is_refused(headers, status):
    bot = RecordingBot()
    async with client(channel(), bot) as c:
        r = await post(c, delivery([dm()]), headers=headers)
    assert r.status_code == status
    assert bot.received == []


async def test_signature_covers_the_raw_bytes():
    # The same JSON with different spacing is a different body: it needs its own signature.
    bot = RecordingBot()
    compact = json.dumps(delivery([dm()]), separators=(",", ":")).encode()
    spaced = json.dumps(delivery([dm()]), indent=2).encode()
    async with client(channel(), bot) as c:
        refused = await post(c, spaced, headers=signed(compact))
        accepted = await post(c, spaced, headers=signed(spaced))
    assert (refused.status_code, accepted.status_code) == (403, 200)


async def test_custom_signature_header():
    bot = RecordingBot()
    body = json.dumps(delivery([dm()])).encode()
    headers = {"X-Signature": signed(body)["X-Hub-Signature-256"]}
    async with client(channel(signature_header="X-Signature"), bot) as c:
        r = await post(c, body, headers=headers)
    assert r.status_code == 200 and len(bot.received) == 1


async def test_without_a_configured_secret_everything_is_refused():
    bot = RecordingBot()
    async with client(SocialInput(None), bot) as c:
        r = await post(c, delivery([dm()]))
        h = await c.get(URL + "?" + urlencode({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}))
    assert (r.status_code, h.status_code) == (503, 503)
    assert bot.received == []


@pytest.mark.parametrize("payload", [
    b"{not json",
    b"\xff\xfe",
    b"[]",
    json.dumps({"object": "instagram"}).encode(),
    json.dumps({"object": "instagram", "entry": "x"}).encode(),
    json.dumps({"object": "instagram", "entry": ["x"]}).encode(),
    json.dumps(delivery([dm(mid=None)])).encode(),
    json.dumps(delivery([{**dm(), "sender": {}}])).encode(),
    json.dumps(delivery([dm(text=12345)])).encode(),
    json.dumps(delivery([dm(attachments={"type": "image"})])).encode(),
    json.dumps(delivery(changes=[comment(comment_id=None)])).encode(),
    json.dumps({"object": "instagram", "entry": [{"id": OUR_ACCOUNT, "messaging": {"sender": {}}}]}).encode(),
    # One bad event spoils the delivery: the good one before it is not run either.
    json.dumps(delivery([dm("m_AAA1", "有M码吗"), dm(mid=None)])).encode(),
])
async def test_malformed_body_is_refused_and_nothing_is_stored(payload):
    bot = RecordingBot()
    async with client(channel(), bot) as c:
        r = await post(c, payload)
        assert r.status_code == 400, r.text
        ok = await post(c, delivery([dm()]))
    assert ok.status_code == 200 and ok.json()["replies"]
    assert [m.message_id for m in bot.received] == ["m_AAA1"]


async def test_oversized_body_is_refused():
    bot = RecordingBot()
    async with client(channel(), bot) as c:
        r = await post(c, delivery([dm(text="很" * 4000)] * 8))
    assert r.status_code == 413
    assert bot.received == []


async def test_redelivered_events_are_processed_once():
    bot = RecordingBot()
    async with client(channel(), bot) as c:
        first = await post(c, delivery([dm()], [comment()]))
        again = await post(c, delivery([dm(), dm("m_new", "还有L吗")], [comment()]))
    assert len(first.json()["replies"]) == 2
    assert [r["message"]["text"] for r in again.json()["replies"]] == ["收到：还有L吗"]
    assert [m.message_id for m in bot.received] == ["m_AAA1", "c_17900001", "m_new"]
