"""What the shop's channels share: the one internal message, refusals, limits, secrets, delivery.

Every platform message becomes an ``InboundMessage`` before the bot sees it, and
reaches Rasa as a ``UserMessage`` whose metadata the dialogue reads
(``attachments`` with ``type`` image/voice and a ``url``, ``path`` or
``media_id``; ``product_id`` for the product page the shopper is on).

A voice message without text is transcribed before the bot sees it (see
``ShopChannel.deliver``): the transcript becomes the text, and the metadata
keeps the voice attachment (plus ``stored_media_id``, its copy in the media
store) with ``transcript``, ``asr_engine``, ``asr_confidence``, ``asr_language``
and ``voice_seconds``, so the tracker holds both what was sent and what was heard.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, ConversationResumed, UserUttered
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.duplicates import DuplicateStore, MemoryDuplicateStore, RedisDuplicateStore
from shop.inputs import MAX_JSON_DEPTH, BadInput, clean_text, clean_value, is_storable, parse_json
from shop.speech.service import VoiceService, shared_voice_service
from shop.speech.voice import MESSAGES as VOICE_MESSAGES
from shop.speech.voice import VoiceNotUnderstood

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # a chat message with a few attachment references is far smaller
# A chat message, not a document: what NLU costs grows with the text (jieba, regex and CRF
# features run over all of it), so the cap bounds one turn's work (bench/stall.py measures it).
MAX_TEXT_CHARS = 1000
MAX_ID_CHARS = 128  # platform ids (openids, user ids, message ids) are well under this
MAX_URL_CHARS = 2048
MAX_ATTACHMENTS = 10
# The deepest real payload (a social delivery's attachment payload) is 9 levels; deeper
# bodies would only reach recursive code (copying, serialising) further in: MAX_JSON_DEPTH.
LATEST_TIMESTAMP = 32503680000  # the year 3000: anything later is not a clock reading
ATTACHMENT_TYPES = ("image", "voice")
PHOTO_ONLY_INTENT = "/ask_product_info"  # Rasa reads "/intent" as that intent, without NLU

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class Refused(Exception):
    """A request the channel answers with an HTTP error and passes on to nobody."""

    def __init__(self, status: int, reason: str, shopper_text: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        # What a chat window can show the shopper (Chinese), when the refusal is about what
        # they typed (an empty or over-long message) rather than about the client.
        self.shopper_text = shopper_text

    @classmethod
    def malformed(cls, reason: str, shopper_text: str | None = None) -> "Refused":
        return cls(400, reason, shopper_text)

    @classmethod
    def unauthenticated(cls, reason: str) -> "Refused":
        return cls(401, reason)

    @classmethod
    def forbidden(cls, reason: str) -> "Refused":
        return cls(403, reason)


def check_id(value: Any, name: str, limit: int = MAX_ID_CHARS) -> str:
    """A platform or sender id: a string of 1-``limit`` storable characters, else a 400."""
    if not isinstance(value, str) or not 0 < len(value) <= limit or not is_storable(value):
        raise Refused.malformed(f"{name} must be a string of 1-{limit} characters without control characters")
    return value


def image(url: Optional[str] = None, media_id: Optional[str] = None) -> dict:
    return _attachment("image", url=url, media_id=media_id)


def voice(url: Optional[str] = None, media_id: Optional[str] = None, format: Optional[str] = None) -> dict:
    return _attachment("voice", url=url, media_id=media_id, format=format)


def _attachment(kind: str, **refs: Optional[str]) -> dict:
    return {"type": kind, **{k: v for k, v in refs.items() if v}}


@dataclass(frozen=True)
class InboundMessage:
    """One shopper message, whatever platform it came from.

    ``sender_id`` is the platform's id for the shopper; ``timestamp`` is in
    seconds since the epoch; ``extra`` holds what only some platforms say
    (``kind`` comment/dm, ``product_id``, ...) and goes into the metadata as is.
    """

    channel: str
    sender_id: str
    message_id: str
    text: str = ""
    timestamp: float = field(default_factory=time.time)
    attachments: tuple = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_id(self.sender_id, "sender_id")
        check_id(self.message_id, "message_id")
        if not isinstance(self.text, str) or len(self.text) > MAX_TEXT_CHARS:
            raise Refused.malformed(f"text must be a string of at most {MAX_TEXT_CHARS} characters")
        # Kept and answered with replacement characters rather than lost in the tracker store.
        object.__setattr__(self, "text", clean_text(self.text))
        # Compared before any float conversion: an integer of 400 digits has no float.
        if (isinstance(self.timestamp, bool) or not isinstance(self.timestamp, (int, float))
                or not 0 <= self.timestamp <= LATEST_TIMESTAMP):
            raise Refused.malformed("timestamp must be seconds since the epoch")
        if len(self.attachments) > MAX_ATTACHMENTS:
            raise Refused.malformed(f"at most {MAX_ATTACHMENTS} attachments")
        for att in self.attachments:
            if att.get("type") not in ATTACHMENT_TYPES or not (att.get("url") or att.get("media_id")):
                raise Refused.malformed("an attachment needs a type (image or voice) and a url or media_id")
            if att.get("url") is not None:
                check_id(att["url"], "attachment url", MAX_URL_CHARS)
            for key in ("media_id", "format"):
                if att.get(key) is not None:
                    check_id(att[key], f"attachment {key}")
        object.__setattr__(self, "extra", {clean_text(str(k)): clean_value(v) for k, v in self.extra.items()})
        if not self.text.strip() and not self.attachments:
            raise Refused.malformed("a message needs text or an attachment")

    @property
    def conversation_id(self) -> str:
        # Rasa keys conversations by sender id alone; platform ids from different
        # platforms may collide ("42" on the app and on social media).
        return f"{self.channel}:{self.sender_id}"

    @property
    def voice_attachment(self) -> Optional[Mapping[str, Any]]:
        return next((a for a in self.attachments if a.get("type") == "voice"), None)

    @property
    def awaits_transcript(self) -> bool:
        """A voice message that nobody has turned into text yet."""
        return not self.text.strip() and self.voice_attachment is not None

    def heard(self, text: str, extra: Mapping[str, Any], stored_media_id: Optional[str] = None) -> "InboundMessage":
        """This message with ``text`` heard in its voice attachment, and how, in the metadata."""
        voice_att = self.voice_attachment
        attachments = tuple({**a, "stored_media_id": stored_media_id} if a is voice_att and stored_media_id else a
                            for a in self.attachments)
        return dataclasses.replace(self, text=text[:MAX_TEXT_CHARS], attachments=attachments,
                                   extra={**self.extra, **extra})

    def metadata(self) -> dict:
        return {"channel": self.channel, "message_id": self.message_id, "timestamp": self.timestamp,
                "attachments": [dict(a) for a in self.attachments], **self.extra}

    def user_message(self, output: OutputChannel) -> UserMessage:
        text = self.text
        if not text.strip() and any(a.get("type") == "image" for a in self.attachments):
            # A photo alone (WeChat sends text and pictures as separate messages) would read as
            # not understood; as a product question the photo's visual lookup names the product.
            text = PHOTO_ONLY_INTENT
        return UserMessage(text, output, self.conversation_id, input_channel=self.channel,
                           message_id=self.message_id, metadata=self.metadata())


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes.

    The channels' POST routes stream (``stream=True``), so an oversized body is
    refused on its declared length or after ``limit`` bytes, not after Sanic has
    buffered it whole (its own cap is 100 MB).
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"body over {limit} bytes")
    if request.body or request.stream is None:  # a route that does not stream got it read already
        body = request.body or b""
        if len(body) > limit:
            raise Refused(413, f"body over {limit} bytes")
        return body
    chunks, size = [], 0
    async for chunk in request.stream:
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def json_of(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The body as JSON (shop.inputs.parse_json), refused with a 400 when it is not acceptable."""
    try:
        return parse_json(body, max_depth)
    except BadInput as e:
        raise Refused.malformed(str(e)) from None


def json_response(body: Any, status: int = 200, headers: Optional[dict] = None) -> HTTPResponse:
    # Chinese as UTF-8 rather than \u escapes: half the bytes, and readable in logs and curl.
    return response.json(body, status=status, headers=headers, dumps=_dumps)


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def secret(credentials: Mapping[str, Any], key: str) -> Optional[str]:
    """A secret from the environment variable named by ``<key>_env``, else the literal ``<key>``.

    credentials.yml names variables rather than holding secrets, so it can be committed.
    """
    env_name = credentials.get(f"{key}_env")
    value = os.environ.get(env_name) if env_name else None
    value = value or credentials.get(key)
    return str(value) if value else None


def plain_text(message: Mapping[str, Any]) -> str:
    """One bot message for platforms that take only text: buttons become numbered lines.

    ``custom`` payloads are for rich clients that know their shape; they have no text form.
    """
    lines = [message["text"]] if message.get("text") else []
    lines += [f"{i}. {b.get('title', '')}" for i, b in enumerate(message.get("buttons") or [], start=1)]
    lines += [str(message[k]) for k in ("image", "attachment") if message.get(k)]
    return "\n".join(lines)


WAITING_FOR_AGENT = "亲，消息已收到～正在为您安排人工客服，客服接入后会在这里直接回复您，请稍候；不想等了回复「不等了」。"
_QUEUE: list = []


def _handoff_queue():
    """The handoff queue on the shop's store (SHOP_DB_URL, as the action server's), built once."""
    if not _QUEUE:
        from shop.handoff.queue import HandoffQueue
        from shop.store.session import session_factory
        _QUEUE.append(HandoffQueue(session_factory()))
    return _QUEUE[0]


async def waiting_turn(agent: Any, conversation_id: str, text: str) -> Optional[str]:
    """For a shopper waiting in the human queue (shop.handoff.waiting): the answer to 排第几了 / 要等多久,
    or leaving the queue on 算了不等了 (and resuming the bot if it was paused). The exchange is kept in
    the conversation's tracker. None: the message goes to the bot as usual — also after leaving, when
    the message asks for more (不等了 帮我取消订单…)."""
    from shop.handoff import waiting
    # read as if paused (the widest reading) first: most messages are about nothing in the queue
    if getattr(agent, "tracker_store", None) is None or waiting.reading(text, paused=True) is None:
        return None
    try:
        tracker = await agent.tracker_store.retrieve(conversation_id)
        last_bot = next((e for e in reversed(tracker.events) if getattr(e, "type_name", "") == "bot"), None) \
            if tracker else None
        # 算了 right after being told about the queue (or while paused for it) is about the queue
        about_queue = bool(tracker and tracker.is_paused()) or "不等了" in (getattr(last_bot, "text", "") or "")
        kind = waiting.reading(text, paused=about_queue)
        if kind is None:
            return None
        queue = _handoff_queue()
        view = await asyncio.to_thread(queue.open_for, conversation_id)
        if view is None or view.status != "waiting":
            return None
        if kind == "leave":
            await asyncio.to_thread(queue.leave, conversation_id)
            await _append_events(agent, conversation_id, [ConversationResumed()], only_if_paused=True)
            if waiting.rest_of(text):
                return None
            reply = waiting.LEFT
        else:
            online = await asyncio.to_thread(queue.agents_online)
            minutes = await asyncio.to_thread(queue.expected_wait_minutes, view.position or 1)
            reply = waiting.wait_text(view.position, minutes, online)
    except Exception:
        logger.exception("waiting: the queue could not be read for %s", conversation_id)
        return None
    await _append_events(agent, conversation_id, [UserUttered(text), BotUttered(reply)])
    return reply


async def _append_events(agent: Any, conversation_id: str, events: list, only_if_paused: bool = False) -> None:
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.get_or_create_tracker(conversation_id)
        if only_if_paused and not tracker.is_paused():
            return
        for event in events:
            tracker.update(event, agent.domain)
        await agent.tracker_store.save(tracker)


async def waiting_notice(agent: Any, conversation_id: str) -> Optional[str]:
    """What to tell a shopper the bot did not answer because their conversation waits for a human
    (paused by the handoff) and no agent has written yet: their message was kept. None otherwise
    (the bot answered, or an agent is already talking with them)."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    tracker = await store.retrieve(conversation_id)
    if tracker is None or not tracker.is_paused():
        return None
    last = next((e for e in reversed(tracker.events) if getattr(e, "type_name", "") == "bot"), None)
    if last is not None and (getattr(last, "metadata", None) or {}).get("agent"):
        return None
    return WAITING_FOR_AGENT


class ShopChannel(InputChannel):
    """Body limit, duplicate suppression, voice and delivery to the bot, as the three channels use them.

    ``voice`` transcribes voice messages; without one (a channel built by hand)
    they reach the bot as they came, with whatever text the platform gave.
    """

    def __init__(self, max_body_bytes: int = MAX_BODY_BYTES, duplicates: Optional[DuplicateStore] = None,
                 voice: Optional[VoiceService] = None) -> None:
        self.max_body_bytes = max_body_bytes
        self.duplicates = MemoryDuplicateStore() if duplicates is None else duplicates
        self.voice = voice

    @staticmethod
    def common_settings(credentials: Mapping[str, Any]) -> dict:
        settings: dict = {}
        if credentials.get("max_body_bytes"):
            settings["max_body_bytes"] = int(credentials["max_body_bytes"])
        ttl = float(credentials.get("duplicate_ttl_seconds") or 24 * 3600)
        redis_url = secret(credentials, "duplicate_store_url")  # a URL may hold a password
        settings["duplicates"] = (RedisDuplicateStore(redis_url, ttl_seconds=ttl) if redis_url
                                  else MemoryDuplicateStore(ttl_seconds=ttl))
        settings["voice"] = shared_voice_service()  # SHOP_ASR_* and SHOP_MEDIA_* from the environment
        return settings

    async def deliver(self, on_new_message: OnNewMessage, message: InboundMessage,
                      output: OutputChannel, agent: Any = None) -> Optional[InboundMessage]:
        """Runs the bot on ``message`` unless its id was delivered before (then None).

        Returns the message as handled: with its transcript as text when it was
        voice. A voice message that cannot be heard is answered on ``output``
        with the reason and what to do instead, and not passed to the bot.
        """
        if not await self.duplicates.claim(f"{message.channel}:{message.message_id}"):
            logger.info("%s: message %s delivered again; not passed to the bot", message.channel, message.message_id)
            return None
        if self.voice is not None and message.awaits_transcript:
            try:
                message = await self.transcribe(message)
            except VoiceNotUnderstood as e:
                # The shopper hears why and what to do instead; the bot is not asked to guess.
                logger.info("%s: voice message %s not understood: %s", message.channel, message.message_id, e)
                await output.send_text_message(message.conversation_id, e.message)
                return dataclasses.replace(message, extra={**message.extra, "voice_error": e.code})
        # 排第几了 / 算了不等了 while waiting for a human: the queue answers (shop.handoff.waiting)
        waited = await waiting_turn(agent, message.conversation_id, message.text or "") if agent is not None else None
        if waited is not None:
            await output.send_text_message(message.conversation_id, waited)
            return message
        # The id stays claimed even when the bot fails: a failed turn may already
        # have acted (cancelled an order), and running it twice is worse than once.
        try:
            await on_new_message(message.user_message(output))
        except Exception:
            # As Rasa's REST channel: log and answer with what was said so far.
            logger.exception("%s: the bot failed on message %s", message.channel, message.message_id)
        return message

    async def transcribe(self, message: InboundMessage) -> InboundMessage:
        try:
            stored, heard = await self.voice.hear(message.voice_attachment)
        except VoiceNotUnderstood:
            raise
        except Exception:
            logger.exception("%s: voice message %s failed", message.channel, message.message_id)
            raise VoiceNotUnderstood("recognition_failed", VOICE_MESSAGES["recognition_failed"]) from None
        t = heard.transcript
        return message.heard(t.text, {"transcript": t.text, "asr_engine": t.engine, "asr_confidence": t.confidence,
                                      "asr_language": t.language, "voice_seconds": heard.seconds},
                             stored_media_id=stored.media_id)
