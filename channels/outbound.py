"""Messages that leave outside a request: an agent's reply reaching the shopper on their own channel.

A bot reply rides on the platform's request (a passive reply, the HTTP
response); an agent answers minutes later, so each platform's push path is used:

- app: the shopper's open Server-Sent Events streams (channels.sse.shared_hub);
- miniprogram: WeChat's customer-service message API, body
  ``{"touser": openid, "msgtype": "text", "text": {"content": ...}}`` POSTed to
  ``$SHOP_MINIPROGRAM_SEND_URL`` (``https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token=…``);
- social: the Send API with the HUMAN_AGENT tag (human replies are allowed for
  7 days after the shopper's last message), POSTed to ``$SHOP_SOCIAL_SEND_URL``;
- rest: no push path; the reply is in the conversation for clients that read it.

Nothing is lost when a push fails: the caller records the reply with its delivery status.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Optional

import aiohttp

from channels.sse import shared_hub

logger = logging.getLogger(__name__)

SEND_URL_ENV = {"miniprogram": "SHOP_MINIPROGRAM_SEND_URL", "social": "SHOP_SOCIAL_SEND_URL"}
SEND_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Delivery:
    channel: str
    status: str          # delivered | not_configured | failed | stored (no push path)
    detail: str = ""
    body: dict = field(default_factory=dict)

    @property
    def delivered(self) -> bool:
        return self.status == "delivered"

    def as_json(self) -> dict:
        return {"channel": self.channel, "status": self.status, "detail": self.detail, "body": self.body}


def split_conversation(conversation_id: str) -> tuple[str, str]:
    """("miniprogram", "oAbc") for "miniprogram:oAbc"; REST senders have no prefix."""
    head, sep, rest = conversation_id.partition(":")
    if sep and head in ("app", "miniprogram", "social") and rest:
        return head, rest
    return "rest", conversation_id


def miniprogram_body(openid: str, text: str) -> dict:
    return {"touser": openid, "msgtype": "text", "text": {"content": text}}


def social_body(recipient_id: str, text: str) -> dict:
    return {"recipient": {"id": recipient_id}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
            "message": {"text": text}}


def app_event(text: str, agent: str) -> dict:
    return {"text": text, "from": "agent", "agent": agent}


async def send_text(conversation_id: str, text: str, agent: str, *,
                    session: Optional[aiohttp.ClientSession] = None) -> Delivery:
    """Pushes ``text`` to the shopper behind ``conversation_id`` in their platform's format."""
    channel, recipient = split_conversation(conversation_id)
    if channel == "app":
        body = app_event(text, agent)
        streams = shared_hub().publish(conversation_id, body)
        if streams:
            return Delivery(channel, "delivered", f"{streams} open stream(s)", body)
        return Delivery(channel, "failed", "the shopper has no open app stream", body)
    if channel == "rest":
        return Delivery(channel, "stored", "REST has no push path; the reply is in the conversation")
    body = miniprogram_body(recipient, text) if channel == "miniprogram" else social_body(recipient, text)
    url = os.environ.get(SEND_URL_ENV[channel])
    if not url:
        return Delivery(channel, "not_configured", f"${SEND_URL_ENV[channel]} is not set", body)
    return await _post(channel, url, body, session)


async def _post(channel: str, url: str, body: dict, session: Optional[aiohttp.ClientSession]) -> Delivery:
    own = session is None
    session = session or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS))
    try:
        async with session.post(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                headers={"Content-Type": "application/json; charset=utf-8"}) as resp:
            raw = await resp.read()
            if resp.status >= 300:
                return Delivery(channel, "failed", f"HTTP {resp.status}", body)
            answer = _json_or_none(raw)
            # WeChat answers 200 with an errcode; the Send API answers errors with HTTP codes.
            if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
                return Delivery(channel, "failed", f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:200],
                                body)
            return Delivery(channel, "delivered", f"HTTP {resp.status}", body)
    except (aiohttp.ClientError, asyncio.TimeoutError) as e:
        logger.warning("outbound %s: %s", channel, e)
        return Delivery(channel, "failed", f"{type(e).__name__}: {e}"[:200], body)
    finally:
        if own:
            await session.close()


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
