"""The mini-program's customer-service messages, as WeChat pushes them (official accounts alike).

In the WeChat console: server URL ``https://<host>/webhooks/miniprogram/webhook``,
Token = ``$SHOP_MINIPROGRAM_TOKEN``, data format XML or JSON, and the message mode:
safe mode (安全模式, or compatible mode, 兼容模式) with ``$SHOP_MINIPROGRAM_AES_KEY`` and
``$SHOP_MINIPROGRAM_APP_ID`` is the default and the recommended one. Plain mode
(明文模式) must be asked for with ``message_mode: plain``: its signature covers the
token, timestamp and nonce but not the body, so one signed query string could carry
any body. Every push's nonce is remembered for the clock-skew window either way: a
signed query string seen again with a different body is refused (403); seen again with
the same body it is WeChat redelivering, answered from the duplicate store.

- ``GET ?signature=&timestamp=&nonce=&echostr=``: the handshake; a good
  signature (SHA1 over the sorted token, timestamp and nonce) is answered
  with ``echostr``.
- ``POST ?signature=&timestamp=&nonce=[&encrypt_type=aes&msg_signature=]``:
  a text, image, voice or event message; answered with a passive text reply
  in the push's format (and sealed again in safe mode), or ``success`` when
  there is nothing to say.

Text goes to the bot as is; an image as an attachment with its ``PicUrl`` and
``MediaId``; a voice message as an attachment, with WeChat's own recognition
(``Recognition``, when the account has it on) as the text and
``asr_engine: wechat`` in the metadata; without one (or with
``trust_platform_recognition: false``) the audio is fetched by its MediaId
through the media store (``SHOP_MEDIA_PLATFORM_URL``), decoded and transcribed
by the shop's own recogniser before the bot sees it (docs/voice.md); ``subscribe`` and
``user_enter_tempsession`` events as ``/greet`` (``events`` in credentials.yml
changes the map). Other message types are acknowledged and not passed on.

A passive reply is one message and must leave within WeChat's 5 s; the bot's
messages are joined into one text. A turn still running after
``passive_reply_seconds`` (4.5; a long voice message on a busy machine) is
answered ``success`` at once, so WeChat does not redeliver, and finishes in the
background; its replies then go out through WeChat's customer-service message
API (``$SHOP_MINIPROGRAM_SEND_URL``, channels/outbound.py), one per bot
message. Without that URL they are logged as undeliverable.
"""
from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import time
from typing import Any, Mapping, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.messages import BaseMessage

from channels import outbound, wechat
from channels.common import (InboundMessage, OnNewMessage, Refused, ShopChannel, image, plain_text,
                             read_body, secret, voice)
from channels.duplicates import MemoryDuplicateStore

logger = logging.getLogger(__name__)

DEFAULT_EVENTS = {"subscribe": "/greet", "subscribe_scan": "/greet", "user_enter_tempsession": "/greet"}
MAX_CLOCK_SKEW_SECONDS = 300
MESSAGE_MODES = ("safe", "plain")
PASSIVE_REPLY_SECONDS = 4.5  # WeChat gives up on a reply after 5 s and pushes the message again


class MiniProgramInput(ShopChannel):
    @classmethod
    def name(cls) -> Text:
        return "miniprogram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "MiniProgramInput":
        credentials = credentials or {}
        return cls(token=secret(credentials, "token"),
                   encoding_aes_key=secret(credentials, "encoding_aes_key"),
                   app_id=secret(credentials, "app_id"),
                   message_mode=str(credentials.get("message_mode") or "safe"),
                   events=credentials.get("events") or DEFAULT_EVENTS,
                   max_clock_skew_seconds=float(credentials.get("max_clock_skew_seconds", MAX_CLOCK_SKEW_SECONDS)),
                   trust_platform_recognition=_flag(credentials.get("trust_platform_recognition", True)),
                   passive_reply_seconds=float(credentials.get("passive_reply_seconds", PASSIVE_REPLY_SECONDS)),
                   **cls.common_settings(credentials))

    def __init__(self, token: Optional[str], encoding_aes_key: Optional[str] = None, app_id: Optional[str] = None,
                 events: Optional[Mapping[str, str]] = None,
                 max_clock_skew_seconds: float = MAX_CLOCK_SKEW_SECONDS, trust_platform_recognition: bool = True,
                 passive_reply_seconds: float = PASSIVE_REPLY_SECONDS, message_mode: str = "safe",
                 **settings: Any) -> None:
        super().__init__(**settings)
        if message_mode not in MESSAGE_MODES:
            raise ValueError(f"miniprogram channel: message_mode must be one of {MESSAGE_MODES}")
        if not token:
            logger.warning("miniprogram channel: no token configured (SHOP_MINIPROGRAM_TOKEN); "
                           "every request is refused")
        self.token = token
        self.safe_mode = wechat.SafeMode(token, encoding_aes_key, app_id or "") if token and encoding_aes_key else None
        self.message_mode = message_mode
        if message_mode == "safe" and token and not self.safe_mode:
            logger.warning("miniprogram channel: safe mode without an EncodingAESKey (SHOP_MINIPROGRAM_AES_KEY); "
                           "every push is refused (message_mode: plain must be set explicitly)")
        if message_mode == "plain":
            logger.warning("miniprogram channel in plain mode: the signature does not cover the body; "
                           "safe mode is recommended")
        self.events = dict(DEFAULT_EVENTS if events is None else events)
        # The timestamp is signed: refusing old ones stops a recorded push from being
        # replayed after its message id has left the duplicate store. 0 turns it off.
        self.max_clock_skew_seconds = max_clock_skew_seconds
        # WeChat's Chinese recognition is better than any model we can ship offline;
        # off, every voice message goes through the shop's own recogniser.
        self.trust_platform_recognition = trust_platform_recognition
        self.passive_reply_seconds = passive_reply_seconds  # 0: always wait for the turn
        self._late_turns: set = set()  # referenced until done, so the loop does not drop them
        # Nonces are remembered as long as their timestamp is accepted (both sides of the
        # skew), in the duplicate store's kind of store (Redis when processes share one).
        nonce_ttl = 2 * max_clock_skew_seconds + 60 if max_clock_skew_seconds else 24 * 3600
        self.nonces = self.duplicates if not isinstance(self.duplicates, MemoryDuplicateStore) \
            else MemoryDuplicateStore(ttl_seconds=nonce_ttl)

    def check_request(self, request: Request) -> tuple[str, str]:
        """The signed timestamp and nonce of a genuine push."""
        if not self.token or (self.message_mode == "safe" and not self.safe_mode):
            raise Refused(503, "miniprogram channel not configured")
        timestamp, nonce = request.args.get("timestamp") or "", request.args.get("nonce") or ""
        wechat.check_signature(self.token, request.args.get("signature"), timestamp, nonce)
        if self.max_clock_skew_seconds:
            if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > self.max_clock_skew_seconds:
                raise Refused.forbidden("timestamp too far from the server's clock")
        return timestamp, nonce

    async def check_replay(self, timestamp: str, nonce: str, body: bytes) -> None:
        """Refuses a signed query string seen before with a different body (403).

        The first request with a nonce claims it, and its body; the same query with the
        same body again is WeChat's redelivery and goes on to the duplicate check.
        """
        key = f"miniprogram-nonce:{timestamp}:{nonce}"
        with_body = f"{key}:{hashlib.sha256(body).hexdigest()}"
        if await self.nonces.claim(key):
            await self.nonces.claim(with_body)
        elif await self.nonces.claim(with_body):
            raise Refused.forbidden("this signature was already used for another message")

    def read(self, request: Request, body: bytes, timestamp: str, nonce: str) -> tuple[str, BaseMessage]:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused.malformed("body is not UTF-8") from None
        encrypted = request.args.get("encrypt_type") == "aes"
        if self.message_mode == "safe" and not encrypted:
            raise Refused.forbidden("plain-mode push refused: this channel takes safe mode only")
        fmt, fields = wechat.fields_of(text)
        if encrypted:
            if not self.safe_mode:
                raise Refused(503, "safe mode push but no EncodingAESKey configured")
            fmt, fields = wechat.fields_of(
                self.safe_mode.open(fields, request.args.get("msg_signature"), timestamp, nonce))
        return fmt, wechat.message_of(fields)

    def inbound(self, message: BaseMessage) -> Optional[InboundMessage]:
        """The bot's view of ``message``; None for what the bot has nothing to do with."""
        try:
            base = {"channel": self.name(), "sender_id": message.source, "timestamp": message.time or time.time()}
            if message.type == "event":
                if not message.time:
                    raise Refused.malformed("CreateTime is required")
                command = self.events.get(message.event)
                # Events carry no MsgId; WeChat's advice is sender + CreateTime.
                return InboundMessage(message_id=f"{message.source}:{message.time}:{message.event}",
                                      text=command, extra={"event": message.event}, **base) if command else None
            if message.type not in ("text", "image", "voice"):
                logger.info("miniprogram: %s message acknowledged, not passed on", message.type)
                return None
            if not message.id:
                raise Refused.malformed("MsgId is required")
            base["message_id"] = str(message.id)
        except ValueError as e:  # a non-numeric MsgId or CreateTime
            raise Refused.malformed(f"unreadable field: {e}") from None
        if message.type == "text":
            return InboundMessage(text=message.content or "", **base)
        if message.type == "image":
            return InboundMessage(attachments=(image(url=message.image, media_id=message.media_id),), **base)
        attachment = voice(media_id=message.media_id, format=message.format)
        recognition = (message.recognition or "").strip()
        if recognition and self.trust_platform_recognition:
            return InboundMessage(text=recognition, attachments=(attachment,),
                                  extra={"transcript": recognition, "asr_engine": "wechat", "asr_confidence": None},
                                  **base)
        return InboundMessage(attachments=(attachment,),
                              extra={"platform_recognition": recognition} if recognition else {}, **base)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint(f"shop_channel_{type(self).__name__}", inspect.getmodule(self).__name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def handshake(request: Request) -> HTTPResponse:
            try:
                self.check_request(request)
            except Refused as e:
                return refusal(e)
            echo = request.args.get("echostr")
            if not echo:
                return refusal(Refused.malformed("echostr is required"))
            return response.text(echo)

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                timestamp, nonce = self.check_request(request)  # signed in the query: checked before reading
                body = await read_body(request, self.max_body_bytes)
                await self.check_replay(timestamp, nonce, body)
                fmt, message = self.read(request, body, timestamp, nonce)
                inbound = self.inbound(message)
            except Refused as e:
                return refusal(e)
            if inbound is None:
                return response.text(wechat.NO_REPLY)
            output = CollectingOutputChannel()
            if not await self.deliver_in_time(on_new_message, inbound, output, getattr(request.app.ctx, "agent", None)):
                return response.text(wechat.NO_REPLY)
            reply = wechat.passive_reply("\n\n".join(filter(None, map(plain_text, output.messages))), message, fmt)
            if reply == wechat.NO_REPLY:
                return response.text(reply)
            if request.args.get("encrypt_type") == "aes":
                reply = self.safe_mode.seal(reply, fmt, nonce)
            content_type = "application/xml" if fmt == wechat.XML else "application/json"
            return response.text(reply, content_type=f"{content_type}; charset=utf-8")

        return bp


    async def deliver_in_time(self, on_new_message: OnNewMessage, inbound: InboundMessage,
                              output: CollectingOutputChannel, agent: Any = None) -> Optional[InboundMessage]:
        """The delivered message, or None for a duplicate or a turn that will answer late."""
        turn = asyncio.ensure_future(self.deliver(on_new_message, inbound, output, agent))
        if not self.passive_reply_seconds:
            return await turn
        try:
            # shield: the turn goes on when the wait (or the request) ends.
            return await asyncio.wait_for(asyncio.shield(turn), self.passive_reply_seconds)
        except asyncio.TimeoutError:
            logger.info("miniprogram: message %s still running after %.1f s; its replies will be sent "
                        "through the customer-service API", inbound.message_id, self.passive_reply_seconds)
            late = asyncio.ensure_future(self._reply_late(turn, inbound, output))
            self._late_turns.add(late)
            late.add_done_callback(self._late_turns.discard)
            return None

    async def _reply_late(self, turn: asyncio.Future, inbound: InboundMessage, output: CollectingOutputChannel) -> None:
        try:
            await turn
        except Exception:
            logger.exception("miniprogram: late turn for message %s failed", inbound.message_id)
        for text in filter(None, map(plain_text, output.messages)):
            sent = await outbound.send_text(inbound.conversation_id, text, agent="bot")
            if not sent.delivered:
                logger.warning("miniprogram: late reply to message %s not delivered (%s: %s)", inbound.message_id,
                               sent.status, sent.detail)


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


def refusal(e: Refused) -> HTTPResponse:
    return response.text(e.reason, status=e.status)
