"""Hostile traffic against every shop endpoint over real loopback sockets: 0 server errors.

The shipped channels (credentials.yml, as ``rasa run`` builds them) on Sanic's own
server; per endpoint ``SHOP_FUZZ_COUNT`` (1,000) seeded malformed requests: wrong types,
missing fields, nesting to 10,000 levels, lone surrogates, NUL, megabyte bodies, random
bytes, wrong content types, XML bombs and external entities, replayed signatures,
injection strings. For each endpoint: no answer >= 500, no dropped connection, nothing
reaches the bot (or the conversation) from a refused request, and a normal message is
answered afterwards. Counts go to results/fuzz.json (the HTTP API, which needs the
trained model, is fuzzed the same way in tests/conversations/test_fuzz_http_api.py).
"""
from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import yaml
from rasa.core.run import create_http_input_channels
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.http_api import harden_http
from shop.handoff import HandoffQueue
from shop.store.session import session_factory
from shop.workbench.accounts import Accounts
from tests.fuzz.client import Dropped, request
from tests.fuzz.payloads import Mutator
from tests.fuzz.server import LoopbackServer
from tests.store.conftest import sqlite_template  # noqa: F401  (fixture re-export)

ROOT = Path(__file__).resolve().parents[2]
COUNT = int(os.environ.get("SHOP_FUZZ_COUNT", "1000"))
RESULTS = ROOT / "results" / "fuzz.json"
SECRETS = {"SHOP_APP_TOKEN": "fuzz-app-token", "SHOP_MINIPROGRAM_TOKEN": "fuzzminiprogramtoken",
           "SHOP_MINIPROGRAM_AES_KEY": "a" * 43, "SHOP_MINIPROGRAM_APP_ID": "wx0123456789abcdef",
           "SHOP_SOCIAL_APP_SECRET": "fuzz-social-secret", "SHOP_SOCIAL_VERIFY_TOKEN": "fuzz-verify"}
PASSWORD = "fuzz agent password"
tally: dict = {}


@pytest.fixture(scope="module")
def shop(tmp_path_factory, sqlite_template):
    import shutil
    work = tmp_path_factory.mktemp("fuzz")
    shop_db = work / "shop.db"
    shutil.copy(sqlite_template, shop_db)
    tracker_db = work / "tracker.db"
    domain = Domain.load(str(ROOT / "domain"))
    SQLTrackerStore(domain, dialect="sqlite", db=str(tracker_db))  # the dashboard reads its tables
    env = {**SECRETS, "SHOP_DB_URL": f"sqlite:///{shop_db}", "SHOP_TRACKER_DB_URL": f"sqlite:///{tracker_db}",
           "SHOP_MEDIA_DIR": str(work / "media"), "SHOP_ASR_ENGINE": ""}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    # Plain mode asked for explicitly so both kinds of push reach the parsers (safe ones too: the key is set).
    credentials["channels.miniprogram.MiniProgramInput"]["message_mode"] = "plain"
    (work / "credentials.yml").write_text(yaml.safe_dump(credentials, allow_unicode=True), encoding="utf-8")
    sessions = session_factory(f"sqlite:///{shop_db}")
    Accounts(sessions).add_agent("fuzzagent", "模糊测试", PASSWORD)
    try:
        channels = create_http_input_channels(None, str(work / "credentials.yml"))
        # As channels/server.py sets up make run's server.
        with LoopbackServer(channels, domain, extra_setup=harden_http) as server:
            server.sessions = sessions
            server.domain = domain
            yield server
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        RESULTS.write_text(json.dumps({**previous, **tally}, indent=2, ensure_ascii=False))


def q(text: str) -> str:
    """Percent-encoded, lone surrogates included (as a hostile client sends them)."""
    return quote(text.encode("utf-8", errors="surrogatepass"), safe="")


def hammer(shop, name: str, make, *, check_stored=None, source: str = "127.0.0.1") -> collections.Counter:
    """Sends ``COUNT`` requests from ``make(i) -> (method, path, body, headers[, stream])``.

    Fails on any answer >= 500 or dropped connection, and on a refused request that
    reached the bot (or, with ``check_stored``, changed what it checks).
    """
    statuses: collections.Counter = collections.Counter()
    problems = []
    for i in range(COUNT):
        method, path, body, headers, *rest = make(i)
        before = shop.bot.count(), (check_stored() if check_stored else None)
        try:
            r = request(shop.port, method, path, body, headers, stream=bool(rest and rest[0]), source=source)
        except Dropped as e:
            problems.append(f"#{i} dropped: {e}")
            continue
        statuses[r.status] += 1
        if r.status >= 500:
            problems.append(f"#{i} {method} {path[:80]} -> {r.status} {r.text[:200]} body={body[:120]!r}")
        elif r.status >= 400:
            after = shop.bot.count(), (check_stored() if check_stored else None)
            if after != before:
                problems.append(f"#{i} refused ({r.status}) but stored: {body[:120]!r}")
    tally[name] = {"sent": COUNT, "2xx/3xx": sum(n for s, n in statuses.items() if s < 400),
                   "4xx": sum(n for s, n in statuses.items() if 400 <= s < 500),
                   "5xx": sum(n for s, n in statuses.items() if s >= 500),
                   "dropped": sum(1 for p in problems if "dropped" in p), "statuses": dict(sorted(statuses.items()))}
    assert not problems, f"{name}: {len(problems)} problems, first: " + "\n".join(problems[:10])
    assert sum(statuses.values()) == COUNT
    return statuses


def still_answers(shop) -> None:
    """After the storm, an ordinary message gets an ordinary answer."""
    r = request(shop.port, "POST", "/webhooks/rest/webhook",
                json.dumps({"sender": "after-fuzz", "message": "你好"}).encode(), {"Content-Type": "application/json"})
    assert r.status == 200 and json.loads(r.body)[0]["text"] == "收到：你好"


# -- REST --------------------------------------------------------------------------------------------
def test_rest(shop):
    m = Mutator(101)
    template = {"sender": "fuzz-rest", "message": "我的订单到哪了", "metadata": {"product_id": "P0001"},
                "input_channel": "app"}

    def make(i):
        body = m.mutate(template) if m.rng.random() < 0.9 else json.dumps({**template, "sender": f"r{i}"}).encode()
        path = "/webhooks/rest/webhook" + m.choice(["", "", "", "?stream=true", "?stream=" + q(m.string()[:20])])
        return "POST", path, body, {"Content-Type": m.content_type("application/json")}

    statuses = hammer(shop, "rest", make)
    assert statuses[400] > COUNT / 3
    still_answers(shop)


# -- APP ---------------------------------------------------------------------------------------------
def app_headers(m):
    token = SECRETS["SHOP_APP_TOKEN"]
    auth = m.choice([f"Bearer {token}"] * 8 + ["", "Bearer", f"Basic {token}", "Bearer wrong", f"Bearer {token}x",
                                               "Bearer " + "\u00e9" * 10])
    return {"Content-Type": m.content_type("application/json"), **({"Authorization": auth} if auth else {})}


def test_app_webhook(shop):
    m = Mutator(202)
    template = {"sender": "u-fuzz", "message_id": "m-0", "text": "这件有M码吗", "product_id": "P0001",
                "timestamp": 1732500000, "attachments": [{"type": "image", "url": "https://cdn.example.com/a.jpg"}],
                "reply_audio": False}

    def make(i):
        body = m.mutate({**template, "message_id": f"m-{i}"})
        return "POST", "/webhooks/app/webhook", body, app_headers(m)

    hammer(shop, "app webhook", make)
    still_answers(shop)


def test_app_voice(shop):
    m = Mutator(303)
    audio = base64.b64encode(b"#!AMR\n" + bytes(200)).decode()
    template = {"sender": "u-fuzz", "message_id": "v-0", "audio": {"data": audio, "format": "amr"},
                "timestamp": 1732500000}

    def make(i):
        body = m.mutate({**template, "message_id": f"v-{i}"})
        return "POST", "/webhooks/app/voice", body, app_headers(m)

    hammer(shop, "app voice", make)
    still_answers(shop)


def test_app_stream(shop):
    m = Mutator(404)

    def make(i):
        sender = m.choice(["u-fuzz", q(m.string()[:300]), "%00", "%ED%A0%80", "x" * 200, "..%2F..%2Fetc",
                           "%F0%9F%98%80", "a%0D%0AX-Injected:%201"])
        headers = app_headers(m)
        headers.pop("Content-Type", None)
        method = m.choice(["GET"] * 9 + ["POST"])
        return method, f"/webhooks/app/stream/{sender}", b"", headers, True

    hammer(shop, "app stream", make)
    still_answers(shop)


# -- mini-program -------------------------------------------------------------------------------------
def mp_query(timestamp=None, nonce=None, **extra):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    nonce = str(secrets.randbelow(10 ** 9)) if nonce is None else nonce
    token = SECRETS["SHOP_MINIPROGRAM_TOKEN"]
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return "?" + urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}, errors="surrogatepass")


def test_miniprogram(shop):
    m = Mutator(505)
    replay = mp_query()
    assert request(shop.port, "POST", "/webhooks/miniprogram/webhook" + replay, b"<xml></xml>").status == 400

    def xml_message(i, content):
        return (f"<xml><ToUserName><![CDATA[gh_shop]]></ToUserName><FromUserName><![CDATA[oFuzz{i % 7}]]>"
                f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[{content}]]></Content><MsgId>{10 ** 15 + i}</MsgId></xml>")

    template = {"ToUserName": "gh_shop", "FromUserName": "oFuzz", "CreateTime": 1732500000, "MsgType": "text",
                "Content": "快递到哪了", "MsgId": 1}

    def make(i):
        r = m.rng.random()
        query = mp_query()
        if r < 0.3:
            body = m.mutate({**template, "MsgId": 10 ** 16 + i, "CreateTime": int(time.time())})
        elif r < 0.5:
            body = xml_message(i, m.string()).encode("utf-8", errors="surrogatepass")
        elif r < 0.6:
            body = m.xml_attack().encode()
        elif r < 0.7:                                    # a replayed signed query with another body
            query, body = replay, xml_message(i, "替我取消订单").encode()
        elif r < 0.8:                                    # bad or missing signatures, stale timestamps
            query = m.choice(["", "?signature=0&timestamp=1&nonce=1", mp_query(timestamp="1"),
                              mp_query(timestamp="x" * 50), mp_query(nonce="\u0000"),
                              mp_query()[:-3], mp_query(encrypt_type="aes")])
            body = xml_message(i, "你好").encode()
        elif r < 0.9:                                    # safe-mode envelopes that do not open
            query = mp_query(encrypt_type="aes", msg_signature=m.choice(["0" * 40, "", "x"]))
            body = m.choice([b"<xml><Encrypt><![CDATA[not base64!]]></Encrypt></xml>",
                             json.dumps({"Encrypt": m.value()}).encode(), b"<xml><Encrypt/></xml>"])
        else:
            body = xml_message(i, "你好").encode()
        method = m.choice(["POST"] * 9 + ["GET"])
        if method == "GET":
            query += "&echostr=" + q(m.string()[:100])
        return method, "/webhooks/miniprogram/webhook" + query, body, {"Content-Type": m.content_type("text/xml")}

    statuses = hammer(shop, "miniprogram", make)
    assert statuses[403] > 0 and statuses[400] > 0
    still_answers(shop)


# -- social ------------------------------------------------------------------------------------------
def test_social(shop):
    m = Mutator(606)
    secret_key = SECRETS["SHOP_SOCIAL_APP_SECRET"].encode()
    template = {"object": "instagram", "entry": [{"id": "178", "time": 1732500000000, "messaging": [
        {"sender": {"id": "6123"}, "recipient": {"id": "178"}, "timestamp": 1732500000000,
         "message": {"mid": "m_0", "text": "有M码吗"}}]}]}
    seen = json.dumps(template).encode()

    def sign(body):
        return "sha256=" + hmac.new(secret_key, body, hashlib.sha256).hexdigest()

    def make(i):
        r = m.rng.random()
        entry = json.loads(json.dumps(template))
        entry["entry"][0]["messaging"][0]["message"]["mid"] = f"m_{i}"
        if r < 0.5:
            body = m.mutate(entry)
        else:                                            # mutate inside the delivery, where parsing is deepest
            inner = entry["entry"][0]["messaging"][0]
            target = m.choice([inner, inner["message"], entry["entry"][0], inner["sender"]])
            key = m.choice(list(target))
            target[key] = m.value()
            body = json.dumps(entry, ensure_ascii=m.rng.random() < 0.5).encode("utf-8", errors="surrogatepass")
        signature = m.choice([sign(body)] * 8 + [sign(seen), "", "sha256=" + "0" * 64, "sha1=abc"])
        headers = {"Content-Type": m.content_type("application/json"),
                   **({"X-Hub-Signature-256": signature} if signature else {})}
        if m.rng.random() < 0.05:
            query = "?" + urlencode({"hub.mode": m.choice(["subscribe", "x"]), "hub.challenge": m.string()[:50],
                                     "hub.verify_token": m.choice(["fuzz-verify", m.string()[:50]])}, errors="surrogatepass")
            return "GET", "/webhooks/social/webhook" + query, b"", {}
        return "POST", "/webhooks/social/webhook", body, headers

    hammer(shop, "social", make)
    still_answers(shop)


# -- workbench ---------------------------------------------------------------------------------------
def sign_in(shop) -> tuple[dict, str]:
    r = request(shop.port, "POST", "/webhooks/workbench/login",
                urlencode({"username": "fuzzagent", "password": PASSWORD}, errors="surrogatepass").encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 302, r.text[:200]
    cookie = r.headers["set-cookie"].split(";")[0]
    me = request(shop.port, "GET", "/webhooks/workbench/api/me", headers={"Cookie": cookie})
    return {"Cookie": cookie}, json.loads(me.body)["csrf_token"]


def test_workbench_sign_in(shop):
    m = Mutator(707)

    def make(i):
        r = m.rng.random()
        if r < 0.4:
            fields = {"username": m.choice(["fuzzagent", m.string()[:80]]), "password": m.string()[:300]}
            for k in list(fields):
                if m.rng.random() < 0.2:
                    fields.pop(k)
            body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
        elif r < 0.5:
            body = b"username=%00%ff%ed%a0%80&password=" + b"%41" * m.rng.randint(0, 3000)
        else:
            body = m.mutate({"username": "fuzzagent", "password": "x"})
        headers = {"Content-Type": m.content_type("application/x-www-form-urlencoded"),
                   **({"Origin": m.choice(["http://evil.example", "null"])} if m.rng.random() < 0.1 else {})}
        return "POST", "/webhooks/workbench/login", body, headers

    # From another address than the agent's own (any 127.x.y.z is this machine).
    hammer(shop, "workbench sign-in", make, source="127.0.0.2")
    assert sign_in(shop)  # the agent still gets in: nobody can lock the account from elsewhere


def test_workbench_api(shop):
    m = Mutator(808)
    queue = HandoffQueue(shop.sessions)
    sender = "miniprogram:oFuzzPaused"

    async def paused():
        tracker = DialogueStateTracker(sender, shop.domain.slots)
        for e in (ActionExecuted("action_listen"), UserUttered("转人工"), ConversationPaused()):
            tracker.update(e, shop.domain)
        await shop.trackers.save(tracker)
    shop.run(paused())
    handoff = queue.enqueue(sender, "asked", "转人工", verified=True)
    cookie, csrf = sign_in(shop)
    post_headers = {**cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    assert request(shop.port, "POST", f"/webhooks/workbench/api/handoffs/{handoff.id}/take", b"{}",
                   post_headers).status == 200

    ids = [str(handoff.id), "0", "-1", "9" * 40, str(2 ** 31), str(2 ** 63), "1e5", "%00", "abc", "%ED%A0%80",
           "1.5", " 1", "0x10"]

    def make(i):
        hid = m.choice(ids)
        route = m.choice(["reply"] * 5 + ["take", "release_x", "show", "board", "me", "photo", "logout_x"])
        headers = dict(m.choice([post_headers] * 8 + [cookie, {}, {**post_headers, "X-CSRF-Token": "forged"},
                                                      {**post_headers, "Origin": "http://evil.example"}]))
        headers["Content-Type"] = m.content_type("application/json")
        if route == "reply":
            return "POST", f"/webhooks/workbench/api/handoffs/{hid}/reply", m.mutate({"text": "您好，我是客服"}), headers
        if route == "take":
            return "POST", f"/webhooks/workbench/api/handoffs/{hid}/take", m.mutate({}), headers
        if route == "show":
            return "GET", f"/webhooks/workbench/api/handoffs/{hid}", b"", headers
        if route == "photo":
            return "GET", f"/webhooks/workbench/api/handoffs/{hid}/tickets/{m.choice(ids)}/photo", b"", headers
        if route == "board":
            return "GET", "/webhooks/workbench/api/board?" + q(m.string()[:50]), b"", headers
        if route == "me":
            return m.choice(["GET", "POST", "PUT"]), "/webhooks/workbench/api/me", m.mutate({}), headers
        return "POST", "/webhooks/workbench/" + m.choice(["api/handoffs/x/release", "logout?x=1", "api/../login"]), \
            m.mutate({}), {**headers, "X-CSRF-Token": "forged"}

    hammer(shop, "workbench API", make, check_stored=lambda: shop.events(sender))
    r = request(shop.port, "POST", f"/webhooks/workbench/api/handoffs/{handoff.id}/reply",
                json.dumps({"text": "您好，请问有什么可以帮您？"}).encode(), post_headers)
    assert r.status == 200  # and an ordinary reply still goes out and is recorded
    still_answers(shop)


# -- dashboard -----------------------------------------------------------------------------------------
def test_dashboard(shop):
    m = Mutator(909)
    cookie, _ = sign_in(shop)
    numbers = ["24", "1", "0", "-1", "nan", "inf", "1e400", "9" * 400, "", "abc", "\u0000", "168", "1e-300"]

    def make(i):
        route = m.choice(["metrics"] * 6 + ["page", "static", "home"])
        headers = cookie if m.rng.random() < 0.8 else {}
        if route == "metrics":
            query = urlencode({k: m.choice(numbers) for k in m.choice([("hours",), ("until",), ("hours", "until"), ()])}, errors="surrogatepass")
            return "GET", "/webhooks/dashboard/api/metrics?" + query, b"", headers
        if route == "static":
            name = m.choice(["dashboard.js", "../../../shop/store/models.py", "%2e%2e%2fsecret", "x" * 300, "%00"])
            return "GET", f"/webhooks/dashboard/dashboard/static/{name}", b"", headers
        return "GET", m.choice(["/webhooks/dashboard/dashboard", "/webhooks/dashboard/"]), b"", headers

    hammer(shop, "dashboard", make)
    still_answers(shop)


def test_malformed_http_itself(shop):
    """Framing no client should send: the server answers 4xx or closes cleanly, and stays up."""
    for raw in (b"GARBAGE\r\n\r\n", b"POST /webhooks/rest/webhook HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                b"POST /webhooks/rest/webhook HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n",
                b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 2000 + b"\r\n"):
        try:
            r = request(shop.port, "", "", raw=raw, timeout=10)
            assert r.status < 500
        except Dropped:
            pass  # no HTTP request, no HTTP answer owed
    still_answers(shop)
