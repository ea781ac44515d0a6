"""The dashboard's figures as pure functions over tracker events and ratings.

Definitions (also in docs/dashboard.md):

Response. A shopper's message is answered by the first reply (``bot`` event) after it
in the same conversation; a reply answers all the shopper's messages since the last
reply and is timed from the earliest of them (the shopper waited that long). A reply
with ``metadata.agent`` is a human's, any other the bot's. A handoff (``pause``) asks
for a human: the first human reply after it is timed from the pause if that is earlier
(the shopper waited in the queue even when they wrote nothing more). Replies that
answer nothing (a second bubble, a proactive message) are not responses.

Contact. One conversation session: a sender's events split at Rasa's
``session_started`` events and at silences longer than ``session_gap`` (the domain's
session_expiration_time, 60 min). Its topics are the TOPICS of its shoppers'
messages' intents; a contact with no topic (only greetings, thanks...) is not a
consultation and is not counted.
Repeat. A contact is a repeat when the same sender had an earlier contact sharing a
topic that ended at most ``repeat_window`` (72 h) before this one started.
First-contact resolution = 1 - repeats / consultations, over contacts started in range.

Satisfaction. Every rating (1-5 stars) in range counts with weight 1. A contact in
range without a rating counts with weight 0.5 when its shopper said how they feel:
its messages that the sentiment model labels positive or negative, except those
whose intent is a plain question or request (shop.sentiment.NEUTRAL_INTENTS) or a
request for a human (转人工 reads as negative to a model trained on reviews, yet
says nothing about satisfaction); its stars are 1 + 4 * their mean polarity.
satisfaction = (sum rating stars + 0.5 * sum estimated stars) / (n_ratings + 0.5 * n_estimates).

Every figure says its value (None when nothing was measured), its target, whether the
target is breached (None without data) and how many samples it rests on.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Sequence

from shop.dialogue.order_tasks import families as order_task_families
from shop.metrics.events import BOT, PAUSE, RESUME, SESSION_STARTED, USER, Event, channel_of
from shop.sentiment import NEUTRAL_INTENTS, Sentiment

# The order tasks' families come from their registry (shop.dialogue.order_tasks): a new task is
# counted under its family without a change here. The rest are the questions no order task serves.
TOPICS = {family: intents for family, intents in order_task_families().items()}
for _family, _intents in {
    "logistics": ("ask_shipping_policy",),
    "product": ("ask_product_info", "ask_care_method", "ask_recommendation", "ask_size_advice", "ask_stock"),
    "promotion": ("ask_price_promotion",),
}.items():
    TOPICS[_family] = TOPICS.get(_family, ()) + _intents
TOPIC_OF_INTENT = {intent: topic for topic, intents in TOPICS.items() for intent in intents}
# Intents whose messages the satisfaction estimate does not read (see the module docstring).
NO_OPINION_INTENTS = NEUTRAL_INTENTS | {"request_human"}


@dataclass(frozen=True)
class Settings:
    last_replies: int = 100
    response_target_s: float = 30.0
    session_gap_s: float = 60 * 60
    repeat_window_s: float = 72 * 60 * 60
    fcr_target: float = 0.85
    satisfaction_target: float = 4.5
    rating_weight: float = 1.0
    sentiment_weight: float = 0.5
    # a rating asked at the end of a conversation may come a little after its last message
    rating_grace_s: float = 60 * 60


@dataclass(frozen=True)
class Rating:
    conversation_id: str
    channel: str
    stars: int
    created: float  # unix time
    agent: Optional[str] = None


@dataclass(frozen=True)
class Response:
    sender_id: str
    kind: str  # "bot" | "human"
    asked_at: float
    replied_at: float
    agent: Optional[str] = None

    @property
    def channel(self) -> str:
        return channel_of(self.sender_id)

    @property
    def seconds(self) -> float:
        return max(0.0, self.replied_at - self.asked_at)


@dataclass
class Contact:
    sender_id: str
    start: float
    end: float
    messages: list = field(default_factory=list)  # (timestamp, text, intent) of the shopper's messages
    repeat: bool = False
    # Set by the broker's aggregates (shop.metrics.aggregates), which keep a contact's topics and
    # estimated stars instead of its messages; None means "derive them from messages".
    known_topics: Optional[frozenset] = None
    known_stars: Optional[float] = None

    @property
    def channel(self) -> str:
        return channel_of(self.sender_id)

    @property
    def topics(self) -> frozenset:
        if self.known_topics is not None:
            return self.known_topics
        return frozenset(TOPIC_OF_INTENT[i] for _, _, i in self.messages if i in TOPIC_OF_INTENT)


def figure(value: Optional[float], samples: int, target: float, better: str, unit: str) -> dict:
    """One figure; ``better`` is "below" (response time) or "above" (rates, stars)."""
    if value is None or samples == 0:
        return {"value": None, "samples": samples, "target": target, "better": better, "unit": unit,
                "breached": None}
    breached = not (value < target) if better == "below" else not (value > target)
    return {"value": round(value, 4), "samples": samples, "target": target, "better": better, "unit": unit,
            "breached": breached}


def _by_sender(events: Iterable[Event]) -> dict:
    grouped = defaultdict(list)
    for e in events:
        grouped[e.sender_id].append(e)
    for stream in grouped.values():
        stream.sort(key=lambda e: (e.timestamp, e.id))
    return grouped


# --- response time ---------------------------------------------------------------------------

def responses(events: Iterable[Event]) -> list[Response]:
    found = []
    for sender, stream in _by_sender(events).items():
        waiting_since: Optional[float] = None  # earliest unanswered shopper message
        handoff_since: Optional[float] = None  # pause not yet answered by a human
        for e in stream:
            if e.type_name == USER:
                if waiting_since is None:
                    waiting_since = e.timestamp
            elif e.type_name == PAUSE:
                if handoff_since is None:
                    handoff_since = e.timestamp
            elif e.type_name == RESUME:
                handoff_since = None
            elif e.type_name == SESSION_STARTED:
                waiting_since = None  # Rasa's new session: what was unanswered stays so
            elif e.type_name == BOT:
                agent = e.agent
                starts = [t for t in (waiting_since, handoff_since if agent else None) if t is not None]
                if not starts:
                    continue
                found.append(Response(sender, "human" if agent else "bot", min(starts), e.timestamp, agent))
                waiting_since = None
                if agent:
                    handoff_since = None
    found.sort(key=lambda r: r.replied_at)
    return found


def response_time(found: Sequence[Response], settings: Settings, kind: Optional[str] = None,
                  channel: Optional[str] = None) -> dict:
    """Mean seconds over the last ``settings.last_replies`` matching responses."""
    chosen = [r for r in found if (kind is None or r.kind == kind) and (channel is None or r.channel == channel)]
    chosen = chosen[-settings.last_replies:]
    value = sum(r.seconds for r in chosen) / len(chosen) if chosen else None
    return figure(value, len(chosen), settings.response_target_s, "below", "s")


def mean_seconds(found: Sequence[Response]) -> dict:
    return {"value": round(sum(r.seconds for r in found) / len(found), 4) if found else None,
            "samples": len(found)}


# --- contacts and first-contact resolution ----------------------------------------------------

def contacts(events: Iterable[Event], settings: Settings) -> list[Contact]:
    """Every sender's contacts with shopper messages, repeats marked, ordered by start."""
    found = []
    for sender, stream in _by_sender(events).items():
        current: Optional[Contact] = None
        last_seen: Optional[float] = None
        mine = []
        for e in stream:
            new_session = e.type_name == SESSION_STARTED or (
                last_seen is not None and e.timestamp - last_seen > settings.session_gap_s)
            if new_session or current is None:
                current = Contact(sender, e.timestamp, e.timestamp)
                mine.append(current)
            last_seen = e.timestamp
            current.end = e.timestamp
            if e.type_name == USER:
                current.messages.append((e.timestamp, e.text, e.intent))
        mine = [c for c in mine if c.messages]
        for c in mine:  # a contact starts at its shopper's first message
            c.start = c.messages[0][0]
        for i, c in enumerate(mine):
            c.repeat = bool(c.topics) and any(
                c.start - d.end <= settings.repeat_window_s and c.topics & d.topics for d in mine[:i])
        found.extend(mine)
    found.sort(key=lambda c: c.start)
    return found


def first_contact_resolution(chosen: Sequence[Contact], settings: Settings) -> dict:
    consultations = [c for c in chosen if c.topics]
    repeats = sum(c.repeat for c in consultations)
    value = 1 - repeats / len(consultations) if consultations else None
    out = figure(value, len(consultations), settings.fcr_target, "above", "ratio")
    out["repeats"] = repeats
    return out


# --- satisfaction -----------------------------------------------------------------------------

def sentiment_stars(contact: Contact, sentiment: Callable[[str], Sentiment]) -> Optional[float]:
    """1 + 4 * the mean polarity of the contact's opinions (None when it holds none)."""
    from shop.sentiment import stars_from_polarity
    polarities = []
    for _, text, intent in contact.messages:
        if intent not in NO_OPINION_INTENTS and text.strip():
            s = sentiment(text)
            if s.is_opinion:
                polarities.append(s.polarity)
    return stars_from_polarity(sum(polarities) / len(polarities)) if polarities else None


@dataclass(frozen=True)
class SatisfactionSample:
    at: float
    channel: str
    stars: float
    weight: float
    source: str  # "rating" | "sentiment"


def satisfaction_samples(chosen: Sequence[Contact], ratings: Sequence[Rating], settings: Settings,
                         sentiment: Callable[[str], Sentiment]) -> list[SatisfactionSample]:
    """Ratings (all given) plus sentiment estimates of the unrated ``chosen`` contacts."""
    samples = [SatisfactionSample(r.created, r.channel, float(r.stars), settings.rating_weight, "rating")
               for r in ratings]
    rated_at = defaultdict(list)
    for r in ratings:
        rated_at[r.conversation_id].append(r.created)
    for c in chosen:
        if any(c.start <= t <= c.end + settings.rating_grace_s for t in rated_at.get(c.sender_id, ())):
            continue
        # a contact from the aggregates carries its estimate; the others are read here
        stars = c.known_stars if c.known_topics is not None else sentiment_stars(c, sentiment)
        if stars is not None:
            samples.append(SatisfactionSample(c.start, c.channel, stars, settings.sentiment_weight, "sentiment"))
    return samples


def satisfaction(samples: Sequence[SatisfactionSample], settings: Settings) -> dict:
    weight = sum(s.weight for s in samples)
    value = sum(s.stars * s.weight for s in samples) / weight if weight > 0 else None
    out = figure(value, len(samples), settings.satisfaction_target, "above", "stars")
    for source in ("rating", "sentiment"):
        part = [s.stars for s in samples if s.source == source]
        out[f"{source}s"] = {"value": round(sum(part) / len(part), 4) if part else None, "samples": len(part)}
    return out


# --- the whole dashboard ----------------------------------------------------------------------

def _hour_floor(t: float) -> float:
    return math.floor(t / 3600) * 3600


def dashboard(events: Iterable[Event], ratings: Iterable[Rating], since: float, until: float,
              sentiment: Optional[Callable[[str], Sentiment]] = None, settings: Settings = Settings()) -> dict:
    """Every figure, the per-channel breakdown and the hourly series for [since, until).

    Response times are over the last replies up to ``until`` (whatever their age);
    first-contact resolution and satisfaction over contacts started and ratings given in range.
    """
    _check_range(since, until)
    if sentiment is None:
        from shop.sentiment import analyse as sentiment
    events = [e for e in events if e.timestamp < until]
    ratings = [r for r in ratings if since <= r.created < until]
    replies = responses(events)
    in_range = [c for c in contacts(events, settings) if since <= c.start < until]
    samples = satisfaction_samples(in_range, ratings, settings, sentiment)
    channels = sorted({e.channel for e in events} | {r.channel for r in ratings})
    return assemble(replies, hourly_response_times(replies, since, until), in_range, samples, channels,
                    since, until, settings)


def _check_range(since: float, until: float) -> None:
    if not (isinstance(since, (int, float)) and isinstance(until, (int, float))) or not since < until:
        raise ValueError(f"a range needs since < until, got {since!r}, {until!r}")


def hours_of(since: float, until: float) -> list[float]:
    """The start of every clock hour that [since, until) touches (unix seconds)."""
    first = _hour_floor(since)
    return [first + 3600 * i for i in range(int(math.ceil((until - first) / 3600)))]


def hourly_response_times(replies: Sequence[Response], since: float, until: float) -> dict:
    """{"bot": [...], "human": [...]}: mean_seconds of the replies given in each hour of the range."""
    hours = hours_of(since, until)
    buckets = {kind: [[] for _ in hours] for kind in ("bot", "human")}
    for r in replies:
        if since <= r.replied_at < until:
            buckets[r.kind][int((r.replied_at - hours[0]) // 3600)].append(r)
    return {kind: [mean_seconds(b) for b in per_hour] for kind, per_hour in buckets.items()}


def assemble(replies: Sequence[Response], hourly: dict, in_range: Sequence[Contact],
             samples: Sequence[SatisfactionSample], channels: Sequence[str], since: float, until: float,
             settings: Settings = Settings()) -> dict:
    """The dashboard's JSON from its parts, however they were found (events scanned or aggregates).

    ``replies`` must hold at least the last ``settings.last_replies`` responses of every kind and
    channel before ``until``; ``hourly`` has hourly_response_times' shape for the range.
    """
    _check_range(since, until)
    per_channel = {}
    for ch in channels:
        per_channel[ch] = {
            "response_time": {k: response_time(replies, settings, k if k != "all" else None, ch)
                              for k in ("bot", "human", "all")},
            "first_contact_resolution": first_contact_resolution([c for c in in_range if c.channel == ch], settings),
            "satisfaction": satisfaction([s for s in samples if s.channel == ch], settings),
        }

    hours = hours_of(since, until)

    def by_hour(items, when) -> list:
        buckets = [[] for _ in hours]
        for item in items:
            t = when(item)
            if since <= t < until:
                buckets[int((t - hours[0]) // 3600)].append(item)
        return buckets

    contact_hours = by_hour(in_range, lambda c: c.start)
    sample_hours = by_hour(samples, lambda s: s.at)
    series = {"t": hours, "response_time_bot": list(hourly["bot"]), "response_time_human": list(hourly["human"]),
              "first_contact_resolution": [], "satisfaction": []}
    for started, rated in zip(contact_hours, sample_hours):
        fcr = first_contact_resolution(started, settings)
        series["first_contact_resolution"].append({"value": fcr["value"], "samples": fcr["samples"]})
        sat = satisfaction(rated, settings)
        series["satisfaction"].append({"value": sat["value"], "samples": sat["samples"]})

    return {
        "range": {"since": since, "until": until},
        "figures": {
            "response_time": {k: response_time(replies, settings, k if k != "all" else None)
                              for k in ("bot", "human", "all")},
            "first_contact_resolution": first_contact_resolution(in_range, settings),
            "satisfaction": satisfaction(samples, settings),
        },
        "channels": per_channel,
        "series": series,
        "settings": {"last_replies": settings.last_replies, "session_gap_s": settings.session_gap_s,
                     "repeat_window_s": settings.repeat_window_s, "rating_weight": settings.rating_weight,
                     "sentiment_weight": settings.sentiment_weight},
    }
