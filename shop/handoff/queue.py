"""The human queue: conversations waiting for an agent, being served, or handed back.

One open handoff (waiting or active) per conversation: asking twice keeps the
shopper's place rather than queueing them behind themselves.

Senders who have not proven who they are (shop.identity) are rate-limited: anyone
can invent REST sender ids, so without limits two messages the bot does not
understand, sent from any number of made-up senders, would fill the queue and push
real shoppers back. Verified shoppers are never limited. Each handoff records how it
was triggered (the rule and the shopper's words) and whether the sender was verified,
for the agent who picks it up.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shop.store import models as m
from shop.store.clock import china_now

REASONS = ("asked", "not_understood", "angry_complaint", "unresolved")
REASON_LABELS = {"asked": "顾客要求人工", "not_understood": "机器人连续未理解",
                 "angry_complaint": "情绪激动的投诉", "unresolved": "机器人未能解决"}
OPEN = ("waiting", "active")
MAX_SUMMARY_CHARS = 500
MAX_TRIGGER_WORDS, MAX_TRIGGER_CHARS = 3, 200
MAX_ID = 2 ** 31 - 1  # ids are 32-bit integer columns; larger numbers name nothing
TRIGGER_LABELS = {"asked": "顾客要求转人工", "not_understood": "机器人连续两次没有理解",
                  "angry_complaint": "投诉被规则标记（情绪激动、安全问题或重复投诉）",
                  "unresolved": "机器人未能解决"}


@dataclass(frozen=True)
class HandoffLimits:
    """How many handoffs unverified senders may open (verified shoppers: no limit).

    Per conversation, and per channel: REST sender ids cost nothing to invent, so REST
    gets the tightest channel-wide caps; platform ids at least come from an account.
    """
    per_conversation_per_day: int = 2
    waiting_per_channel: Mapping[str, int] = field(default_factory=lambda: {"rest": 5, "*": 30})
    opened_per_channel_per_hour: Mapping[str, int] = field(default_factory=lambda: {"rest": 10, "*": 60})

    def cap(self, caps: Mapping[str, int], channel: str) -> int:
        return caps.get(channel, caps.get("*", 0))


class HandoffError(Exception):
    """A queue operation that does not apply (unknown id, taken by someone else, closed)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class HandoffLimited(HandoffError):
    """An unverified sender over the handoff limits: nothing was queued."""

    def __init__(self, scope: str) -> None:
        super().__init__("limited", f"unverified handoffs over the {scope} limit")
        self.scope = scope


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    channel: str
    reason: str
    status: str
    agent: Optional[str]
    summary: str
    context: dict
    created_at: dt.datetime
    taken_at: Optional[dt.datetime]
    closed_at: Optional[dt.datetime]
    position: Optional[int] = None  # 1 = next to be served; None unless waiting
    verified: bool = False
    trigger: dict = field(default_factory=dict)

    @property
    def trigger_label(self) -> str:
        """How the handoff came about, in a sentence for the agent: the rule and the shopper's words."""
        label = TRIGGER_LABELS.get(self.reason, self.reason)
        words = [w for w in self.trigger.get("words") or [] if isinstance(w, str) and w]
        if words:
            label += "：" + "、".join(f"「{w}」" for w in words)
        if self.trigger.get("intent"):
            label += f"（识别为 {self.trigger['intent']}）"
        return label + ("" if self.verified else "；顾客未验证身份")

    def as_json(self) -> dict:
        return {"id": self.id, "conversation_id": self.conversation_id, "channel": self.channel,
                "verified": self.verified, "trigger": self.trigger, "trigger_label": self.trigger_label,
                "reason": self.reason, "reason_label": REASON_LABELS.get(self.reason, self.reason),
                "status": self.status, "agent": self.agent, "summary": self.summary, "context": self.context,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "taken_at": self.taken_at.isoformat(timespec="seconds") if self.taken_at else None,
                "closed_at": self.closed_at.isoformat(timespec="seconds") if self.closed_at else None,
                "position": self.position}


def channel_of_conversation(conversation_id: str) -> str:
    """The channel part of a sender id ("miniprogram:oAbc" → miniprogram); REST senders have none."""
    head, sep, _ = conversation_id.partition(":")
    return head if sep and head.isidentifier() else "rest"


class HandoffQueue:
    def __init__(self, sessions: sessionmaker, clock: Callable[[], dt.datetime] = china_now,
                 limits: HandoffLimits = HandoffLimits()) -> None:
        self.sessions = sessions
        self.clock = clock
        self.limits = limits

    def enqueue(self, conversation_id: str, reason: str, summary: str = "",
                context: Optional[Mapping[str, Any]] = None, *, verified: bool = False,
                trigger: Optional[Mapping[str, Any]] = None) -> HandoffView:
        """Queues the conversation (or returns its open handoff, with its place kept).

        ``verified``: the sender has proven who they are; otherwise the limits apply and
        ``HandoffLimited`` says nothing was queued. ``trigger``: ``words`` (the shopper's
        messages that led here) and ``intent``, shown to the agent.
        """
        if reason not in REASONS:
            raise ValueError(f"unknown handoff reason {reason!r}")
        if not conversation_id or len(conversation_id) > 160:
            raise ValueError("conversation id must be 1-160 characters")
        trigger = _trigger(trigger)
        with self.sessions() as s, s.begin():
            row = self._open_row(s, conversation_id)
            if row is None:
                channel = channel_of_conversation(conversation_id)
                now = self.clock()
                if not verified:
                    self._check_limits(s, conversation_id, channel, now)
                row = m.Handoff(conversation_id=conversation_id, channel=channel,
                                reason=reason, status="waiting", summary=(summary or "")[:MAX_SUMMARY_CHARS],
                                context=json.dumps(dict(context or {}), ensure_ascii=False),
                                verified=bool(verified), trigger=json.dumps(trigger, ensure_ascii=False),
                                created_at=now)
                s.add(row)
                s.flush()
            return self._view(s, row)

    def _check_limits(self, s: Session, conversation_id: str, channel: str, now: dt.datetime) -> None:
        unverified = (m.Handoff.verified.is_(False),)
        mine = s.scalar(select(func.count()).select_from(m.Handoff).where(
            m.Handoff.conversation_id == conversation_id, m.Handoff.created_at > now - dt.timedelta(days=1)))
        if mine >= self.limits.per_conversation_per_day:
            raise HandoffLimited("conversation")
        waiting = s.scalar(select(func.count()).select_from(m.Handoff).where(
            *unverified, m.Handoff.channel == channel, m.Handoff.status == "waiting"))
        if waiting >= self.limits.cap(self.limits.waiting_per_channel, channel):
            raise HandoffLimited("waiting")
        opened = s.scalar(select(func.count()).select_from(m.Handoff).where(
            *unverified, m.Handoff.channel == channel, m.Handoff.created_at > now - dt.timedelta(hours=1)))
        if opened >= self.limits.cap(self.limits.opened_per_channel_per_hour, channel):
            raise HandoffLimited("hourly")

    def get(self, handoff_id: int) -> HandoffView:
        with self.sessions() as s:
            return self._view(s, self._row(s, handoff_id))

    def open_for(self, conversation_id: str) -> Optional[HandoffView]:
        with self.sessions() as s:
            row = self._open_row(s, conversation_id)
            return self._view(s, row) if row is not None else None

    def position(self, conversation_id: str) -> Optional[int]:
        view = self.open_for(conversation_id)
        return view.position if view else None

    def board(self, closed_limit: int = 20) -> list[HandoffView]:
        """Open handoffs (waiting first, oldest first) and the most recently closed ones."""
        with self.sessions() as s:
            open_rows = s.scalars(select(m.Handoff).where(m.Handoff.status.in_(OPEN))
                                  .order_by(m.Handoff.status.desc(), m.Handoff.created_at, m.Handoff.id)).all()
            closed = s.scalars(select(m.Handoff).where(m.Handoff.status == "closed")
                               .order_by(m.Handoff.closed_at.desc(), m.Handoff.id.desc()).limit(closed_limit)).all()
            # Waiting rows come first in queue order, so their position is their place in the list.
            return [self._view(s, r, position=i + 1 if r.status == "waiting" else None)
                    for i, r in enumerate([*open_rows, *closed])]

    def take(self, handoff_id: int, agent: str) -> HandoffView:
        """An agent takes the conversation over; taking one's own again is harmless."""
        with self.sessions() as s, s.begin():
            row = self._open_to(s, handoff_id, agent)
            if row.status == "waiting":
                row.status, row.agent, row.taken_at = "active", agent, self.clock()
            return self._view(s, row)

    def agents_online(self) -> int:
        """Agents signed in to the workbench now (an unexpired session of an active account)."""
        with self.sessions() as s:
            return s.scalar(select(func.count(func.distinct(m.AgentSession.agent_id)))
                            .join(m.Agent, m.Agent.id == m.AgentSession.agent_id)
                            .where(m.AgentSession.expires_at > self.clock(), m.Agent.active.is_(True))) or 0

    def leave(self, conversation_id: str) -> Optional[HandoffView]:
        """The shopper gives up waiting (算了/不等了): the waiting handoff is closed, unserved.
        None when nothing was waiting (an agent already serving keeps the conversation)."""
        with self.sessions() as s, s.begin():
            row = self._open_row(s, conversation_id)
            if row is None or row.status != "waiting":
                return None
            row.status, row.closed_at = "closed", self.clock()
            return self._view(s, row)

    def expected_wait_minutes(self, position: int) -> Optional[int]:
        """About how long the shopper at ``position`` waits: the median time the last 50 taken handoffs
        waited (taken_at − created_at), times the place in the queue; None without any history
        (the shopper is then told the place only)."""
        with self.sessions() as s:
            rows = s.execute(select(m.Handoff.created_at, m.Handoff.taken_at).where(m.Handoff.taken_at.is_not(None))
                             .order_by(m.Handoff.taken_at.desc()).limit(50)).all()
        waits = sorted(max(0.0, (taken - created).total_seconds() / 60) for created, taken in rows)
        if not waits:
            return None
        median = waits[len(waits) // 2]
        return max(1, round(median * max(1, position)))

    def release(self, handoff_id: int, agent: str) -> HandoffView:
        """Hands the conversation back to the bot; only the agent serving it may."""
        with self.sessions() as s, s.begin():
            row = self._open_to(s, handoff_id, agent)
            row.status, row.closed_at = "closed", self.clock()
            if row.agent is None:  # handed back straight from the queue
                row.agent = agent
            return self._view(s, row)

    def check_serving(self, handoff_id: int, agent: str) -> HandoffView:
        """The handoff, if ``agent`` is the one serving it (required before replying)."""
        view = self.get(handoff_id)
        if view.status != "active":
            raise HandoffError("not_active", "请先接手这个会话再回复")
        if view.agent != agent:
            raise HandoffError("taken", f"这个会话由 {view.agent} 负责")
        return view

    def last_agent(self, conversation_id: str, since: dt.datetime) -> Optional[str]:
        """Who served the conversation most recently after ``since`` (for ratings)."""
        with self.sessions() as s:
            return s.scalar(select(m.Handoff.agent).where(
                m.Handoff.conversation_id == conversation_id, m.Handoff.agent.is_not(None),
                m.Handoff.taken_at.is_not(None), m.Handoff.created_at >= since)
                .order_by(m.Handoff.created_at.desc()).limit(1))

    @staticmethod
    def _open_row(s: Session, conversation_id: str) -> Optional[m.Handoff]:
        return s.scalars(select(m.Handoff).where(m.Handoff.conversation_id == conversation_id,
                                                 m.Handoff.status.in_(OPEN))
                         .order_by(m.Handoff.id).limit(1)).first()

    def _open_to(self, s: Session, handoff_id: int, agent: str) -> m.Handoff:
        """The handoff's row, locked, if it is waiting or served by ``agent``."""
        row = self._row(s, handoff_id, for_update=True)
        if row.status == "closed":
            raise HandoffError("closed", "这个会话已经交还机器人")
        if row.status == "active" and row.agent != agent:
            raise HandoffError("taken", f"这个会话已由 {row.agent} 接手")
        return row

    @staticmethod
    def _row(s: Session, handoff_id: int, for_update: bool = False) -> m.Handoff:
        if not isinstance(handoff_id, int) or isinstance(handoff_id, bool) or not 0 < handoff_id <= MAX_ID:
            raise HandoffError("unknown", "没有这个会话")
        query = select(m.Handoff).where(m.Handoff.id == handoff_id)
        # Two agents clicking 接手 at once: PostgreSQL serialises them on the row lock
        # (SQLite's single writer does the same without it).
        row = s.scalars(query.with_for_update() if for_update else query).first()
        if row is None:
            raise HandoffError("unknown", "没有这个会话")
        return row

    @staticmethod
    def _view(s: Session, row: m.Handoff, position: Optional[int] = None) -> HandoffView:
        if row.status == "waiting" and position is None:
            position = 1 + s.scalar(select(func.count()).select_from(m.Handoff).where(
                m.Handoff.status == "waiting",
                (m.Handoff.created_at < row.created_at)
                | ((m.Handoff.created_at == row.created_at) & (m.Handoff.id < row.id))))
        return HandoffView(id=row.id, conversation_id=row.conversation_id, channel=row.channel, reason=row.reason,
                           status=row.status, agent=row.agent, summary=row.summary, context=_loads(row.context),
                           created_at=row.created_at, taken_at=row.taken_at, closed_at=row.closed_at,
                           position=position, verified=bool(row.verified), trigger=_loads(row.trigger))


def _loads(text: Optional[str]) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _trigger(raw: Optional[Mapping[str, Any]]) -> dict:
    """What is kept of a trigger: a few of the shopper's words, cut short, and the intent."""
    raw = raw or {}
    words = [str(w)[:MAX_TRIGGER_CHARS] for w in (raw.get("words") or []) if str(w).strip()][-MAX_TRIGGER_WORDS:]
    out: dict = {"words": words}
    if raw.get("intent"):
        out["intent"] = str(raw["intent"])[:64]
    return out
