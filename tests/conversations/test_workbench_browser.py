"""End to end in headless Chromium: a mini-program shopper asks for a human, an agent serves them.

A real `rasa run` (the trained model, the shipped channels from credentials.yml,
the action server, a seeded store, a SQL tracker store) on loopback; the shopper is
WeChat's push (signed XML, as tests/channels builds it); WeChat's customer-service
API is a capture server on loopback; the agent is Playwright driving Debian's chromium.
Screenshots go to results/screenshots/.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from shop.handoff import HandoffQueue
from shop.store import models as m
from shop.workbench.accounts import Accounts
from tests.conversations.conftest import ANCHOR, ROOT, _free_port, wait_until_serving
from tests.speech.audio import convert, en_model_dir

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "results" / "screenshots"
MP_TOKEN = "browser-test-token"
PASSWORD = "agent01-browser-test"
SHOPPER = "oBrowserShopper01"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic"]


class Capture(ThreadingHTTPServer):
    """WeChat's customer-service message and media APIs, on loopback: keeps what it is sent,
    serves the voice recordings put in ``media``."""

    def __init__(self):
        self.received: list[dict] = []
        self.media: dict[str, bytes] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler):  # noqa: N805 (the server is the closure's self)
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                self.received.append(json.loads(body.decode("utf-8")))
                answer = b'{"errcode":0,"errmsg":"ok"}'
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(answer)))
                handler.end_headers()
                handler.wfile.write(answer)

            def do_GET(handler):  # noqa: N805
                media_id = parse_qs(urlsplit(handler.path).query).get("media_id", [""])[0]
                body = self.media.get(media_id)
                handler.send_response(200 if body else 404)
                handler.send_header("Content-Type", "audio/amr")
                handler.send_header("Content-Length", str(len(body or b"")))
                handler.end_headers()
                handler.wfile.write(body or b"")

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/cgi-bin/message/custom/send?access_token=test"

    @property
    def media_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/cgi-bin/media/get?access_token=test&media_id={{media_id}}"


@pytest.fixture(scope="module")
def capture():
    server = Capture()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def rasa_server(model_path, action_server, store_url, sessions, capture, tmp_path_factory):
    """`rasa run` as make run starts it, with the shipped credentials and endpoints copied into a temp dir."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (scripts/install_system.sh installs it)", pytrace=False)
    Accounts(sessions).add_agent("agent01", "客服小王", PASSWORD)
    work = tmp_path_factory.mktemp("rasa_server")
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"] = {"url": action_server, "token": os.environ["SHOP_ACTION_TOKEN"]}
    endpoints["tracker_store"] = {**endpoints["tracker_store"], "db": str(work / "tracker.db")}
    (work / "endpoints.yml").write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    # WeChat's 5 s passive-reply budget would turn a slow first turn on a busy CI machine into a
    # late customer-service message; these tests read the replies from the passive answer.
    credentials["channels.miniprogram.MiniProgramInput"]["passive_reply_seconds"] = 120
    # The pushes below are plain-mode XML (signed query, clear body): asked for explicitly, as it must be.
    credentials["channels.miniprogram.MiniProgramInput"]["message_mode"] = "plain"
    (work / "credentials.yml").write_text(yaml.safe_dump(credentials, allow_unicode=True), encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "SHOP_DB_URL": store_url, "SHOP_NOW": ANCHOR, "SHOP_MINIPROGRAM_TOKEN": MP_TOKEN,
           "SHOP_MINIPROGRAM_SEND_URL": capture.url, "SHOP_TRACKER_DB_URL": f"sqlite:///{work / 'tracker.db'}",
           # Voice: Debian's US-English model (no Chinese one can be had here), media from the capture server.
           "SHOP_ASR_ENGINE": "pocketsphinx", "SHOP_ASR_MODEL_DIR": str(en_model_dir()), "SHOP_ASR_LANG": "en-US",
           "SHOP_MEDIA_DIR": str(work / "media"), "SHOP_MEDIA_PLATFORM_URL": capture.media_url,
           "SHOP_MEDIA_ALLOWED_HOSTS": "127.0.0.1", "SHOP_MEDIA_ALLOW_PRIVATE": "1",
           "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    log = work / "rasa.log"
    with log.open("wb") as out:
        # As make run starts Rasa (channels/server.py: the HTTP API guard, NLU off the event loop).
        proc = subprocess.Popen([str(ROOT / ".venv/bin/python"), "-m", "channels.server", "run",
                                 "--model", str(model_path),
                                 "--endpoints", str(work / "endpoints.yml"),
                                 "--credentials", str(work / "credentials.yml"),
                                 "-i", "127.0.0.1", "-p", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(url + "/", proc, log, 240, "rasa run")
    yield SimpleNamespace(url=url, tracker_db=work / "tracker.db")
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def push(server: str, text: str, msg_id: int, shopper: str = SHOPPER, voice_media: str = "") -> str:
    """The shopper's message as WeChat pushes it (plain-mode XML, signed); returns the passive reply."""
    timestamp, nonce = str(int(time.time())), f"n{msg_id}"
    signature = hashlib.sha1("".join(sorted([MP_TOKEN, timestamp, nonce])).encode()).hexdigest()
    body = (f"<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[{voice_media}]]></MediaId>"
            f"<Format><![CDATA[amr]]></Format>" if voice_media else
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>")
    xml = (f"<xml><ToUserName><![CDATA[gh_shop]]></ToUserName><FromUserName><![CDATA[{shopper}]]></FromUserName>"
           f"<CreateTime>{timestamp}</CreateTime>{body}<MsgId>{msg_id}</MsgId></xml>")
    query = urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce})
    req = urllib.request.Request(f"{server}/webhooks/miniprogram/webhook?{query}", data=xml.encode("utf-8"),
                                 headers={"Content-Type": "text/xml"}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.read().decode("utf-8")


def test_agent_takes_over_a_miniprogram_conversation_replies_and_hands_back(rasa_server, capture, sessions):
    from playwright.sync_api import expect, sync_playwright

    # Scripted traffic for the dashboard: another shopper served by the bot alone.
    assert push(rasa_server.url, "你好", 80001, "oBrowserOther") != "success"
    assert push(rasa_server.url, "偏远地区包邮吗", 80002, "oBrowserOther") != "success"
    assert push(rasa_server.url, "谢谢，服务很好", 80003, "oBrowserOther") != "success"

    # agent01 is on duty (signed in on another device): the handoff pauses the bot and waits for them.
    from shop.workbench.accounts import Accounts
    accounts = Accounts(sessions)
    on_duty, _ = accounts.open_session(accounts.authenticate("agent01", PASSWORD))
    passive = push(rasa_server.url, "转人工", 90001)
    # Earlier live tests share the store and may have queued conversations of their own.
    position = HandoffQueue(sessions).position(f"miniprogram:{SHOPPER}")
    assert "已为您转接人工客服" in passive
    assert ("下一位" if position == 1 else f"前面还有 {position - 1} 位") in passive
    # paused for the agent: the bot says nothing, but asking after the wait gets the place in the queue
    assert f"第 {position} 位" in push(rasa_server.url, "<b>人呢？</b>快点", 90002)
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 820})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        console: list[str] = []
        page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
        page.goto(rasa_server.url + "/webhooks/workbench/")
        expect(page).to_have_url(rasa_server.url + "/webhooks/workbench/login")
        page.get_by_test_id("username").fill("agent01")
        page.get_by_test_id("password").fill("wrong password")
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码错误")
        page.get_by_test_id("password").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()

        item = page.get_by_test_id("queue-item").filter(has_text=SHOPPER)
        try:
            expect(item).to_have_count(1)
        except AssertionError:
            page.screenshot(path=str(SHOTS / "workbench-failure.png"), full_page=True)
            raise AssertionError(f"queue not shown at {page.url}; browser console: {console}")
        expect(item.get_by_test_id("badge")).to_have_text("小程序")
        expect(item.get_by_test_id("queue-state")).to_have_text(f"第 {position} 位")
        item.click()
        expect(page.get_by_test_id("conv-channel")).to_have_text("小程序")
        shopper_turns = page.get_by_test_id("turn-shopper")
        expect(shopper_turns.last).to_contain_text("<b>人呢？</b>快点")  # shown as text, not markup
        assert page.locator("#turns b").count() == 0

        page.get_by_test_id("take").click()
        expect(page.get_by_test_id("conv-state")).to_contain_text("人工服务中 · agent01")
        page.get_by_test_id("reply-text").fill("您好，我是客服小王，请问有什么可以帮您？")
        page.get_by_test_id("send").click()
        expect(page.get_by_test_id("reply-status")).to_have_text("已发送到小程序")
        expect(page.get_by_test_id("turn-agent").last).to_contain_text("我是客服小王")
        page.screenshot(path=str(SHOTS / "workbench.png"), full_page=True)

        assert capture.received[-1] == {"touser": SHOPPER, "msgtype": "text",
                                        "text": {"content": "您好，我是客服小王，请问有什么可以帮您？"}}

        page.get_by_test_id("release").click()
        expect(page.get_by_test_id("conv-state")).to_contain_text("已交还")
        assert "1-5" in capture.received[-1]["text"]["content"]  # the rating question, in WeChat's format
        browser.close()
    assert not dialogs  # nothing the shopper typed ran as script
    accounts.close_session(on_duty)

    # Handed back: the bot answers again, and the rating lands with the agent who served.
    assert "收到您的 5 星评价" in push(rasa_server.url, "5", 90003)
    with sessions() as s:
        rating = s.query(m.Rating).filter_by(conversation_id=f"miniprogram:{SHOPPER}").one()
        handoff = s.query(m.Handoff).filter_by(conversation_id=f"miniprogram:{SHOPPER}").one()
    assert (rating.stars, rating.agent, rating.channel) == (5, "agent01", "miniprogram")
    assert (handoff.status, handoff.agent, handoff.reason) == ("closed", "agent01", "asked")


def test_dashboard_shows_the_figures_of_the_scripted_conversations(rasa_server):
    """Runs after the conversation above (pytest keeps file order): bot and agent replies, one rating."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(rasa_server.url + "/webhooks/dashboard/")
        expect(page).to_have_url(rasa_server.url + "/webhooks/workbench/login")  # the workbench's sign-in
        page.get_by_test_id("username").fill("agent01")
        page.get_by_test_id("password").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.goto(rasa_server.url + "/webhooks/dashboard/")
        for figure in ("avg-response-bot", "avg-response-human", "satisfaction"):
            expect(page.get_by_test_id(f"{figure}-value")).not_to_have_text("–", timeout=15000)
        api = page.evaluate("fetch('/webhooks/dashboard/api/metrics').then(r => r.json())")
        figures = api["figures"]
        bot, human = figures["response_time"]["bot"], figures["response_time"]["human"]
        assert bot["samples"] >= 4 and 0 <= bot["value"] < 30
        assert human["samples"] == 1 and human["value"] > 0  # the agent's reply, after the shopper's 人呢
        assert figures["satisfaction"]["value"] is not None
        shown_bot = page.get_by_test_id("avg-response-bot-value").inner_text()
        assert f"{bot['value']:.1f}" in shown_bot or f"{bot['value']:.2f}" in shown_bot or str(round(bot["value"])) in shown_bot
        page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
        browser.close()


def test_a_voice_push_reaches_nlu_as_its_transcript(rasa_server, capture):
    """Mini-program voice: fetched by MediaId, decoded from AMR, recognised, parsed like typed text."""
    import sqlite3
    capture.media["voice-cancel-01"] = convert("please cancel my order", "amr")
    push(rasa_server.url, "", 70001, "oVoiceShopper", voice_media="voice-cancel-01")
    with sqlite3.connect(rasa_server.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
                          ("miniprogram:oVoiceShopper",)).fetchall()
    [event] = [json.loads(r[0]) for r in rows]
    meta = event["metadata"]
    assert meta["asr_engine"] == "pocketsphinx" and meta["attachments"][0]["type"] == "voice"
    assert event["text"] == meta["transcript"] and "order" in event["text"].split()
    assert event["parse_data"]["intent"]["name"]  # the transcript went through NLU


def test_a_misunderstood_message_is_collected_masked_labelled_and_confirmed_in_the_browser(rasa_server, sessions,
                                                                                            store_url):
    """Issue 19: a shopper's message the bot could not serve reaches the review queue with the
    personal data masked; one reviewer labels it on the review page, a second confirms it."""
    from playwright.sync_api import expect, sync_playwright

    from shop.review.collect import collect, fallback_threshold
    from shop.review.queue import ReviewQueue
    from shop.workbench.accounts import Accounts

    accounts = Accounts(sessions)
    accounts.set_roles("agent01", ("agent", "reviewer"))
    accounts.add_agent("reviewer02", "审核小李", PASSWORD, ("agent", "reviewer"))
    shopper = "oBrowserReview"
    started = time.time() - 1
    push(rasa_server.url, "我是王芳 手机13812345678 呢个嘢点解仲未嚟嘅 搞咩啊", 95001, shopper)
    push(rasa_server.url, "转人工", 95002, shopper)
    queue = ReviewQueue(sessions)
    report = collect(queue, f"sqlite:///{rasa_server.tracker_db}", started, time.time() + 1, fallback_threshold(),
                     store_url)
    assert report.collected >= 1
    group = next(g for g in queue.groups("all") if "呢个嘢点解仲未嚟嘅" in g["text"])
    assert "13812345678" not in group["text"] and "王芳" not in group["text"]

    def sign_in(context, username):
        page = context.new_page()
        page.goto(rasa_server.url + "/webhooks/workbench/login")
        page.get_by_test_id("username").fill(username)
        page.get_by_test_id("password").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("review-link")).to_be_visible()
        page.get_by_test_id("review-link").click()
        return page

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = sign_in(browser.new_context(viewport={"width": 1280, "height": 820}), "agent01")
        item = page.get_by_test_id("group-item").filter(has_text="呢个嘢点解仲未嚟嘅")
        expect(item).to_have_count(1)
        expect(item).not_to_contain_text("13812345678")
        item.click()
        expect(page.get_by_test_id("group-text")).to_contain_text("〈手机号〉")
        expect(page.get_by_test_id("item").first).to_contain_text("顾客：")
        page.get_by_test_id("intent").select_option("check_order_status")
        page.get_by_test_id("save-label").click()
        expect(page.get_by_test_id("label-status")).to_have_text("已保存：check_order_status")
        expect(page.get_by_test_id("confirm")).to_be_hidden()  # not by the one who labelled it
        page.screenshot(path=str(SHOTS / "review-label.png"), full_page=True)

        page = sign_in(browser.new_context(viewport={"width": 1280, "height": 820}), "reviewer02")
        page.get_by_test_id("tabs").get_by_text("待确认").click()
        page.get_by_test_id("group-item").filter(has_text="呢个嘢点解仲未嚟嘅").click()
        expect(page.get_by_test_id("group-meta")).to_contain_text("标注：agent01（check_order_status）")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("label-status")).to_have_text("已确认")
        expect(page.get_by_test_id("history-row")).to_have_count(2)
        page.screenshot(path=str(SHOTS / "review-confirm.png"), full_page=True)
        browser.close()

    confirmed = queue.confirmed_examples()
    assert [(c["intent"], c["text"]) for c in confirmed if c["id"] == group["id"]] == \
        [("check_order_status", group["text"])]
