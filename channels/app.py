"""The shop's own app: JSON over HTTP with a bearer token, replies in the response and over SSE.

``POST /webhooks/app/webhook`` with ``Authorization: Bearer <token>``::

    {"sender": "u-1001", "message_id": "a1b2-0001", "text": "这件有M码吗",
     "attachments": [{"type": "image", "url": "https://cdn.example.com/p.jpg"}],
     "product_id": "P003", "timestamp": 1732500000}

answers ``{"message_id": "a1b2-0001", "messages": [{"text": "..."}, {"image": "..."},
{"text": "...", "buttons": [...]}]}``; a message id seen before answers
``{"message_id": ..., "duplicate": true, "messages": []}`` without running the bot.
``attachments`` entries are ``{"type": "image" | "voice", "url" | "media_id": ...}``
(voice may add ``"format"``); ``product_id`` is the product page the shopper is on.

``POST /webhooks/app/voice`` with the same token takes a recording in the body
(its own limit, ``max_voice_body_bytes``, 3 MiB by default, so the text route
keeps its small one)::

    {"sender": "u-1001", "message_id": "a1b2-0002", "audio": {"data": "<base64>", "format": "amr"},
     "product_id": "P003", "timestamp": 1732500000}

The audio is kept in the media store, transcribed, and the transcript goes to
the bot as the text (metadata: the voice attachment with ``transcript``,
``asr_engine``, ``asr_confidence``); the answer has the webhook's shape plus
``"transcript"``. Audio that cannot be heard (no recogniser configured, too
long, not audio) is answered with a Chinese message asking the shopper to type.
Voice attachments by ``url``/``media_id`` on the webhook are transcribed the same way.

Voice-first clients may add ``"reply_audio": true`` (or ``"mp3"`` / ``"wav"``) to
either route: each text reply in the response then also carries
``"audio": {"format": "mp3", "data": "<base64>"}``, the text spoken by
espeak-ng's Mandarin voice. Pushed (SSE) copies stay text only; a reply that
cannot be spoken is sent as text alone.

``GET /webhooks/app/stream/<sender>`` with the same token is a text/event-stream
of every bot message for that shopper (``event: message`` / ``data: {...}``):
the replies to its requests (marked ``"in_reply_to": <message_id>``) and what
Rasa sends on its own through ``get_output_channel`` (reminders, an agent's
reply), so a client that lost a response still gets its replies.

The token identifies the app's backend (its server or the API gateway), which
authenticates shoppers itself: it is never shipped inside the app, and whoever
holds it may speak for, and listen to, any shopper of the app.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import logging
import time
from typing import Any, Mapping, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import (LATEST_TIMESTAMP, MAX_ID_CHARS, VOICE_MESSAGES, InboundMessage, OnNewMessage, Refused,
                             ShopChannel, VoiceNotUnderstood, image, json_of, json_response, read_body, secret, voice)
from channels.sse import StreamHub, TooManyStreams, next_event, shared_hub
from shop.inputs import same_secret
from shop.speech import tts

logger = logging.getLogger(__name__)

MAX_PRODUCT_ID_CHARS = 16  # the dialogue ignores longer ones (actions.services.page_product)
# The media store keeps voice up to 2 MiB; base64 makes that 2.7 MiB, plus the JSON around it.
MAX_VOICE_BODY_BYTES = 3 * 1024 * 1024
MAX_FORMAT_CHARS = 16


class AppOutput(CollectingOutputChannel):
    """Collects the replies for the HTTP response and pushes each to the shopper's open streams.

    Pushed replies to a request say ``in_reply_to`` its message id, so a client
    that got the HTTP response can skip them on the stream.
    """

    def __init__(self, hub: StreamHub, in_reply_to: Optional[str] = None) -> None:
        super().__init__()
        self.hub = hub
        self.in_reply_to = in_reply_to

    @classmethod
    def name(cls) -> Text:
        return AppInput.name()

    async def _persist_message(self, message: dict) -> None:
        await super()._persist_message(message)
        pushed = for_client(message)
        if self.in_reply_to:
            pushed["in_reply_to"] = self.in_reply_to
        self.hub.publish(message["recipient_id"], pushed)


def for_client(message: Mapping[str, Any]) -> dict:
    # The recipient is the conversation id ("app:<sender>"); the client knows who it is.
    return {k: v for k, v in message.items() if k != "recipient_id"}


class AppInput(ShopChannel):
    @classmethod
    def name(cls) -> Text:
        return "app"

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "AppInput":
        credentials = credentials or {}
        return cls(token=secret(credentials, "token"),
                   keepalive_seconds=float(credentials.get("keepalive_seconds") or 15),
                   max_voice_body_bytes=int(credentials.get("max_voice_body_bytes") or MAX_VOICE_BODY_BYTES),
                   **cls.common_settings(credentials))

    def __init__(self, token: Optional[str], keepalive_seconds: float = 15,
                 hub: Optional[StreamHub] = None, max_voice_body_bytes: int = MAX_VOICE_BODY_BYTES,
                 **settings: Any) -> None:
        super().__init__(**settings)
        self.max_voice_body_bytes = max_voice_body_bytes
        if not token:
            logger.warning("app channel: no token configured (SHOP_APP_TOKEN); every request is refused")
        self.token = token
        self.keepalive_seconds = keepalive_seconds
        self.hub = hub or shared_hub()

    def get_output_channel(self) -> AppOutput:
        return AppOutput(self.hub)

    def check_token(self, request: Request) -> None:
        if not self.token:
            raise Refused(503, "app channel not configured")
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise Refused.unauthenticated("bearer token required")
        if not same_secret(given.strip(), self.token):
            raise Refused.unauthenticated("invalid token")

    def parse(self, body: bytes) -> InboundMessage:
        return self.inbound(_object(body))

    @staticmethod
    def reply_audio(payload: Mapping[str, Any]) -> Optional[str]:
        try:
            return tts.reply_format(payload.get("reply_audio"))
        except ValueError as e:
            raise Refused.malformed(str(e)) from None

    def parse_voice(self, body: bytes) -> tuple[dict, bytes, Optional[str]]:
        """The fields of an audio upload, its audio bytes and declared format."""
        payload = _object(body)
        audio = payload.get("audio")
        if not isinstance(audio, dict) or not isinstance(audio.get("data"), str):
            raise Refused.malformed('audio must be an object {"data": <base64>, "format": ...}')
        fmt = audio.get("format")
        if fmt is not None and not (isinstance(fmt, str) and 0 < len(fmt) <= MAX_FORMAT_CHARS):
            raise Refused.malformed(f"audio format must be a string of 1-{MAX_FORMAT_CHARS} characters")
        try:
            data = base64.b64decode("".join(audio["data"].split()), validate=True)
        except (binascii.Error, ValueError):
            raise Refused.malformed("audio data is not base64") from None
        if not data:
            raise Refused.malformed("audio data is empty")
        if payload.get("text") or payload.get("attachments"):
            raise Refused.malformed("an audio upload carries no text or attachments")
        # Checked now, so a bad id is refused before the audio is stored.
        self.inbound({**payload, "text": "", "attachments": [{"type": "voice", "media_id": "pending"}]})
        return payload, data, fmt

    def inbound(self, payload: dict) -> InboundMessage:
        extra = {}
        product_id = payload.get("product_id")
        if product_id is not None:
            if not isinstance(product_id, str) or not 0 < len(product_id) <= MAX_PRODUCT_ID_CHARS:
                raise Refused.malformed(f"product_id must be a string of 1-{MAX_PRODUCT_ID_CHARS} characters")
            extra["product_id"] = product_id
        return InboundMessage(channel=self.name(), sender_id=payload.get("sender"),
                              message_id=payload.get("message_id"),
                              text=payload["text"] if payload.get("text") is not None else "",
                              timestamp=_timestamp(payload.get("timestamp")),
                              attachments=tuple(_attachment(a) for a in _list(payload.get("attachments"))),
                              extra=extra)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint(f"shop_channel_{type(self).__name__}", inspect.getmodule(self).__name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_response({"status": "ok"})

        async def answer(message: InboundMessage, reply_audio: Optional[str], request: Request) -> HTTPResponse:
            output = AppOutput(self.hub, in_reply_to=message.message_id)
            delivered = await self.deliver(on_new_message, message, output, getattr(request.app.ctx, "agent", None))
            if not delivered:
                return json_response({"message_id": message.message_id, "duplicate": True, "messages": []})
            body = {"message_id": message.message_id,
                    "messages": await spoken([for_client(m) for m in output.messages], reply_audio)}
            for key in ("transcript", "voice_error"):
                if delivered.extra.get(key) is not None:
                    body[key] = delivered.extra[key]
            return json_response(body)

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                self.check_token(request)  # before reading: no body is read for a stranger
                payload = _object(await read_body(request, self.max_body_bytes))
                message, reply_audio = self.inbound(payload), self.reply_audio(payload)
            except Refused as e:
                return refusal(e)
            return await answer(message, reply_audio, request)

        @bp.route("/voice", methods=["POST"], stream=True)
        async def receive_voice(request: Request) -> HTTPResponse:
            try:
                self.check_token(request)
                if self.voice is None:
                    raise Refused(503, "voice messages not configured on this channel")
                payload, audio, fmt = self.parse_voice(await read_body(request, self.max_voice_body_bytes))
                reply_audio = self.reply_audio(payload)
            except Refused as e:
                return refusal(e)
            try:
                if not self.voice.available:
                    raise VoiceNotUnderstood("not_configured", VOICE_MESSAGES["not_configured"])
                stored = await self.voice.save(audio)
            except VoiceNotUnderstood as e:
                # Nothing was stored or claimed: the shopper may simply type the same message id again.
                conversation_id = f"{self.name()}:{payload['sender']}"
                output = AppOutput(self.hub, in_reply_to=payload["message_id"])
                await output.send_text_message(conversation_id, e.message)
                return json_response({"message_id": payload["message_id"], "voice_error": e.code,
                                      "messages": await spoken([for_client(m) for m in output.messages],
                                                               reply_audio)})
            return await answer(self.inbound({**payload, "text": "", "attachments": [
                {"type": "voice", "media_id": stored.media_id, **({"format": fmt} if fmt else {})}]}), reply_audio, request)

        @bp.route("/stream/<sender>", methods=["GET"])
        async def stream(request: Request, sender: str) -> HTTPResponse:
            try:
                self.check_token(request)
                if not 0 < len(sender) <= MAX_ID_CHARS:
                    raise Refused.malformed(f"sender must have 1-{MAX_ID_CHARS} characters")
            except Refused as e:
                return refusal(e)
            conversation_id = f"{self.name()}:{sender}"
            if self.hub.streams(conversation_id) >= self.hub.max_streams:
                return refusal(Refused(429, "too many open streams for this sender"))

            async def write_events(resp: Any) -> None:
                try:
                    queue = self.hub.open(conversation_id)
                except TooManyStreams:
                    return
                try:
                    # The reconnection delay first: it also tells the client the stream is live.
                    await resp.write("retry: 3000\n\n")
                    while (frame := await next_event(queue, self.keepalive_seconds)) is not None:
                        await resp.write(frame)
                finally:
                    self.hub.close(conversation_id, queue)

            return response.stream(write_events, content_type="text/event-stream; charset=utf-8",
                                   headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

        return bp


async def spoken(messages: list, fmt: Optional[str]) -> list:
    """``messages`` with each text also as speech in ``fmt``; as they are when ``fmt`` is None."""
    if not fmt:
        return messages
    return [await _with_audio(m, fmt) for m in messages]


async def _with_audio(message: dict, fmt: str) -> dict:
    if not message.get("text"):
        return message
    try:
        audio = await asyncio.to_thread(tts.speak, message["text"], fmt)
    except (tts.SpeechUnavailable, ValueError) as e:
        logger.warning("app: reply not spoken (%s); sent as text", e)
        return message
    return {**message, "audio": {"format": fmt, "voice": tts.VOICE, "data": base64.b64encode(audio).decode()}}


def _object(body: bytes) -> dict:
    payload = json_of(body)
    if not isinstance(payload, dict):
        raise Refused.malformed("body must be a JSON object")
    return payload


def refusal(e: Refused) -> HTTPResponse:
    headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else None
    return json_response({"error": e.reason}, status=e.status, headers=headers)


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Refused.malformed("attachments must be a list")
    return value


def _attachment(raw: Any) -> dict:
    if not isinstance(raw, dict):
        raise Refused.malformed("an attachment must be an object")
    url, media_id = raw.get("url"), raw.get("media_id")
    if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))
                                and len(url) <= 2048):
        raise Refused.malformed("attachment url must be an http(s) URL of at most 2048 characters")
    if media_id is not None and not (isinstance(media_id, str) and 0 < len(media_id) <= MAX_ID_CHARS):
        raise Refused.malformed(f"attachment media_id must be a string of 1-{MAX_ID_CHARS} characters")
    if raw.get("type") == "image":
        return image(url=url, media_id=media_id)
    if raw.get("type") == "voice":
        fmt = raw.get("format")
        return voice(url=url, media_id=media_id, format=fmt if isinstance(fmt, str) else None)
    raise Refused.malformed("attachment type must be image or voice")


def _timestamp(value: Any) -> float:
    if value is None:
        return time.time()
    # Range first: float() of a 400-digit integer overflows.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= LATEST_TIMESTAMP:
        raise Refused.malformed("timestamp must be seconds since the epoch")
    return float(value)
