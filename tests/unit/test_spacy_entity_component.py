"""The spaCy entity extractor inside Rasa: trains on TrainingData, persists, loads, processes."""
import asyncio
from pathlib import Path

import jieba
import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from custom_components.spacy_entity_extractor import SpacyNerEntityExtractor
from shop.nlu.spacy_ner import SpacyNer, SpacyNerConfig
from tests.unit.test_spacy_ner import SHOP_DICTIONARY, TINY, TRAIN

ROOT = Path(__file__).resolve().parents[2]
NAME = "SpacyNerEntityExtractor"


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context():
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def tokenizer(storage, context):
    config = {**JiebaTokenizer.get_default_config(), "dictionary_path": str(SHOP_DICTIONARY)}
    return JiebaTokenizer.create(config, storage, Resource("tokenizer"), context)


def component_config(**overrides):
    return {**SpacyNerEntityExtractor.get_default_config(), **TINY,
            "dictionary_path": str(SHOP_DICTIONARY), **overrides}


def training_data(tokenizer, rows=TRAIN):
    messages = []
    for text, spans in rows:
        entities = [{"start": s, "end": e, "entity": label, "value": text[s:e]} for s, e, label in spans]
        data = {"text": text, "intent": "inform"}
        if entities:
            data["entities"] = entities
        messages.append(Message(data=data))
    data = TrainingData(messages)
    tokenizer.process_training_data(data)
    return data


def parse(component, text, entities=None):
    message = Message(data={"text": text, **({"entities": entities} if entities else {})})
    component.process([message])
    return message


@pytest.fixture
def trained(storage, context, tokenizer):
    resource = Resource("spacy_ner")
    component = SpacyNerEntityExtractor.create(component_config(), storage, resource, context)
    component.train(training_data(tokenizer))
    return component, resource


def test_train_persist_load_process(storage, context, trained):
    component, resource = trained
    loaded = SpacyNerEntityExtractor.load(component_config(), storage, resource, context)
    for text in ["红色XL码还有货吗", "这件羽绒服有黑色吗", "你好"]:
        assert parse(loaded, text).get("entities", []) == parse(component, text).get("entities", [])
    message = parse(loaded, "卫衣有白色L码吗")
    entities = message.get("entities")
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in entities] == [
        ("product", "卫衣", 0, 2), ("color", "白色", 3, 5), ("size", "L码", 5, 7)]
    for entity in entities:
        assert entity["extractor"] == NAME
        assert 0.0 < entity["confidence_entity"] <= 1.0
    assert "entities" in message.as_dict(only_output_properties=True)


def test_entities_of_earlier_extractors_are_kept(trained):
    component, _ = trained
    earlier = [{"entity": "color", "value": "黑色", "start": 0, "end": 2, "extractor": "CRFEntityExtractor"}]
    entities = parse(component, "黑色M码还有货吗", [dict(e) for e in earlier]).get("entities")
    assert entities[0] == earlier[0]
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities[1:]] == [
        ("color", "黑色", NAME), ("size", "M码", NAME)]


@pytest.mark.parametrize("text", ["", "   ", "🙏🙏🙏", "快递" * 3000 + "黑色M码", "\x00\x01"],
                         ids=["empty", "spaces", "emoji", "long", "control"])
def test_odd_messages_never_crash(trained, text):
    component, _ = trained
    entities = parse(component, text).get("entities") or []
    assert all(text[e["start"]:e["end"]] == e["value"] for e in entities)
    if not any(ch.isalnum() for ch in text):
        assert entities == []
    assert all(e["end"] <= TINY.get("max_chars", SpacyNerConfig().max_chars) for e in entities)


def test_annotations_for_other_extractors_are_not_learned(storage, context, tokenizer):
    rows = [(text, spans) for text, spans in TRAIN]
    data = training_data(tokenizer, rows)
    for message in data.training_examples:  # mark every size as the regex extractor's
        for entity in message.get("entities") or []:
            if entity["entity"] == "size":
                entity["extractor"] = "RegexEntityExtractor"
    component = SpacyNerEntityExtractor.create(component_config(), storage, Resource("ner"), context)
    component.train(data)
    assert component.model.labels == ["color", "product"]


def test_lookup_tables_and_regexes_become_pattern_features(storage, context, tokenizer):
    data = training_data(tokenizer)
    data.lookup_tables = [{"name": "product", "elements": ["围巾", "手套"]}]
    data.regex_features = [{"name": "order_id", "pattern": r"(?<!\d)20\d{10}(?!\d)"}]
    both = SpacyNerEntityExtractor.create(component_config(), storage, Resource("a"), context)
    both.train(data)
    assert both.model.training_report.pattern_names == ["order_id", "product"]
    doc = both.model._before_ner(both.model.nlp.make_doc("围巾 202311240001"))
    assert [t.tag_ for t in doc if not t.is_space] == ["product", "order_id"]
    lookups_only = SpacyNerEntityExtractor.create(component_config(use_regexes=False), storage,
                                                  Resource("b"), context)
    lookups_only.train(data)
    assert lookups_only.model.training_report.pattern_names == ["product"]
    neither = SpacyNerEntityExtractor.create(component_config(use_regexes=False, use_lookup_tables=False),
                                             storage, Resource("c"), context)
    neither.train(data)
    assert neither.model.training_report.pattern_names == []
    assert "shop_patterns" not in neither.model.nlp.pipe_names


def test_no_entities_means_no_model_and_no_crash(storage, context, tokenizer):
    resource = Resource("spacy_ner_empty")
    component = SpacyNerEntityExtractor.create(component_config(), storage, resource, context)
    component.train(training_data(tokenizer, [(text, []) for text, _ in TRAIN]))
    loaded = SpacyNerEntityExtractor.load(component_config(), storage, resource, context)
    assert loaded.model is None
    assert parse(loaded, "黑色M码还有货吗").get("entities") in (None, [])


def test_invalid_settings_fail_at_creation(storage, context):
    for bad in [{"epochs": 0}, {"beam_width": 0}, {"segmenter": "pkuseg"}]:
        with pytest.raises(ValueError):
            SpacyNerEntityExtractor.create(component_config(**bad), storage, Resource("ner"), context)


def test_spacy_words_are_the_pipeline_tokenizers_words(monkeypatch, storage, context):
    """On every training and held-out text, the model's jieba words equal Rasa's JiebaTokenizer's.

    Rasa's tokenizer loads the dictionary into the process-wide jieba, and jieba adds a
    word's frequency to its total on every load, so a process that loaded it twice (as
    this test session's fixtures do) segments a few texts differently (多少钱 becomes
    one word). A served model loads it once: the process-wide jieba is replaced by a
    fresh one here to compare against exactly that.
    """
    fresh = jieba.Tokenizer()
    monkeypatch.setattr(jieba, "load_userdict", fresh.load_userdict)
    monkeypatch.setattr(jieba, "tokenize", fresh.tokenize)
    config = {**JiebaTokenizer.get_default_config(), "dictionary_path": str(SHOP_DICTIONARY)}
    tokenizer = JiebaTokenizer.create(config, storage, Resource("fresh_tokenizer"), context)
    model = SpacyNer.train(TRAIN, SpacyNerConfig(**{**TINY, "epochs": 1}), dictionary_paths=[SHOP_DICTIONARY])
    texts = [m.get("text") for path in [ROOT / "data" / "nlu", ROOT / "tests" / "nlu_test.yml"]
             for m in load_data(str(path)).nlu_examples if m.get("text")]
    assert len(texts) > 1000
    different = []
    for text in texts:
        message = Message(data={"text": text})
        tokenizer.process([message])
        rasa_words = [t.text for t in message.get("text_tokens") if t.text.strip()]
        if model.tokens(text) != rasa_words:
            different.append((text, model.tokens(text), rasa_words))
    assert not different, different[:5]


def test_trains_and_parses_inside_a_rasa_model(tmp_path, monkeypatch):
    """rasa train nlu with the shipped candidate config (tiny settings), then Agent.parse_message."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    config = yaml.safe_load((ROOT / "configs" / "spacy_entities.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"].endswith(NAME):
            component.update(TINY)
            component["dictionary_path"] = str(SHOP_DICTIONARY)
        if component["name"] == "JiebaTokenizer":
            component["dictionary_path"] = str(SHOP_DICTIONARY)
    (tmp_path / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    lines = []
    for text, spans in TRAIN:
        annotated, pos = "", 0
        for s, e, label in spans:
            annotated += text[pos:s] + f"[{text[s:e]}]({label})"
            pos = e
        lines.append(f"    - {annotated + text[pos:]}")
    (tmp_path / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n' + "\n".join(lines) + "\n"
        "- intent: greet\n  examples: |\n    - 你好\n    - 在吗\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    model_path = train_nlu(config=str(tmp_path / "config.yml"), nlu_data=str(tmp_path / "nlu.yml"),
                           output=str(tmp_path / "models"))
    agent = Agent.load(model_path)
    parsed = asyncio.run(agent.parse_message("卫衣有白色L码吗"))
    mine = [(e["entity"], e["value"]) for e in parsed["entities"] if e["extractor"] == NAME]
    assert mine == [("product", "卫衣"), ("color", "白色"), ("size", "L码")]


@pytest.mark.parametrize("path", [ROOT / "config.yml", *sorted((ROOT / "configs").glob("*.yml"))],
                         ids=lambda p: p.name)
def test_configs_give_the_extractor_valid_settings_and_the_tokenizers_dictionary(path):
    pipeline = yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]
    for component in pipeline:
        if component["name"].endswith(NAME):
            extra = {"name", "dictionary_path", "use_lookup_tables", "use_regexes"}
            SpacyNerConfig.from_dict({k: v for k, v in component.items() if k not in extra})
            tokenizer = next(c for c in pipeline if c["name"] == "JiebaTokenizer")
            assert component.get("dictionary_path") == tokenizer.get("dictionary_path")
