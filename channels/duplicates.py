"""Remembering message ids so a platform's redelivery is answered without running the bot again.

Platforms redeliver when they do not hear back in time (WeChat retries three
times within 15 s, webhooks retry on timeouts, apps retry on a dropped
connection). A message that reached the bot must not reach it twice: the
second "取消订单" would act on the next order.

A store only needs ``claim``. The in-memory one serves a single Rasa process;
Rasa processes side by side behind one address share the Redis one, else a
redelivery that lands on the other process runs the bot a second time.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Protocol


class DuplicateStore(Protocol):
    async def claim(self, key: str) -> bool:
        """True the first time ``key`` is seen within the store's memory, False after."""


class MemoryDuplicateStore:
    """Message ids seen in the last ``ttl_seconds``, at most ``max_entries`` of them.

    The bound keeps a flood of distinct ids from growing the process without
    limit; when it is reached the oldest ids are forgotten first, which only
    matters for redeliveries older than everything newer than them.
    """

    def __init__(self, ttl_seconds: float = 24 * 3600, max_entries: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if ttl_seconds <= 0 or max_entries <= 0:
            raise ValueError("ttl_seconds and max_entries must be positive")
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()

    async def claim(self, key: str) -> bool:
        now = self._clock()
        self._forget_expired(now)
        if key in self._expiry:
            return False
        self._expiry[key] = now + self.ttl_seconds
        while len(self._expiry) > self.max_entries:
            self._expiry.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._expiry)

    def _forget_expired(self, now: float) -> None:
        # Insertion order is expiry order (one ttl for all), so the expired are at the front.
        while self._expiry:
            key, expires = next(iter(self._expiry.items()))
            if expires > now:
                break
            del self._expiry[key]


class RedisDuplicateStore:
    """Message ids in Redis, seen by every process that uses the same server.

    ``SET key 1 NX EX ttl`` claims and sets the expiry in one atomic step, so two
    processes receiving the same redelivery at once cannot both win.
    """

    def __init__(self, url: str, ttl_seconds: float = 24 * 3600, prefix: str = "shop:channel-message:") -> None:
        from redis.asyncio import Redis

        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be at least 1 (Redis expires in whole seconds)")
        self.redis = Redis.from_url(url)
        self.ttl_seconds = int(ttl_seconds)
        self.prefix = prefix

    async def claim(self, key: str) -> bool:
        return bool(await self.redis.set(self.prefix + key, b"1", nx=True, ex=self.ttl_seconds))
