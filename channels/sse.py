"""Server-Sent Events for the app: open streams per shopper and the text/event-stream framing."""
from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any, Mapping

KEEPALIVE = ": keepalive\n\n"  # a comment line: clients ignore it, proxies see traffic and keep the connection
_CLOSE = object()


class TooManyStreams(Exception):
    pass


class StreamHub:
    """The open streams of each conversation, and delivery of bot messages to all of them.

    A shopper may have the app open on two devices; each stream gets every message.
    """

    def __init__(self, max_streams_per_conversation: int = 4, queue_size: int = 100) -> None:
        self.max_streams = max_streams_per_conversation
        self.queue_size = queue_size
        self._queues: dict[str, set[asyncio.Queue]] = defaultdict(set)

    def open(self, conversation_id: str) -> asyncio.Queue:
        if len(self._queues[conversation_id]) >= self.max_streams:
            raise TooManyStreams(conversation_id)
        queue: asyncio.Queue = asyncio.Queue(self.queue_size)
        self._queues[conversation_id].add(queue)
        return queue

    def close(self, conversation_id: str, queue: asyncio.Queue) -> None:
        queues = self._queues.get(conversation_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._queues[conversation_id]

    def streams(self, conversation_id: str) -> int:
        return len(self._queues.get(conversation_id, ()))

    def publish(self, conversation_id: str, message: Mapping[str, Any]) -> int:
        """Queues ``message`` on every open stream of the conversation; returns how many."""
        queues = list(self._queues.get(conversation_id, ()))
        for queue in queues:
            try:
                queue.put_nowait(dict(message))
            except asyncio.QueueFull:
                # A client that stops reading is cut off instead of buffered without
                # bound; it reconnects and the response of its next message has the rest.
                self._cut_off(conversation_id, queue)
        return len(queues)

    def _cut_off(self, conversation_id: str, queue: asyncio.Queue) -> None:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(_CLOSE)
        self.close(conversation_id, queue)


_SHARED = StreamHub()


def shared_hub() -> StreamHub:
    """The process's hub: the app channel and the workbench (agents' replies) push through it."""
    return _SHARED


async def next_event(queue: asyncio.Queue, keepalive_seconds: float) -> str | None:
    """The next frame to write: an event, a keepalive after a quiet spell, None when cut off."""
    try:
        message = await asyncio.wait_for(queue.get(), keepalive_seconds)
    except asyncio.TimeoutError:
        return KEEPALIVE
    if message is _CLOSE:
        return None
    return event(message)


def event(data: Mapping[str, Any], name: str = "message") -> str:
    # json.dumps never emits a raw newline, so the data fits on one "data:" line.
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
