"""What the assistant does when it did not understand the shopper."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

FALLBACK_INTENT = "nlu_fallback"
# After this many misses in a row the shopper is offered a human instead of
# being asked to rephrase yet again.
MISSES_BEFORE_HUMAN = 2


def consecutive_misses(events: List[Dict[Text, Any]]) -> int:
    """Count the shopper's latest messages that NLU could not understand, newest first."""
    misses = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != FALLBACK_INTENT:
            break
        misses += 1
    return misses


class ActionRephraseOrOfferHuman(Action):
    def name(self) -> Text:
        return "action_rephrase_or_offer_human"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if consecutive_misses(tracker.events) >= MISSES_BEFORE_HUMAN:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
