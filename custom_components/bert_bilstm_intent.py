"""Rasa intent classifier wrapping shop.nlu's BERT -> BiLSTM -> linear model.

Configure in config.yml::

    - name: custom_components.bert_bilstm_intent.BertBiLstmIntentClassifier
      pretrained: null        # or a local directory / cached hub name of BERT weights
      epochs: 25
      ...

Every key of :class:`shop.nlu.IntentModelConfig` is accepted. If a
tokenizer runs earlier in the pipeline (JiebaTokenizer), its word tokens feed
the n-gram part of the model.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from shop.nlu import IntentModel, IntentModelConfig
from shop.nlu.masking import catalog_masker

logger = logging.getLogger(__name__)


def _words(message: Message) -> Optional[List[str]]:
    tokens = message.get(TOKENS_NAMES[TEXT])
    return [t.text for t in tokens] if tokens else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BertBiLstmIntentClassifier(GraphComponent, IntentClassifier):
    """transformers BertModel encoder -> bidirectional LSTM -> mean+max pooling -> linear."""

    @staticmethod
    def required_packages() -> List[Text]:
        return ["torch", "transformers", "sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # mask_product_names: replace catalog product names by one placeholder before
        # classifying (shop/nlu/masking.py), in training and in prediction alike.
        return {**IntentModelConfig().to_dict(), "mask_product_names": False}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[IntentModel] = None) -> None:
        known = set(IntentModelConfig().to_dict())
        self.settings = IntentModelConfig.from_dict({k: v for k, v in config.items() if k in known})
        self.masker = catalog_masker() if config.get("mask_product_names") else None
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "BertBiLstmIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        intents = {m.get(INTENT) for m in examples}
        if len(intents) < 2:
            logger.warning("BertBiLstmIntentClassifier needs at least two intents with examples; "
                           "skipping training (found %d).", len(intents))
            return self._resource
        texts, words = zip(*(self._masked(m) for m in examples))
        self.model = IntentModel.train(list(texts), [m.get(INTENT) for m in examples], self.settings,
                                       words=list(words))
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "BertBiLstmIntentClassifier":
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                model = IntentModel.load(directory)
        except ValueError:
            logger.warning("No trained intent model found for %s; it will predict nothing.",
                           resource.name)
        return cls(config, model_storage, resource, model)

    def _masked(self, message: Message) -> tuple:
        text, words = message.get(TEXT) or "", _words(message)
        return self.masker.mask(text, words) if self.masker else (text, words)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking: List[Dict[Text, Any]] = []
            if self.model is not None:
                try:
                    ranking = [
                        {"name": name, "confidence": confidence}
                        for name, confidence in self.model.rank(*self._masked(message))
                    ]
                except Exception:  # one odd message must never take the whole server down
                    logger.exception("Intent model failed on a message; reporting no intent.")
                    ranking = []
            intent = ranking[0] if ranking else {"name": None, "confidence": 0.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
