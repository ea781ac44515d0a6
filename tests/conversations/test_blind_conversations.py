"""The blind conversation sets (tests/blind/conversations_*.yaml) live through `rasa run`'s REST channel.

Written by writers who never read data/, tests/ or the code (brief: tests/blind/BRIEF.md), as
shoppers type. Every conversation is a fresh sender; `shopper: demo` ones are bound to the
seeded demo shopper 张伟 and start from the seeded order store (restored before each). A turn
passes when every `has` group has one of its strings in the reply and no `not` string is in
it; a conversation passes when all its turns do.

Each file is split in two by position: even entries are the tuning half (their transcripts go
to results/blind_conversations.json), odd entries the held-out half (only counted). The test
fails when either half's pass rate drops below what has been reached (MIN_PASS).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop.identity.bindings import bind as bind_sender
from shop.store.clock import china_now
from shop.identity.sms import read_outbox
from shop.store.migrate import upgrade
from shop.rules.policy import OrderStatus
from shop.store import models as m
from shop.store.seed import seed
from shop.store.session import make_engine, session_factory
from tests.conversations.conftest import ANCHOR, ROOT, _free_port, wait_until_serving

# SHOP_BLIND_ONLY=w11,a5: only those writers' sets, for working on them (reported under results/only/,
# not gated: the rates reached are over every set).
ONLY = {w.strip() for w in os.environ.get("SHOP_BLIND_ONLY", "").split(",") if w.strip()}


def chosen(paths: list[Path]) -> list[Path]:
    return [p for p in paths if not ONLY or p.stem.removeprefix("conversations_") in ONLY]


SETS = chosen(sorted((ROOT / "tests" / "blind").glob("conversations_*.yaml")))
REPORT = ROOT / "results" / ("only" if ONLY else "") / "blind_conversations.json"
# The pass rates reached (tuning half, held-out half); a change that loses conversations fails here.
# Reached 2026-12-01 04:48 with model shop-config-8759c9311d900ba2 (nine writers, w9 first run 75/98):
# tuning 305/315 (0.968), held-out 252/313 (0.805). A model trained again on the same data moves a few
# conversations either way, hence the margin.
# 2026-12-01 08:25 with model shop-config-23a0879519a8a3c9 and a tenth writer (w10, first run 76/104): tuning
# 360/367 (0.981), held-out 288/365 (0.789).
# 2026-12-02 03:00 with model shop-config-76e6d5984d3ec5b3 and an eleventh writer (w11, first run 60/91): tuning
# 400/413 (0.969), held-out 325/410 (0.793).
MIN_PASS = {"tune": 0.95, "heldout": 0.77}
DEMO_SHOPPER = 1
TIMEOUT_S = 60
SMS_OUTBOX = Path(tempfile.gettempdir()) / f"blind-sms-{os.getpid()}.jsonl"   # the action server's texts


def load_sets() -> list[dict]:
    out = []
    for path in SETS:
        for i, conv in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            out.append({**conv, "half": "tune" if i % 2 == 0 else "heldout", "file": path.name})
    return out


@pytest.fixture(scope="module")
def blind_store(tmp_path_factory) -> Path:
    """The seeded order store for these conversations alone, and a pristine copy to restore from."""
    work = tmp_path_factory.mktemp("blind_store")
    db = work / "shop.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as s, s.begin():
        seed(s, dt.datetime.fromisoformat(ANCHOR))
    engine.dispose()
    pristine = work / "pristine.db"
    with sqlite3.connect(db) as src, sqlite3.connect(pristine) as dst:
        src.backup(dst)
    return db


def restore(db: Path) -> None:
    """Back to the seeded orders (SQLite's online backup into the live file: the action server's
    open connections see the restored pages on their next transaction)."""
    with sqlite3.connect(db.with_name("pristine.db")) as src, sqlite3.connect(db, timeout=30) as dst:
        src.backup(dst)


def bind(db: Path, sender: str) -> None:
    engine = make_engine(f"sqlite:///{db}")
    with session_factory(engine)() as s, s.begin():
        # As the demo seed binds its sender: a "demo" binding, the only unproven kind trusted. Bindings
        # lapse by the real clock, not the shop's pinned one (SHOP_NOW): bound now, as a login would be.
        bind_sender(s, "rest", sender, DEMO_SHOPPER, "demo", china_now())
    engine.dispose()


@pytest.fixture(scope="module")
def blind_rasa(model_path, graph_server, blind_store, media_root, tmp_path_factory):
    """The action server and `rasa run` as make run starts them, on the blind store."""
    work = tmp_path_factory.mktemp("blind_rasa")
    env = {**os.environ, "SHOP_DB_URL": f"sqlite:///{blind_store}", "SHOP_NOW": ANCHOR, "SANIC_HOST": "127.0.0.1",
           "SHOP_MEDIA_DIR": str(media_root), "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "SHOP_GRAPH_URL": f"falkor://127.0.0.1:{graph_server.port}/shop", "SHOP_GRAPH_USER": "shop",
           "SHOP_GRAPH_PASSWORD": graph_server.password,
           "SHOP_TRACKER_DB_URL": f"sqlite:///{work / 'tracker.db'}", "SHOP_SMS_OUTBOX": str(SMS_OUTBOX)}
    action_port, rasa_port = _free_port(), _free_port()
    procs = []
    actions_log = work / "actions.log"
    with actions_log.open("wb") as out:
        procs.append(subprocess.Popen([str(ROOT / ".venv/bin/python"), "-m", "actions.server", "--actions", "actions",
                                       "-p", str(action_port)], cwd=ROOT, env=env, stdout=out,
                                      stderr=subprocess.STDOUT))
    wait_until_serving(f"http://127.0.0.1:{action_port}/health", procs[0], actions_log, 120, "action server")
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"] = {"url": f"http://127.0.0.1:{action_port}/webhook",
                                    "token": os.environ["SHOP_ACTION_TOKEN"]}
    endpoints["tracker_store"] = {**endpoints["tracker_store"], "db": str(work / "tracker.db")}
    (work / "endpoints.yml").write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    rasa_log = work / "rasa.log"
    with rasa_log.open("wb") as out:
        # As make run starts Rasa (channels/server.py: the HTTP API guard, NLU off the event loop).
        procs.append(subprocess.Popen([str(ROOT / ".venv/bin/python"), "-m", "channels.server", "run",
                                       "--model", str(model_path),
                                       "--endpoints", str(work / "endpoints.yml"),
                                       "--credentials", str(ROOT / "credentials.yml"),
                                       "-i", "127.0.0.1", "-p", str(rasa_port)],
                                      cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
    url = f"http://127.0.0.1:{rasa_port}"
    wait_until_serving(url + "/", procs[1], rasa_log, 240, "rasa run")
    yield url
    for proc in reversed(procs):
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def say(url: str, sender: str, text: str) -> str:
    body = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url + "/webhooks/rest/webhook", data=body,
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            replies = json.loads(resp.read().decode("utf-8") or "[]")
    except urllib.error.HTTPError as e:
        if not 400 <= e.code < 500:
            raise
        # Refused input (an empty message): what the chat window shows is the refusal's message.
        return str(json.loads(e.read().decode("utf-8") or "{}").get("message") or "")
    return "\n".join(r.get("text", "") for r in replies if isinstance(r, dict) and r.get("text"))


def check(reply: str, expect: dict | None) -> list[str]:
    """What is wrong with the reply ([] = the turn passes)."""
    if not expect:
        return [] if reply.strip() else ["no reply"]
    problems = []
    for group in expect.get("has") or []:
        group = [str(x) for x in (group if isinstance(group, list) else [group])]
        if not any(x in reply for x in group):
            problems.append(f"missing one of {group}")
    for x in expect.get("not") or []:
        if str(x) in reply:
            problems.append(f"has {x!r}")
    return problems


def texted_code(url: str, reply: str) -> str | None:
    """The code of the SMS the reply says was just sent (the writers' shoppers have their
    phones: a conversation that gives its phone number reads the text and types the code,
    which their scripts could not foresee)."""
    if "验证码短信已经发出" not in reply:
        return None
    sent = read_outbox(SMS_OUTBOX)
    return str(sent[-1]["code"]) if sent else None


def play(url: str, sender: str, turns: list[dict], *, both_replies: bool) -> tuple[bool, list[dict]]:
    """One conversation, turn by turn: (every turn passed, the transcript). A turn whose reply says an SMS
    code was sent is followed by the code, as the shopper would type it; `both_replies`: the turn's `has`
    is checked against both replies and its `not` against its own (the after-sales set), else all of it
    against the code's reply."""
    ok, transcript = True, []
    for turn in turns:
        reply = own = say(url, sender, str(turn.get("say", "")))
        code = texted_code(url, reply)
        if code:    # the shopper reads the SMS and types its code, as a real one would
            after = say(url, sender, code)
            reply = reply + "\n" + after if both_replies else after
        expect = turn.get("expect") or {}
        problems = check(reply, {**expect, "not": []} if both_replies and code else expect)
        if both_replies and code:   # what must not be said is the turn's own reply's: before the code came back
            problems += [p for p in check(own, {"not": expect.get("not")}) if p.startswith("has ")]
        ok = ok and not problems
        transcript.append({"say": turn.get("say"), "reply": reply, "problems": problems})
    return ok, transcript


def gate(report: dict, path: Path, label: str, floors: dict) -> None:
    """Writes the report, says the figures, and fails when a half falls below what has been reached."""
    summary = report["summary"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n{label}: {report['all']['passed']}/{report['all']['conversations']} (tuning half "
          f"{summary['tune']['rate']:.1%}, held-out half {summary['heldout']['rate']:.1%}) → {path}")
    if ONLY:
        pytest.skip(f"only {sorted(ONLY)}: not gated (the floors are over every set)")
    for half, floor in floors.items():
        assert summary[half]["rate"] >= floor, f"{half} half: {summary[half]} below {floor}"


def summarise(results: list[dict], sets: list[Path], key: str) -> dict:
    """The report: each half's pass rate, all of it, by `key` (area / kind), by writer's set, the tuning failures."""
    def rate(rows):
        return {"conversations": len(rows), "passed": sum(r["passed"] for r in rows),
                "rate": round(sum(r["passed"] for r in rows) / max(1, len(rows)), 3)}

    def counts(field_):
        groups = sorted({r[field_] or "" for r in results})
        return {g: {"passed": sum(r["passed"] for r in results if (r[field_] or "") == g),
                    "total": sum((r[field_] or "") == g for r in results)} for g in groups}
    return {"date": dt.datetime.now().isoformat(timespec="seconds"), "sets": [p.name for p in sets],
            "summary": {half: rate([r for r in results if r["half"] == half]) for half in ("tune", "heldout")},
            "all": rate(results), f"by_{key}": counts(key),
            # each writer's set on its own: a new set's first run is the figure a stranger would see
            "by_set": counts("file"),
            "tune_failures": [r for r in results if r["half"] == "tune" and not r["passed"]]}


def test_blind_conversations_live(blind_rasa, blind_store):
    conversations = load_sets()
    assert len(conversations) >= (1 if ONLY else 150)
    results = []
    for n, conv in enumerate(conversations):
        sender = f"blind-{os.getpid()}-{n}"
        if conv.get("shopper") == "demo":
            restore(blind_store)
            bind(blind_store, sender)
        ok, turns = play(blind_rasa, sender, conv["turns"], both_replies=False)
        results.append({"id": conv["id"], "half": conv["half"], "area": conv.get("area"), "passed": ok,
                        "file": conv["file"],
                        "turns": turns if conv["half"] == "tune" else None})
    gate(summarise(results, SETS, "area"), REPORT, "blind conversations", MIN_PASS)


# -- the blind after-sales set (tests/blind/aftersales/): every change checked in the database ------------
AFTERSALES_SETS = chosen(sorted((ROOT / "tests" / "blind" / "aftersales").glob("conversations_*.yaml")))
AFTERSALES_REPORT = ROOT / "results" / ("only" if ONLY else "") / "aftersales_conversations.json"
# Reached 2026-12-01 04:48 with model shop-config-8759c9311d900ba2 (a1 + a2 + a3): tuning 124/133 (0.932),
# held-out 87/133 (0.654); first runs before any change for them: a1 24/84, a2 31/88, a3 35/94 (README).
# Margin as above.
# 2026-12-01 08:36 with model shop-config-23a0879519a8a3c9 and a fourth writer (a4, first run 28/96): tuning
# 154/181 (0.851), held-out 112/181 (0.619). The harder set lowered the rates the gate can hold.
# 2026-12-02 03:06 with model shop-config-76e6d5984d3ec5b3 and a fifth writer (a5, first run 43/95, 59/95 now):
# tuning 195/229 (0.852), held-out 134/228 (0.588). The held-out floor keeps the margin a retrained model
# needs (a fresh clone trains its own); a5's harder held-out half lowered the rate the gate can hold.
AFTERSALES_MIN_PASS = {"tune": 0.82, "heldout": 0.55}
STATUS_BY_LABEL = {**{label: status for status, label in OrderStatus.LABELS.items()}, "已付款待发货": OrderStatus.PAID,
                   "已发货": OrderStatus.SHIPPED}
KIND_BY_LABEL = {"退货": "return", "换货": "exchange", "return": "return", "exchange": "exchange"}


def order_state(db: Path, order_no: str) -> dict | None:
    """What the after-sales checks read of one order (None: no such order)."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        with session_factory(engine)() as s:
            o = s.scalar(select(m.Order).where(m.Order.order_no == str(order_no)).options(
                selectinload(m.Order.items), selectinload(m.Order.return_requests), selectinload(m.Order.invoice)))
            if o is None:
                return None
            return {
                "status": o.status,
                "address": f"{o.province}{o.city}{o.district}{o.address_detail}".replace(" ", ""),
                "phone": o.receiver_phone,
                "items": sorted((i.product_id, i.color, i.size, i.qty) for i in o.items),
                "returns": {r.id: {"kind": r.kind, "target_color": r.target_color, "target_size": r.target_size,
                                   "qty": r.qty} for r in o.return_requests},
                "invoice": o.invoice is not None,
                "complaints": s.scalar(select(func.count()).select_from(m.ComplaintTicket)
                                       .where(m.ComplaintTicket.order_id == o.id)),
                "delay_coupons": s.scalar(select(func.count()).select_from(m.Coupon).where(
                    m.Coupon.source == "delay_compensation", m.Coupon.source_order_id == o.id)),
            }
    finally:
        engine.dispose()


def open_handoff(db: Path, sender: str) -> str | None:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with session_factory(engine)() as s:
            return s.scalar(select(m.Handoff.status).where(m.Handoff.conversation_id == sender,
                                                          m.Handoff.status.in_(("waiting", "active"))))
    finally:
        engine.dispose()


def check_db(db: Path, sender: str, checks: list[dict], before: dict) -> list[str]:
    """What the database says is wrong after the conversation ([] = every check holds)."""
    problems = []
    for c in checks or []:
        if "handoff" in c and "order" not in c:
            state = open_handoff(db, sender)
            want = str(c["handoff"])
            if (want == "waiting") != (state == "waiting"):
                problems.append(f"handoff: want {want}, is {state or 'none'}")
            continue
        no = str(c.get("order"))
        now, was = order_state(db, no), before.get(no)
        if now is None:
            problems.append(f"{no}: no such order")
            continue
        if c.get("unchanged") and now != was:
            changed = [k for k in now if now[k] != was[k]]
            problems.append(f"{no}: changed {changed}")
        if "status" in c and now["status"] != STATUS_BY_LABEL.get(str(c["status"]), c["status"]):
            problems.append(f"{no}: status {OrderStatus.LABELS.get(now['status'])}, want {c['status']}")
        if "address_has" in c and str(c["address_has"]).replace(" ", "") not in now["address"]:
            problems.append(f"{no}: address {now['address']!r} lacks {c['address_has']!r}")
        if "phone" in c and now["phone"] != str(c["phone"]):
            problems.append(f"{no}: phone {now['phone']}, want {c['phone']}")
        if "item" in c:
            want = c["item"] or {}
            found = [i for i in now["items"] if i[0] == str(want.get("product"))]
            ok = any(all(str(want[k]) == str(v) for k, v in zip(("color", "size", "qty"), i[1:]) if k in want)
                     for i in found)
            if not ok:
                problems.append(f"{no}: items {now['items']}, want {want}")
        new = [r for rid, r in now["returns"].items() if rid not in was["returns"]]
        if "return_request" in c:
            want = c["return_request"] or {}
            match = [r for r in new if all(
                (KIND_BY_LABEL.get(str(v), v) if k == "kind" else str(v)) == str(r.get(k)) for k, v in want.items())]
            if not match:
                problems.append(f"{no}: new return requests {new}, want {want}")
        if c.get("no_return_request") and new:
            problems.append(f"{no}: a return request was opened: {new}")
        for key, field_ in (("delay_coupon", "delay_coupons"), ("complaint", "complaints")):
            if key in c and bool(c[key]) != (now[field_] > was[field_]):
                problems.append(f"{no}: {key} {now[field_] > was[field_]}, want {c[key]}")
        if "invoice" in c and bool(c["invoice"]) != (now["invoice"] and not was["invoice"]):
            problems.append(f"{no}: invoice requested {now['invoice'] and not was['invoice']}, want {c['invoice']}")
    return problems


def test_blind_aftersales_conversations_live(blind_rasa, blind_store):
    """The after-sales set: replies as in the product set, then the database (db checks) after the last turn.
    A guest who gives the phone on file reads the texted code and types it (both replies count)."""
    conversations = []
    for path in AFTERSALES_SETS:
        for i, conv in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            conversations.append({**conv, "half": "tune" if i % 2 == 0 else "heldout", "file": path.name})
    assert len(conversations) >= (1 if ONLY else 60)
    results = []
    for n, conv in enumerate(conversations):
        sender = f"aftersales-{os.getpid()}-{n}"
        restore(blind_store)
        if conv.get("shopper") == "demo":
            bind(blind_store, sender)
        orders = {str(c["order"]) for c in conv.get("db") or [] if "order" in c}
        before = {no: order_state(blind_store, no) for no in orders}
        ok, turns = play(blind_rasa, sender, conv["turns"], both_replies=True)
        db_problems = check_db(blind_store, sender, conv.get("db"), before)
        ok = ok and not db_problems
        results.append({"id": conv["id"], "half": conv["half"], "kind": conv.get("kind"), "passed": ok,
                        "file": conv["file"], "db_problems": db_problems if conv["half"] == "tune" else None,
                        "turns": turns if conv["half"] == "tune" else None})
    gate(summarise(results, AFTERSALES_SETS, "kind"), AFTERSALES_REPORT, "blind after-sales", AFTERSALES_MIN_PASS)
