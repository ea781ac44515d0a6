"""The model-iteration loop end to end on a small Rasa project (issue 19).

tests/review/project is a Rasa project in the shipped layout with stock components (it trains
in seconds); the shipped scripts/train.sh names and trains its models, scripts/retrain.py runs
the routine against a real `rasa run` (channels.server, HTTP API with a token) serving it.
Reviewed labels go through the review queue as the workbench writes them. Three retrains:
one promoted and loaded without a restart, one refused because its labels are wrong, then a
rollback to the model from before.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from shop.review.queue import ReviewQueue
from shop.store.migrate import upgrade
from shop.store.session import make_engine, session_factory
from tests.review.conftest import candidate

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "project"
TOKEN = "retrain-loop-test-token"
INTENTS = ["greet", "ask_stock", "track_logistics", "out_of_scope"]
ENTITIES: list[str] = []




def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    root = tmp_path_factory.mktemp("retrain") / "project"
    shutil.copytree(PROJECT, root)
    (root / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "train.sh", root / "scripts" / "train.sh")
    (root / ".venv").symlink_to(ROOT / ".venv")
    store = f"sqlite:///{root / 'shop.db'}"
    upgrade(store)
    env = {**os.environ, "SHOP_DB_URL": store, "SHOP_RASA_API_TOKEN": TOKEN, "SHOP_MODELS_DIR": str(root / "models"),
           "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    base = subprocess.run(["bash", "scripts/train.sh", "config.yml"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=900)
    assert base.returncode == 0, base.stderr[-3000:]
    base_model = root / base.stdout.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "channels.server", "run", "--enable-api", "-i", "127.0.0.1",
                               "-p", str(port), "--model", str(base_model)], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + f"/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        pytest.fail("rasa run did not start")
    engine = make_engine(store)
    state = {"root": root, "env": env, "url": url, "base": base_model, "server": server,
             "queue": ReviewQueue(session_factory(engine))}
    yield state
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)
    engine.dispose()


def api(loop, method, path, body=None):
    req = urllib.request.Request(loop["url"] + path + f"?token={TOKEN}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read().decode())


def intent_of(loop, text):
    return api(loop, "POST", "/model/parse", {"text": text})["intent"]["name"]


def review(loop, labelled, reviewers=("agent01", "reviewer02")):
    """Messages into the queue, labelled by one reviewer and confirmed by another (as the workbench does)."""
    q = loop["queue"]
    for text, intent in labelled:
        gid = q.add(candidate(text, f"{text}-{time.time()}"))
        q.label(gid, reviewers[0], intent, [], INTENTS, ENTITIES)
        q.confirm(gid, reviewers[1])


def retrain(loop, *args):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "retrain.py"), *args, "--root", str(loop["root"]),
                           "--server", loop["url"], "--month", "2026-12", "--heldout", "tests/heldout.yml"],
                          env=loop["env"], capture_output=True, text=True, timeout=1200)
    report = json.loads((loop["root"] / "results" / "retrain" / "latest.json").read_text(encoding="utf-8"))
    return done, report


def test_nothing_confirmed_is_nothing_to_do(loop):
    done, report = retrain(loop, "--no-collect")
    assert done.returncode == 0 and report["outcome"] == "nothing_to_do"
    assert not (loop["root"] / "data" / "nlu" / "reviewed").exists()


def test_reviewed_slang_is_learnt_promoted_and_served_without_a_restart(loop):
    slang = ["有木有L码", "有木有黑的", "有木有38码的", "还有木有货", "有木有现货呀", "XL有木有"]
    before = {t: intent_of(loop, t) for t in ("有木有M码", "有木有白的")}
    review(loop, [(t, "ask_stock") for t in slang])
    pid = loop["server"].pid
    done, report = retrain(loop, "--no-collect")
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["outcome"] == "promoted", report["reasons"]
    assert report["export"]["written"] == 6 and report["loaded_without_restart"] is True
    figures = report["figures"]
    assert figures["candidate"]["reviewed"]["accuracy"] > figures["current"]["reviewed"]["accuracy"]
    assert figures["candidate"]["heldout"]["accuracy"] >= figures["current"]["heldout"]["accuracy"]
    served = api(loop, "GET", "/status")["model_file"]
    assert Path(served).name == report["candidate_model"] and loop["server"].pid == pid
    # new phrasing of the same kind, never reviewed, is now read as a stock question
    assert all(intent_of(loop, t) == "ask_stock" for t in before), before
    data = (loop["root"] / "data" / "nlu" / "reviewed" / "2026-12.yml").read_text(encoding="utf-8")
    assert "有木有L码" in data and "reviewers" in data
    assert json.loads((loop["root"] / "models" / "serving.json").read_text())["serving"] == report["candidate_model"]
    md = (loop["root"] / "results" / "retrain" / "latest.md").read_text(encoding="utf-8")
    assert "promoted" in md and "有木有L码" in md


def test_wrong_labels_are_refused_and_the_served_model_and_data_stay(loop):
    data_file = loop["root"] / "data" / "nlu" / "reviewed" / "2026-12.yml"
    data_before = data_file.read_text(encoding="utf-8")
    served_before = api(loop, "GET", "/status")["model_file"]
    # greetings labelled as parcel questions: the kind of mistake the gate is for
    review(loop, [(t, "track_logistics") for t in ("你好啊亲", "您好在吗", "在不在啊", "你好呀在吗", "哈喽你好",
                                                   "有人在吗你好", "您好呀", "你好你好")])
    done, report = retrain(loop, "--no-collect")
    assert done.returncode == 3 and report["outcome"] == "refused"
    assert any("held-out" in r and "dropped" in r for r in report["reasons"]) or \
        any("broke" in r for r in report["reasons"]), report["reasons"]
    assert data_file.read_text(encoding="utf-8") == data_before
    assert (loop["root"] / report["refused_data"]).exists()
    assert api(loop, "GET", "/status")["model_file"] == served_before
    assert intent_of(loop, "你好啊") == "greet"
    assert {c["pair"] for c in report["confusions_changed"]} >= {"greet → track_logistics"}


def test_rollback_serves_the_model_from_before_and_puts_its_data_back(loop):
    done, report = retrain(loop, "rollback")
    assert done.returncode == 0 and report["outcome"] == "rolled_back"
    assert Path(api(loop, "GET", "/status")["model_file"]).name == loop["base"].name
    assert not (loop["root"] / "data" / "nlu" / "reviewed" / "2026-12.yml").exists()
    # the files again name the base model, so `make run` would serve the same one
    dry = subprocess.run(["bash", "scripts/train.sh", "config.yml"], cwd=loop["root"], capture_output=True, text=True,
                         env={**loop["env"], "SHOP_TRAIN_DRY_RUN": "1"})
    assert Path(dry.stdout.strip()).name == loop["base"].name
    assert len(loop["queue"].confirmed_examples()) == 6 + 8  # the promoted groups are back for reviewers


def test_a_model_swap_is_only_for_this_projects_models(loop):
    """PUT /model without SHOP_RASA_API_ADMIN: a path outside models/ or any other field is refused."""
    for body in ({"model_file": "/etc/passwd"}, {"model_file": str(loop["base"]), "model_server": {"url": "http://x"}},
                 {"model_file": str(loop["root"] / "config.yml")}):
        with pytest.raises(urllib.error.HTTPError) as e:
            api(loop, "PUT", "/model", body)
        assert e.value.code == 403
