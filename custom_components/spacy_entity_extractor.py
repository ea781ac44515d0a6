"""Rasa entity extractor wrapping shop.nlu.spacy_ner's spaCy NER (blank zh + jieba, trained here).

Configure in a pipeline (see configs/spacy_entities.yml)::

    - name: JiebaTokenizer
      dictionary_path: data/jieba
    - name: custom_components.spacy_entity_extractor.SpacyNerEntityExtractor
      dictionary_path: data/jieba   # the same as the tokenizer's, so tokens match
      epochs: 30
      ...

Every key of :class:`shop.nlu.spacy_ner.SpacyNerConfig` is accepted, plus
``dictionary_path`` (a jieba user dictionary file or a folder of them, read at training
and stored in the model) and ``use_lookup_tables`` / ``use_regexes`` (default true):
the training data's lookup tables and regexes become token features, exactly the
patterns Rasa's RegexFeaturizer gives the CRF (``use_word_boundaries: false``). The
component tokenizes itself (spaCy + its own jieba) and needs no featurizer before it;
it is not Rasa's built-in ``SpacyEntityExtractor``, which needs a pretrained spaCy model
and does not train.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.pattern_utils import extract_patterns
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from shop.nlu.spacy_ner import SpacyNer, SpacyNerConfig

logger = logging.getLogger(__name__)

DICTIONARY_PATH = "dictionary_path"
USE_LOOKUP_TABLES = "use_lookup_tables"
USE_REGEXES = "use_regexes"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class SpacyNerEntityExtractor(GraphComponent, EntityExtractorMixin):
    """spaCy transition-based NER over jieba words, trained from the pipeline's annotations."""

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SpacyNerConfig().to_dict(), DICTIONARY_PATH: None, USE_LOOKUP_TABLES: True,
                USE_REGEXES: True}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[SpacyNer] = None) -> None:
        known = set(SpacyNerConfig().to_dict())
        # raises ValueError on a bad value, so a broken config fails when the graph is built
        self.settings = SpacyNerConfig.from_dict({k: v for k, v in config.items() if k in known})
        self.dictionary_path = config.get(DICTIONARY_PATH)
        self.use_lookup_tables = bool(config.get(USE_LOOKUP_TABLES, True))
        self.use_regexes = bool(config.get(USE_REGEXES, True))
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpacyNerEntityExtractor":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        # every example, with or without entities: those without teach what is not an entity;
        # annotations meant for another extractor (`extractor: ...`) are left out, as Rasa's do
        messages = [m for m in self.filter_trainable_entities(training_data.nlu_examples) if m.get(TEXT)]
        examples = [
            (m.get(TEXT), [(e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END], e[ENTITY_ATTRIBUTE_TYPE])
                           for e in m.get(ENTITIES) or []])
            for m in messages
        ]
        if not any(spans for _, spans in examples):
            logger.warning("SpacyNerEntityExtractor found no entity annotations; skipping training.")
            return self._resource
        paths = [self.dictionary_path] if self.dictionary_path else []
        # as RegexFeaturizer builds them for the CRF: lookup entries matched anywhere
        # (Chinese has no word boundaries), regexes as written
        patterns = [(p["name"], p["pattern"]) for p in extract_patterns(
            training_data, use_lookup_tables=self.use_lookup_tables, use_regexes=self.use_regexes,
            use_word_boundaries=False)]
        self.model = SpacyNer.train(examples, self.settings, dictionary_paths=paths, patterns=patterns)
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SpacyNerEntityExtractor":
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                model = SpacyNer.load(directory)
        except (ValueError, FileNotFoundError):
            # trained without entity annotations: nothing was stored
            logger.warning("No trained spaCy NER model found for %s; it will extract nothing.",
                           resource.name)
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if self.model is None:
                continue
            try:
                spans = self.model.predict(message.get(TEXT) or "")
            except Exception:  # one odd message must never take the whole server down
                logger.exception("spaCy NER failed on a message; extracting nothing from it.")
                spans = []
            entities = self.add_extractor_name([
                {
                    ENTITY_ATTRIBUTE_TYPE: span.label,
                    ENTITY_ATTRIBUTE_VALUE: span.text,
                    ENTITY_ATTRIBUTE_START: span.start,
                    ENTITY_ATTRIBUTE_END: span.end,
                    # None from a greedy model (beam_width 1): it has no probabilities
                    ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: span.confidence,
                }
                for span in spans
            ])
            message.set(ENTITIES, (message.get(ENTITIES) or []) + entities, add_to_output=True)
        return messages
