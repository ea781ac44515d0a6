"""Locust shoppers for bench/load.py: multi-turn conversations through Rasa's REST channel.

BENCH_BOT=shop     a shopper of this project: a product question, a follow-up with 它, a size
                   question, the order status (a new sender is asked to identify) and an after-sales
                   request, in Chinese, as a new sender each round.
BENCH_BOT=moodbot  stock Rasa's `rasa init` bot, the baseline: its own greet / mood / affirm / goodbye turns.

One request is one turn, named by its position ("turn 1" … "turn 5"); Locust's "Aggregated" row covers
all turns, the named rows show where the time goes. A reply
that is not a JSON list with at least one message counts as a failure (Rasa answers every turn of
these conversations). No think time: the shoppers are a closed loop, so turns/s is the throughput.
"""
from __future__ import annotations

import itertools
import os
import uuid

from locust import HttpUser, constant, task

SHOP_TURNS = ("宽松真丝衬衫多少钱", "它是什么面料的", "我165 一百斤穿什么码", "我的订单发货了吗", "我要退货")
MOODBOT_TURNS = ("hello", "I am sad", "yes", "great, thanks", "bye")
TURNS = {"shop": SHOP_TURNS, "moodbot": MOODBOT_TURNS}[os.environ.get("BENCH_BOT", "shop")]
_round = itertools.count()


class Shopper(HttpUser):
    wait_time = constant(0)

    @task
    def conversation(self) -> None:
        sender = f"load-{uuid.uuid4().hex[:12]}-{next(_round)}"
        for i, text in enumerate(TURNS, start=1):
            # named by position, so the stats show which turn of the conversation takes the time
            with self.client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                  name=f"turn {i}", catch_response=True, timeout=60) as response:
                try:
                    ok = response.status_code == 200 and isinstance(response.json(), list) and response.json()
                except ValueError:
                    ok = False
                if ok:
                    response.success()
                else:
                    response.failure(f"HTTP {response.status_code}: {response.text[:80]!r}")
