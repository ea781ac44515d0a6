"""Rasa's REST channel, kept at its URL and in its JSON, with the shop's limits and no trust in the body.

``POST /webhooks/rest/webhook`` ``{"sender": "demo", "message": "我的快递到哪了", "metadata": {...}}``
answers a JSON list of bot messages, as Rasa's own ``rest`` channel does (``?stream=true``:
one JSON message per line as they are sent). Listed in credentials.yml as
``channels.rest.RestInput`` in place of ``rest:``.

What it does differently from Rasa's:

- The REST channel is for development, tests and demos. ``mode: demo`` (what ``make run``
  uses) serves loopback clients only and needs no token; ``mode: token`` serves any
  address that sends ``Authorization: Bearer $SHOP_REST_TOKEN`` (``token_env``); with no
  token configured it refuses everything (503). Production leaves the channel out of
  credentials.yml or runs it with a token (README, "Production").
- Who the sender is comes from the channel, never from the body: ``input_channel`` in the
  body is ignored (the channel is always ``rest``), and a sender id may not contain ``:``,
  which the platform channels' conversation ids (``app:…``, ``miniprogram:…``) use, so a
  REST sender can never write into a platform shopper's conversation. A REST sender id is
  not a credential: it is bound to a shopper only by the one-time code step (shop.identity),
  except the one demo sender the demo seed binds.
- Bounded work: the body is refused over ``max_body_bytes`` (413) and the text over
  ``max_text_chars`` (400) before any NLU runs.
- No silent loss and no server errors: every malformed body (not JSON, not an object,
  wrong types, nesting deeper than 20 levels, ``metadata`` that is not an object) is a 400
  and reaches nobody; unstorable characters (lone surrogates, NUL) are replaced with
  U+FFFD, and the message is kept and answered; a turn that fails is a 503 that says so,
  never a 200 with nothing recorded.
"""
from __future__ import annotations

import ipaddress
import logging
from typing import Any, Awaitable, Callable, Mapping, Optional, Text, Union

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels.common import (MAX_BODY_BYTES, MAX_ID_CHARS, MAX_TEXT_CHARS, Refused, check_id, clean_text,
                             clean_value, json_of, json_response, read_body, secret, waiting_notice,
                             waiting_turn)
from shop.inputs import same_secret

logger = logging.getLogger(__name__)

MODES = ("demo", "token")


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "RestInput":
        credentials = credentials or {}
        return cls(mode=str(credentials.get("mode") or "token"), token=secret(credentials, "token"),
                   max_body_bytes=int(credentials.get("max_body_bytes") or MAX_BODY_BYTES),
                   max_text_chars=int(credentials.get("max_text_chars") or MAX_TEXT_CHARS))

    def __init__(self, mode: str = "token", token: Optional[str] = None, max_body_bytes: int = MAX_BODY_BYTES,
                 max_text_chars: int = MAX_TEXT_CHARS) -> None:
        if mode not in MODES:
            raise ValueError(f"rest channel: mode must be one of {MODES}, got {mode!r}")
        if not 0 < max_text_chars <= MAX_TEXT_CHARS:
            raise ValueError(f"rest channel: max_text_chars must be 1-{MAX_TEXT_CHARS}")
        self.mode = mode
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.max_text_chars = max_text_chars
        if mode == "token" and not token:
            logger.warning("rest channel: mode token but no token configured (SHOP_REST_TOKEN); "
                           "every request is refused")
        if mode == "demo":
            logger.warning("rest channel in demo mode: loopback clients only, sender ids unauthenticated "
                           "(the demo sender is bound to the demo shopper; others identify by SMS code)")

    # -- who may call ---------------------------------------------------------------------
    def check_caller(self, request: Request) -> None:
        if self.token:
            scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
            if scheme.lower() != "bearer" or not given:
                raise Refused.unauthenticated("bearer token required")
            if not same_secret(given.strip(), self.token):
                raise Refused.unauthenticated("invalid token")
            return
        if self.mode == "token":
            raise Refused(503, "rest channel not configured")
        if not _is_loopback(request.ip):
            raise Refused.forbidden("the demo REST channel serves this machine only")

    # -- what was sent -------------------------------------------------------------------------
    def parse(self, body: bytes) -> tuple[str, str, Optional[dict]]:
        """Sender, text and metadata of a request body, or a 400 before anything reaches the bot."""
        payload = json_of(body)
        if not isinstance(payload, dict):
            raise Refused.malformed('body must be a JSON object {"sender": ..., "message": ...}')
        sender = check_id(payload.get("sender"), "sender", MAX_ID_CHARS)
        if ":" in sender:
            # "app:u-1001" is the app channel's conversation id: a REST sender may not write into it.
            raise Refused.malformed("sender must not contain ':'")
        text = payload.get("message")
        if not isinstance(text, str) or not text.strip():
            raise Refused.malformed("message must be a non-empty string",
                                    "亲，消息是空的～请输入您想咨询的内容，比如商品、尺码、订单或售后问题。")
        if len(text) > self.max_text_chars:
            raise Refused.malformed(f"message is longer than {self.max_text_chars} characters",
                                    f"亲，消息太长了（最多 {self.max_text_chars} 字），请分几条发送或精简一下～")
        metadata = payload.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise Refused.malformed("metadata must be an object")
        # "input_channel" in the body is ignored on purpose: the channel is what received the message.
        return sender, clean_text(text), clean_value(metadata) if metadata else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            try:
                self.check_caller(request)  # before reading: no body is read for a stranger
                sender, text, metadata = self.parse(await read_body(request, self.max_body_bytes))
            except Refused as e:
                return refusal(e)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(self.stream_response(on_new_message, text, sender, self.name(), metadata),
                                       content_type="text/event-stream")
            # 排第几了 / 算了不等了 while waiting for a human: the queue answers (shop.handoff.waiting)
            waited = await waiting_turn(getattr(request.app.ctx, "agent", None), sender, text)
            if waited is not None:
                return response.json([{"recipient_id": sender, "text": waited}])
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=metadata))
            except Exception:
                logger.exception("rest: the bot failed on a message from %s", sender)
                # Not a 200: the client must know the message may not have been kept.
                return json_response({"error": "the message could not be handled; please send it again",
                                      "messages": collector.messages}, status=503)
            messages = collector.messages
            if not messages:    # queued for a human: say the message was kept rather than nothing
                notice = await waiting_notice(getattr(request.app.ctx, "agent", None), sender)
                if notice:
                    messages = [{"recipient_id": sender, "text": notice}]
            return response.json(messages)

        return bp


def _is_loopback(ip: Optional[str]) -> bool:
    try:
        return ipaddress.ip_address((ip or "").strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(e: Refused) -> HTTPResponse:
    headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else None
    body = {"error": e.reason, **({"message": e.shopper_text} if e.shopper_text else {})}
    return json_response(body, status=e.status, headers=headers)
