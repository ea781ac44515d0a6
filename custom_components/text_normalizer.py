"""Rasa component: every message in one normal form before tokenising (shop.text.normalize).

Full-width letters and digits become half-width and traditional characters simplified
(運費怎麼算 → 运费怎么算), one character for one, so the tokenizer, the intent model and the
entity extractors see the same text whichever way the shopper typed it, and entity offsets
still point into what was typed. Training examples are normalised the same way. A shopper's
message typed in pinyin is first written in characters (shop.text.pinyin).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from shop.text.normalize import normalize
from shop.text.pinyin import to_hanzi, warm_up


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TextNormalizer(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextNormalizer":
        warm_up()   # the input method's tables (~2 s) when the model loads, not on a shopper's first message
        return cls()

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text:
            normal = normalize(text)
            if normal != text and len(normal) == len(text):
                message.set(TEXT, normal)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            typed = message.get(TEXT)
            self._normalise(message)
            normal = message.get(TEXT)
            if typed == normal:
                continue
            # An entity typed ［１７５](height) or [羽絨被](product_type) has the typed words as its value; the
            # synonym mapper learns text → value from the normalised text, so it would learn 175 → １７５ and
            # 羽绒被 → 羽絨被 for every shopper. Its value is the normalised words (explicit synonyms stay).
            for entity in message.get(ENTITIES) or []:
                start, end = entity.get("start"), entity.get("end")
                if isinstance(start, int) and isinstance(end, int) and entity.get("value") == typed[start:end]:
                    entity["value"] = normal[start:end]
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            # Pinyin typed for Chinese (tui货 / kuai di dao na le) is written in characters first
            # (shop.text.pinyin). It changes the length, which only a shopper's message may: nothing
            # points into it yet (training examples keep their annotated offsets, so they are not).
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                written = to_hanzi(text)
                if written != text:
                    message.set(TEXT, written)
            self._normalise(message)
        return messages
