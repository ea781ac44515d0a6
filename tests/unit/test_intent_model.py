"""The intent model without Rasa: learning, determinism, persistence, odd input."""
import logging

import numpy as np
import pytest
from transformers import BertConfig, BertModel, BertTokenizer

from shop.nlu import IntentModel, IntentModelConfig
from shop.nlu.calibration import expected_calibration_error, fit_temperature, negative_log_likelihood
from shop.nlu.text import CharVocab
from tests.unit.tiny_data import HELD_OUT, TRAIN, flatten, tiny_config


@pytest.fixture(scope="module")
def network_only():
    texts, intents = flatten(TRAIN)
    return IntentModel.train(texts, intents, tiny_config(ngram_weight=0.0))


def test_network_alone_learns_unseen_phrasings(network_only):
    texts, intents = flatten(HELD_OUT)
    predicted = [network_only.rank(t)[0][0] for t in texts]
    assert sum(p == i for p, i in zip(predicted, intents)) >= 5, predicted


def test_ranking_is_a_sorted_probability_distribution(network_only):
    ranking = network_only.rank("快递到哪了")
    confidences = [c for _, c in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-6)
    assert {name for name, _ in ranking} == set(TRAIN)


def test_same_seed_gives_the_same_model():
    texts, intents = flatten(TRAIN)
    first = IntentModel.train(texts, intents, tiny_config(epochs=3))
    second = IntentModel.train(texts, intents, tiny_config(epochs=3))
    other = IntentModel.train(texts, intents, tiny_config(epochs=3, random_seed=8))
    probe = ["快递到哪了", "转人工", "随便说点什么"]
    np.testing.assert_allclose(first.predict_proba(probe), second.predict_proba(probe), atol=1e-6)
    assert not np.allclose(first.predict_proba(probe), other.predict_proba(probe), atol=1e-6)


def test_save_and_load_predict_the_same(tmp_path):
    texts, intents = flatten(TRAIN)
    model = IntentModel.train(texts, intents, tiny_config(epochs=3, ensemble_size=2))
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path)
    probe = ["快递到哪了", "转人工", "你好"]
    np.testing.assert_allclose(model.predict_proba(probe), loaded.predict_proba(probe), atol=1e-6)
    assert not list(tmp_path.glob("*.pkl")), "model files must not be pickles"


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_predicts_nothing(network_only, text):
    assert network_only.rank(text) == []
    assert not network_only.predict_proba([text]).any()


@pytest.mark.parametrize("text", ["🙏😭👍", "ＸＬ码有吗", "ꙮꙮ\u0000\uffff", "快递" * 5000, "<script>alert(1)</script>"])
def test_odd_text_still_gets_a_ranking(network_only, text):
    ranking = network_only.rank(text)
    unseen = network_only.unseen_share(text)
    expected = 1.0 - unseen if unseen >= 0.5 else 1.0   # mostly unseen characters: no confident intent
    assert ranking and sum(c for _, c in ranking) == pytest.approx(expected, abs=1e-6)


def test_a_message_mostly_of_characters_never_seen_gets_no_confident_intent(network_only):
    """咕噜咕噜哗啦啦 (a shopper's noise): the model has no evidence, so the fallback answers."""
    vocab = network_only.encoder.vocab
    noise = "".join(ch for ch in "咕噜嘀嗒哗啦叮咚" if ch not in vocab.index)[:6] or "ꙮꙮꙮ"
    assert network_only.unseen_share(noise) == 1.0 and network_only.unseen_share("快递到哪了") == 0.0
    assert network_only.rank(noise)[0][1] == 0.0
    half = "快递" + noise[:2]
    assert network_only.unseen_share(half) == 0.5 and network_only.rank(half)[0][1] <= 0.5
    assert network_only.rank("快递到哪了")[0][1] > 0.5


def test_needs_two_intents():
    with pytest.raises(ValueError):
        IntentModel.train(["你好", "在吗"], ["greet", "greet"], tiny_config())


@pytest.mark.parametrize("bad", [
    {"epochs": 0}, {"hidden_size": 30, "num_heads": 4}, {"learning_rate": -1},
    {"dropout": 1.5}, {"max_length": 2}, {"ngram_weight": 2}, {"no_such_key": 1},
])
def test_bad_settings_are_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        IntentModelConfig.from_dict({**tiny_config().to_dict(), **bad})


def test_vocabulary_round_trip(tmp_path):
    vocab = CharVocab.build(["你好吗", "ok 👍"])
    vocab.save(tmp_path / "vocab.txt")
    assert CharVocab.load(tmp_path / "vocab.txt").tokens == vocab.tokens
    ids, mask = vocab.encode("你好" * 100, 10)
    assert len(ids) == len(mask) == 10 and sum(mask) == 10


def test_temperature_fixes_overconfidence():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 400)
    # right 70% of the time but always 98% sure
    predicted = np.where(rng.random(400) < 0.7, labels, (labels + 1) % 3)
    probs = np.full((400, 3), 0.01)
    probs[np.arange(400), predicted] = 0.98
    temperature = fit_temperature(probs, labels)
    assert temperature > 1.5
    assert negative_log_likelihood(probs, labels, temperature) < negative_log_likelihood(probs, labels, 1.0)
    correct = (predicted == labels).astype(float)
    assert expected_calibration_error(probs.max(1), correct) > 0.2


def test_calibration_split_fits_a_temperature():
    texts, intents = flatten(TRAIN)
    texts, intents = texts * 3, intents * 3
    model = IntentModel.train(texts, intents, tiny_config(epochs=2, calibration_fraction=0.3))
    assert model.temperature != 1.0


@pytest.fixture(scope="module")
def local_bert(tmp_path_factory):
    """A tiny 'pretrained' BERT written to disk the way Hugging Face lays it out."""
    directory = tmp_path_factory.mktemp("tiny-bert")
    chars = sorted({ch for examples in TRAIN.values() for text in examples for ch in text.lower()})
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars
    (directory / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    BertTokenizer(str(directory / "vocab.txt")).save_pretrained(str(directory))
    config = BertConfig(vocab_size=len(tokens), hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(str(directory))
    return directory


def test_pretrained_weights_from_a_local_directory(local_bert, tmp_path, caplog):
    texts, intents = flatten(TRAIN)
    with caplog.at_level(logging.INFO, logger="shop.nlu"):
        model = IntentModel.train(texts, intents, tiny_config(pretrained=str(local_bert), epochs=2))
    assert "pretrained BERT from" in caplog.text
    assert model.encoder.kind == "pretrained"
    # the network starts from the saved weights, not from a random init
    saved = BertModel.from_pretrained(str(local_bert))
    assert model.nets[0].encoder.embeddings.word_embeddings.weight.shape == \
        saved.embeddings.word_embeddings.weight.shape
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path)
    np.testing.assert_allclose(model.predict_proba(["你好"]), loaded.predict_proba(["你好"]), atol=1e-6)


def test_pretrained_weights_are_used_as_the_starting_point(local_bert):
    texts, intents = flatten(TRAIN)
    model = IntentModel.train(texts, intents, tiny_config(pretrained=str(local_bert), epochs=1,
                                                          learning_rate=1e-9, encoder_learning_rate=1e-9))
    saved = BertModel.from_pretrained(str(local_bert))
    np.testing.assert_allclose(
        model.nets[0].encoder.embeddings.word_embeddings.weight.detach().numpy(),
        saved.embeddings.word_embeddings.weight.detach().numpy(), atol=1e-5,
    )


def test_missing_pretrained_weights_fall_back_to_the_compact_encoder(tmp_path, caplog):
    texts, intents = flatten(TRAIN)
    with caplog.at_level(logging.WARNING, logger="shop.nlu"):
        model = IntentModel.train(texts, intents, tiny_config(pretrained=str(tmp_path / "nothing"), epochs=1))
    assert model.encoder.kind == "char"
    assert "not available offline" in caplog.text


def test_ngram_weight_can_be_tuned_on_held_back_examples(tmp_path):
    texts, intents = flatten(TRAIN)
    texts, intents = texts * 3, intents * 3
    model = IntentModel.train(texts, intents, tiny_config(epochs=2, calibration_fraction=0.3,
                                                          tune_ngram_weight=True))
    assert 0.1 <= model.ngram_weight <= 0.9
    model.save(tmp_path)
    assert IntentModel.load(tmp_path).ngram_weight == model.ngram_weight
