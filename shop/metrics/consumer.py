"""Keeps the dashboard's aggregates up to date from Rasa's event broker (RabbitMQ, ``type: pika``).

    python -m shop.metrics.consumer [--queue rasa_events] [--backfill]

Reads the broker's address and account from the environment (never the command line):
RABBITMQ_HOST (default 127.0.0.1), RABBITMQ_PORT (5672), RABBITMQ_USER, RABBITMQ_PASSWORD;
the aggregates go to SHOP_METRICS_DB_URL (default the shop store, shop.store.settings.db_url()).
``--backfill`` first folds in what the tracker store already holds (SHOP_TRACKER_DB_URL), so a
consumer started late, or against a store older than the queue, misses nothing; an event
applied twice counts once (shop.metrics.aggregates).

Messages are taken in batches of up to ``batch``, applied in one transaction and acknowledged
after the commit: a consumer killed mid-batch gets the batch again from RabbitMQ.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
from dataclasses import dataclass
from typing import Optional

from shop.metrics.aggregates import Aggregator, loads_broker_body

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "rasa_events"  # deploy/endpoints.production.yml's queue


@dataclass(frozen=True)
class Broker:
    host: str = "127.0.0.1"
    port: int = 5672
    username: str = "guest"
    password: str = "guest"

    @classmethod
    def from_env(cls) -> "Broker":
        return cls(host=os.environ.get("RABBITMQ_HOST", "127.0.0.1"), port=int(os.environ.get("RABBITMQ_PORT", "5672")),
                   username=os.environ.get("RABBITMQ_USER", "guest"),
                   password=os.environ.get("RABBITMQ_PASSWORD", "guest"))


async def consume(aggregator: Aggregator, broker: Broker, queue: str = DEFAULT_QUEUE, batch: int = 500,
                  idle_s: float = 0.5, stop: Optional[asyncio.Event] = None) -> int:
    """Applies the queue's messages until ``stop`` is set; returns how many events counted.

    ``batch``: messages per transaction (1–10,000); ``idle_s``: the wait when the queue is empty.
    """
    import aio_pika

    if not 1 <= batch <= 10_000:
        raise ValueError(f"batch must be between 1 and 10000, got {batch!r}")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    counted = 0
    connection = await aio_pika.connect_robust(host=broker.host, port=broker.port, login=broker.username,
                                               password=broker.password)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=batch)
        # the same declaration as Rasa's PikaEventBroker, which binds it to its fanout exchange
        q = await channel.declare_queue(queue, durable=True)
        while not stop.is_set():
            messages = []
            while len(messages) < batch:
                message = await q.get(no_ack=False, fail=False)
                if message is None:
                    break
                messages.append(message)
            if not messages:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=idle_s)
                except asyncio.TimeoutError:
                    pass
                continue
            events = [e for e in (loads_broker_body(m.body) for m in messages) if e is not None]
            counted += await loop.run_in_executor(None, aggregator.apply, events)
            await messages[-1].ack(multiple=True)  # only after the commit
    return counted


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queue", default=DEFAULT_QUEUE)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--backfill", action="store_true",
                        help="first apply the tracker store's stored events (SHOP_TRACKER_DB_URL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from shop.store.settings import db_url
    aggregator = Aggregator(os.environ.get("SHOP_METRICS_DB_URL") or db_url())
    if args.backfill:
        tracker = os.environ.get("SHOP_TRACKER_DB_URL", "sqlite:///var/tracker.db")
        logger.info("backfill: %d events applied from the tracker store", aggregator.backfill(tracker))

    async def run() -> int:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        return await consume(aggregator, Broker.from_env(), args.queue, args.batch, stop=stop)

    logger.info("stopped after %d events", asyncio.run(run()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
