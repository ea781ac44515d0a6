"""The workbench channel in a Sanic app wired as `rasa run` wires it, over a seeded SQLite store.

The conversations are real Rasa trackers in Rasa's InMemoryTrackerStore with the
shipped domain; agents' replies to the mini-program and social channels go to a
capture server on 127.0.0.1 standing in for the platforms' send APIs.
"""
import asyncio
import datetime as dt
import json

import pytest
from aiohttp import web
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ConversationPaused, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.sse import shared_hub
from shop.handoff import HandoffQueue
from shop.store import models as m
from shop.workbench.accounts import Accounts
from shop.workbench.channel import COOKIE, LoginThrottle, WorkbenchInput
from tests.channels.harness import BASE_URL, RecordingBot, client, started
from tests.store.conftest import ANCHOR, sqlite_sessions, sqlite_template  # noqa: F401  (fixture re-export)

pytestmark = pytest.mark.anyio
W = "/webhooks/workbench/"
PASSWORD = "correct horse battery"
HOSTILE = "<img src=x onerror=alert(1)>衣服和图片不符"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def domain():
    return Domain.load("domain")


@pytest.fixture
def sessions(sqlite_sessions):
    accounts = Accounts(sqlite_sessions, clock=lambda: ANCHOR)
    accounts.add_agent("agent01", "客服小王", PASSWORD)
    accounts.add_agent("agent02", "客服小李", PASSWORD)
    return sqlite_sessions


@pytest.fixture
def queue(sessions):
    return HandoffQueue(sessions, clock=lambda: ANCHOR)


@pytest.fixture
def capture():
    """A platform send API on loopback: records the bodies it is sent."""
    received: list = []
    state: dict = {}

    async def handler(request):
        received.append(await request.json())
        return web.json_response(state.get("answer", {"errcode": 0, "errmsg": "ok"}))

    async def start():
        app = web.Application()
        app.router.add_post("/send", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        state["runner"] = runner
        return f"http://127.0.0.1:{port}/send"

    state["start"] = start
    state["received"] = received
    yield state


class Harness:
    def __init__(self, c, channel, tracker_store, queue):
        self.c, self.channel, self.trackers, self.queue = c, channel, tracker_store, queue
        self.csrf = ""

    async def login(self, username="agent01", password=PASSWORD):
        r = await self.c.post(W + "login", data={"username": username, "password": password})
        if r.status_code == 302:
            self.csrf = (await self.c.get(W + "api/me")).json()["csrf_token"]
        return r

    async def post(self, path, body=None, csrf=True, headers=None):
        h = {"Content-Type": "application/json", **(headers or {})}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        return await self.c.post(W + path, content=json.dumps(body or {}), headers=h)


@pytest.fixture
async def bench(sessions, queue, domain):
    store = InMemoryTrackerStore(domain)
    channel = WorkbenchInput(sessions=sessions, clock=lambda: ANCHOR, throttle=LoginThrottle())
    async with client(channel, RecordingBot()) as c:
        c.app.ctx.agent.tracker_store = store
        c.app.ctx.agent.lock_store = InMemoryLockStore()
        c.app.ctx.agent.domain = domain
        yield Harness(c, channel, store, queue)


async def paused_conversation(store, domain, queue, sender="miniprogram:oA", text=HOSTILE):
    tracker = DialogueStateTracker(sender, domain.slots)
    for e in [ActionExecuted("action_listen"),
              UserUttered(text, {"name": "complain_mismatch", "confidence": 0.9},
                          metadata={"attachments": [{"type": "image", "url": "x"}]}),
              SlotSet("product_in_focus", "P0001"), ActionExecuted("action_handoff"), ConversationPaused()]:
        tracker.update(e, domain)
    await store.save(tracker)
    return queue.enqueue(sender, "angry_complaint", text, {"order_id": "202511230006"})


async def test_taking_a_request_left_while_nobody_was_on_duty_pauses_the_bot(bench, queue, domain):
    """With nobody on duty the bot stayed on (actions/handoff.py); once an agent takes the request the
    agent answers and the bot keeps quiet (issue 16)."""
    tracker = DialogueStateTracker("miniprogram:oNight", domain.slots)
    for e in [ActionExecuted("action_listen"), UserUttered("人工", {"name": "request_human", "confidence": 0.9}),
              ActionExecuted("action_handoff")]:
        tracker.update(e, domain)
    await bench.trackers.save(tracker)
    h = queue.enqueue("miniprogram:oNight", "asked", "人工")
    await bench.login()
    assert not (await bench.trackers.retrieve("miniprogram:oNight")).is_paused()
    assert (await bench.post(f"api/handoffs/{h.id}/take")).json()["handoff"]["status"] == "active"
    assert (await bench.trackers.retrieve("miniprogram:oNight")).is_paused()


async def test_pages_and_api_need_a_login(bench):
    r = await bench.c.get(W)
    assert r.status_code == 302 and r.headers["location"].endswith("/webhooks/workbench/login")
    for path in ("api/board", "api/me", "api/handoffs/1"):
        assert (await bench.c.get(W + path)).status_code == 401
    assert (await bench.post("api/handoffs/1/take", csrf=False)).status_code == 401
    login = await bench.c.get(W + "login")
    assert login.status_code == 200 and "default-src 'self'" in login.headers["content-security-policy"]


def from_address(c, ip):
    """The same app, seen from another client address."""
    import httpx
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=c.app, client=(ip, 5000)), base_url=BASE_URL)


async def test_wrong_passwords_slow_down_that_address_only(bench):
    """Finding 7: five bad passwords from anywhere locked the agent out for 15 minutes."""
    now = [1000.0]
    bench.channel.throttle = LoginThrottle(clock=lambda: now[0])
    async with from_address(bench.c, "198.51.100.7") as attacker:
        for _ in range(3):  # the first few cost nothing
            r = await attacker.post(W + "login", data={"username": "agent01", "password": "wrong password"})
            assert r.status_code == 401 and "用户名或密码错误" in r.text
        async def guess(password="guess"):
            return await attacker.post(W + "login", data={"username": "agent01", "password": password})
        r = await guess(PASSWORD)  # then a wait, even for the right password
        assert r.status_code == 429 and r.headers["retry-after"] == "1"
        for wait in (1, 2, 4):  # each further failure doubles it
            now[0] += wait
            assert (await guess()).status_code == 401
            assert (await guess()).status_code == 429
    # The agent, from their own desk, signs in at once.
    assert (await bench.login()).status_code == 302


async def test_one_address_trying_many_usernames_is_stopped(bench):
    now = [1000.0]
    bench.channel.throttle = LoginThrottle(clock=lambda: now[0], per_address=5)
    async with from_address(bench.c, "198.51.100.8") as sprayer:
        statuses = [(await sprayer.post(W + "login", data={"username": f"user{i}", "password": "Winter2026!"})
                     ).status_code for i in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    assert (await bench.login()).status_code == 302  # another address is not affected


@pytest.mark.parametrize("body, content_type", [
    (b"username=agent01", "application/x-www-form-urlencoded"),
    (b"password=x", "application/x-www-form-urlencoded"),
    (b"", "application/x-www-form-urlencoded"),
    (b'{"username": "agent01", "password": "x"}', "application/json"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data"),
    (b"username=%00%ff&password=%ed%a0%80", "application/x-www-form-urlencoded"),
])
async def test_a_sign_in_that_is_not_a_form_is_a_400(bench, body, content_type):
    r = await bench.c.post(W + "login", content=body, headers={"Content-Type": content_type})
    assert r.status_code in (400, 401) and r.status_code < 500


async def test_login_sets_a_strict_http_only_cookie_and_logout_ends_the_session(bench):
    r = await bench.login()
    assert r.status_code == 302
    cookie = r.headers["set-cookie"]
    assert COOKIE in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/webhooks/" in cookie
    me = (await bench.c.get(W + "api/me")).json()
    assert me["username"] == "agent01" and me["display_name"] == "客服小王" and len(me["csrf_token"]) > 20
    token = bench.c.cookies.get(COOKIE)
    assert (await bench.post("logout")).status_code == 200
    bench.c.cookies.set(COOKIE, token)  # a kept copy of the cookie opens nothing any more
    assert (await bench.c.get(W + "api/me")).status_code == 401


async def test_posts_need_the_csrf_token_and_the_same_origin(bench, queue):
    h = queue.enqueue("demo", "asked")
    await bench.login()
    assert (await bench.post(f"api/handoffs/{h.id}/take", csrf=False)).status_code == 403
    bench.csrf, good = "forged", bench.csrf
    assert (await bench.post(f"api/handoffs/{h.id}/take")).status_code == 403
    bench.csrf = good
    r = await bench.post(f"api/handoffs/{h.id}/take", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert queue.get(h.id).status == "waiting"
    r = await bench.post(f"api/handoffs/{h.id}/take", headers={"Origin": BASE_URL})
    assert r.status_code == 200 and queue.get(h.id).status == "active"


async def test_take_reply_in_miniprogram_format_and_hand_back(bench, queue, domain, capture, monkeypatch):
    url = await capture["start"]()
    monkeypatch.setenv("SHOP_MINIPROGRAM_SEND_URL", url)
    h = await paused_conversation(bench.trackers, domain, queue)
    await bench.login()

    board = (await bench.c.get(W + "api/board")).json()["handoffs"]
    assert [(b["conversation_id"], b["channel"], b["position"], b["reason"]) for b in board] == [
        ("miniprogram:oA", "miniprogram", 1, "angry_complaint")]
    shown = (await bench.c.get(W + f"api/handoffs/{h.id}")).json()
    shopper = [t for t in shown["turns"] if t["who"] == "shopper"]
    assert shopper[0]["text"] == HOSTILE and shopper[0]["attachments"] == ["image"]  # verbatim: the page escapes
    assert shown["paused"] is True and shown["context"]["product_in_focus"] == "P0001"
    assert shown["context"]["product_name"]
    assert any(q["name"] == "utter_greet" for q in shown["quick_replies"])

    assert (await bench.post(f"api/handoffs/{h.id}/reply", {"text": "您好"})).status_code == 409  # not taken yet
    assert (await bench.post(f"api/handoffs/{h.id}/take")).json()["handoff"]["agent"] == "agent01"
    r = await bench.post(f"api/handoffs/{h.id}/reply", {"text": "您好，我是客服小王，马上为您核实图片问题。"})
    assert r.status_code == 200 and r.json()["delivery"]["status"] == "delivered"
    assert capture["received"] == [{"touser": "oA", "msgtype": "text",
                                    "text": {"content": "您好，我是客服小王，马上为您核实图片问题。"}}]
    tracker = await bench.trackers.retrieve("miniprogram:oA")
    last = tracker.events[-1]
    assert last.text.startswith("您好，我是客服小王") and last.metadata["agent"] == "agent01"
    assert tracker.is_paused()

    r = await bench.post(f"api/handoffs/{h.id}/release")
    assert r.status_code == 200 and queue.get(h.id).status == "closed"
    tracker = await bench.trackers.retrieve("miniprogram:oA")
    assert not tracker.is_paused()
    # As if the bot had asked and listened: the rating rule (utter_ask_rating → a number) applies next.
    assert [e.action_name for e in tracker.events if isinstance(e, ActionExecuted)][-2:] == [
        "utter_ask_rating", "action_listen"]
    assert capture["received"][-1]["text"]["content"] in [v["text"] for v in domain.responses["utter_ask_rating"]]


async def test_a_failed_push_is_recorded_not_lost(bench, queue, domain, capture, monkeypatch):
    url = await capture["start"]()
    capture["answer"] = {"errcode": 45015, "errmsg": "response out of time limit"}
    monkeypatch.setenv("SHOP_MINIPROGRAM_SEND_URL", url)
    h = await paused_conversation(bench.trackers, domain, queue)
    await bench.login()
    await bench.post(f"api/handoffs/{h.id}/take")
    r = await bench.post(f"api/handoffs/{h.id}/reply", {"text": "您好"})
    assert r.json()["delivery"]["status"] == "failed" and "45015" in r.json()["delivery"]["detail"]
    turns = (await bench.c.get(W + f"api/handoffs/{h.id}")).json()["turns"]
    assert turns[-1] == {**turns[-1], "who": "agent", "text": "您好", "delivery": "failed"}


async def test_unset_send_url_and_rest_conversations_keep_the_reply(bench, queue, domain, monkeypatch):
    monkeypatch.delenv("SHOP_SOCIAL_SEND_URL", raising=False)
    social = await paused_conversation(bench.trackers, domain, queue, sender="social:6123")
    rest = await paused_conversation(bench.trackers, domain, queue, sender="demo")
    await bench.login()
    for h, status in ((social, "not_configured"), (rest, "stored")):
        await bench.post(f"api/handoffs/{h.id}/take")
        r = await bench.post(f"api/handoffs/{h.id}/reply", {"text": "在的"})
        assert r.json()["delivery"]["status"] == status
        assert (await bench.trackers.retrieve(h.conversation_id)).events[-1].text == "在的"


async def test_app_replies_go_to_the_shoppers_open_streams(bench, queue, domain):
    h = await paused_conversation(bench.trackers, domain, queue, sender="app:u-1001")
    stream = shared_hub().open("app:u-1001")
    try:
        await bench.login()
        await bench.post(f"api/handoffs/{h.id}/take")
        r = await bench.post(f"api/handoffs/{h.id}/reply", {"text": "您好，这里是人工客服"})
        assert r.json()["delivery"]["status"] == "delivered"
        pushed = await asyncio.wait_for(stream.get(), 2)
        assert pushed == {"text": "您好，这里是人工客服", "from": "agent", "agent": "agent01"}
    finally:
        shared_hub().close("app:u-1001", stream)


async def test_only_the_serving_agent_replies_or_hands_back(bench, queue, domain):
    h = await paused_conversation(bench.trackers, domain, queue)
    await bench.login()
    await bench.post(f"api/handoffs/{h.id}/take")
    other = Harness(bench.c, bench.channel, bench.trackers, queue)
    bench.c.cookies.clear()
    await other.login("agent02")
    assert (await other.post(f"api/handoffs/{h.id}/take")).status_code == 409
    assert (await other.post(f"api/handoffs/{h.id}/reply", {"text": "我来"})).status_code == 409
    assert (await other.post(f"api/handoffs/{h.id}/release")).status_code == 409
    assert queue.get(h.id).agent == "agent01" and queue.get(h.id).status == "active"


@pytest.mark.parametrize("body, code", [(None, "malformed"), ({"text": ""}, "empty"), ({"text": "  "}, "empty"),
                                        ({"text": 42}, "empty"), ({"text": "长" * 1001}, "too_long"),
                                        (["text"], "empty")])
async def test_bad_replies_get_a_clear_400(bench, queue, domain, body, code):
    h = await paused_conversation(bench.trackers, domain, queue)
    await bench.login()
    await bench.post(f"api/handoffs/{h.id}/take")
    raw = "{not json" if body is None else json.dumps(body)
    r = await bench.c.post(W + f"api/handoffs/{h.id}/reply", content=raw,
                           headers={"X-CSRF-Token": bench.csrf, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == code
    assert (await bench.trackers.retrieve(h.conversation_id)).events[-1].as_dict()["event"] == "pause"


async def test_unknown_handoffs_are_404(bench):
    await bench.login()
    assert (await bench.c.get(W + "api/handoffs/999")).status_code == 404
    assert (await bench.post("api/handoffs/999/take")).status_code == 404
    assert (await bench.c.get(W + "api/handoffs/abc")).status_code == 404


async def test_expired_sessions_are_refused(sessions):
    now = [dt.datetime(2026, 11, 25, 9, 0)]
    accounts = Accounts(sessions, clock=lambda: now[0], session_hours=1)
    agent = accounts.authenticate("agent01", PASSWORD)
    token, _ = accounts.open_session(agent)
    assert accounts.session(token).agent.username == "agent01"
    now[0] += dt.timedelta(hours=2)
    assert accounts.session(token) is None
    assert accounts.session("x" * 43) is None and accounts.session(None) is None


async def test_the_dashboard_shares_the_workbench_sign_in(sessions, tmp_path, monkeypatch):
    import httpx
    from rasa.core.channels.channel import register
    from sanic import Sanic
    from shop.workbench.dashboard import DashboardInput

    login = WorkbenchInput(sessions=sessions, clock=lambda: ANCHOR)
    dash = DashboardInput(tracker_db_url=f"sqlite:///{tmp_path / 'tracker.db'}",
                          shop_db_url=str(sessions.kw["bind"].url), login=login)
    app = Sanic("dashboard_test")
    register([login, dash], app, route="/webhooks/")
    async with started(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        r = await c.get("/webhooks/dashboard/dashboard")
        assert r.status_code == 302 and r.headers["location"] == "/webhooks/workbench/login"
        assert (await c.get("/webhooks/dashboard/api/metrics")).status_code == 401
        r = await c.post(W + "login", data={"username": "agent01", "password": PASSWORD})
        assert r.status_code == 302
        page = await c.get("/webhooks/dashboard/dashboard")
        assert page.status_code == 200 and 'data-testid="avg-response-bot"' in page.text
        figures = await c.get("/webhooks/dashboard/api/metrics")
        assert figures.status_code == 200 and isinstance(figures.json(), dict)


async def test_complaint_tickets_with_the_photo_verdict_are_shown_to_the_agent(bench, queue, domain, sessions,
                                                                                tmp_path, monkeypatch):
    import io
    from PIL import Image
    from shop.media import MediaStore

    monkeypatch.setenv("SHOP_MEDIA_DIR", str(tmp_path / "media"))
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (40, 80, 200)).save(buf, format="PNG")
    stored = MediaStore(tmp_path / "media").save(buf.getvalue(), "image")
    h = await paused_conversation(bench.trackers, domain, queue, sender="miniprogram:oPhoto")
    with sessions() as s, s.begin():
        s.add(m.ShopperChannel(shopper_id=3, channel="miniprogram", external_id="miniprogram:oPhoto",
                               created_at=ANCHOR, verified_by="otp"))
        s.add(m.ComplaintTicket(ticket_no="TSPHOTO1", shopper_id=3, category="mismatch", priority="normal",
                                flagged_for_human=False, text="和图片不符", offers="return,exchange",
                                status="open", created_at=ANCHOR, evidence_media_id=stored.media_id,
                                photo_verdict="colour_differs", photo_evidence="颜色差异明显：收到偏蓝，商品图为灰色"))
        s.add(m.ComplaintTicket(ticket_no="TSOTHER1", shopper_id=4, category="quality", priority="normal",
                                flagged_for_human=False, text="别人的", offers="", status="open", created_at=ANCHOR,
                                evidence_media_id=stored.media_id))
    await bench.login()
    shown = (await bench.c.get(W + f"api/handoffs/{h.id}")).json()
    [ticket] = shown["tickets"]
    assert (ticket["ticket_no"], ticket["photo_verdict"], ticket["has_photo"]) == ("TSPHOTO1", "colour_differs", True)
    assert "收到偏蓝" in ticket["photo_evidence"]
    photo = await bench.c.get(W + f"api/handoffs/{h.id}/tickets/{ticket['id']}/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == stored.mime
    with sessions() as s:
        other = s.query(m.ComplaintTicket).filter_by(ticket_no="TSOTHER1").one().id
    assert (await bench.c.get(W + f"api/handoffs/{h.id}/tickets/{other}/photo")).status_code == 404


async def test_a_failed_login_keeps_the_username_escaped(bench):
    r = await bench.login(username='"><script>alert(1)</script>', password="wrong password")
    assert r.status_code == 401
    assert "<script>alert(1)</script>" not in r.text and "&quot;&gt;&lt;script&gt;" in r.text


async def test_over_long_ids_are_404_not_server_errors(bench, queue):
    """Finding 8: an over-long numeric handoff or ticket id overflowed the database integer (500)."""
    await bench.login()
    big = "9" * 40
    assert (await bench.c.get(W + f"api/handoffs/{big}")).status_code == 404
    assert (await bench.c.get(W + f"api/handoffs/{2 ** 31}")).status_code == 404
    assert (await bench.c.get(W + f"api/handoffs/1/tickets/{big}/photo")).status_code == 404
    assert (await bench.post(f"api/handoffs/{big}/take")).status_code == 404


async def test_a_deeply_nested_reply_is_a_400(bench, queue, domain):
    """Finding 8: deeply nested JSON on the workbench reply was a RecursionError (500)."""
    h = await paused_conversation(bench.trackers, domain, queue)
    await bench.login()
    await bench.post(f"api/handoffs/{h.id}/take")
    h_ = {"Content-Type": "application/json", "X-CSRF-Token": bench.csrf}
    for body in (b"[" * 100000 + b"]" * 100000, b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}", b"\xff"):
        r = await bench.c.post(W + f"api/handoffs/{h.id}/reply", content=body, headers=h_)
        assert r.status_code in (400, 413)
    tracker = await bench.trackers.retrieve(h.conversation_id)
    assert not [e for e in tracker.events if getattr(e, "metadata", None) and e.metadata.get("agent")]


async def test_the_agent_sees_how_the_handoff_was_triggered_and_whether_the_sender_is_verified(bench, queue):
    h = queue.enqueue("app:u-77", "not_understood", "qwer", trigger={"words": ["asdf", "qwer"]})
    await bench.login()
    shown = (await bench.c.get(W + f"api/handoffs/{h.id}")).json()["handoff"]
    assert shown["verified"] is False
    assert shown["trigger_label"] == "机器人连续两次没有理解：「asdf」、「qwer」；顾客未验证身份"
