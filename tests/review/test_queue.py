"""The review queue: alike messages grouped, two reviewers per label, every decision kept."""
import pytest

from shop.review.masking import ORDER
from shop.review.queue import NOISE, ReviewError
from tests.review.conftest import candidate

INTENTS = ["ask_stock", "track_logistics", "ask_recommendation", "out_of_scope"]
ENTITIES = ["product", "size", "order_id", "price"]


def test_the_same_question_in_other_clothes_joins_one_group(queue):
    a = queue.add(candidate("快递咋还不动", "s1"))
    assert queue.add(candidate("快递咋还不动啊！", "s2")) == a       # punctuation, a particle
    assert queue.add(candidate("快遞咋還不動", "s3")) == a             # traditional characters
    assert queue.add(candidate("想给老妈买件外套", "s4")) != a
    assert queue.add(candidate("快递咋还不动", "s1")) is None          # the same message collected twice
    groups = queue.groups()
    assert [(g["text"], g["count"]) for g in groups] == [("快递咋还不动", 3), ("想给老妈买件外套", 1)]


def test_two_messages_differing_only_by_personal_data_are_one_question(queue):
    a = queue.add(candidate(f"{ORDER}到哪了", "s1"))
    assert queue.add(candidate(f"{ORDER} 到哪了?", "s2")) == a


def test_a_label_needs_a_second_reviewer(queue):
    gid = queue.add(candidate("有木有L码", "s1"))
    g = queue.label(gid, "agent01", "ask_stock", [{"start": 3, "end": 5, "entity": "size"}], INTENTS, ENTITIES)
    assert g["status"] == "labelled" and g["entities"] == [{"start": 3, "end": 5, "entity": "size", "value": "L码"}]
    with pytest.raises(ReviewError) as e:
        queue.confirm(gid, "agent01")
    assert e.value.code == "same_reviewer"
    assert queue.confirmed_examples() == []
    assert queue.confirm(gid, "reviewer02")["status"] == "confirmed"
    assert [x["intent"] for x in queue.confirmed_examples()] == ["ask_stock"]
    history = queue.group(gid)["history"]
    assert [(h["reviewer"], h["action"]) for h in history] == [("agent01", "label"), ("reviewer02", "confirm")]


def test_a_second_reviewer_who_disagrees_overrides_and_the_label_waits_again(queue):
    gid = queue.add(candidate("蹲一个平替", "s1"))
    queue.label(gid, "agent01", "ask_stock", [], INTENTS, ENTITIES)
    g = queue.label(gid, "reviewer02", "ask_recommendation", [], INTENTS, ENTITIES)
    assert g["status"] == "labelled" and g["labelled_by"] == "reviewer02" and g["intent"] == "ask_recommendation"
    with pytest.raises(ReviewError):
        queue.confirm(gid, "reviewer02")
    assert queue.confirm(gid, "agent01")["status"] == "confirmed"
    assert [h["action"] for h in queue.group(gid)["history"]] == ["label", "override", "confirm"]


def test_confirmed_noise_is_ignored_not_trained(queue):
    gid = queue.add(candidate("咕噜咕噜", "s1"))
    queue.label(gid, "agent01", NOISE, [{"start": 0, "end": 2, "entity": "product"}], INTENTS, ENTITIES)
    assert queue.confirm(gid, "reviewer02")["status"] == "ignored"
    assert queue.confirmed_examples() == [] and queue.counts()["ignored"] == {"groups": 1, "messages": 1}


@pytest.mark.parametrize("intent, entities", [
    ("not_an_intent", []), (None, []), (5, []),
    ("ask_stock", [{"start": 0, "end": 99, "entity": "size"}]),
    ("ask_stock", [{"start": 3, "end": 5, "entity": "phone_number"}]),
    ("ask_stock", [{"start": "3", "end": 5, "entity": "size"}]),
    ("ask_stock", [{"start": True, "end": 5, "entity": "size"}]),
    ("ask_stock", [{"start": 0, "end": 3, "entity": "product"}, {"start": 2, "end": 5, "entity": "size"}]),
    ("ask_stock", "not a list"),
    ("ask_stock", [{"start": 0, "end": 1, "entity": "size"}] * 11),
])
def test_a_label_the_domain_or_the_text_does_not_have_is_refused(queue, intent, entities):
    gid = queue.add(candidate("有木有L码", "s1"))
    with pytest.raises(ReviewError) as e:
        queue.label(gid, "agent01", intent, entities, INTENTS, ENTITIES)
    assert e.value.code == "invalid"
    assert queue.group(gid)["status"] == "open"


def test_masked_data_is_never_an_entity_except_as_an_order_number(queue):
    text = f"{ORDER}的L码呢"
    gid = queue.add(candidate(text, "s1"))
    n = len(ORDER)
    with pytest.raises(ReviewError):
        queue.label(gid, "agent01", "ask_stock", [{"start": 1, "end": 3, "entity": "product"}], INTENTS, ENTITIES)
    g = queue.label(gid, "agent01", "track_logistics", [{"start": 0, "end": n, "entity": "order_id"}], INTENTS, ENTITIES)
    assert g["entities"][0]["value"] == ORDER


def test_unknown_groups_and_statuses(queue):
    for call in (lambda: queue.group(99), lambda: queue.confirm(99, "x"),
                 lambda: queue.label(99, "x", "ask_stock", [], INTENTS, ENTITIES)):
        with pytest.raises(ReviewError) as e:
            call()
        assert e.value.code == "unknown"
    with pytest.raises(ReviewError):
        queue.groups("deleted")


def test_an_exported_group_is_changed_in_its_data_file_not_here(queue):
    gid = queue.add(candidate("有木有L码", "s1"))
    queue.label(gid, "agent01", "ask_stock", [], INTENTS, ENTITIES)
    queue.confirm(gid, "reviewer02")
    queue.mark_exported([gid], "2026-12")
    assert queue.confirmed_examples() == []
    with pytest.raises(ReviewError) as e:
        queue.label(gid, "reviewer02", "out_of_scope", [], INTENTS, ENTITIES)
    assert e.value.code == "conflict"
    queue.mark_exported([gid], None)  # a rollback puts it back
    assert len(queue.confirmed_examples()) == 1


def test_groups_are_listed_most_frequent_first_with_the_model_view(queue):
    for i in range(3):
        queue.add(candidate("这个能退吗", f"a{i}", top=(("request_return", 0.4), ("ask_shipping_policy", 0.3))))
    queue.add(candidate("蹲一个平替", "b"))
    first = queue.groups()[0]
    assert first["count"] == 3 and first["top_intents"][0] == ["request_return", 0.4]
    assert first["reasons"] == ["low_confidence"]


def test_a_label_answer_keeps_the_model_view(queue):
    gid = queue.add(candidate("有木有L码", "s1", top=(("ask_stock", 0.3), ("greet", 0.2))))
    g = queue.label(gid, "agent01", "ask_stock", [], INTENTS, ENTITIES)
    assert g["top_intents"][0] == ["ask_stock", 0.3] and g["reasons"] == ["low_confidence"]
    assert queue.confirm(gid, "reviewer02")["top_intents"][0] == ["ask_stock", 0.3]
