"""The review queue in SQL: masked messages grouped by likeness, labelled by two reviewers.

A message enters as a ``Candidate`` (already masked: shop.review.masking) and joins the
group whose normalised text it equals, or one it nearly equals (difflib's ratio ≥
``SIMILAR``, e.g. 快递咋还不动 / 快递咋还不动啊), or starts a new group. A group is
labelled by one reviewer (an intent from the domain, or ``NOISE``), then confirmed by a
second; a second reviewer who disagrees overrides, and the label then waits for someone
other than the overrider. Every decision is kept in ``review_labels``; only confirmed
groups become training data (shop.review.export).
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Optional

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from shop.review.masking import MASK_RE, MASKS
from shop.store import models as m
from shop.store.clock import china_now
from shop.text.normalize import normalize

NOISE = "noise"           # not a message anyone could answer (keyboard mash, stray characters)
SIMILAR = 0.85            # difflib ratio at which two normalised messages count as the same question
NEAR_WINDOW = 2000        # groups compared for near-duplicates: the most recently seen
MAX_ENTITIES = 10
MAX_ITEMS_SHOWN = 20
ENTITY_NAME = re.compile(r"^[a-z_]{1,32}$")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


class ReviewError(ValueError):
    """``code``: unknown (no such group), invalid (bad label), conflict (state forbids it),
    same_reviewer (a confirmation must come from someone else)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Candidate:
    """One message to review, masked. ``top_intents``: [[intent, confidence]] best first (≤ 3);
    ``entities``: [{start, end, entity, value}] on ``text``; ``context``: [{who, text}]."""
    source: str
    conversation: str
    channel: str
    occurred_at: dt.datetime
    text: str
    reasons: list[str]
    top_intents: list = field(default_factory=list)
    entities: list = field(default_factory=list)
    context: list = field(default_factory=list)


@lru_cache(maxsize=8192)  # each add compares with up to NEAR_WINDOW groups' texts: normalise each once
def group_key(text: str) -> str:
    """Normalised for likeness: simplified, half-width, lower case, no spaces or punctuation;
    placeholders kept (two messages differing only by a phone number are the same question)."""
    parts, last = [], 0
    for found in MASK_RE.finditer(text):
        parts.append(_DROP.sub("", normalize(text[last:found.start()]).lower()))
        parts.append(found.group())
        last = found.end()
    parts.append(_DROP.sub("", normalize(text[last:]).lower()))
    return "".join(parts)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class ReviewQueue:
    def __init__(self, sessions: sessionmaker, clock: Callable[[], dt.datetime] = china_now) -> None:
        self.sessions = sessions
        self.clock = clock

    # -- collecting ------------------------------------------------------------------------
    def add(self, c: Candidate) -> Optional[int]:
        """The group the candidate joined; None when its source was collected before."""
        key = group_key(c.text)
        if not key:
            return None
        try:
            return self._add(c, key)
        except IntegrityError:  # the same source (or a new group's key) added concurrently by another collector
            return None

    def _add(self, c: Candidate, key: str) -> Optional[int]:
        now = self.clock()
        with self.sessions() as s, s.begin():
            if s.scalar(select(m.ReviewItem.id).where(m.ReviewItem.source == c.source)) is not None:
                return None
            group = s.scalars(select(m.ReviewGroup).where(m.ReviewGroup.key == _digest(key))).first() \
                or self._near(s, key)
            if group is None:
                group = m.ReviewGroup(key=_digest(key), text=c.text, count=0, status="open", entities=json.dumps(
                    c.entities, ensure_ascii=False), first_seen=c.occurred_at, last_seen=c.occurred_at)
                s.add(group)
                s.flush()
            group.count += 1
            group.last_seen = max(group.last_seen, c.occurred_at)
            s.add(m.ReviewItem(group_id=group.id, source=c.source, conversation=c.conversation, channel=c.channel,
                               occurred_at=c.occurred_at, text=c.text, reasons=" ".join(c.reasons)[:128],
                               top_intents=json.dumps(c.top_intents[:3], ensure_ascii=False),
                               entities=json.dumps(c.entities, ensure_ascii=False),
                               context=json.dumps(c.context, ensure_ascii=False), created_at=now))
            s.flush()
            return group.id

    def add_reason(self, source: str, reason: str) -> Optional[int]:
        """Adds ``reason`` to an item already in the queue (an agent flags what the collector found);
        its group's id, None when no item has this source."""
        with self.sessions() as s, s.begin():
            item = s.scalars(select(m.ReviewItem).where(m.ReviewItem.source == source)).first()
            if item is None:
                return None
            reasons = item.reasons.split()
            if reason not in reasons:
                item.reasons = " ".join([reason] + reasons)[:128]
            return item.group_id

    def _near(self, s, key: str) -> Optional[m.ReviewGroup]:
        recent = s.scalars(select(m.ReviewGroup).order_by(m.ReviewGroup.last_seen.desc()).limit(NEAR_WINDOW)).all()
        best, best_ratio = None, SIMILAR
        for group in recent:
            other = group_key(group.text)
            if not 0.75 <= len(other) / max(1, len(key)) <= 1.33:
                continue
            matcher = difflib.SequenceMatcher(None, key, other, autojunk=False)
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = group, ratio
        return best

    # -- reading ---------------------------------------------------------------------------
    def counts(self) -> dict:
        with self.sessions() as s:
            rows = s.execute(select(m.ReviewGroup.status, func.count(), func.sum(m.ReviewGroup.count))
                             .group_by(m.ReviewGroup.status)).all()
        out = {status: {"groups": 0, "messages": 0} for status in m.REVIEW_STATUSES}
        for status, groups, messages in rows:
            out[status] = {"groups": int(groups), "messages": int(messages or 0)}
        return out

    def groups(self, status: str = "open", limit: int = 50, offset: int = 0) -> list[dict]:
        """Groups in ``status`` ("all" for every one), most frequent first."""
        if status != "all" and status not in m.REVIEW_STATUSES:
            raise ReviewError("invalid", f"status must be one of {', '.join(m.REVIEW_STATUSES)} or all")
        with self.sessions() as s:
            q = select(m.ReviewGroup)
            if status != "all":
                q = q.where(m.ReviewGroup.status == status)
            q = q.order_by(m.ReviewGroup.count.desc(), m.ReviewGroup.last_seen.desc(), m.ReviewGroup.id)
            rows = s.scalars(q.limit(max(1, min(200, limit))).offset(max(0, offset))).all()
            tops = self._first_items(s, [g.id for g in rows])
            return [self._group_json(g, tops.get(g.id)) for g in rows]

    def group(self, group_id: int) -> dict:
        with self.sessions() as s:
            g = s.get(m.ReviewGroup, group_id)
            if g is None:
                raise ReviewError("unknown", "没有这组消息")
            items = s.scalars(select(m.ReviewItem).where(m.ReviewItem.group_id == g.id)
                              .order_by(m.ReviewItem.occurred_at.desc()).limit(MAX_ITEMS_SHOWN)).all()
            labels = s.scalars(select(m.ReviewLabel).where(m.ReviewLabel.group_id == g.id)
                               .order_by(m.ReviewLabel.id)).all()
            out = self._group_json(g, items[-1] if items else None)
            out["items"] = [{"text": i.text, "channel": i.channel, "occurred_at": i.occurred_at.isoformat(),
                             "reasons": i.reasons.split(), "top_intents": json.loads(i.top_intents),
                             "entities": json.loads(i.entities), "context": json.loads(i.context)} for i in items]
            out["history"] = [{"reviewer": x.reviewer, "action": x.action, "intent": x.intent,
                               "entities": json.loads(x.entities), "at": x.created_at.isoformat()} for x in labels]
            return out

    @staticmethod
    def _first_items(s, ids: list[int]) -> dict:
        if not ids:
            return {}
        first = select(func.min(m.ReviewItem.id)).where(m.ReviewItem.group_id.in_(ids)).group_by(m.ReviewItem.group_id)
        return {i.group_id: i for i in s.scalars(select(m.ReviewItem).where(m.ReviewItem.id.in_(first))).all()}

    @staticmethod
    def _group_json(g: m.ReviewGroup, item: Optional[m.ReviewItem]) -> dict:
        return {"id": g.id, "text": g.text, "count": g.count, "status": g.status, "intent": g.intent,
                "entities": json.loads(g.entities or "[]"), "labelled_by": g.labelled_by,
                "confirmed_by": g.confirmed_by, "exported_in": g.exported_in,
                "first_seen": g.first_seen.isoformat(), "last_seen": g.last_seen.isoformat(),
                "top_intents": json.loads(item.top_intents) if item else [],
                "reasons": item.reasons.split() if item else []}

    # -- labelling -------------------------------------------------------------------------
    def label(self, group_id: int, reviewer: str, intent: str, entities: Iterable[dict] | None,
              intents: Iterable[str], entity_names: Iterable[str]) -> dict:
        """Label a group (or override another reviewer's label). ``intents``/``entity_names``: the
        domain's. Raises ReviewError(invalid) for an intent or span the domain or text does not have."""
        allowed = set(intents) | {NOISE}
        if not isinstance(intent, str) or intent not in allowed:
            raise ReviewError("invalid", "意图必须是领域里的一个意图或 noise")
        now = self.clock()
        with self.sessions() as s, s.begin():
            g = s.get(m.ReviewGroup, group_id, with_for_update=True)
            if g is None:
                raise ReviewError("unknown", "没有这组消息")
            if g.exported_in:
                raise ReviewError("conflict", f"这组已写入训练数据 {g.exported_in}，请在该文件里修改")
            spans = [] if intent == NOISE else _checked_entities(g.text, entities, set(entity_names))
            action = "label" if g.status == "open" or g.labelled_by == reviewer else "override"
            g.intent, g.entities, g.labelled_by, g.confirmed_by = intent, json.dumps(spans, ensure_ascii=False), \
                reviewer, None
            g.status = "labelled"
            s.add(m.ReviewLabel(group_id=g.id, reviewer=reviewer, action=action, intent=intent,
                                entities=g.entities, created_at=now))
            s.flush()
            return self._group_json(g, self._first_items(s, [g.id]).get(g.id))

    def confirm(self, group_id: int, reviewer: str) -> dict:
        now = self.clock()
        with self.sessions() as s, s.begin():
            g = s.get(m.ReviewGroup, group_id, with_for_update=True)
            if g is None:
                raise ReviewError("unknown", "没有这组消息")
            if g.status != "labelled":
                raise ReviewError("conflict", "只有已标注、未确认的一组可以确认")
            if g.labelled_by == reviewer:
                raise ReviewError("same_reviewer", "确认须由另一位审核员完成")
            g.confirmed_by = reviewer
            g.status = "ignored" if g.intent == NOISE else "confirmed"
            s.add(m.ReviewLabel(group_id=g.id, reviewer=reviewer, action="confirm", intent=g.intent,
                                entities=g.entities, created_at=now))
            s.flush()
            return self._group_json(g, self._first_items(s, [g.id]).get(g.id))

    # -- exporting -------------------------------------------------------------------------
    def confirmed_examples(self, include_exported: bool = False) -> list[dict]:
        """Confirmed groups as examples: {id, text, intent, entities, count, exported_in}."""
        with self.sessions() as s:
            q = select(m.ReviewGroup).where(m.ReviewGroup.status == "confirmed")
            if not include_exported:
                q = q.where(m.ReviewGroup.exported_in.is_(None))
            return [{"id": g.id, "text": g.text, "intent": g.intent, "entities": json.loads(g.entities or "[]"),
                     "count": g.count, "exported_in": g.exported_in} for g in s.scalars(q.order_by(m.ReviewGroup.id))]

    def mark_exported(self, ids: Iterable[int], name: Optional[str]) -> None:
        """Record (or, with None, undo) that these groups went into the data file ``name``."""
        ids = list(ids)
        if not ids:
            return
        with self.sessions() as s, s.begin():
            for g in s.scalars(select(m.ReviewGroup).where(m.ReviewGroup.id.in_(ids))):
                g.exported_in = name


def _checked_entities(text: str, entities: Iterable[dict] | None, names: set[str]) -> list[dict]:
    if entities is None:
        return []
    if not isinstance(entities, list) or len(entities) > MAX_ENTITIES:
        raise ReviewError("invalid", f"实体最多 {MAX_ENTITIES} 个")
    out: list[dict] = []
    for e in entities:
        if not isinstance(e, dict):
            raise ReviewError("invalid", "实体格式不对")
        start, end, name = e.get("start"), e.get("end"), e.get("entity")
        if not (isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool)
                and not isinstance(end, bool) and 0 <= start < end <= len(text)):
            raise ReviewError("invalid", "实体的位置不在这句话里")
        if not isinstance(name, str) or not ENTITY_NAME.match(name) or name not in names:
            raise ReviewError("invalid", "实体类型必须是领域里的一个")
        value = text[start:end]
        inside_mask = any(f.start() < end and start < f.end() for f in MASK_RE.finditer(text))
        if inside_mask and not (value in MASKS and name in ("order_id", "phone")):
            raise ReviewError("invalid", "遮盖的个人信息不能标成实体（订单号、手机号除外）")
        if any(start < o["end"] and o["start"] < end for o in out):
            raise ReviewError("invalid", "实体不能重叠")
        out.append({"start": start, "end": end, "entity": name, "value": value})
    return sorted(out, key=lambda x: x["start"])
