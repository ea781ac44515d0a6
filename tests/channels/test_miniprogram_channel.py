"""The mini-program channel against WeChat's push format, with wechatpy as the platform's side."""
import base64
import hashlib
import json
import os
import secrets
import time
from urllib.parse import urlencode

import defusedxml.ElementTree as SafeET
import pytest
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import deserialize_reply

from channels.miniprogram import MiniProgramInput
from tests.channels.harness import RecordingBot, client

pytestmark = pytest.mark.anyio

TOKEN = "miniprogram-test-token"
APP_ID = "wx0123456789abcdef"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")  # 43 characters, as WeChat shows it
URL = "/webhooks/miniprogram/webhook"
SHOPPER, ACCOUNT = "oShopper_8f2a", "gh_shop_account"

TEXT_XML = f"""<xml>
  <ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>
  <FromUserName><![CDATA[{SHOPPER}]]></FromUserName>
  <CreateTime>1732500000</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[我的订单发货了吗]]></Content>
  <MsgId>24398712345678901</MsgId>
</xml>"""

IMAGE_XML = f"""<xml>
  <ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>
  <FromUserName><![CDATA[{SHOPPER}]]></FromUserName>
  <CreateTime>1732500001</CreateTime>
  <MsgType><![CDATA[image]]></MsgType>
  <PicUrl><![CDATA[https://mmbiz.qpic.cn/mmbiz_jpg/defect.jpg]]></PicUrl>
  <MediaId><![CDATA[media_img_001]]></MediaId>
  <MsgId>24398712345678902</MsgId>
</xml>"""

VOICE_XML = f"""<xml>
  <ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>
  <FromUserName><![CDATA[{SHOPPER}]]></FromUserName>
  <CreateTime>1732500002</CreateTime>
  <MsgType><![CDATA[voice]]></MsgType>
  <MediaId><![CDATA[media_voice_001]]></MediaId>
  <Format><![CDATA[amr]]></Format>
  <Recognition><![CDATA[快递到哪了]]></Recognition>
  <MsgId>24398712345678903</MsgId>
</xml>"""

SUBSCRIBE_XML = f"""<xml>
  <ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>
  <FromUserName><![CDATA[{SHOPPER}]]></FromUserName>
  <CreateTime>1732500003</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[subscribe]]></Event>
</xml>"""

TEXT_JSON = {"ToUserName": ACCOUNT, "FromUserName": SHOPPER, "CreateTime": 1732500004, "MsgType": "text",
             "Content": "要开发票", "MsgId": 24398712345678904}


def signed(token=TOKEN, timestamp=None, nonce=None, **extra):
    """Query string of a push, signed as WeChat signs: SHA1 over the sorted token, timestamp and nonce.

    A fresh nonce each time, as WeChat does: the channel remembers nonces and refuses a
    signed query string that comes back with another body.
    """
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    nonce = str(secrets.randbelow(10 ** 10)) if nonce is None else nonce
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return "?" + urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra})


async def post(c, body, query=None, **headers):
    content = body.encode() if isinstance(body, str) else body
    return await c.post(URL + (signed() if query is None else query), content=content, headers=headers)


def reply_fields(text):
    return {child.tag: child.text for child in SafeET.fromstring(text)}


# --- handshake ---

async def test_handshake_echoes_echostr_for_a_good_signature():
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), RecordingBot()) as c:
        r = await c.get(URL + signed(echostr="8237461830120"))
    assert r.status_code == 200
    assert r.text == "8237461830120"


@pytest.mark.parametrize("query, status", [
    (signed(token="someone-else", echostr="1"), 403),
    (signed(echostr="1").replace("signature=", "signature=0"), 403),
    ("?" + urlencode({"timestamp": "1732500000", "nonce": "1", "echostr": "1"}), 401),
    ("?echostr=1", 401),
    (signed(timestamp="1000000000", echostr="1"), 403),  # an old, recorded handshake
])
async def test_handshake_refuses_bad_missing_or_stale_signatures(query, status):
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), RecordingBot()) as c:
        r = await c.get(URL + query)
    assert r.status_code == status
    assert r.text != "1"


# --- messages ---

async def test_text_message_reaches_the_bot_and_the_reply_is_a_passive_xml_reply():
    bot = RecordingBot({"text": "您的订单已发货，顺丰 SF1234"})
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, TEXT_XML)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/xml")
    fields = reply_fields(r.text)
    assert fields["ToUserName"] == SHOPPER and fields["FromUserName"] == ACCOUNT
    assert fields["MsgType"] == "text" and fields["Content"] == "您的订单已发货，顺丰 SF1234"
    assert int(fields["CreateTime"]) > 0
    reply = deserialize_reply(r.text)  # wechatpy reads it as the platform would
    assert (reply.type, reply.content, reply.target) == ("text", "您的订单已发货，顺丰 SF1234", SHOPPER)
    [m] = bot.received
    assert (m.text, m.sender_id, m.input_channel, m.message_id) == ("我的订单发货了吗", f"miniprogram:{SHOPPER}",
                                                                     "miniprogram", "24398712345678901")
    assert m.metadata == {"channel": "miniprogram", "message_id": "24398712345678901", "timestamp": 1732500000,
                          "attachments": []}


async def test_image_message_becomes_an_image_attachment():
    bot = RecordingBot({"text": "收到照片"})
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, IMAGE_XML)
    assert r.status_code == 200
    [m] = bot.received
    assert m.text == "/ask_product_info"  # a photo alone is a product question
    assert m.metadata["attachments"] == [{"type": "image", "url": "https://mmbiz.qpic.cn/mmbiz_jpg/defect.jpg",
                                          "media_id": "media_img_001"}]


async def test_voice_message_becomes_a_voice_attachment_with_wechats_recognition_as_text():
    bot = RecordingBot()
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        await post(c, VOICE_XML)
        await post(c, VOICE_XML.replace("<Recognition><![CDATA[快递到哪了]]></Recognition>", "")
                   .replace("24398712345678903", "24398712345678905"))
    first, unrecognised = bot.received
    assert first.text == "快递到哪了"
    assert first.metadata["attachments"] == [{"type": "voice", "media_id": "media_voice_001", "format": "amr"}]
    assert unrecognised.text == "" and unrecognised.metadata["attachments"][0]["type"] == "voice"


async def test_subscribe_event_greets_and_other_events_are_only_acknowledged():
    bot = RecordingBot({"text": "您好，我是小美"})
    unsubscribe = SUBSCRIBE_XML.replace("[subscribe]", "[unsubscribe]")
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        greeted = await post(c, SUBSCRIBE_XML)
        quiet = await post(c, unsubscribe)
    assert reply_fields(greeted.text)["Content"] == "您好，我是小美"
    assert quiet.status_code == 200 and quiet.text == "success"
    [m] = bot.received
    assert m.text == "/greet"
    assert m.message_id == f"{SHOPPER}:1732500003:subscribe"
    assert m.metadata["event"] == "subscribe"


async def test_unsupported_message_types_are_acknowledged_not_passed_on():
    location = TEXT_XML.replace("[text]", "[location]").replace("<Content><![CDATA[我的订单发货了吗]]></Content>",
                                                                  "<Location_X>23.13</Location_X><Location_Y>113.26</Location_Y>")
    bot = RecordingBot()
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, location)
    assert (r.status_code, r.text, bot.received) == (200, "success", [])


async def test_json_body_is_answered_in_json():
    bot = RecordingBot({"text": "好的，请提供抬头和税号"})
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, json.dumps(TEXT_JSON, ensure_ascii=False), **{"Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["ToUserName"] == SHOPPER and body["FromUserName"] == ACCOUNT
    assert body["MsgType"] == "text" and body["Content"] == "好的，请提供抬头和税号"
    [m] = bot.received
    assert (m.text, m.message_id) == ("要开发票", "24398712345678904")


async def test_several_bot_messages_become_one_passive_reply():
    bot = RecordingBot({"text": "找到两笔订单"}, {"text": "要查哪一笔？", "buttons": [
        {"title": "订单 1001", "payload": "/inform"}, {"title": "订单 1002", "payload": "/inform"}]},
        {"image": "https://cdn.example.com/track.png"})
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, TEXT_XML)
    assert reply_fields(r.text)["Content"] == ("找到两笔订单\n\n要查哪一笔？\n1. 订单 1001\n2. 订单 1002\n\n"
                                               "https://cdn.example.com/track.png")


async def test_a_reply_too_long_for_wechat_is_shortened():
    bot = RecordingBot({"text": "很" * 1000})
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, TEXT_XML)
    content = reply_fields(r.text)["Content"]
    assert len(content.encode()) <= 2048 and content.endswith("…")


async def test_shopper_words_quoted_back_cannot_change_the_reply_xml():
    bot = RecordingBot({"text": "您说的是：{text}"})
    sneaky = TEXT_XML.replace("我的订单发货了吗", "hi]]]]><![CDATA[></Content><MsgType>image</MsgType><Content>x")
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, sneaky)
    fields = reply_fields(r.text)
    assert bot.received[0].text == "hi]]></Content><MsgType>image</MsgType><Content>x"
    assert fields["MsgType"] == "text"
    assert fields["Content"] == "您说的是：hi]]></Content><MsgType>image</MsgType><Content>x"


async def test_silent_bot_is_answered_with_success():
    async def silent(message):
        pass
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), silent) as c:
        r = await post(c, TEXT_XML)
    assert (r.status_code, r.text) == (200, "success")


# --- refusals ---

@pytest.mark.parametrize("query, status", [
    (signed(token="someone-else"), 403),
    ("?" + urlencode({"timestamp": str(int(time.time())), "nonce": "1"}), 401),
    ("", 401),
    (signed(timestamp="1000000000"), 403),
])
async def test_bad_missing_or_stale_signature_is_refused(query, status):
    bot = RecordingBot()
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, TEXT_XML, query)
    assert r.status_code == status
    assert bot.received == []


async def test_without_a_configured_token_everything_is_refused():
    bot = RecordingBot()
    async with client(MiniProgramInput(None), bot) as c:
        r = await post(c, TEXT_XML)
        h = await c.get(URL + signed(echostr="1"))
    assert (r.status_code, h.status_code) == (503, 503)
    assert bot.received == []


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>
<Content>&lol2;</Content><MsgId>1</MsgId></xml>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>
<Content>&xxe;</Content><MsgId>1</MsgId></xml>"""


@pytest.mark.parametrize("body", [
    TEXT_XML[:-8],                                       # cut short
    "<message><MsgType>text</MsgType></message>",        # not WeChat's root
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    TEXT_XML.replace("<MsgType><![CDATA[text]]></MsgType>", ""),
    TEXT_XML.replace(f"<FromUserName><![CDATA[{SHOPPER}]]></FromUserName>", ""),
    TEXT_XML.replace("<MsgId>24398712345678901</MsgId>", ""),
    TEXT_XML.replace("24398712345678901", "not-a-number"),
    TEXT_XML.replace("<Content><![CDATA[我的订单发货了吗]]></Content>", ""),
    SUBSCRIBE_XML.replace("<CreateTime>1732500003</CreateTime>", ""),  # events are told apart by it
    IMAGE_XML.replace("<PicUrl><![CDATA[https://mmbiz.qpic.cn/mmbiz_jpg/defect.jpg]]></PicUrl>", "")
             .replace("<MediaId><![CDATA[media_img_001]]></MediaId>", ""),
    '{"ToUserName": "gh", "FromUserName": ',
    json.dumps([TEXT_JSON]),
    json.dumps({**TEXT_JSON, "MsgType": None}),
    json.dumps({**TEXT_JSON, "bad key": "x"}),
    "MsgType=text&Content=hi",
    b"\xff\xfe<xml/>",
    "",
])
async def test_malformed_body_is_refused_and_nothing_is_stored(body):
    bot = RecordingBot()
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, body)
        assert r.status_code == 400, r.text
        # Nothing was remembered: the genuine message with the same id still gets through.
        ok = await post(c, TEXT_XML)
    assert ok.status_code == 200 and ok.text != "success"
    assert [m.message_id for m in bot.received] == ["24398712345678901"]


async def test_oversized_body_is_refused():
    bot = RecordingBot()
    padded = TEXT_XML.replace("</xml>", "<Padding>" + "x" * 64 * 1024 + "</Padding></xml>")
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        r = await post(c, padded)
    assert r.status_code == 413
    assert bot.received == []


async def test_redelivery_is_processed_once():
    # WeChat retries a push it got no answer to within 5 s, three times, with the same MsgId.
    bot = RecordingBot()
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        first = await post(c, TEXT_XML)
        retries = [await post(c, TEXT_XML, signed(nonce=str(n))) for n in range(3)]
        event = await post(c, SUBSCRIBE_XML)
        event_again = await post(c, SUBSCRIBE_XML)
    assert reply_fields(first.text)["MsgType"] == "text"
    assert [(r.status_code, r.text) for r in retries] == [(200, "success")] * 3
    assert event.text != "success" and event_again.text == "success"
    assert [m.text for m in bot.received] == ["我的订单发货了吗", "/greet"]


# --- safe mode ---

def wechat_side():
    return WeChatCrypto(TOKEN, AES_KEY, APP_ID)


async def test_safe_mode_xml_push_is_decrypted_and_the_reply_sealed():
    bot = RecordingBot({"text": "已为您查询"})
    crypto, nonce, timestamp = wechat_side(), "8263", str(int(time.time()))
    envelope = crypto.encrypt_message(TEXT_XML, nonce, timestamp)
    msg_signature = reply_fields(envelope)["MsgSignature"]
    query = signed(timestamp=timestamp, nonce=nonce, encrypt_type="aes", msg_signature=msg_signature)
    async with client(MiniProgramInput(TOKEN, AES_KEY, APP_ID), bot) as c:
        r = await post(c, envelope, query)
    assert r.status_code == 200
    sealed = reply_fields(r.text)
    plain = crypto.decrypt_message(r.text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"])
    assert reply_fields(plain)["Content"] == "已为您查询"
    assert bot.received[0].text == "我的订单发货了吗"


async def test_safe_mode_json_push_is_answered_in_sealed_json():
    bot = RecordingBot({"text": "好的"})
    crypto, nonce, timestamp = wechat_side(), "5521", str(int(time.time()))
    encrypted = reply_fields(crypto.encrypt_message(json.dumps(TEXT_JSON, ensure_ascii=False), nonce, timestamp))
    envelope = json.dumps({"ToUserName": ACCOUNT, "Encrypt": encrypted["Encrypt"]})
    query = signed(timestamp=timestamp, nonce=nonce, encrypt_type="aes", msg_signature=encrypted["MsgSignature"])
    async with client(MiniProgramInput(TOKEN, AES_KEY, APP_ID), bot) as c:
        r = await post(c, envelope, query)
    sealed = r.json()
    plain = crypto.decrypt_message({"Encrypt": sealed["Encrypt"]}, sealed["MsgSignature"], str(sealed["TimeStamp"]),
                                   sealed["Nonce"])
    assert json.loads(plain)["Content"] == "好的"
    assert bot.received[0].text == "要开发票"


@pytest.mark.parametrize("tamper, status", [
    (lambda env, sig: (env, "0" * 40), 403),                                     # wrong msg_signature
    (lambda env, sig: (env, None), 401),                                          # none at all
    (lambda env, sig: (env.replace("<Encrypt><![CDATA[", "<Encrypt><![CDATA[A"), sig), 403),  # body changed
])
async def test_safe_mode_refuses_tampered_envelopes(tamper, status):
    bot = RecordingBot()
    crypto, nonce, timestamp = wechat_side(), "77", str(int(time.time()))
    envelope = crypto.encrypt_message(TEXT_XML, nonce, timestamp)
    envelope, msg_signature = tamper(envelope, reply_fields(envelope)["MsgSignature"])
    extra = {"encrypt_type": "aes", **({"msg_signature": msg_signature} if msg_signature else {})}
    async with client(MiniProgramInput(TOKEN, AES_KEY, APP_ID), bot) as c:
        r = await post(c, envelope, signed(timestamp=timestamp, nonce=nonce, **extra))
    assert r.status_code == status
    assert bot.received == []


async def test_safe_mode_push_without_a_configured_key_is_refused():
    crypto, nonce, timestamp = wechat_side(), "77", str(int(time.time()))
    envelope = crypto.encrypt_message(TEXT_XML, nonce, timestamp)
    query = signed(timestamp=timestamp, nonce=nonce, encrypt_type="aes",
                   msg_signature=reply_fields(envelope)["MsgSignature"])
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), RecordingBot()) as c:
        r = await post(c, envelope, query)
    assert r.status_code == 503


async def test_safe_mode_envelope_sealed_for_another_app_is_refused():
    other = WeChatCrypto(TOKEN, AES_KEY, "wx_another_app")
    nonce, timestamp = "9", str(int(time.time()))
    envelope = other.encrypt_message(TEXT_XML, nonce, timestamp)
    query = signed(timestamp=timestamp, nonce=nonce, encrypt_type="aes",
                   msg_signature=reply_fields(envelope)["MsgSignature"])
    bot = RecordingBot()
    async with client(MiniProgramInput(TOKEN, AES_KEY, APP_ID), bot) as c:
        r = await post(c, envelope, query)
    assert r.status_code == 400
    assert bot.received == []


def test_a_wrong_encoding_aes_key_fails_at_startup():
    with pytest.raises(ValueError, match="EncodingAESKey"):
        MiniProgramInput(TOKEN, "too-short", APP_ID)


async def test_a_signed_query_string_cannot_carry_another_body():
    """Finding 6: one signed plain-mode query string was accepted for ~50 bodies and senders."""
    bot = RecordingBot()
    query = signed()
    async with client(MiniProgramInput(TOKEN, message_mode="plain"), bot) as c:
        assert (await post(c, TEXT_XML, query)).status_code == 200
        forged = [TEXT_XML.replace(SHOPPER, f"oVictim{i}").replace("24398712345678901", f"9{i:016d}")
                  for i in range(50)]
        statuses = {(await post(c, body, query)).status_code for body in forged}
        assert statuses == {403}
        # The same query with the same body is WeChat redelivering: answered, not run again.
        again = await post(c, TEXT_XML, query)
    assert again.status_code == 200 and again.text == "success"
    assert [m.sender_id for m in bot.received] == [f"miniprogram:{SHOPPER}"]


async def test_nonces_are_remembered_for_the_clock_skew_window():
    channel = MiniProgramInput(TOKEN, message_mode="plain", max_clock_skew_seconds=300)
    assert channel.nonces.ttl_seconds >= 600  # a timestamp may be 300 s either side of the server's clock


async def test_plain_mode_only_when_asked_for(monkeypatch):
    bot = RecordingBot()
    async with client(MiniProgramInput(TOKEN, AES_KEY, APP_ID), bot) as c:  # safe mode, the default
        r = await post(c, TEXT_XML)
    assert r.status_code == 403 and bot.received == []
    async with client(MiniProgramInput(TOKEN), bot) as c:  # safe mode without its key: refuses everything
        assert (await post(c, TEXT_XML)).status_code == 503
    channel = MiniProgramInput.from_credentials({"token": TOKEN})
    assert channel.message_mode == "safe"
