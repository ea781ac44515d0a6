"""`action_shipping_policy`: free-shipping threshold, remote regions, carriers, cut-off — from data."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from shop.rules import shipping


class ActionShippingPolicy(Action):
    def name(self) -> str:
        return "action_shipping_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        dispatcher.utter_message(text=shipping.answer((tracker.latest_message or {}).get("text")))
        return []
