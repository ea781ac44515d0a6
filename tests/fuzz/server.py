"""A real Sanic server on loopback with every shop endpoint, for hostile traffic over real sockets.

The app is wired as ``rasa run`` wires the shipped channels (credentials.yml's classes,
Rasa's ``register``), with a recording bot instead of the trained model so thousands of
requests take seconds: it answers through the output channel as Rasa does and keeps
every message it is given, so a test can tell whether a refused request reached it.
The server runs in its own thread and event loop, as Rasa's would in its own process;
clients speak HTTP/1.1 to it over a loopback socket (tests/fuzz/client.py).
"""
from __future__ import annotations

import asyncio
import socket
import threading
from types import SimpleNamespace
from typing import Any, Optional
from uuid import uuid4

from rasa.core.channels.channel import UserMessage, register
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from sanic import Sanic

Sanic.test_mode = True  # many apps per process (as tests/channels/harness.py)


class StoringBot:
    """Stands in for Rasa's agent: records each message in a tracker, as Rasa would, and answers."""

    def __init__(self, tracker_store: InMemoryTrackerStore, domain: Any) -> None:
        self.received: list[UserMessage] = []
        self.tracker_store = tracker_store
        self.domain = domain
        self.lock = threading.Lock()

    async def __call__(self, message: UserMessage) -> None:
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, input_channel=message.input_channel, metadata=message.metadata),
                       self.domain)
        tracker.update(ActionExecuted("action_listen"), self.domain)
        await self.tracker_store.save(tracker)
        # A storable text survives the trip through a database (what Rasa's SQL tracker store needs).
        (message.text or "").encode("utf-8")
        with self.lock:
            self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"收到：{message.text[:50]}")

    def count(self) -> int:
        with self.lock:
            return len(self.received)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackServer:
    """``channels`` served on 127.0.0.1:<port> by Sanic's own HTTP server, in a thread."""

    def __init__(self, channels: list, domain: Any, extra_setup: Optional[Any] = None) -> None:
        self.port = free_port()
        self.trackers = InMemoryTrackerStore(domain)
        self.bot = StoringBot(self.trackers, domain)
        self.app = Sanic(f"fuzz_{uuid4().hex[:12]}")
        self.app.ctx.agent = SimpleNamespace(handle_message=self.bot, tracker_store=self.trackers,
                                             lock_store=InMemoryLockStore(), domain=domain)
        register(channels, self.app, route="/webhooks/")
        if extra_setup:
            extra_setup(self.app)
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="fuzz-server")

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = loop
        try:
            server = loop.run_until_complete(self.app.create_server(
                host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False))
            loop.run_until_complete(server.startup())
            self._server = server
        except BaseException as e:  # reported to the test thread
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(server.close())
        loop.close()

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        self._ready.wait(60)
        if self._error:
            raise self._error
        return self

    def __exit__(self, *exc: Any) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)

    def run(self, coro: Any, timeout: float = 30) -> Any:
        """Runs ``coro`` on the server's loop (for reading its stores)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def events(self, sender_id: str) -> int:
        async def count() -> int:
            tracker = await self.trackers.retrieve(sender_id)
            return len(tracker.events) if tracker else 0
        return self.run(count())
