"""Rasa component: a message that points at the shopper's own order and names a task gets that task's
intent when the model read something else, or read it without confidence (shop/nlu/order_cues.py says
which, and why).

Placed after the intent classifier and before FallbackClassifier; the model's reading stays in the
intent ranking, and the message is marked (`order_cue`) so the override can be seen in /model/parse.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from shop.nlu.order_cues import order_intent, product_intent

CONFIDENCE = 0.9  # above the fallback threshold: the words are unambiguous about the task


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OrderCueClassifier(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "OrderCueClassifier":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            read = (message.get(INTENT) or {}).get("name")
            confidence = float((message.get(INTENT) or {}).get("confidence") or 0.0)
            cue = order_intent(message.get(TEXT), read, confidence)
            if cue is None:
                goods = any(e.get("entity") in ("product", "product_type") for e in message.get(ENTITIES) or [])
                cue = product_intent(message.get(TEXT), read, confidence, message.get(INTENT_RANKING_KEY) or [], goods)
            if cue is None or (cue == read and (message.get(INTENT) or {}).get("confidence", 0) >= CONFIDENCE):
                continue
            ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != cue]
            message.set(INTENT, {"name": cue, "confidence": CONFIDENCE}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": cue, "confidence": CONFIDENCE}] + ranking, add_to_output=True)
            message.set("order_cue", {"model": read}, add_to_output=True)
        return messages
