"""Voice through the channels: fetched via the media store, transcribed off the loop, passed to the bot as text.

The mini-program's audio comes from a fake WeChat media endpoint on 127.0.0.1;
speech is espeak-ng English heard by pocketsphinx's US model (no Chinese model
can be had here; the code path is the same).
"""
import base64
import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from channels.app import AppInput
from channels.miniprogram import MiniProgramInput
from shop.media import MediaStore
from shop.speech import Unavailable, VoiceReader, configured_recognizer
from shop.speech.service import VoiceService
from tests.channels.harness import RecordingBot, client
from tests.channels.test_miniprogram_channel import SHOPPER, TOKEN as MP_TOKEN, VOICE_XML, post, reply_fields
from tests.speech.audio import convert, en_model_dir, require, tone_wav

pytestmark = pytest.mark.anyio

APP_TOKEN = "app-voice-token-91d2"
AUTH = {"Authorization": f"Bearer {APP_TOKEN}"}
PHRASE = "please cancel my order"
NOT_CONFIGURED = "抱歉，我暂时还听不了语音，请您打字告诉我。"
UNRECOGNISED_VOICE = VOICE_XML.replace("<Recognition><![CDATA[快递到哪了]]></Recognition>", "")


class FakeMediaServer:
    """WeChat's media/get on loopback: ``media_id`` -> bytes; 404 for an unknown id. Records each request."""

    def __init__(self) -> None:
        self.media: dict[str, bytes] = {}
        self.requests: list[str] = []
        media, requests = self.media, self.requests

        self.posted: list[bytes] = []
        posted = self.posted

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # WeChat's customer-service message API
                posted.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                body = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                requests.append(self.path)
                media_id = parse_qs(urlsplit(self.path).query).get("media_id", [""])[0]
                body = media.get(media_id)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "audio/amr" if body is not None else "application/json")
                body = body if body is not None else b'{"errcode":40007,"errmsg":"invalid media_id"}'
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def url_template(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/cgi-bin/media/get?access_token=test&media_id={{media_id}}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def recognizer():
    require("ffmpeg", "espeak-ng", "sox")
    r = configured_recognizer({"model_dir": str(en_model_dir()), "lang": "en-US"})
    r.load()
    return r


@pytest.fixture
def media_server():
    with FakeMediaServer() as server:
        yield server


@pytest.fixture
def store(tmp_path, media_server):
    return MediaStore(tmp_path / "media", allowed_hosts=("127.0.0.1",), allow_private=True,
                      platform_url=media_server.url_template, timeout=5)


@pytest.fixture
def voice(store, recognizer):
    service = VoiceService(store, VoiceReader(recognizer))
    yield service
    service.close()


@pytest.fixture
def deaf(store):
    service = VoiceService(store, VoiceReader(Unavailable("no speech recognition configured")))
    yield service
    service.close()


# --- mini-program ---
# These tests read the passive reply, so they wait for the whole turn (passive_reply_seconds=0):
# on a loaded 2-core CI machine recognition can pass the 4.5 s WeChat window, and then the
# reply goes out late by design. The late path has its own tests below (0.05 s).

async def test_signed_voice_push_is_fetched_transcribed_and_reaches_the_bot_as_text(media_server, voice):
    media_server.media["media_voice_001"] = convert(PHRASE, "amr")
    bot = RecordingBot()
    async with client(MiniProgramInput(MP_TOKEN, message_mode="plain", voice=voice, passive_reply_seconds=0), bot) as c:
        r = await post(c, UNRECOGNISED_VOICE)
    assert r.status_code == 200
    [m] = bot.received
    assert {"cancel", "order"} <= set(m.text.split())  # 8 kHz AMR: the content words survive
    assert reply_fields(r.text)["Content"] == f"收到：{m.text}"
    meta = m.metadata
    assert meta["transcript"] == m.text
    assert (meta["asr_engine"], meta["asr_language"]) == ("pocketsphinx", "en-US")
    assert 0 < meta["asr_confidence"] <= 1 and 1 < meta["voice_seconds"] < 3
    [att] = meta["attachments"]
    assert (att["type"], att["media_id"], att["format"]) == ("voice", "media_voice_001", "amr")
    stored = voice.store.get(att["stored_media_id"])  # the audio stays for agents to play back
    assert stored.kind == "voice" and stored.path.read_bytes() == media_server.media["media_voice_001"]
    assert len(media_server.requests) == 1 and "media_id=media_voice_001" in media_server.requests[0]


async def test_wechats_own_recognition_is_used_without_fetching(media_server, voice):
    bot = RecordingBot()
    async with client(MiniProgramInput(MP_TOKEN, message_mode="plain", voice=voice, passive_reply_seconds=0), bot) as c:
        await post(c, VOICE_XML)
    [m] = bot.received
    assert m.text == "快递到哪了"
    assert (m.metadata["transcript"], m.metadata["asr_engine"]) == ("快递到哪了", "wechat")
    assert media_server.requests == []


async def test_with_platform_recognition_distrusted_the_shop_transcribes_and_keeps_wechats(media_server, voice):
    media_server.media["media_voice_001"] = convert(PHRASE, "amr")
    bot = RecordingBot()
    async with client(MiniProgramInput(MP_TOKEN, message_mode="plain", voice=voice, trust_platform_recognition=False, passive_reply_seconds=0), bot) as c:
        await post(c, VOICE_XML)
    [m] = bot.received
    assert m.metadata["asr_engine"] == "pocketsphinx" and "order" in m.text
    assert m.metadata["platform_recognition"] == "快递到哪了"


async def test_without_a_recogniser_the_shopper_is_asked_to_type_and_nothing_is_fetched(media_server, deaf):
    media_server.media["media_voice_001"] = convert(PHRASE, "amr")
    bot = RecordingBot()
    async with client(MiniProgramInput(MP_TOKEN, message_mode="plain", voice=deaf, passive_reply_seconds=0), bot) as c:
        r = await post(c, UNRECOGNISED_VOICE)
    assert r.status_code == 200
    fields = reply_fields(r.text)
    assert (fields["MsgType"], fields["Content"], fields["ToUserName"]) == ("text", NOT_CONFIGURED, SHOPPER)
    assert bot.received == [] and media_server.requests == []


@pytest.mark.parametrize("served, says", [
    (None, "语音没有收到"),  # the media endpoint answers 404
    (b"#!AMR\n" + b"\xff" * 400, "没能打开"),  # an AMR header over garbage
    (b"<html>not audio</html>", "语音格式"),  # the store's sniffing refuses it
])
async def test_voice_that_cannot_be_fetched_or_decoded_is_answered_politely(media_server, voice, served, says):
    if served is not None:
        media_server.media["media_voice_001"] = served
    bot = RecordingBot()
    async with client(MiniProgramInput(MP_TOKEN, message_mode="plain", voice=voice, passive_reply_seconds=0), bot) as c:
        r = await post(c, UNRECOGNISED_VOICE)
    assert r.status_code == 200
    assert says in reply_fields(r.text)["Content"]
    assert bot.received == []


async def test_a_redelivered_voice_push_is_fetched_and_heard_once(media_server, voice):
    media_server.media["media_voice_001"] = convert(PHRASE, "amr")
    bot = RecordingBot()
    async with client(MiniProgramInput(MP_TOKEN, message_mode="plain", voice=voice, passive_reply_seconds=0), bot) as c:
        first = await post(c, UNRECOGNISED_VOICE)
        again = await post(c, UNRECOGNISED_VOICE)
    assert reply_fields(first.text)["MsgType"] == "text"
    assert again.text == "success"
    assert len(bot.received) == 1 and len(media_server.requests) == 1


async def test_a_voice_push_with_a_bad_signature_is_refused_before_anything_is_fetched(media_server, voice):
    media_server.media["media_voice_001"] = convert(PHRASE, "amr")
    bot = RecordingBot()
    async with client(MiniProgramInput(MP_TOKEN, message_mode="plain", voice=voice, passive_reply_seconds=0), bot) as c:
        r = await c.post("/webhooks/miniprogram/webhook?signature=0&timestamp=1&nonce=1",
                         content=UNRECOGNISED_VOICE.encode())
    assert r.status_code == 403 and bot.received == [] and media_server.requests == []


async def test_safe_mode_voice_push_is_heard_and_the_reply_sealed(media_server, voice):
    import time

    from tests.channels.test_miniprogram_channel import AES_KEY, APP_ID, signed, wechat_side

    media_server.media["media_voice_001"] = convert(PHRASE, "amr")
    crypto, nonce, timestamp = wechat_side(), "7301", str(int(time.time()))
    envelope = crypto.encrypt_message(UNRECOGNISED_VOICE, nonce, timestamp)
    query = signed(timestamp=timestamp, nonce=nonce, encrypt_type="aes",
                   msg_signature=reply_fields(envelope)["MsgSignature"])
    bot = RecordingBot({"text": "已为您取消"})
    async with client(MiniProgramInput(MP_TOKEN, AES_KEY, APP_ID, voice=voice, passive_reply_seconds=0), bot) as c:
        r = await post(c, envelope, query)
    sealed = reply_fields(r.text)
    plain = crypto.decrypt_message(r.text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"])
    assert reply_fields(plain)["Content"] == "已为您取消"
    [m] = bot.received
    assert m.metadata["asr_engine"] == "pocketsphinx" and "order" in m.text


async def test_a_voice_turn_slower_than_wechats_5_s_is_acknowledged_and_answered_by_the_send_api(
        media_server, voice, monkeypatch):
    import asyncio
    import json

    monkeypatch.setenv("SHOP_MINIPROGRAM_SEND_URL",
                       f"http://127.0.0.1:{media_server.server.server_port}/cgi-bin/message/custom/send?access_token=t")
    media_server.media["media_voice_001"] = convert(PHRASE, "amr")
    bot = RecordingBot()
    # 0.05 s stands in for 4.5 s: recognising the recording takes longer than that.
    async with client(MiniProgramInput(MP_TOKEN, message_mode="plain", voice=voice, passive_reply_seconds=0.05), bot) as c:
        r = await post(c, UNRECOGNISED_VOICE)
        again = await post(c, UNRECOGNISED_VOICE)  # had WeChat redelivered meanwhile
        for _ in range(200):
            if media_server.posted:
                break
            await asyncio.sleep(0.05)
    assert (r.status_code, r.text, again.text) == (200, "success", "success")
    [m] = bot.received
    [sent] = media_server.posted
    assert json.loads(sent) == {"touser": SHOPPER, "msgtype": "text", "text": {"content": f"收到：{m.text}"}}
    assert "order" in m.text


async def test_a_late_reply_without_the_send_api_is_logged_not_lost_silently(media_server, voice, monkeypatch,
                                                                              caplog):
    import asyncio
    import logging

    monkeypatch.delenv("SHOP_MINIPROGRAM_SEND_URL", raising=False)
    media_server.media["media_voice_001"] = convert(PHRASE, "amr")
    bot = RecordingBot()
    channel = MiniProgramInput(MP_TOKEN, message_mode="plain", voice=voice, passive_reply_seconds=0.05)
    with caplog.at_level(logging.WARNING, logger="channels.miniprogram"):
        async with client(channel, bot) as c:
            r = await post(c, UNRECOGNISED_VOICE)
            for _ in range(200):
                if bot.received and not channel._late_turns:
                    break
                await asyncio.sleep(0.05)
    assert r.text == "success" and len(bot.received) == 1
    assert any("not delivered (not_configured" in rec.getMessage() for rec in caplog.records)


# --- app ---

def upload(audio: bytes, fmt: str = "ogg", **changes):
    body = {"sender": "u-1001", "message_id": "v-0001", "timestamp": 1732500000, "product_id": "P003",
            "audio": {"data": base64.b64encode(audio).decode(), "format": fmt}}
    return {**body, **changes}


async def test_app_audio_upload_is_stored_transcribed_and_answered_with_the_transcript(voice):
    bot = RecordingBot()
    async with client(AppInput(APP_TOKEN, voice=voice), bot) as c:
        r = await c.post("/webhooks/app/voice", json=upload(convert(PHRASE, "ogg")), headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    [m] = bot.received
    assert m.text == PHRASE and body["transcript"] == PHRASE
    assert body["messages"] == [{"text": f"收到：{PHRASE}"}] and body["message_id"] == "v-0001"
    assert (m.sender_id, m.message_id) == ("app:u-1001", "v-0001")
    assert m.metadata["product_id"] == "P003" and m.metadata["asr_engine"] == "pocketsphinx"
    [att] = m.metadata["attachments"]
    assert att["type"] == "voice" and att["format"] == "ogg" and att["media_id"].startswith("voice-")
    assert voice.store.get(att["media_id"]).mime == "audio/ogg"


async def test_app_voice_attachment_by_url_on_the_webhook_is_transcribed(media_server, voice):
    media_server.media["clip"] = convert(PHRASE, "amr")
    url = media_server.url_template.replace("{media_id}", "clip")
    bot = RecordingBot()
    async with client(AppInput(APP_TOKEN, voice=voice), bot) as c:
        r = await c.post("/webhooks/app/webhook", headers=AUTH, json={
            "sender": "u-1001", "message_id": "v-0002", "text": "", "attachments": [{"type": "voice", "url": url}]})
    [m] = bot.received
    assert "order" in m.text and r.json()["transcript"] == m.text


async def test_app_upload_without_a_recogniser_is_answered_politely_and_not_stored(deaf):
    bot = RecordingBot()
    async with client(AppInput(APP_TOKEN, voice=deaf), bot) as c:
        r = await c.post("/webhooks/app/voice", json=upload(convert(PHRASE, "ogg")), headers=AUTH)
    assert r.status_code == 200
    assert r.json() == {"message_id": "v-0001", "voice_error": "not_configured",
                        "messages": [{"text": NOT_CONFIGURED}]}
    assert bot.received == [] and not (deaf.store.root / "voice").exists()


async def test_app_upload_too_long_or_not_audio_is_answered_politely(store, recognizer):
    service = VoiceService(store, VoiceReader(recognizer, max_seconds=2))
    bot = RecordingBot()
    try:
        async with client(AppInput(APP_TOKEN, voice=service), bot) as c:
            long = await c.post("/webhooks/app/voice", json=upload(tone_wav(3), "wav"), headers=AUTH)
            junk = await c.post("/webhooks/app/voice", json=upload(b"MZ\x90\x00" + bytes(300), "amr",
                                                                    message_id="v-0003"), headers=AUTH)
    finally:
        service.close()
    assert (long.status_code, long.json()["voice_error"]) == (200, "too_long")
    assert "太长" in long.json()["messages"][0]["text"]
    assert (junk.status_code, junk.json()["voice_error"]) == (200, "unsupported_type")
    assert bot.received == []


@pytest.mark.parametrize("body, status", [
    ({"sender": "u-1", "message_id": "v-1"}, 400),  # no audio
    ({"sender": "u-1", "message_id": "v-1", "audio": {"data": "not base64!!"}}, 400),
    ({"sender": "u-1", "message_id": "v-1", "audio": {"data": ""}}, 400),
    ({"sender": "u-1", "message_id": "v-1", "audio": "UklGRg=="}, 400),
    ({"sender": "u-1", "message_id": "v-1", "audio": {"data": "UklGRg==", "format": 7}}, 400),
    ({"sender": "", "message_id": "v-1", "audio": {"data": "UklGRg=="}}, 400),
    ({"sender": "u-1", "message_id": "v-1", "text": "hi", "audio": {"data": "UklGRg=="}}, 400),
    ([1, 2], 400),
])
async def test_malformed_app_uploads_are_refused(voice, body, status):
    bot = RecordingBot()
    async with client(AppInput(APP_TOKEN, voice=voice), bot) as c:
        r = await c.post("/webhooks/app/voice", json=body, headers=AUTH)
    assert r.status_code == status and "error" in r.json()
    assert bot.received == [] and not (voice.store.root / "voice").exists()


async def test_app_upload_needs_the_token_and_keeps_to_its_own_body_limit(voice):
    bot = RecordingBot()
    audio = convert(PHRASE, "ogg")
    async with client(AppInput(APP_TOKEN, voice=voice, max_voice_body_bytes=len(audio)), bot) as c:
        stranger = await c.post("/webhooks/app/voice", json=upload(audio), headers={"Authorization": "Bearer x"})
        too_big = await c.post("/webhooks/app/voice", json=upload(audio), headers=AUTH)
        # The text route's 64 KiB limit is untouched by the voice route's.
        text_too_big = await c.post("/webhooks/app/webhook", headers=AUTH, content=b"{" + b" " * 70_000 + b"}")
    assert (stranger.status_code, too_big.status_code, text_too_big.status_code) == (401, 413, 413)
    assert bot.received == []


async def test_app_upload_duplicate_id_runs_the_bot_once(voice):
    bot = RecordingBot()
    audio = convert(PHRASE, "ogg")
    async with client(AppInput(APP_TOKEN, voice=voice), bot) as c:
        first = await c.post("/webhooks/app/voice", json=upload(audio), headers=AUTH)
        again = await c.post("/webhooks/app/voice", json=upload(audio), headers=AUTH)
    assert first.json()["transcript"] == PHRASE
    assert again.json() == {"message_id": "v-0001", "duplicate": True, "messages": []}
    assert len(bot.received) == 1


async def test_a_channel_without_voice_refuses_uploads():
    async with client(AppInput(APP_TOKEN), RecordingBot()) as c:
        r = await c.post("/webhooks/app/voice", json=upload(b"RIFF"), headers=AUTH)
    assert r.status_code == 503


async def test_voice_does_not_block_the_event_loop(voice):
    """A text message is answered while a voice message is being heard."""
    import asyncio

    bot = RecordingBot()
    async with client(AppInput(APP_TOKEN, voice=voice), bot) as c:
        heard = asyncio.ensure_future(c.post("/webhooks/app/voice", json=upload(convert(PHRASE, "ogg")),
                                             headers=AUTH))
        await asyncio.sleep(0.05)
        typed = await c.post("/webhooks/app/webhook", headers=AUTH,
                             json={"sender": "u-2", "message_id": "t-1", "text": "在吗"})
        finished_first = heard.done()
        await heard
    assert typed.status_code == 200 and not finished_first
    assert [m.text for m in bot.received] == ["在吗", PHRASE]


def test_shipped_credentials_give_the_app_and_mini_program_one_shared_voice_service(monkeypatch):
    from tests.channels.test_shipped_credentials import ENV, channels_by_name

    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    channels = channels_by_name()
    assert isinstance(channels["app"].voice, VoiceService)
    assert channels["miniprogram"].voice is channels["app"].voice  # one speech model in memory
    assert channels["miniprogram"].trust_platform_recognition is True
    assert channels["miniprogram"].passive_reply_seconds == 4.5
    assert channels["app"].max_voice_body_bytes == 3 * 1024 * 1024


# --- replies as speech ---

async def test_voice_first_client_gets_each_text_reply_as_speech_too(voice):
    from shop.speech.decode import decode

    bot = RecordingBot({"text": "好的，已为您取消订单"}, {"image": "https://cdn.example.com/x.png"})
    async with client(AppInput(APP_TOKEN, voice=voice), bot) as c:
        r = await c.post("/webhooks/app/voice", json=upload(convert(PHRASE, "ogg"), reply_audio=True), headers=AUTH)
        typed = await c.post("/webhooks/app/webhook", headers=AUTH, json={
            "sender": "u-1", "message_id": "t-9", "text": "取消订单", "reply_audio": "wav"})
    spoken_reply, image = r.json()["messages"]
    assert spoken_reply["text"] == "好的，已为您取消订单" and "audio" not in image
    assert (spoken_reply["audio"]["format"], spoken_reply["audio"]["voice"]) == ("mp3", "cmn")
    assert decode(base64.b64decode(spoken_reply["audio"]["data"])).seconds > 1
    wav = base64.b64decode(typed.json()["messages"][0]["audio"]["data"])
    assert wav.startswith(b"RIFF")
    assert "reply_audio" not in bot.received[1].metadata


async def test_polite_voice_refusals_are_spoken_too_and_a_bad_reply_audio_is_refused(deaf):
    bot = RecordingBot()
    async with client(AppInput(APP_TOKEN, voice=deaf), bot) as c:
        r = await c.post("/webhooks/app/voice", json=upload(convert(PHRASE, "ogg"), reply_audio=True), headers=AUTH)
        bad = await c.post("/webhooks/app/webhook", headers=AUTH, json={
            "sender": "u-1", "message_id": "t-9", "text": "取消订单", "reply_audio": "ogg"})
    [m] = r.json()["messages"]
    assert m["text"] == NOT_CONFIGURED and m["audio"]["format"] == "mp3"
    assert bad.status_code == 400 and bot.received == []


@pytest.mark.parametrize("attachment, code", [
    ({"type": "voice", "url": "https://cdn.elsewhere.example/v.amr"}, "host_not_allowed"),
    ({"type": "voice", "path": "../../etc/passwd"}, "bad_id"),
    ({"type": "voice", "media_id": "../../../x"}, "bad_id"),
    ({"type": "image", "media_id": "m1"}, "unsupported_type"),
])
async def test_voice_references_the_store_refuses_are_answered_about_voice(voice, media_server, attachment, code):
    from shop.speech import VoiceNotUnderstood

    with pytest.raises(VoiceNotUnderstood) as e:
        await voice.hear(attachment)
    assert e.value.code == code and "语音" in e.value.message
    assert media_server.requests == []
