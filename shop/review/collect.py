"""Gathering the messages the assistant misunderstood from Rasa's SQL tracker store.

    python -m shop.review.collect                    since the last run (first run: the last 31 days)
    python -m shop.review.collect --hours 24         the last 24 hours
    python -m shop.review.collect --tracker-url URL  another tracker store (default $SHOP_TRACKER_DB_URL
                                                     or endpoints.yml's SQLite file)

A shopper message is collected when (reasons, as stored):

- ``low_confidence``: the model's best intent (the ranking without ``nlu_fallback``) scored
  below the FallbackClassifier's threshold in config.yml;
- ``fallback``: the turn ended in a fallback (nlu_fallback, utter_ask_rephrase,
  action_product_fallback, action_default_fallback);
- ``repeated``: the shopper's next message in the same contact asks nearly the same again;
- ``handoff``: it was the last message with content before a handoff to a human in the contact;
- ``low_rating``: it was among the last two messages with content before a rating of 1–2 stars.

(Agents flag messages themselves from the workbench: ``flagged``, shop.workbench.review.)

Each is masked (shop.review.masking, with the personal values the conversation's slots
revealed) before it is written to the review queue; the tracker store is only read.
Rasa's timestamps are unix seconds; the queue's times are naive China time like the
rest of the shop store. A contact ends at a new session, a restart, or an hour's silence.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterable, Optional

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url

from shop.metrics.events import channel_of
from shop.metrics.reader import china_time, engine_for, has_table, read_ratings
from shop.review.masking import MASK_RE, mask, shift_entities
from shop.review.queue import Candidate, ReviewQueue, group_key
from shop.store import models as m
from shop.store.session import session_factory
from shop.store.settings import db_url

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TRACKER_DB_URL = "sqlite:///" + str(ROOT / "var" / "tracker.db")
WATERMARK = "review.collected_until"
FIRST_RUN_DAYS = 31
CONTACT_GAP_S = 60 * 60
FALLBACK_ACTIONS = {"action_default_fallback", "utter_ask_rephrase", "action_product_fallback",
                    "action_two_stage_fallback", "utter_default"}
HANDOFF_ACTIONS = {"action_handoff"}
# Messages that carry no request of their own: a handoff or a bad rating is not blamed on them.
# (Answers — inform, affirm, deny — are: "手机138… 我的东西呢" read as a bare answer is the
# kind of misreading that ends with a shopper asking for a human.)
NO_CONTENT = {"greet", "goodbye", "thank", "rate_service", "request_human"}
# Slots whose values identify someone; masked wherever the conversation repeats them.
PERSONAL_SLOTS = {"phone", "login_phone", "login_code", "order_id", "new_value", "invoice_title",
                  "invoice_tax_number", "task_text"}
REPEAT_RATIO = 0.6
CONTEXT_TURNS = 2
SENDER_BATCH = 200
MAX_SENDERS = 20_000
MAX_TEXT = 500

_events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                   sa.column("timestamp", sa.Float), sa.column("action_name"), sa.column("data"))


@dataclass
class Report:
    since: float
    until: float
    senders: int = 0
    messages: int = 0
    collected: int = 0
    already: int = 0
    reasons: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"since": self.since, "until": self.until, "senders": self.senders, "messages": self.messages,
                "collected": self.collected, "already_collected": self.already, "reasons": self.reasons}


def fallback_threshold(config: Path = ROOT / "config.yml", default: float = 0.45) -> float:
    """The FallbackClassifier's threshold in the pipeline (the same line decides both)."""
    try:
        pipeline = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("pipeline") or []
    except (OSError, yaml.YAMLError):
        return default
    for component in pipeline:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", default))
    return default


def _source(url: str, event_id: int, message_id: Optional[str] = None) -> str:
    """One key per message: Rasa's message id where the event has one (so a message an agent
    flagged and the collector found is one item), else the store and row."""
    if message_id:
        return hashlib.sha256(f"message#{message_id}".encode("utf-8")).hexdigest()
    where = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(f"{where}#{event_id}".encode("utf-8")).hexdigest()


def _conversation(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()


def _ranking(data: dict) -> list[list]:
    parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
    ranking = parse.get("intent_ranking") if isinstance(parse.get("intent_ranking"), list) else []
    if not ranking and isinstance(parse.get("intent"), dict):
        ranking = [parse["intent"]]
    out = []
    for r in ranking:
        if isinstance(r, dict) and isinstance(r.get("name"), str) and r["name"] != "nlu_fallback":
            try:
                out.append([r["name"], round(float(r.get("confidence") or 0.0), 4)])
            except (TypeError, ValueError):
                continue
    return out[:3]


@dataclass
class _Turn:
    event_id: int
    timestamp: float
    text: str
    intent: Optional[str]
    ranking: list
    entities: list
    message_id: Optional[str] = None
    actions: list = field(default_factory=list)
    bot: list = field(default_factory=list)


def _contacts(rows: list[tuple]) -> Iterable[tuple[list[_Turn], set[str], float, float]]:
    """(turns, personal values, start, end) per contact of one sender's rows."""
    turns: list[_Turn] = []
    known: set[str] = set()
    start = last = None
    for event_id, type_name, timestamp, action_name, data in rows:
        if timestamp is None:
            continue
        if last is not None and (type_name in ("session_started", "restart") or timestamp - last > CONTACT_GAP_S):
            if turns:
                yield turns, known, start, last
            turns, known, start = [], set(), None
        start = timestamp if start is None else start
        last = timestamp
        if type_name not in ("user", "bot", "action", "slot"):
            continue
        try:
            payload = json.loads(data) if data else {}
        except ValueError:
            payload = {}
        payload = payload if isinstance(payload, dict) else {}
        if type_name == "user":
            text = payload.get("text")
            if not isinstance(text, str) or not text.strip() or text.startswith("/"):
                continue  # an empty message or a button's /intent payload: nothing to review
            parse = payload.get("parse_data") if isinstance(payload.get("parse_data"), dict) else {}
            intent = parse.get("intent", {}).get("name") if isinstance(parse.get("intent"), dict) else None
            entities = parse.get("entities") if isinstance(parse.get("entities"), list) else []
            message_id = payload.get("message_id") if isinstance(payload.get("message_id"), str) else None
            turns.append(_Turn(int(event_id), float(timestamp), text[:MAX_TEXT], intent, _ranking(payload), entities,
                               message_id))
        elif turns and type_name == "action" and action_name:
            turns[-1].actions.append(str(action_name))
        elif turns and type_name == "bot" and isinstance(payload.get("text"), str):
            turns[-1].bot.append(payload["text"][:MAX_TEXT])
        elif type_name == "slot" and payload.get("name") in PERSONAL_SLOTS:
            value = payload.get("value")
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and len(v.strip()) >= 2:
                    known.add(v.strip()[:200])
    if turns:
        yield turns, known, start, last


def _has_content(turn: _Turn, threshold: float) -> bool:
    top = turn.ranking[0] if turn.ranking else None
    return top is None or top[0] not in NO_CONTENT or top[1] < threshold


def reasons_for(turns: list[_Turn], threshold: float, low_ratings: Iterable[float] = ()) -> dict[int, list[str]]:
    """Index of a turn → why it is worth reviewing (empty turns are not in the dict)."""
    why: dict[int, list[str]] = {}

    def add(i: int, reason: str) -> None:
        if reason not in why.setdefault(i, []):
            why[i].append(reason)

    for i, turn in enumerate(turns):
        # No ranking: the message was not classified (a paused conversation's turn is still
        # parsed; a tracker written by something else may not be) — nothing to say about it.
        if turn.ranking and turn.ranking[0][1] < threshold:
            add(i, "low_confidence")
        if turn.intent == "nlu_fallback" or FALLBACK_ACTIONS & set(turn.actions):
            add(i, "fallback")
        if i + 1 < len(turns):
            a, b = group_key(turn.text), group_key(turns[i + 1].text)
            if min(len(a), len(b)) >= 3 and SequenceMatcher(None, a, b, autojunk=False).ratio() >= REPEAT_RATIO:
                add(i, "repeated")
        if HANDOFF_ACTIONS & set(turn.actions):
            for j in range(i, -1, -1):
                if _has_content(turns[j], threshold):
                    add(j, "handoff")
                    break
    for rated_at in low_ratings:
        before = [j for j, t in enumerate(turns) if t.timestamp <= rated_at and _has_content(t, threshold)]
        for j in before[-2:]:
            add(j, "low_rating")
    return why


def _context(turns: list[_Turn], i: int, known: set[str]) -> list[dict]:
    lines: list[dict] = []
    for j in range(max(0, i - CONTEXT_TURNS), min(len(turns), i + CONTEXT_TURNS + 1)):
        lines.append({"who": "shopper", "text": mask(turns[j].text, known)[0], "this": j == i})
        lines.extend({"who": "bot", "text": mask(b, known)[0]} for b in turns[j].bot[:3])
    return lines


def _candidate(url: str, sender_id: str, turns: list[_Turn], i: int, known: set[str],
               reasons: list[str]) -> Optional[Candidate]:
    turn = turns[i]
    text, spans = mask(turn.text, known)
    if not group_key(MASK_RE.sub("", text)):
        return None  # only personal data (a phone number given twice): nothing to label
    return Candidate(source=_source(url, turn.event_id, turn.message_id), conversation=_conversation(sender_id),
                     channel=channel_of(sender_id), occurred_at=china_time(turn.timestamp), text=text,
                     reasons=reasons, top_intents=turn.ranking, entities=shift_entities(turn.text, spans, turn.entities),
                     context=_context(turns, i, known))


def candidates(url: str, sender_id: str, rows: list[tuple], since: float, until: float, threshold: float,
               low_ratings: Iterable[float] = ()) -> list[Candidate]:
    """The candidates among one sender's rows whose message falls in [since, until).
    ``rows``: (event id, type name, unix timestamp, action name, data JSON) in event order."""
    out = []
    ratings = list(low_ratings)
    for turns, known, start, end in _contacts(rows):
        rated = [r for r in ratings if start <= r <= end + CONTACT_GAP_S]
        for i, reasons in sorted(reasons_for(turns, threshold, rated).items()):
            if since <= turns[i].timestamp < until:
                c = _candidate(url, sender_id, turns, i, known, reasons)
                if c is not None:
                    out.append(c)
    return out


def flagged(sender_id: str, events: list[dict], message_id: str, threshold: float) -> Optional[Candidate]:
    """The message ``message_id`` of a tracker's events (Rasa's event dicts), flagged by an agent:
    reason ``flagged`` beside whatever the collector would have found. None when there is no
    such shopper message (or it holds nothing but personal data)."""
    rows = [(k, e.get("event"), e.get("timestamp"), e.get("name") if e.get("event") == "action" else None,
             json.dumps(e, ensure_ascii=False)) for k, e in enumerate(events) if isinstance(e, dict)]
    for turns, known, _, _ in _contacts(rows):
        for i, turn in enumerate(turns):
            if turn.message_id == message_id:
                reasons = ["flagged"] + reasons_for(turns, threshold).get(i, [])
                return _candidate("tracker", sender_id, turns, i, known, reasons)
    return None


def collect(queue: ReviewQueue, tracker_url: str, since: float, until: float, threshold: float,
            shop_url: Optional[str] = None) -> Report:
    """Reads the tracker store (and the shop store's ratings), adds what it finds to ``queue``."""
    report = Report(since, until)
    engine = engine_for(tracker_url)
    if not has_table(engine, "events"):
        return report
    with engine.connect() as conn:
        senders = [r[0] for r in conn.execute(
            sa.select(_events.c.sender_id).where(_events.c.type_name == "user", _events.c.timestamp >= since,
                                                 _events.c.timestamp < until)
            .group_by(_events.c.sender_id).limit(MAX_SENDERS))]
    report.senders = len(senders)
    low: dict[str, list[float]] = {}
    for rating in read_ratings(shop_url, since - CONTACT_GAP_S, until + CONTACT_GAP_S) if shop_url else []:
        if rating.stars <= 2:
            low.setdefault(rating.conversation_id, []).append(rating.created)
    for k in range(0, len(senders), SENDER_BATCH):
        batch = senders[k:k + SENDER_BATCH]
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(_events.c.sender_id, _events.c.id, _events.c.type_name, _events.c.timestamp,
                          _events.c.action_name, _events.c.data)
                .where(_events.c.sender_id.in_(batch), _events.c.timestamp >= since - CONTACT_GAP_S)
                .order_by(_events.c.sender_id, _events.c.id)).all()
        by_sender: dict[str, list[tuple]] = {}
        for sender_id, *rest in rows:
            by_sender.setdefault(sender_id, []).append(tuple(rest))
        for sender_id, sender_rows in by_sender.items():
            report.messages += sum(1 for r in sender_rows if r[1] == "user" and r[2] is not None
                                   and since <= r[2] < until)
            for c in candidates(tracker_url, sender_id, sender_rows, since, until, threshold,
                                low.get(sender_id, ())):
                if queue.add(c) is None:
                    report.already += 1
                    continue
                report.collected += 1
                for reason in c.reasons:
                    report.reasons[reason] = report.reasons.get(reason, 0) + 1
    return report


def _watermark(sessions, value: Optional[float] = None) -> Optional[float]:
    with sessions() as s, s.begin():
        row = s.get(m.StoreMeta, WATERMARK)
        if value is None:
            return float(row.value) if row else None
        if row is None:
            s.add(m.StoreMeta(key=WATERMARK, value=repr(value)))
        else:
            row.value = repr(value)
        return value


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.review.collect", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracker-url", default=os.environ.get("SHOP_TRACKER_DB_URL") or DEFAULT_TRACKER_DB_URL)
    parser.add_argument("--hours", type=float, help="look back this many hours instead of since the last run")
    parser.add_argument("--settle-minutes", type=float, default=10,
                        help="leave the last minutes for the next run: a contact still going on may yet repeat, "
                             "hand off or be rated")
    args = parser.parse_args(argv)
    if args.hours is not None and not 0 < args.hours <= 24 * 366:
        parser.error("--hours must be in (0, 8784]")
    if not 0 <= args.settle_minutes <= 24 * 60:
        parser.error("--settle-minutes must be in [0, 1440]")
    sessions = session_factory()
    now = time.time()
    until = now - args.settle_minutes * 60
    since = now - args.hours * 3600 if args.hours is not None else \
        (_watermark(sessions) or now - FIRST_RUN_DAYS * 86400)
    if since >= until:
        print(json.dumps({"collected": 0, "note": "nothing new since the last run"}))
        return 0
    report = collect(ReviewQueue(sessions), args.tracker_url, since, until, fallback_threshold(), db_url())
    _watermark(sessions, max(until, _watermark(sessions) or 0.0))
    print(json.dumps(report.as_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
