"""The workbench's review page and API: reviewers only, two reviewers per label, agents flag.

The workbench channel in a Sanic app wired as `rasa run` wires it (tests/workbench's harness),
over a migrated SQLite store; conversations in Rasa's InMemoryTrackerStore with the shipped domain.
"""
import json

import pytest
from rasa.shared.core.events import ActionExecuted, ConversationPaused, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from shop.review.queue import ReviewQueue
from shop.workbench.accounts import Accounts
from tests.review.conftest import candidate
from tests.store.conftest import ANCHOR, sqlite_sessions, sqlite_template  # noqa: F401  (fixtures)
from tests.workbench.test_workbench_channel import PASSWORD, W, anyio_backend, bench, capture, domain, queue  # noqa: F401

pytestmark = pytest.mark.anyio


@pytest.fixture
def sessions(sqlite_sessions):
    accounts = Accounts(sqlite_sessions, clock=lambda: ANCHOR)
    accounts.add_agent("agent01", "客服小王", PASSWORD, ("agent", "reviewer"))
    accounts.add_agent("reviewer02", "审核小李", PASSWORD, ("agent", "reviewer"))
    accounts.add_agent("agent03", "客服小张", PASSWORD)
    return sqlite_sessions


@pytest.fixture
def review(sessions):
    return ReviewQueue(sessions, clock=lambda: ANCHOR)


async def test_only_reviewers_see_the_page_and_its_api(bench, review):
    review.add(candidate("蹲一个平替"))
    assert (await bench.c.get(W + "api/review/groups")).status_code == 401
    await bench.login("agent03")
    assert (await bench.c.get(W + "review")).status_code == 403
    assert (await bench.c.get(W + "api/review/groups")).status_code == 403
    assert (await bench.c.get(W + "api/me")).json()["roles"] == ["agent"]
    await bench.login("agent01")
    page = await bench.c.get(W + "review")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    data = (await bench.c.get(W + "api/review/groups")).json()
    assert [g["text"] for g in data["groups"]] == ["蹲一个平替"]
    assert "ask_recommendation" in data["intents"] and "noise" in data["intents"]
    assert "nlu_fallback" not in data["intents"] and "size" in data["entities"]
    assert data["counts"]["open"] == {"groups": 1, "messages": 1}


async def test_one_reviewer_labels_another_confirms(bench, review):
    gid = review.add(candidate("有木有L码 黑的"))
    await bench.login("agent01")
    r = await bench.post(f"api/review/groups/{gid}/label",
                         {"intent": "ask_stock", "entities": [{"entity": "size", "value": "L码"},
                                                              {"entity": "color", "value": "黑"}]})
    assert r.status_code == 200, r.text
    assert r.json()["group"]["entities"][0] == {"start": 3, "end": 5, "entity": "size", "value": "L码"}
    assert (await bench.post(f"api/review/groups/{gid}/confirm")).status_code == 409  # not by the labeller
    await bench.login("reviewer02")
    r = await bench.post(f"api/review/groups/{gid}/confirm")
    assert r.status_code == 200 and r.json()["group"]["status"] == "confirmed"
    detail = (await bench.c.get(W + f"api/review/groups/{gid}")).json()
    assert [(h["reviewer"], h["action"]) for h in detail["history"]] == [("agent01", "label"), ("reviewer02", "confirm")]


@pytest.mark.parametrize("body", [
    {"intent": "no_such_intent"}, {"intent": 5}, {}, [], "text", {"intent": "ask_stock", "entities": "x"},
    {"intent": "ask_stock", "entities": [{"entity": "size", "value": "XXL"}]},      # not in the message
    {"intent": "ask_stock", "entities": [{"entity": "nickname", "value": "L码"}]},  # not in the domain
    {"intent": "ask_stock", "entities": [[1, 2]]},
])
async def test_a_bad_label_is_a_400_and_changes_nothing(bench, review, body):
    gid = review.add(candidate("有木有L码"))
    await bench.login("agent01")
    r = await bench.post(f"api/review/groups/{gid}/label", body)
    assert r.status_code == 400 and r.json()["error"] in ("invalid", "malformed")
    assert review.group(gid)["status"] == "open"


async def test_malformed_huge_unknown_and_forged_requests(bench, review):
    gid = review.add(candidate("有木有L码"))
    await bench.login("agent01")
    h = {"Content-Type": "application/json", "X-CSRF-Token": bench.csrf}
    assert (await bench.c.post(W + f"api/review/groups/{gid}/label", content=b"{", headers=h)).status_code == 400
    huge = json.dumps({"intent": "ask_stock", "pad": "x" * 20000})
    assert (await bench.c.post(W + f"api/review/groups/{gid}/label", content=huge, headers=h)).status_code == 413
    assert (await bench.post("api/review/groups/99999/label", {"intent": "ask_stock"})).status_code == 404
    assert (await bench.c.get(W + "api/review/groups/99999")).status_code == 404
    assert (await bench.c.get(W + "api/review/groups/99999999999")).status_code == 404
    assert (await bench.c.get(W + "api/review/groups?status=gone")).status_code == 400
    assert (await bench.c.get(W + "api/review/groups?limit=x")).status_code == 400
    assert (await bench.post(f"api/review/groups/{gid}/label", {"intent": "ask_stock"}, csrf=False)).status_code == 403
    assert review.group(gid)["status"] == "open"


async def test_an_agent_flags_a_message_from_the_conversation_and_it_arrives_masked(bench, queue, domain, review):
    sender = "miniprogram:oFlag"
    tracker = DialogueStateTracker(sender, domain.slots)
    for e in [ActionExecuted("action_listen"),
              UserUttered("我是王芳 手机13812345678 那个东西咋还没来", {"name": "check_order_status", "confidence": 0.93},
                          parse_data={"intent": {"name": "check_order_status", "confidence": 0.93},
                                      "intent_ranking": [{"name": "check_order_status", "confidence": 0.93}],
                                      "entities": []}, message_id="m-1"),
              SlotSet("phone", "13812345678"), ActionExecuted("action_handoff"), ConversationPaused()]:
        tracker.update(e, domain)
    await bench.trackers.save(tracker)
    h = queue.enqueue(sender, "asked", "那个东西咋还没来")
    await bench.login("agent03")  # any agent may flag
    turns = (await bench.c.get(W + f"api/handoffs/{h.id}")).json()["turns"]
    assert turns[0]["message_id"] == "m-1"
    r = await bench.post(f"api/handoffs/{h.id}/flag", {"message_id": "m-1"})
    assert r.status_code == 200, r.text
    assert "13812345678" not in r.text and "王芳" not in r.text
    assert (await bench.post(f"api/handoffs/{h.id}/flag", {"message_id": "m-1"})).json()["group_id"] == r.json()["group_id"]
    group = review.group(r.json()["group_id"])
    assert group["count"] == 1 and group["items"][0]["reasons"] == ["flagged", "handoff"]
    assert (await bench.post(f"api/handoffs/{h.id}/flag", {"message_id": "nope"})).status_code == 404
    assert (await bench.post(f"api/handoffs/{h.id}/flag", {"message_id": 5})).status_code == 400
