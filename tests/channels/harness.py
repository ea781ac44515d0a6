"""A Sanic app wired as ``rasa run`` wires channels, with a recording bot in place of Rasa's agent.

Requests go through Sanic's ASGI interface in-process (httpx's ASGITransport):
no socket is opened. ``sanic-testing`` is not used because every release that
supports Sanic 21.12 pins an httpx older than the one in the lock.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
from types import SimpleNamespace
from typing import Any, AsyncIterator, Optional
from uuid import uuid4

import httpx
from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

BASE_URL = "http://shop.test"

# Sanic rewrites some of its own methods at each app's startup; in test mode it
# keeps the originals, so many apps can start in one process (sanic-testing does the same).
Sanic.test_mode = True


class RecordingBot:
    """Stands in for Rasa's agent: records each message and answers through its output channel.

    Answers go through ``send_response``, the call Rasa's processor makes for every bot utterance.
    """

    def __init__(self, *replies: dict) -> None:
        self.received: list[UserMessage] = []
        self.replies = list(replies) or [{"text": "收到：{text}"}]

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        for reply in self.replies:
            filled = {k: v.format(text=message.text) if isinstance(v, str) else v for k, v in reply.items()}
            await message.output_channel.send_response(message.sender_id, filled)


@contextlib.asynccontextmanager
async def rasa_app(channel: InputChannel, bot: RecordingBot) -> AsyncIterator[Sanic]:
    """A started Sanic app with ``channel`` under /webhooks/ as Rasa registers it."""
    app = Sanic(f"channels_test_{uuid4().hex[:12]}")
    app.ctx.agent = SimpleNamespace(handle_message=bot)
    register([channel], app, route="/webhooks/")
    async with started(app):
        yield app


@contextlib.asynccontextmanager
async def started(app: Sanic) -> AsyncIterator[Sanic]:
    """``app`` through its ASGI lifespan startup, which finalises Sanic's routers (an ASGI server sends it first)."""
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    lifespan = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await asyncio.wait_for(outbox.get(), 10))["type"] == "lifespan.startup.complete"
    try:
        yield app
    finally:
        lifespan.cancel()
        with contextlib.suppress(BaseException):
            await lifespan


@contextlib.asynccontextmanager
async def client(channel: InputChannel, bot: RecordingBot) -> AsyncIterator[httpx.AsyncClient]:
    async with rasa_app(channel, bot) as app:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
            c.app = app
            yield c


class EventStream:
    """An open text/event-stream response, read frame by frame.

    httpx's ASGI transport returns a response only once the app finishes, which
    a live stream never does; this drives the ASGI call directly instead.
    """

    def __init__(self, start: dict, sent: asyncio.Queue) -> None:
        self.status = start["status"]
        self.headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
        self._sent = sent
        self._buffer = ""

    async def frame(self, timeout: float = 5) -> str:
        while "\n\n" not in self._buffer:
            message = await asyncio.wait_for(self._sent.get(), timeout)
            assert message["type"] == "http.response.body"
            self._buffer += message.get("body", b"").decode()
            if not message.get("more_body", False) and "\n\n" not in self._buffer:
                raise EOFError(self._buffer)
        frame, self._buffer = self._buffer.split("\n\n", 1)
        return frame

    async def event(self, timeout: float = 5) -> dict:
        """The next ``message`` event's data, skipping comments and the retry field."""
        while True:
            lines = (await self.frame(timeout)).split("\n")
            if "event: message" in lines:
                return json.loads(next(line for line in lines if line.startswith("data: "))[len("data: "):])

    async def body(self) -> str:
        """The rest of a response that ends (a refusal)."""
        chunks = [self._buffer]
        while True:
            message = await asyncio.wait_for(self._sent.get(), 5)
            chunks.append(message.get("body", b"").decode())
            if not message.get("more_body", False):
                return "".join(chunks)


@contextlib.asynccontextmanager
async def event_stream(app: Sanic, path: str, headers: Optional[dict] = None) -> AsyncIterator[EventStream]:
    sent: asyncio.Queue = asyncio.Queue()
    hung_up = asyncio.Event()
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await hung_up.wait()
        return {"type": "http.disconnect"}

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
             "client": ("127.0.0.1", 50000), "server": ("shop.test", 80)}
    call = asyncio.ensure_future(app(scope, receive, sent.put))
    start = await asyncio.wait_for(sent.get(), 5)
    assert start["type"] == "http.response.start"
    try:
        yield EventStream(start, sent)
    finally:
        hung_up.set()
        call.cancel()  # what Sanic's server does to the handler when the client hangs up
        with contextlib.suppress(BaseException):
            await call
