"""Rows of Rasa's SQL tracker store (table ``events``) as plain values.

Only what the dashboard reads: who (sender id -> channel), what (type, intent, text,
reply metadata) and when (Rasa's unix timestamp). Rows whose JSON cannot be read
keep their columns and an empty payload, so one damaged row cannot hide the rest.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

logger = logging.getLogger(__name__)

# Sender ids are "<channel>:<platform id>" for the shop's channels (channels/common.py);
# Rasa's REST channel passes the sender as given, so anything else is "rest".
CHANNELS = ("app", "miniprogram", "social")
REST = "rest"

USER, BOT, PAUSE, RESUME, SESSION_STARTED = "user", "bot", "pause", "resume", "session_started"
READ_TYPES = (USER, BOT, PAUSE, RESUME, SESSION_STARTED)


def channel_of(sender_id: str) -> str:
    prefix, sep, _ = str(sender_id).partition(":")
    return prefix if sep and prefix in CHANNELS else REST


@dataclass(frozen=True)
class Event:
    sender_id: str
    type_name: str
    timestamp: float
    intent: Optional[str] = None
    data: Mapping[str, Any] = field(default_factory=dict)
    id: int = 0

    @property
    def channel(self) -> str:
        return channel_of(self.sender_id)

    @property
    def text(self) -> str:
        text = self.data.get("text")
        return text if isinstance(text, str) else ""

    @property
    def agent(self) -> Optional[str]:
        """The human agent who wrote a ``bot`` event, None for the bot's own replies."""
        metadata = self.data.get("metadata")
        agent = metadata.get("agent") if isinstance(metadata, Mapping) else None
        return str(agent) if agent not in (None, "") else None


def event_from_row(id: int, sender_id: str, type_name: str, timestamp: Optional[float],
                   intent_name: Optional[str], data: Optional[str]) -> Optional[Event]:
    """An Event from the columns of one ``events`` row; None for a row without a time."""
    if timestamp is None:
        return None
    payload: Any = {}
    if data:
        try:
            payload = json.loads(data)
        except ValueError:
            logger.warning("events row %s: data is not JSON; read without it", id)
    if not isinstance(payload, dict):
        payload = {}
    return Event(sender_id=str(sender_id), type_name=str(type_name), timestamp=float(timestamp),
                 intent=intent_name or None, data=payload, id=int(id or 0))
