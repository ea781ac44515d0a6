"""The broker's aggregates give the figures the scan of the events table gives, event by event."""
from __future__ import annotations

import json
import random

import pytest

from shop.metrics import aggregates
from shop.metrics.aggregates import Aggregator, event_from_broker, loads_broker_body
from shop.metrics.reader import load_dashboard as scanned
from tests.metrics.conftest import T0, bot, paused, resumed, save_conversations, save_ratings, session, user

H = 3600
TEXTS = [("这件是什么材质的", "ask_product_info"), ("快递到哪了", "track_logistics"), ("在吗", "greet"),
         ("好的，谢谢亲", "thank"), ("你们客服态度太差了", "complain_service"), ("我要退货", "request_return"),
         ("转人工", "request_human"), ("有优惠券吗", "ask_price_promotion"), ("太感谢了，帮了大忙", "thank"),
         ("怎么还没发货，都一个星期了", "check_order_status"), ("发票怎么开", "request_invoice")]


def conversations(seed: int, senders: int = 40) -> dict:
    """Random but plausible streams: sessions, silences over an hour, handoffs, human replies, repeats."""
    rng = random.Random(seed)
    out = {}
    for n in range(senders):
        sender = rng.choice(["app", "miniprogram", "social", None])
        sender = f"{sender}:{n}" if sender else f"guest{n}"
        t, stream = T0 - 80 * H + rng.uniform(0, 100 * H), []
        for _ in range(rng.randint(1, 5)):  # contacts
            if rng.random() < 0.6:
                stream.append(session(t))
            handed = False
            for _ in range(rng.randint(1, 4)):  # turns
                t += rng.uniform(1, 90)
                text, intent = rng.choice(TEXTS)
                stream.append(user(t, text, intent))
                if intent == "request_human" and not handed:
                    t += 1
                    stream.append(paused(t))
                    handed = True
                t += rng.uniform(0.5, 40)
                stream.append(bot(t, agent="li" if handed and rng.random() < 0.8 else None))
                if handed and rng.random() < 0.3:
                    t += 2
                    stream.append(resumed(t))
                    handed = False
            t += rng.choice([30, 2 * H, 20 * H, 90 * H])  # within a session, new session, repeat window, beyond
        out[sender] = stream
    return out


def _same(a, b, path="") -> None:
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, abs=2e-4), path
    else:
        assert a == b, path


def _compare(scan: dict, agg: dict) -> None:
    _same(scan["figures"], agg["figures"])
    _same(scan["series"], agg["series"])
    for channel in scan["channels"]:  # the aggregates may also list a channel quiet for days
        _same(scan["channels"][channel], agg["channels"][channel], channel)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_backfilled_aggregates_give_the_scanned_figures(tmp_path, seed):
    tracker = save_conversations(tmp_path / "tracker.db", conversations(seed))
    shop = save_ratings(tmp_path / "shop.db", [("app:3", "app", 5, T0 - 2 * H), ("social:5", "social", 2, T0 - H)])
    url = f"sqlite:///{tmp_path / 'agg.db'}"
    applied = Aggregator(url).backfill(tracker, batch=37)  # batches that split conversations
    assert applied > 100
    for hours, until in ((24, T0 + 20 * H), (72, T0 + 20 * H), (6, T0)):
        scan = scanned(tracker, shop, hours=hours, until=until)
        agg = aggregates.load_dashboard(url, shop, hours=hours, until=until)
        assert agg["source"] == "aggregates"
        assert scan["figures"]["first_contact_resolution"]["samples"] > 0 or hours == 6
        _compare(scan, agg)


def test_broker_messages_redelivered_count_once(tmp_path):
    from rasa.shared.core.events import Event as RasaEvent  # noqa: F401  (as_dict is Rasa's own)
    streams = conversations(7, senders=12)
    tracker = save_conversations(tmp_path / "tracker.db", streams)
    shop = save_ratings(tmp_path / "shop.db", [])
    # what Rasa's pika broker publishes: the event's as_dict() plus the sender
    bodies = [json.dumps({**e.as_dict(), "sender_id": sender}).encode()
              for sender, stream in streams.items() for e in stream]
    url = f"sqlite:///{tmp_path / 'agg.db'}"
    agg = Aggregator(url)
    events = [loads_broker_body(b) for b in bodies]
    first = agg.apply(events[: len(events) // 2])
    # the consumer died before acknowledging: RabbitMQ delivers the same messages again, then the rest
    again = agg.apply(events)
    assert first + again == len(events)
    until = T0 + 30 * H
    _compare(scanned(tracker, shop, hours=72, until=until), aggregates.load_dashboard(url, shop, hours=72, until=until))


def test_unreadable_broker_messages_are_dropped():
    assert loads_broker_body(b"not json") is None
    assert loads_broker_body(b"\xff\xfe") is None
    assert loads_broker_body(b"[1, 2]") is None
    assert event_from_broker({"event": "user", "timestamp": 1.0}) is None  # no sender
    assert event_from_broker({"sender_id": "a", "event": "slot", "timestamp": 1.0}) is None  # not read
    assert event_from_broker({"sender_id": "a", "event": "user", "timestamp": "soon"}) is None
    assert event_from_broker({"sender_id": "a", "event": "user", "timestamp": float("nan")}) is None
    e = event_from_broker({"sender_id": "app:1", "event": "user", "timestamp": 5, "text": "在吗",
                           "parse_data": {"intent": {"name": "greet", "confidence": 0.9}}})
    assert (e.sender_id, e.type_name, e.intent, e.text, e.channel) == ("app:1", "user", "greet", "在吗", "app")


def test_an_empty_aggregate_store_gives_null_figures(tmp_path):
    shop = save_ratings(tmp_path / "shop.db", [])
    d = aggregates.load_dashboard(f"sqlite:///{tmp_path / 'none.db'}", shop, hours=24, until=T0)
    assert d["figures"]["response_time"]["bot"]["value"] is None
    assert d["figures"]["first_contact_resolution"]["samples"] == 0
    assert not (tmp_path / "none.db").exists()  # a reader does not create the store
    with pytest.raises(ValueError):
        aggregates.load_dashboard(f"sqlite:///{tmp_path / 'none.db'}", shop, hours=0, until=T0)


def test_the_consumer_applies_what_rasas_pika_broker_publishes(tmp_path, rabbitmq):
    """Rasa's own PikaEventBroker publishes a real stream; the consumer folds it in; same figures as the scan."""
    import asyncio

    from rasa.core.brokers.pika import PikaEventBroker

    from shop.metrics.consumer import Broker, consume

    streams = conversations(11, senders=15)
    tracker = save_conversations(tmp_path / "tracker.db", streams)
    shop = save_ratings(tmp_path / "shop.db", [])
    bodies = [{**e.as_dict(), "sender_id": sender} for sender, stream in streams.items() for e in stream]
    url = f"sqlite:///{tmp_path / 'agg.db'}"
    aggregator = Aggregator(url)
    counted: list = []
    apply = aggregator.apply
    aggregator.apply = lambda events: counted.append(apply(events)) or counted[-1]

    async def run() -> int:
        publisher = PikaEventBroker("127.0.0.1", "guest", "guest", port=rabbitmq.port, queues=["shop_test_events"],
                                    raise_on_failure=True)
        await publisher.connect()
        for body in bodies[:10]:
            publisher.publish(body)
        publisher.publish({"sender_id": "app:x", "event": "user", "timestamp": "not a time"})  # dropped
        stop = asyncio.Event()
        consumer = asyncio.create_task(consume(aggregator, Broker(port=rabbitmq.port), "shop_test_events",
                                               batch=7, idle_s=0.1, stop=stop))
        for body in bodies[10:]:  # published while the consumer runs
            publisher.publish(body)
        for _ in range(200):
            await asyncio.sleep(0.05)
            if sum(counted) == len(bodies):
                break
        stop.set()
        await publisher.close()
        return await asyncio.wait_for(consumer, 30)

    assert asyncio.run(run()) == len(bodies)
    until = T0 + 30 * H
    _compare(scanned(tracker, shop, hours=72, until=until), aggregates.load_dashboard(url, shop, hours=72, until=until))

