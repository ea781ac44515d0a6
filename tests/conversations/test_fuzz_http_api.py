"""Rasa's HTTP API and the REST channel with the trained model, under hostile traffic and as an attacker tries.

The API as ``make run`` serves it (rasa.server with the token, channels.http_api's
guard, NLU off the event loop), the real agent with the shipped NLG, the action server
behind its secret and a SQLite tracker store (what ``make run`` uses: text that SQLite
cannot take would fail there), on Sanic's own server on a loopback port.

- ``SHOP_FUZZ_COUNT`` (1,000) seeded malformed requests to ``/model/parse`` and to the
  ``/conversations/<id>/…`` routes, a few hundred to the rest: 0 answers >= 500, no dropped
  connection, no event stored by a refused request, a normal message answered after.
- The findings end to end: another shopper's order over REST, ``input_channel`` in the
  body, ``{"text": 5}`` on ``/model/parse``, a lone surrogate stored and answered.
"""
from __future__ import annotations

import asyncio
import collections
import json
import os
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from sanic import Sanic

from shop.rules.policy import OrderStatus
from shop.store import models as m
from tests.conversations.conftest import ROOT, _free_port
from tests.fuzz.client import Dropped, request
from tests.fuzz.payloads import Mutator

COUNT = int(os.environ.get("SHOP_FUZZ_COUNT", "1000"))
TOKEN = "fuzz-api-token-" + "z" * 16
RESULTS = ROOT / "results" / "fuzz.json"
Sanic.test_mode = True
tally: dict = {}


@pytest.fixture(scope="module")
def api(model_path, action_server, loop, tmp_path_factory):
    import rasa.server
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import register
    from rasa.core.utils import AvailableEndpoints, read_endpoints_from_path
    from rasa.utils.endpoints import EndpointConfig

    from channels import http_api
    from channels.rest import RestInput
    from channels.server import parse_off_the_loop

    work = tmp_path_factory.mktemp("api")
    endpoints = AvailableEndpoints(
        action=EndpointConfig(action_server, token=os.environ["SHOP_ACTION_TOKEN"]),
        tracker_store=EndpointConfig(type="SQL", dialect="sqlite", db=str(work / "tracker.db")),
        nlg=read_endpoints_from_path(ROOT / "endpoints.yml").nlg)
    agent = loop.run_until_complete(load_agent(model_path=str(model_path), endpoints=endpoints))
    app = rasa.server.create_app(agent=agent, auth_token=TOKEN)
    register([RestInput(mode="demo")], app, route="/webhooks/")
    http_api.install(app, TOKEN)
    parse_off_the_loop()
    port = _free_port()
    server = loop.run_until_complete(app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                                       access_log=False))
    loop.run_until_complete(server.startup())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(port=port, agent=agent, loop=loop)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.run_until_complete(server.close())
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        RESULTS.write_text(json.dumps({**previous, **tally}, indent=2, ensure_ascii=False))


def on_loop(api, coro):
    return asyncio.run_coroutine_threadsafe(coro, api.loop).result(60)


def events(api, sender: str) -> list:
    async def get():
        tracker = await api.agent.tracker_store.retrieve(sender)
        return [e.as_dict() for e in tracker.events] if tracker else []
    return on_loop(api, get())


def rest(api, sender: str, text: str, **extra):
    body = json.dumps({"sender": sender, "message": text, **extra}, ensure_ascii=False).encode()
    r = request(api.port, "POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"}, timeout=120)
    answer = "\n".join(m.get("text", "") for m in json.loads(r.body)) if r.status == 200 else ""
    return r.status, answer


def api_call(api, method, path, body=b"", token=TOKEN, **query):
    sep = "&" if "?" in path else "?"
    return request(api.port, method, path + (f"{sep}token={token}" if token else ""), body,
                   {"Content-Type": "application/json"}, timeout=120)


def hammer(api, name, make):
    statuses: collections.Counter = collections.Counter()
    problems = []
    for i in range(COUNT):
        method, path, body, sender = make(i)
        before = len(events(api, sender)) if sender else None
        try:
            r = request(api.port, method, path, body, {"Content-Type": "application/json"}, timeout=120)
        except Dropped as e:
            problems.append(f"#{i} dropped: {e}")
            continue
        statuses[r.status] += 1
        if r.status >= 500:
            problems.append(f"#{i} {method} {path[:90]} -> {r.status} {r.text[:300]} body={body[:150]!r}")
        elif r.status >= 400 and sender and len(events(api, sender)) != before:
            problems.append(f"#{i} refused ({r.status}) but stored events: {body[:150]!r}")
    tally[name] = {"sent": COUNT, "2xx/3xx": sum(n for s, n in statuses.items() if s < 400),
                   "4xx": sum(n for s, n in statuses.items() if 400 <= s < 500),
                   "5xx": sum(n for s, n in statuses.items() if s >= 500),
                   "dropped": sum(1 for p in problems if "dropped" in p), "statuses": dict(sorted(statuses.items()))}
    assert not problems, f"{name}: {len(problems)} problems:\n" + "\n".join(problems[:10])
    return statuses


def still_answers(api):
    status, answer = rest(api, "after-api-fuzz", "你好")
    assert status == 200 and answer


# -- the findings, end to end ----------------------------------------------------------------------------
def test_a_rest_sender_named_like_a_seeded_shopper_cannot_touch_that_shoppers_order(api, sessions):
    """Finding 1: {"sender": "shopper17", ...} then 确认 cancelled shopper 17's order."""
    with sessions() as s:
        order = s.query(m.Order).filter(m.Order.shopper_id == 17, m.Order.status == OrderStatus.PAID).first() or \
            s.query(m.Order).filter(m.Order.status == OrderStatus.PAID, m.Order.shopper_id != 1).first()
        name = s.get(m.Shopper, order.shopper_id).name
    sender = f"shopper{order.shopper_id:02d}"
    status, answer = rest(api, sender, f"帮我取消订单{order.order_no}")
    assert status == 200 and "手机号" in answer and name not in answer
    rest(api, sender, "确认")
    with sessions() as s:
        assert s.query(m.Order).filter_by(order_no=order.order_no).one().status == OrderStatus.PAID


def test_input_channel_in_a_rest_body_does_not_make_an_app_shopper(api, sessions):
    """Finding 2: "input_channel": "app" with an app shopper's id listed that shopper's orders."""
    from shop.identity import bind
    from shop.store.clock import china_now
    with sessions() as s, s.begin():
        bind(s, "app", "app:u-victim", 5, "platform", china_now())
    status, _ = rest(api, "app:u-victim", "我的订单", input_channel="app")
    assert status == 400 and events(api, "app:u-victim") == []
    status, answer = rest(api, "u-victim", "我的订单", input_channel="app")
    assert status == 200 and "手机号" in answer


def test_parse_with_a_text_that_is_not_a_string_is_a_400(api):
    """Finding 8: /model/parse with {"text": 5} was a 500."""
    for body in ({"text": 5}, {"text": None}, {"text": ["a"]}, {}, [], "x"):
        r = api_call(api, "POST", "/model/parse", json.dumps(body).encode())
        assert r.status == 400, (body, r.text)
    r = api_call(api, "POST", "/model/parse", json.dumps({"text": "快递到哪了"}).encode())
    assert r.status == 200 and json.loads(r.body)["intent"]["name"]
    assert api_call(api, "POST", "/model/parse", b'{"text": "x"}', token="wrong").status == 401


def test_a_lone_surrogate_is_stored_as_a_replacement_character_and_answered(api):
    """Finding 9: "\\ud800" in the text: 200, no reply, nothing stored (SQLite could not take it)."""
    body = b'{"sender": "surrogate-1", "message": "\\u4f60\\u597d\\ud800"}'
    r = request(api.port, "POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"}, timeout=120)
    assert r.status == 200 and json.loads(r.body)
    [user] = [e for e in events(api, "surrogate-1") if e["event"] == "user"]
    assert user["text"] == "你好\ufffd"


def test_nlu_runs_off_the_event_loop(api):
    """Finding 4: while long messages are parsed, the server keeps answering."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    long_text = ("我想问一下这件衣服的尺码和颜色还有没有货，" * 60)[:1000]
    times = []

    def ping():
        t = time.perf_counter()
        assert request(api.port, "GET", "/", timeout=60).status == 200
        times.append(time.perf_counter() - t)

    with ThreadPoolExecutor(4) as pool:
        hostile = [pool.submit(rest, api, f"long-{i}", long_text) for i in range(3)]
        while not all(h.done() for h in hostile):
            ping()
        assert all(h.result()[0] == 200 for h in hostile)
    assert times and max(times) < 2.0


# -- fuzz --------------------------------------------------------------------------------------------------
def test_fuzz_model_parse(api):
    mut = Mutator(1101)

    def make(i):
        body = mut.mutate({"text": mut.choice(["快递到哪了", "我要退货", "你好"]), "message_id": f"p{i}"})
        query = mut.choice(["", "", "", "&emulation_mode=" + mut.choice(["wit", "LUIS", "x"]), "&callback_url=http://x"])
        return "POST", f"/model/parse?token={TOKEN}{query}", body, None

    hammer(api, "http api /model/parse", make)
    still_answers(api)


def test_fuzz_conversations(api):
    mut = Mutator(1202)
    senders = ["fuzz-conv-a", "fuzz-conv-b"]
    templates = {
        "messages": {"text": "我的订单到哪了", "sender": "user",
                     "parse_data": {"intent": {"name": "greet", "confidence": 1.0}, "entities": []}},
        "trigger_intent": {"name": "greet", "entities": {"product": "衬衫"}},
        "execute": {"name": "utter_greet", "policy": "x", "confidence": 0.9},
        "tracker/events": {"event": "slot", "name": "order_id", "value": "202511230006"},
    }

    def make(i):
        sender = mut.choice(senders)
        route = mut.choice(list(templates) + ["tracker", "predict", "story", "tracker/events-list", "bad-id"])
        if route == "bad-id":
            bad = mut.choice(["%00", "x" * 300, "%ED%A0%80", quote(mut.string().encode("utf-8", "surrogatepass")[:100])])
            return "POST", f"/conversations/{bad}/messages?token={TOKEN}", mut.mutate(templates["messages"]), None
        if route in ("tracker", "story"):
            return "GET", f"/conversations/{sender}/{route}?token={TOKEN}&until={mut.choice(['1', 'x', 'nan', '9' * 400])}", \
                b"", sender
        if route == "predict":
            return "POST", f"/conversations/{sender}/predict?token={TOKEN}", mut.choice([b"", b"{}"]), sender
        if route == "tracker/events-list":
            events_body = [mut.choice([
                {"event": "user", "text": mut.string(), "parse_data": {"intent": {"name": "greet", "confidence": 1}}},
                {"event": "bot", "text": mut.string()}, {"event": "action", "name": mut.string()[:30]},
                {"event": "slot", "name": mut.string()[:20], "value": mut.value()},
                {"event": mut.string()[:10]}, {"event": "active_loop", "name": "order_form"},
                {"event": "reminder", "intent": "x", "date_time": mut.string()[:30]}])
                for _ in range(mut.rng.randint(0, 4))]
            method = mut.choice(["POST", "PUT"])
            body = json.dumps(events_body, ensure_ascii=False).encode("utf-8", "surrogatepass")
            return method, f"/conversations/{sender}/tracker/events?token={TOKEN}", body, sender
        return "POST", f"/conversations/{sender}/{route}?token={TOKEN}", mut.mutate(templates[route]), sender

    hammer(api, "http api /conversations", make)
    for sender in senders:  # what was stored can be stored: SQLite took every event as text
        for e in events(api, sender):
            json.dumps(e, ensure_ascii=False).encode("utf-8")
    still_answers(api)


def test_fuzz_other_api_routes(api):
    mut = Mutator(1303)
    routes = [("GET", "/status"), ("GET", "/version"), ("GET", "/domain"), ("POST", "/model/predict"),
              ("POST", "/model/train"), ("PUT", "/model"), ("DELETE", "/model"), ("POST", "/model/test/intents"),
              ("GET", "/"), ("GET", "/conversations"), ("POST", "/webhooks/nope")]

    def make(i):
        method, path = mut.choice(routes)
        token = mut.choice([TOKEN] * 4 + ["", "wrong", "%00", quote("\u00e9" * 5)])
        body = mut.mutate({"event": "action", "name": "action_listen"}) if method != "GET" else b""
        return method, f"{path}?token={token}", body, None

    statuses = hammer(api, "http api other routes", make)
    assert statuses[403] > 0 and statuses[401] > 0
    still_answers(api)
