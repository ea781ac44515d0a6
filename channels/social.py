"""Social media: a webhook in Meta's shape (Messenger / Instagram), direct messages and comments.

- ``GET /webhooks/social/webhook?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<n>``:
  the subscription handshake; answered with ``<n>`` when the token is
  ``$SHOP_SOCIAL_VERIFY_TOKEN``.
- ``POST /webhooks/social/webhook`` with ``X-Hub-Signature-256: sha256=<hex>``,
  the HMAC-SHA256 of the raw body under ``$SHOP_SOCIAL_APP_SECRET``::

    {"object": "instagram", "entry": [{"id": "<our account>", "time": 1732500000000,
      "messaging": [{"sender": {"id": "1789"}, "recipient": {"id": "<our account>"}, "timestamp": 1732500000000,
                     "message": {"mid": "m_1", "text": "有M码吗",
                                 "attachments": [{"type": "image", "payload": {"url": "https://..."}}]}}],
      "changes": [{"field": "comments", "value": {"id": "c_1", "text": "怎么退货", "from": {"id": "1789"},
                                                  "media": {"id": "p_9"}}}]}]}

  answers ``{"replies": [...]}``, each a Send API request body for the
  gateway to post: a direct message gets one per bot message
  (``{"recipient": {"id": ...}, "messaging_type": "RESPONSE", "message": {...}}``);
  a comment gets one private reply (``{"recipient": {"comment_id": ...}, "message": {"text": ...}}``),
  because an answer about an order must not be posted under a public post, and
  the platform allows one private reply per comment.

The metadata says ``kind`` (``dm`` or ``comment``) and, for comments, the
``comment_id`` and ``post_id``. Echoes of our own messages, read and delivery
receipts, and comments by our own account are acknowledged and not passed on.
"""
from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import time
from typing import Any, Iterator, Mapping, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import (LATEST_TIMESTAMP, InboundMessage, OnNewMessage, Refused, ShopChannel, image,
                             json_of, json_response, plain_text, read_body, secret, voice)
from shop.inputs import same_secret

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_QUICK_REPLIES, MAX_QUICK_REPLY_TITLE = 13, 20  # the Send API's limits


class SocialInput(ShopChannel):
    @classmethod
    def name(cls) -> Text:
        return "social"

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "SocialInput":
        credentials = credentials or {}
        return cls(app_secret=secret(credentials, "app_secret"), verify_token=secret(credentials, "verify_token"),
                   signature_header=credentials.get("signature_header") or SIGNATURE_HEADER,
                   **cls.common_settings(credentials))

    def __init__(self, app_secret: Optional[str], verify_token: Optional[str] = None,
                 signature_header: str = SIGNATURE_HEADER, **settings: Any) -> None:
        super().__init__(**settings)
        if not app_secret:
            logger.warning("social channel: no app secret configured (SHOP_SOCIAL_APP_SECRET); "
                           "every message is refused")
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.signature_header = signature_header

    def check_signature(self, request: Request, body: bytes) -> None:
        if not self.app_secret:
            raise Refused(503, "social channel not configured")
        given = request.headers.get(self.signature_header)
        if not given:
            raise Refused.unauthenticated(f"{self.signature_header} is required")
        expected = "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
        if not same_secret(given.strip().lower(), expected):
            raise Refused.forbidden("signature mismatch")

    def parse(self, body: bytes) -> list[InboundMessage]:
        """Every message of the delivery, or a refusal before any of them reaches the bot."""
        payload = json_of(body)
        if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
            raise Refused.malformed("body must be an object with an entry list")
        messages = []
        for entry in payload["entry"]:
            if not isinstance(entry, dict):
                raise Refused.malformed("an entry must be an object")
            own_id = str(entry.get("id") or "")
            messages += [m for m in map(self._direct_message, _objects(entry, "messaging")) if m]
            messages += [m for m in (self._comment(c, own_id, entry.get("time")) for c in _objects(entry, "changes")) if m]
        return messages

    def _direct_message(self, event: dict) -> Optional[InboundMessage]:
        message = event.get("message")
        if not isinstance(message, dict) or message.get("is_echo"):
            return None  # read/delivery receipts, reactions, our own messages echoed back
        quick_reply = message.get("quick_reply")
        # A tapped quick reply carries the button's payload, which is what the bot offered.
        text = quick_reply.get("payload") if isinstance(quick_reply, dict) else message.get("text")
        attachments = tuple(_attachments(message.get("attachments")))
        if not (text or attachments):
            return None  # stickers, videos, shares: nothing the bot reads
        return InboundMessage(channel=self.name(), sender_id=_id(event.get("sender")), message_id=message.get("mid"),
                              text=text or "", timestamp=_seconds(event.get("timestamp")), attachments=attachments,
                              extra={"kind": "dm"})

    def _comment(self, change: dict, own_id: str, entry_time: Any) -> Optional[InboundMessage]:
        value = change.get("value")
        if change.get("field") != "comments" or not isinstance(value, dict):
            return None
        author = _id(value.get("from"))
        if author == own_id:
            return None  # our own reply under the post
        comment_id = value.get("id")
        extra = {"kind": "comment", "comment_id": comment_id}
        if isinstance(value.get("media"), dict) and value["media"].get("id"):
            extra["post_id"] = str(value["media"]["id"])
        return InboundMessage(channel=self.name(), sender_id=author, message_id=comment_id,
                              text=value.get("text") or "", timestamp=_seconds(entry_time), extra=extra)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint(f"shop_channel_{type(self).__name__}", inspect.getmodule(self).__name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_response({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.verify_token:
                return refusal(Refused(503, "no verify token configured"))
            given, challenge = request.args.get("hub.verify_token"), request.args.get("hub.challenge")
            if request.args.get("hub.mode") != "subscribe" or not challenge:
                return refusal(Refused.malformed("hub.mode=subscribe and hub.challenge are required"))
            if not given:
                return refusal(Refused.unauthenticated("hub.verify_token is required"))
            if not same_secret(given, self.verify_token):
                return refusal(Refused.forbidden("verify token mismatch"))
            return response.text(challenge)

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = await read_body(request, self.max_body_bytes)
                self.check_signature(request, body)
                messages = self.parse(body)
            except Refused as e:
                return refusal(e)
            replies = []
            for message in messages:
                output = CollectingOutputChannel()
                if await self.deliver(on_new_message, message, output, getattr(request.app.ctx, "agent", None)):
                    replies += send_api_bodies(message, output.messages)
            return json_response({"replies": replies})

        return bp


def send_api_bodies(message: InboundMessage, bot_messages: list[dict]) -> list[dict]:
    if message.extra.get("kind") == "comment":
        text = "\n\n".join(filter(None, map(plain_text, bot_messages)))
        return [{"recipient": {"comment_id": message.extra["comment_id"]}, "message": {"text": text}}] if text else []
    recipient = {"id": message.sender_id}
    return [{"recipient": recipient, "messaging_type": "RESPONSE", "message": m}
            for m in map(_send_api_message, bot_messages) if m]


def _send_api_message(bot_message: Mapping[str, Any]) -> Optional[dict]:
    if bot_message.get("custom"):
        return dict(bot_message["custom"])  # a response written for this platform, passed as it is
    if bot_message.get("image"):
        return {"attachment": {"type": "image", "payload": {"url": bot_message["image"], "is_reusable": True}}}
    if bot_message.get("buttons"):
        return {"text": bot_message.get("text") or "",
                "quick_replies": [{"content_type": "text", "title": str(b.get("title", ""))[:MAX_QUICK_REPLY_TITLE],
                                   "payload": str(b.get("payload") or b.get("title", ""))}
                                  for b in bot_message["buttons"][:MAX_QUICK_REPLIES]]}
    text = plain_text(bot_message)
    return {"text": text} if text else None


def refusal(e: Refused) -> HTTPResponse:
    return json_response({"error": e.reason}, status=e.status)


def _objects(container: dict, key: str) -> Iterator[dict]:
    items = container.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Refused.malformed(f"{key} must be a list of objects")
    return iter(items)


def _id(party: Any) -> Any:
    # A missing or non-string id is left for InboundMessage to refuse.
    return party.get("id") if isinstance(party, dict) else None


def _attachments(raw: Any) -> Iterator[dict]:
    if raw is None:
        return
    if not isinstance(raw, list):
        raise Refused.malformed("attachments must be a list")
    for att in raw:
        payload = att.get("payload") if isinstance(att, dict) else None
        url = payload.get("url") if isinstance(payload, dict) else None
        if not isinstance(url, str) or not url.startswith("https://"):
            continue  # shares, fallbacks and the like carry no media the bot reads
        if att.get("type") == "image":
            yield image(url=url)
        elif att.get("type") == "audio":
            yield voice(url=url)


def _seconds(value: Any) -> float:
    # The platform stamps in milliseconds; some events carry seconds, some none.
    # Out of any clock's range (a 400-digit number has no float): treated as missing.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= LATEST_TIMESTAMP * 1000:
        return time.time()
    return value / 1000 if value > 10**11 else float(value)
