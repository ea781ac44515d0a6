"""NLU off the event loop (channels.server.NluWorker): one thread, shortest text first."""
import asyncio
import threading
import time

import pytest

from channels.server import NluWorker


def test_short_messages_are_parsed_before_long_ones_that_wait_with_them():
    async def scenario():
        worker = NluWorker(short_chars=200)
        order = []
        gate = threading.Event()

        def parse(text):
            if text == "busy":
                gate.wait(5)
            order.append(text)
            return text.upper()

        busy = worker.run(4, parse, "busy")      # the parse under way when the others arrive
        await asyncio.sleep(0.05)
        long_ones = [worker.run(1000, parse, f"long{i}") for i in range(3)]
        short = worker.run(2, parse, "hi")
        gate.set()
        assert await short == "HI"
        await asyncio.gather(busy, *long_ones)
        return order

    assert asyncio.run(scenario()) == ["busy", "hi", "long0", "long1", "long2"]


def test_the_loop_is_free_while_the_worker_parses_and_errors_come_back():
    async def scenario():
        worker = NluWorker()
        slow = worker.run(10, time.sleep, 0.5)
        started = time.perf_counter()
        await asyncio.sleep(0.01)  # the loop is not held by the parse
        assert time.perf_counter() - started < 0.3
        await slow
        with pytest.raises(ZeroDivisionError):
            await worker.run(1, lambda: 1 / 0)
    asyncio.run(scenario())
