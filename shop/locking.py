"""A conversation lock that holds across Rasa processes (endpoints.yml ``lock_store: type: shop.locking.AtomicRedisLockStore``).

Rasa 3.6's RedisLockStore keeps each conversation's ticket queue as one JSON value
and updates it by GET, change, SET. Two processes issuing tickets at once overwrite
each other's: both may think they are served (a lost turn), or one waits on a
ticket that no longer exists. Two processes taking one conversation's lock 15 times
each: after 60 s only 12 of the 30 turns had completed, both processes stuck. This store takes the lock
with one atomic ``SET key token NX PX`` and releases it with a compare-and-delete
script (redis-py's Lock), so there is nothing to overwrite.

Order among messages of one conversation that arrive within the same instant is
not guaranteed (a ticket queue would give FIFO); mutual exclusion is.
"""
from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Optional, Text

import redis
from redis.exceptions import LockError as RedisLockError
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

MAX_POLL_SECONDS = 0.05  # Rasa asks for 1 s between attempts; a shopper's next reply should not wait that long


class AtomicRedisLockStore(LockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, *, host: str = "localhost",
                 port: int = 6379, db: int = 1, username: Optional[str] = None, password: Optional[str] = None,
                 use_ssl: bool = False, key_prefix: str = "shop", socket_timeout: float = 10) -> None:
        if endpoint_config is not None:
            kw = endpoint_config.kwargs
            host = endpoint_config.url or host
            port, db = int(kw.get("port", port)), int(kw.get("db", db))
            username, password = kw.get("username", username), kw.get("password", password)
            use_ssl, key_prefix = bool(kw.get("use_ssl", use_ssl)), kw.get("key_prefix", key_prefix)
        self.red = redis.StrictRedis(host=host, port=int(port), db=int(db), username=username, password=password,
                                     ssl=use_ssl, socket_timeout=socket_timeout)
        self.key_prefix = f"{key_prefix}:conversation_lock:"
        super().__init__()

    def _key(self, conversation_id: Text) -> str:
        return self.key_prefix + conversation_id

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        held = self.red.lock(self._key(conversation_id), timeout=lock_lifetime)
        poll = max(0.001, min(wait_time_in_seconds, MAX_POLL_SECONDS))
        # A holder's lock expires after lock_lifetime, so waiting longer than that means Redis is unwell.
        deadline = time.monotonic() + 2 * lock_lifetime
        while not held.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(poll)
        try:
            yield TicketLock(conversation_id)
        finally:
            try:
                held.release()
            except RedisLockError:
                # The turn outlived lock_lifetime and another process may already hold it.
                logger.warning("lock for %s expired before its turn ended", conversation_id)

    # The ticket-queue interface of LockStore, for callers that inspect a lock.
    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        return TicketLock(conversation_id) if self.red.exists(self._key(conversation_id)) else None

    def delete_lock(self, conversation_id: Text) -> None:
        self.red.delete(self._key(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        """Nothing to save: the lock is the key itself."""

    def is_someone_waiting(self, conversation_id: Text) -> bool:
        return bool(self.red.exists(self._key(conversation_id)))
