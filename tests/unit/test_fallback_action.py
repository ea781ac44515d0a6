"""Not understood: ask to rephrase, and offer a human after two misses in a row."""
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionRephraseOrOfferHuman


def user(text, intent):
    return {"event": "user", "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": 0.3}, "entities": []}}


def bot(text):
    return {"event": "bot", "text": text}


def run(events):
    tracker = Tracker("shopper-1", {}, events[-1]["parse_data"], events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionRephraseOrOfferHuman().run(dispatcher, tracker, {})
    return [m["response"] for m in dispatcher.messages]


def test_first_miss_asks_to_rephrase():
    assert run([user("你好", "greet"), bot("您好"), user("啊吧啊吧", "nlu_fallback")]) == ["utter_ask_rephrase"]


def test_second_miss_in_a_row_offers_a_human():
    events = [user("啊吧", "nlu_fallback"), bot("请换个说法"), user("啊吧啊吧", "nlu_fallback")]
    assert run(events) == ["utter_offer_human"]


def test_an_understood_message_resets_the_count():
    events = [user("啊吧", "nlu_fallback"), bot("请换个说法"), user("快递到哪了", "track_logistics"),
              bot("请提供订单号"), user("呜呜", "nlu_fallback")]
    assert run(events) == ["utter_ask_rephrase"]
