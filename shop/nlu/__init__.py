"""Intent model: BERT encoder -> BiLSTM -> pooling -> linear, with no Rasa imports.

The Rasa component in ``custom_components/`` is a thin wrapper around
:class:`shop.nlu.intent_model.IntentModel`.
"""
from shop.nlu.config import IntentModelConfig
from shop.nlu.intent_model import IntentModel

__all__ = ["IntentModel", "IntentModelConfig"]
