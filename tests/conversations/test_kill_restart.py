"""Processes killed (SIGKILL, no clean shutdown) and started again between and during turns: nothing
answered is lost, conversations go on where they were, no turn is answered twice (issue 18, at small scale).

The stack as `make run` starts it (the action server, `rasa run` via channels.server with the SQL
tracker store of endpoints.yml, the embedded graph, the SQLite shop store), each a real process.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from shop.store.migrate import upgrade
from tests.conversations.conftest import ANCHOR, ROOT, _free_port, wait_until_serving

PY = str(ROOT / ".venv/bin/python")


class Stack:
    def __init__(self, work: Path, model: Path, graph_server, store_url: str):
        self.work = work
        self.model = model
        self.env = {**os.environ, "SHOP_DB_URL": store_url, "SHOP_NOW": ANCHOR, "SANIC_HOST": "127.0.0.1",
                    "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
                    "SHOP_GRAPH_URL": f"falkor://127.0.0.1:{graph_server.port}/shop", "SHOP_GRAPH_USER": "shop",
                    "SHOP_GRAPH_PASSWORD": graph_server.password,
                    "SHOP_TRACKER_DB_URL": f"sqlite:///{work / 'tracker.db'}",
                    "SHOP_SMS_OUTBOX": str(work / "sms.jsonl")}
        self.action_port, self.rasa_port = _free_port(), _free_port()
        endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
        endpoints["action_endpoint"] = {"url": f"http://127.0.0.1:{self.action_port}/webhook",
                                        "token": os.environ["SHOP_ACTION_TOKEN"]}
        endpoints["tracker_store"] = {**endpoints["tracker_store"], "db": str(work / "tracker.db")}
        (work / "endpoints.yml").write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
        self.actions: subprocess.Popen | None = None
        self.rasa: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.rasa_port}"

    def start_actions(self) -> None:
        log = self.work / "actions.log"
        with log.open("ab") as out:
            self.actions = subprocess.Popen([PY, "-m", "actions.server", "--actions", "actions", "-p",
                                             str(self.action_port)], cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        wait_until_serving(f"http://127.0.0.1:{self.action_port}/health", self.actions, log, 120, "action server")

    def start_rasa(self) -> None:
        log = self.work / "rasa.log"
        with log.open("ab") as out:
            self.rasa = subprocess.Popen([PY, "-m", "channels.server", "run", "--model", str(self.model),
                                          "--endpoints", str(self.work / "endpoints.yml"),
                                          "--credentials", str(ROOT / "credentials.yml"),
                                          "-i", "127.0.0.1", "-p", str(self.rasa_port)],
                                         cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_until_serving(self.url + "/", self.rasa, log, 240, "rasa run")

    @staticmethod
    def kill(proc: subprocess.Popen | None) -> None:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)

    def say(self, sender: str, text: str, timeout: float = 60) -> list[str] | None:
        """The replies' texts, or None when the server could not be reached (the gap a client sees)."""
        body = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.url + "/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return [r.get("text", "") for r in json.loads(resp.read().decode("utf-8") or "[]")
                        if isinstance(r, dict)]
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def stored(self, sender: str) -> list[tuple[str, str]]:
        """(type, text) of the sender's user and bot events, as the tracker store holds them."""
        with sqlite3.connect(self.work / "tracker.db") as db:
            rows = db.execute("SELECT type_name, data FROM events WHERE sender_id = ? AND type_name IN "
                              "('user', 'bot') ORDER BY id", (sender,)).fetchall()
        return [(t, json.loads(d).get("text") or "") for t, d in rows]

    def stop(self) -> None:
        for proc in (self.rasa, self.actions):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _turns(stored: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Each stored shopper message with the replies stored after it."""
    out: list[tuple[str, list[str]]] = []
    for kind, text in stored:
        if kind == "user":
            out.append((text, []))
        elif out:
            out[-1][1].append(text)
    return out


def test_killed_processes_lose_nothing_and_answer_nothing_twice(model_path, graph_server, tmp_path):
    store = tmp_path / "shop.db"
    upgrade(f"sqlite:///{store}")
    stack = Stack(tmp_path, model_path, graph_server, f"sqlite:///{store}")
    try:
        stack.start_actions()
        stack.start_rasa()
        a, b = "kill-a", "kill-b"
        assert "549" in "".join(stack.say(a, "宽松真丝衬衫多少钱"))
        assert "推荐" in "".join(stack.say(b, "推荐几款保温杯"))

        # 1. Rasa killed between turns and started again: both conversations go on where they were.
        stack.kill(stack.rasa)
        assert stack.say(a, "在吗", timeout=5) is None          # the gap
        stack.start_rasa()
        reply = "".join(stack.say(a, "它是什么面料的"))
        assert "宽松真丝衬衫" in reply and "真丝" in reply       # the product in focus survived
        reply = "".join(stack.say(b, "第二个多少钱"))
        assert "保温杯" in reply and "¥" in reply                  # the list survived

        # 2. The action server killed: the turn in the gap gets no custom answer; started again, the
        # same question is answered about the same product.
        stack.kill(stack.actions)
        stack.say(a, "它能机洗吗", timeout=30)
        stack.start_actions()
        reply = "".join(stack.say(a, "它能机洗吗"))
        assert "宽松真丝衬衫" in reply and "手洗" in reply

        # 3. Rasa killed while a turn is in flight: the client sees the gap; the turn is either stored
        # whole (message and reply) or the message alone, never answered twice.
        in_flight: dict = {}
        t = threading.Thread(target=lambda: in_flight.update(r=stack.say(b, "它有什么颜色", timeout=30)))
        t.start()
        stack.kill(stack.rasa)
        t.join(timeout=60)
        stack.start_rasa()
        reply = "".join(stack.say(b, "它有什么颜色"))
        assert "颜色" in reply or "色" in reply

        for sender, said in ((a, ["宽松真丝衬衫多少钱", "它是什么面料的", "它能机洗吗"]),
                             (b, ["推荐几款保温杯", "第二个多少钱", "它有什么颜色"])):
            turns = _turns(stack.stored(sender))
            texts = [t for t, _ in turns]
            # every message answered is in the store, in the order it was said
            assert list(dict.fromkeys(t for t in texts if t in said)) == said, texts
            # no reply stored twice for one message (a re-sent message is a new message)
            for _, replies in turns:
                assert len(replies) == len(set(replies)), replies
    finally:
        stack.stop()
