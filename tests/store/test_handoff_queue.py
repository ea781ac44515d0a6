"""The human queue on SQLite and PostgreSQL: positions, one open handoff per conversation, ownership."""
import datetime as dt
import itertools

import pytest

from shop.handoff import HandoffError, HandoffLimited, HandoffLimits, HandoffQueue, channel_of_conversation


@pytest.fixture
def queue(sessions):
    ticks = itertools.count()
    start = dt.datetime(2026, 11, 25, 10, 0)
    return HandoffQueue(sessions, clock=lambda: start + dt.timedelta(seconds=next(ticks)))


def test_positions_follow_arrival_and_move_up_when_served(queue):
    a = queue.enqueue("miniprogram:oA", "asked", "转人工")
    b = queue.enqueue("app:u1", "not_understood")
    c = queue.enqueue("social:9", "angry_complaint", context={"order_id": "202511230006"})
    assert [a.position, b.position, c.position] == [1, 2, 3]
    assert (a.channel, b.channel, c.channel) == ("miniprogram", "app", "social")
    assert c.context == {"order_id": "202511230006"}
    queue.take(a.id, "agent01")
    assert queue.position("app:u1") == 1 and queue.position("social:9") == 2
    assert queue.get(a.id).position is None


def test_asking_again_keeps_the_place(queue):
    first = queue.enqueue("demo", "asked")
    queue.enqueue("other", "asked")
    again = queue.enqueue("demo", "not_understood")
    assert again.id == first.id and again.position == 1 and again.reason == "asked"


def test_take_reply_release_and_the_next_handoff_is_new(queue):
    h = queue.enqueue("miniprogram:oA", "asked")
    taken = queue.take(h.id, "agent01")
    assert taken.status == "active" and taken.agent == "agent01" and taken.taken_at
    assert queue.take(h.id, "agent01").status == "active"  # a second click is harmless
    with pytest.raises(HandoffError) as e:
        queue.take(h.id, "agent02")
    assert e.value.code == "taken"
    with pytest.raises(HandoffError):
        queue.check_serving(h.id, "agent02")
    assert queue.check_serving(h.id, "agent01").id == h.id
    with pytest.raises(HandoffError):
        queue.release(h.id, "agent02")
    closed = queue.release(h.id, "agent01")
    assert closed.status == "closed" and closed.closed_at
    assert queue.open_for("miniprogram:oA") is None
    with pytest.raises(HandoffError) as e:
        queue.take(h.id, "agent01")
    assert e.value.code == "closed"
    assert queue.enqueue("miniprogram:oA", "asked").id != h.id
    assert queue.last_agent("miniprogram:oA", dt.datetime(2026, 11, 25)) == "agent01"


def test_board_lists_waiting_then_active_then_recent_closed(queue):
    a = queue.enqueue("a", "asked")
    b = queue.enqueue("b", "asked")
    c = queue.enqueue("c", "asked")
    queue.take(a.id, "agent01")
    queue.release(c.id, "agent01")
    assert [(v.conversation_id, v.status, v.position) for v in queue.board()] == [
        ("b", "waiting", 1), ("a", "active", None), ("c", "closed", None)]
    queue.enqueue("d", "asked")
    assert [v.position for v in queue.board()][:2] == [1, 2] == [queue.position("b"), queue.position("d")]


@pytest.mark.parametrize("bad", [0, -1, 10**9, "1", None, True])
def test_unknown_or_malformed_ids_are_refused(queue, bad):
    with pytest.raises(HandoffError) as e:
        queue.take(bad, "agent01")
    assert e.value.code == "unknown"


def test_bad_reason_and_ids_are_refused(queue):
    with pytest.raises(ValueError):
        queue.enqueue("demo", "bored")
    with pytest.raises(ValueError):
        queue.enqueue("", "asked")
    with pytest.raises(ValueError):
        queue.enqueue("x" * 161, "asked")


def test_summary_is_capped_and_hostile_text_kept_verbatim(queue):
    text = "<script>alert(1)</script>'; DROP TABLE handoffs; --" * 20
    view = queue.enqueue("demo", "asked", summary=text)
    assert view.summary == text[:500]
    assert queue.get(view.id).summary == text[:500]


@pytest.mark.parametrize("sender, channel", [("miniprogram:oAbc", "miniprogram"), ("app:u-1", "app"),
                                             ("social:61", "social"), ("demo", "rest"), ("shopper01", "rest"),
                                             (":x", "rest"), ("a b:c", "rest")])
def test_channel_of_conversation(sender, channel):
    assert channel_of_conversation(sender) == channel


def test_unverified_senders_cannot_fill_the_queue(queue):
    """Finding 5: any unauthenticated sender opened a waiting handoff (7 → 22 in a short run)."""
    opened = []
    for i in range(20):
        try:
            opened.append(queue.enqueue(f"made-up-{i}", "not_understood"))
        except HandoffLimited as e:
            assert e.scope == "waiting"
    assert len(opened) == 5  # REST: 5 unverified waiting at once
    verified = queue.enqueue("verified-shopper", "asked", verified=True)
    assert verified.position == 6  # a verified shopper is never turned away
    assert queue.enqueue("miniprogram:oX", "asked").position == 7  # another channel has its own cap


def test_an_unverified_conversation_opens_at_most_two_handoffs_a_day(queue):
    for _ in range(2):
        queue.release(queue.enqueue("app:u9", "asked").id, "agent01")
    with pytest.raises(HandoffLimited):
        queue.enqueue("app:u9", "asked")
    assert queue.enqueue("app:u9", "asked", verified=True).status == "waiting"


def test_unverified_handoffs_per_hour_are_capped_even_when_served(queue):
    limited = HandoffQueue(queue.sessions, queue.clock, HandoffLimits(opened_per_channel_per_hour={"*": 3}))
    for i in range(3):
        limited.release(limited.enqueue(f"social:{i}", "asked").id, "agent01")
    with pytest.raises(HandoffLimited) as e:
        limited.enqueue("social:99", "asked")
    assert e.value.scope == "hourly"


def test_the_agent_sees_how_the_handoff_was_triggered(queue):
    view = queue.enqueue("app:u5", "not_understood", trigger={"words": ["asdf", "qwer" * 100], "intent": "nlu_fallback"})
    body = view.as_json()
    assert body["verified"] is False and body["trigger"]["words"][0] == "asdf"
    assert len(body["trigger"]["words"][1]) == 200
    assert body["trigger_label"].startswith("机器人连续两次没有理解：「asdf」") and "未验证身份" in body["trigger_label"]
    asked = queue.enqueue("app:u6", "asked", verified=True, trigger={"words": ["转人工"]})
    assert asked.as_json()["trigger_label"] == "顾客要求转人工：「转人工」"


@pytest.mark.parametrize("handoff_id", [0, -1, 2 ** 31, 10 ** 30, True])
def test_ids_out_of_range_are_unknown_not_errors(queue, handoff_id):
    """Finding 8: an over-long numeric handoff id overflowed the database integer (500)."""
    with pytest.raises(HandoffError) as e:
        queue.get(handoff_id)
    assert e.value.code == "unknown"
