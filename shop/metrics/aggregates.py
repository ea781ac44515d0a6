"""The dashboard's aggregates, kept up to date from Rasa's event stream instead of re-read per request.

Scanning the tracker store's ``events`` table on every dashboard refresh costs time in
proportion to the events stored (issue 18: a busy shop stores millions). Here each
conversation event is read once, when Rasa's event broker delivers it
(``shop.metrics.consumer``) or when the table is backfilled, and folded into three small
tables in any SQL database (SQLite or PostgreSQL by SQLAlchemy URL):

``dash_responses``  one row per response (a reply that answered a shopper, see
                    shop.metrics.figures): sender, channel, bot/human, asked and replied
                    times (unix seconds), the hour it fell in;
``dash_contacts``   one row per contact with a shopper message: start and end, its topic
                    families, whether it is a repeat, and the sum and count of the
                    polarities of its opinions (the sentiment model runs once per message);
``dash_senders``    the per-sender state the next event needs (unanswered since, handed
                    over since, last event time, the open contact).

The definitions are the ones of ``shop.metrics.figures`` (response, contact, repeat,
satisfaction), applied one event at a time; ``load_dashboard`` answers with the same JSON
as the scanning ``shop.metrics.reader.load_dashboard`` from a bounded number of indexed
queries (the last N replies per kind and channel, hourly sums, the contacts in range).

Delivery is at least once (the consumer acknowledges after the commit), so a redelivered
event must not count twice: an event no later than the last one applied for its sender
is skipped. Rasa writes a sender's events in order (one turn at a time, under the lock store).
"""
from __future__ import annotations

import json
import logging
import math
import time
from typing import Any, Iterable, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shop.metrics.events import BOT, CHANNELS, PAUSE, READ_TYPES, REST, RESUME, SESSION_STARTED, USER, Event, \
    channel_of, event_from_row
from shop.metrics.figures import (NO_OPINION_INTENTS, TOPIC_OF_INTENT, Contact, Response, Settings, assemble,
                                  hours_of, satisfaction_samples)
from shop.metrics.reader import MAX_RANGE_S, engine_for, has_table, read_ratings

logger = logging.getLogger(__name__)

metadata = sa.MetaData()
responses_table = sa.Table(
    "dash_responses", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("agent", sa.String(255)),
    sa.Column("asked_at", sa.Float, nullable=False),
    sa.Column("replied_at", sa.Float, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("hour", sa.Integer, nullable=False),
    sa.Index("ix_dash_responses_kind_channel_replied", "kind", "channel", "replied_at"),
    sa.Index("ix_dash_responses_replied", "replied_at"),
)
contacts_table = sa.Table(
    "dash_contacts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("start_at", sa.Float, nullable=False),
    sa.Column("end_at", sa.Float, nullable=False),
    sa.Column("topics", sa.String(255), nullable=False, default=""),  # sorted, comma-separated
    sa.Column("repeat", sa.Boolean, nullable=False, default=False),
    sa.Column("opinion_sum", sa.Float, nullable=False, default=0.0),
    sa.Column("opinion_n", sa.Integer, nullable=False, default=0),
    sa.Index("ix_dash_contacts_start", "start_at"),
    sa.Index("ix_dash_contacts_sender_end", "sender_id", "end_at"),
)
senders_table = sa.Table(
    "dash_senders", metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("waiting_since", sa.Float),
    sa.Column("handoff_since", sa.Float),
    sa.Column("last_seen", sa.Float),
    sa.Column("contact_id", sa.Integer),  # None: no shopper message yet in the current session
)


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)


def event_from_broker(body: Mapping[str, Any]) -> Optional[Event]:
    """An Event from one message of Rasa's event broker (the event's ``as_dict`` plus ``sender_id``).

    None for events the figures do not read and for messages without a sender, type or time.
    """
    if not isinstance(body, Mapping):
        return None
    sender, kind, t = body.get("sender_id"), body.get("event"), body.get("timestamp")
    if not isinstance(sender, str) or kind not in READ_TYPES or not isinstance(t, (int, float)) \
            or isinstance(t, bool) or not math.isfinite(t):
        return None
    intent = None
    parse = body.get("parse_data")
    if isinstance(parse, Mapping) and isinstance(parse.get("intent"), Mapping):
        name = parse["intent"].get("name")
        intent = name if isinstance(name, str) and name else None
    return Event(sender_id=sender, type_name=kind, timestamp=float(t), intent=intent, data=dict(body))


class Aggregator:
    """Folds events into the aggregate tables; one ``apply`` is one transaction."""

    def __init__(self, url: str, settings: Settings = Settings(), sentiment=None) -> None:
        self.engine = engine_for(url)
        self.settings = settings
        self._sentiment = sentiment
        create_tables(self.engine)

    def sentiment(self, text: str):
        if self._sentiment is None:
            from shop.sentiment import analyse
            self._sentiment = analyse
        return self._sentiment(text)

    def apply(self, events: Iterable[Event]) -> int:
        """Applies the events (in delivery order) and commits; returns how many counted (not skipped)."""
        applied = 0
        with self.engine.begin() as conn:
            states: dict[str, dict] = {}
            for e in events:
                if e.type_name not in READ_TYPES:
                    continue
                state = states.get(e.sender_id)
                if state is None:
                    row = conn.execute(sa.select(senders_table).where(
                        senders_table.c.sender_id == e.sender_id)).mappings().first()
                    state = dict(row) if row else {"sender_id": e.sender_id, "waiting_since": None,
                                                   "handoff_since": None, "last_seen": None,
                                                   "contact_id": None, "_new": True}
                    states[e.sender_id] = state
                if state["last_seen"] is not None and e.timestamp <= state["last_seen"]:
                    continue  # delivered again (or out of order): already counted
                self._apply_one(conn, state, e)
                applied += 1
            for state in states.values():
                values = {k: state[k] for k in ("waiting_since", "handoff_since", "last_seen", "contact_id")}
                if state.pop("_new", False):
                    conn.execute(senders_table.insert().values(sender_id=state["sender_id"], **values))
                else:
                    conn.execute(senders_table.update().where(
                        senders_table.c.sender_id == state["sender_id"]).values(**values))
        return applied

    def _apply_one(self, conn, state: dict, e: Event) -> None:
        s, t = self.settings, e.timestamp
        # contacts: a session starts at Rasa's session_started or after a silence (figures.contacts)
        if e.type_name == SESSION_STARTED or (state["last_seen"] is not None and t - state["last_seen"] > s.session_gap_s):
            state["contact_id"] = None
        state["last_seen"] = t

        # responses (figures.responses)
        if e.type_name == USER:
            if state["waiting_since"] is None:
                state["waiting_since"] = t
        elif e.type_name == PAUSE:
            if state["handoff_since"] is None:
                state["handoff_since"] = t
        elif e.type_name == RESUME:
            state["handoff_since"] = None
        elif e.type_name == SESSION_STARTED:
            state["waiting_since"] = None
        elif e.type_name == BOT:
            agent = e.agent
            starts = [x for x in (state["waiting_since"], state["handoff_since"] if agent else None) if x is not None]
            if starts:
                asked = min(starts)
                conn.execute(responses_table.insert().values(
                    sender_id=e.sender_id, channel=e.channel, kind="human" if agent else "bot", agent=agent,
                    asked_at=asked, replied_at=t, seconds=max(0.0, t - asked), hour=int(t // 3600)))
                state["waiting_since"] = None
                if agent:
                    state["handoff_since"] = None

        if e.type_name == USER:
            self._shopper_message(conn, state, e)
        elif state["contact_id"] is not None:
            conn.execute(contacts_table.update().where(contacts_table.c.id == state["contact_id"]).values(end_at=t))

    def _shopper_message(self, conn, state: dict, e: Event) -> None:
        t = e.timestamp
        if state["contact_id"] is None:  # a contact starts at its shopper's first message
            state["contact_id"] = conn.execute(contacts_table.insert().values(
                sender_id=e.sender_id, channel=e.channel, start_at=t, end_at=t, topics="", repeat=False,
                opinion_sum=0.0, opinion_n=0)).inserted_primary_key[0]
        row = conn.execute(sa.select(contacts_table).where(contacts_table.c.id == state["contact_id"])).mappings().one()
        values: dict = {"end_at": t}
        topics = set(filter(None, row["topics"].split(",")))
        topic = TOPIC_OF_INTENT.get(e.intent or "")
        if topic and topic not in topics:
            topics.add(topic)
            values["topics"] = ",".join(sorted(topics))
            if not row["repeat"]:
                # a repeat: an earlier contact of the sender, ended within the window, sharing a topic
                earlier = conn.execute(sa.select(contacts_table.c.topics).where(
                    contacts_table.c.sender_id == e.sender_id, contacts_table.c.id < row["id"],
                    contacts_table.c.end_at >= row["start_at"] - self.settings.repeat_window_s)).scalars()
                values["repeat"] = any(topics & set(filter(None, other.split(","))) for other in earlier)
        if (e.intent not in NO_OPINION_INTENTS) and e.text.strip():
            opinion = self.sentiment(e.text)
            if opinion.is_opinion:
                values["opinion_sum"] = row["opinion_sum"] + opinion.polarity
                values["opinion_n"] = row["opinion_n"] + 1
        conn.execute(contacts_table.update().where(contacts_table.c.id == row["id"]).values(**values))

    def backfill(self, tracker_db_url: str, batch: int = 5000) -> int:
        """Applies the tracker store's stored events (by id, in batches); returns how many counted.

        Safe to run again or beside the consumer: events already applied are skipped.
        """
        source = engine_for(tracker_db_url)
        if not has_table(source, "events"):
            return 0
        events_t = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                            sa.column("timestamp", sa.Float), sa.column("intent_name"), sa.column("data"))
        applied, last_id = 0, -1
        while True:
            with source.connect() as conn:
                rows = conn.execute(
                    sa.select(events_t.c.id, events_t.c.sender_id, events_t.c.type_name, events_t.c.timestamp,
                              events_t.c.intent_name, events_t.c.data)
                    .where(events_t.c.id > last_id, events_t.c.type_name.in_(READ_TYPES))
                    .order_by(events_t.c.id).limit(batch)).all()
            if not rows:
                return applied
            last_id = rows[-1][0]
            applied += self.apply(e for e in (event_from_row(*row) for row in rows) if e is not None)


def _stars(opinion_sum: float, opinion_n: int) -> Optional[float]:
    from shop.sentiment import stars_from_polarity
    return stars_from_polarity(opinion_sum / opinion_n) if opinion_n else None


def load_dashboard(aggregates_url: str, shop_db_url: str, hours: float = 24, until: Optional[float] = None,
                   settings: Settings = Settings()) -> dict:
    """The dashboard's JSON for the ``hours`` before ``until`` from the aggregates (same shape as
    shop.metrics.reader.load_dashboard; ``source`` says where it came from)."""
    until = time.time() if until is None else float(until)
    if not 0 < hours * 3600 <= MAX_RANGE_S:
        raise ValueError(f"hours must be in (0, {MAX_RANGE_S // 3600}], got {hours!r}")
    since = until - hours * 3600
    engine = engine_for(aggregates_url)
    replies: list[Response] = []
    in_range: list[Contact] = []
    hours_list = hours_of(since, until)
    hourly = {kind: [{"value": None, "samples": 0} for _ in hours_list] for kind in ("bot", "human")}
    if has_table(engine, "dash_responses"):
        r, c = responses_table.c, contacts_table.c
        with engine.connect() as conn:
            # the last N of every kind and channel: enough for every last-N figure, overall or per channel
            for kind in ("bot", "human"):
                for channel in CHANNELS + (REST,):
                    rows = conn.execute(sa.select(r.sender_id, r.kind, r.asked_at, r.replied_at, r.agent)
                                        .where(r.kind == kind, r.channel == channel, r.replied_at < until)
                                        .order_by(r.replied_at.desc()).limit(settings.last_replies)).all()
                    replies.extend(Response(*row) for row in rows)
            replies.sort(key=lambda x: x.replied_at)
            first = int(math.floor(since / 3600))
            for hour, kind, n, total in conn.execute(
                    sa.select(r.hour, r.kind, sa.func.count(), sa.func.sum(r.seconds))
                    .where(r.replied_at >= since, r.replied_at < until).group_by(r.hour, r.kind)):
                hourly[kind][int(hour) - first] = {"value": round(float(total) / n, 4), "samples": int(n)}
            for row in conn.execute(sa.select(c.sender_id, c.start_at, c.end_at, c.topics, c.repeat, c.opinion_sum,
                                              c.opinion_n).where(c.start_at >= since, c.start_at < until)
                                    .order_by(c.start_at)):
                in_range.append(Contact(row.sender_id, row.start_at, row.end_at, repeat=bool(row.repeat),
                                        known_topics=frozenset(filter(None, row.topics.split(","))),
                                        known_stars=_stars(row.opinion_sum, row.opinion_n)))
    ratings = read_ratings(shop_db_url, since, until)
    samples = satisfaction_samples(in_range, ratings, settings, sentiment=lambda text: None)
    channels = sorted({x.channel for x in replies} | {x.channel for x in in_range} | {x.channel for x in ratings})
    result = assemble(replies, hourly, in_range, samples, channels, since, until, settings)
    result["generated_at"] = time.time()
    result["source"] = "aggregates"
    return result


def loads_broker_body(raw: bytes) -> Optional[Event]:
    """An Event from the raw bytes of a broker message; None (logged) for anything unreadable."""
    try:
        return event_from_broker(json.loads(raw))
    except (ValueError, UnicodeDecodeError):
        logger.warning("a broker message that is not JSON was dropped")
        return None


__all__ = ["Aggregator", "channel_of", "create_tables", "event_from_broker", "load_dashboard", "loads_broker_body"]
