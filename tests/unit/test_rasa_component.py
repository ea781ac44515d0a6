"""The GraphComponent inside Rasa: train on TrainingData, persist, load, process."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from custom_components.bert_bilstm_intent import BertBiLstmIntentClassifier
from tests.unit.tiny_data import TRAIN, flatten, tiny_config


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context():
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def tokenizer(storage, context):
    return JiebaTokenizer.create(JiebaTokenizer.get_default_config(), storage,
                                 Resource("tokenizer"), context)


def training_data(tokenizer):
    texts, intents = flatten(TRAIN)
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in zip(texts, intents)])
    tokenizer.process_training_data(data)
    return data


def component_config(**overrides):
    return {**BertBiLstmIntentClassifier.get_default_config(), **tiny_config(**overrides).to_dict()}


def parse(component, tokenizer, text):
    message = Message(data={"text": text})
    tokenizer.process([message])
    component.process([message])
    return message


def test_train_persist_load_process(storage, context, tokenizer):
    resource = Resource("intent_classifier")
    component = BertBiLstmIntentClassifier.create(component_config(), storage, resource, context)
    component.train(training_data(tokenizer))

    loaded = BertBiLstmIntentClassifier.load(component_config(), storage, resource, context)
    for text in ["快递到哪里啦", "给我转人工", "你好啊"]:
        before = parse(component, tokenizer, text)
        after = parse(loaded, tokenizer, text)
        assert before.get("intent") == after.get("intent")
        assert after.get("intent_ranking")[0] == after.get("intent")
    message = parse(loaded, tokenizer, "我的快递到哪了")
    assert message.get("intent")["name"] == "track_logistics"
    assert "intent" in message.as_dict(only_output_properties=True)


@pytest.mark.parametrize("text", ["", "🙏🙏🙏", "快递" * 3000, "\x00\x01"])
def test_odd_messages_never_crash(storage, context, tokenizer, text):
    resource = Resource("intent_classifier")
    component = BertBiLstmIntentClassifier.create(component_config(epochs=2), storage, resource, context)
    component.train(training_data(tokenizer))
    message = Message(data={"text": text})
    if text.strip():
        tokenizer.process([message])
    component.process([message])
    intent = message.get("intent")
    assert 0.0 <= intent["confidence"] <= 1.0
    if not text.strip():
        assert intent["name"] is None and message.get("intent_ranking") == []


def test_one_intent_is_not_enough_and_predicts_nothing(storage, context, tokenizer):
    resource = Resource("intent_classifier")
    data = TrainingData([Message(data={"text": "你好", "intent": "greet"})])
    component = BertBiLstmIntentClassifier.create(component_config(), storage, resource, context)
    component.train(data)
    loaded = BertBiLstmIntentClassifier.load(component_config(), storage, resource, context)
    message = parse(loaded, tokenizer, "你好")
    assert message.get("intent") == {"name": None, "confidence": 0.0}


def test_invalid_settings_fail_at_creation(storage, context):
    with pytest.raises(ValueError):
        BertBiLstmIntentClassifier.create(component_config(epochs=0), storage,
                                          Resource("intent_classifier"), context)


def test_masking_makes_the_classifier_blind_to_product_names(storage, context, tokenizer):
    """With mask_product_names, two messages differing only in the catalog name get the same ranking."""
    resource = Resource("masked_intent_classifier")
    config = {**component_config(), "mask_product_names": True}
    component = BertBiLstmIntentClassifier.create(config, storage, resource, context)
    component.train(training_data(tokenizer))
    loaded = BertBiLstmIntentClassifier.load(config, storage, resource, context)
    a = parse(loaded, tokenizer, "宽松真丝衬衫到哪了").get("intent_ranking")
    b = parse(loaded, tokenizer, "柔软真丝枕套到哪了").get("intent_ranking")
    assert a == b
    message = Message(data={"text": "宽松真丝衬衫到哪了"})
    tokenizer.process([message])
    assert loaded._masked(message)[0] == "这款商品到哪了"
    assert BertBiLstmIntentClassifier.create(component_config(), storage, Resource("plain"), context) \
        ._masked(message)[0] == "宽松真丝衬衫到哪了"
