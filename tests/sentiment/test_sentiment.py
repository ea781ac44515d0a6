"""The shipped sentiment artifact: numpy-only loading, fidelity to scikit-learn, accuracy floors."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shop.sentiment import LABELS, Sentiment, analyse, load_model, stars_from_polarity
from shop.sentiment.model import ARTIFACT, ARTIFACT_META, SentimentModel, char_ngrams

ROOT = Path(__file__).resolve().parents[2]
CHAT = ROOT / "bench" / "data" / "sentiment" / "service_chat.csv"


def test_artifact_is_small_and_holds_no_python_objects():
    assert ARTIFACT.stat().st_size < 5_000_000
    with np.load(ARTIFACT, allow_pickle=False) as arrays:  # raises on any object array
        assert {"terms", "idf", "coef", "intercept", "classes"} <= set(arrays.files)
        assert sorted(arrays["classes"].tolist()) == sorted(LABELS)
        assert all(arrays[name].dtype != object for name in arrays.files)


def test_loads_and_predicts_without_scikit_learn():
    code = ("import sys; sys.modules['sklearn'] = None; sys.path.insert(0, %r)\n"
            "from shop.sentiment import analyse\n"
            "print(*(analyse(t).label for t in ('物流太慢了，很失望', '东西不错，下次还来买', '我的快递到哪了')))"
            % str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["negative", "positive", "neutral"]


def test_matches_the_training_time_model_on_its_reference_sentences():
    meta = json.loads(ARTIFACT_META.read_text(encoding="utf-8"))
    assert len(meta["reference"]) >= 5
    model = load_model()
    for ref in meta["reference"]:
        # float32 storage of idf and coefficients costs a few 1e-7
        assert model.probabilities(ref["text"]) == pytest.approx(ref["probabilities"], abs=1e-4), ref["text"]


def test_numpy_inference_equals_scikit_learn_on_a_fresh_fit(tmp_path):
    from scripts.train_sentiment import export, fit
    train = ["很好很满意", "太差了", "质量不错，喜欢", "物流慢，失望", "谢谢客服", "垃圾东西  退货",
             "ＯＫ，好评！", "再也不买了", "快递到哪了", "有优惠吗"] * 3
    three = ["positive", "negative"] * 4 + ["neutral"] * 2
    probe = ["很好", "差评！！", "Ok 谢谢\t\t客服", "", "完全没见过的字", "好" * 50, "快递呢"]
    for labels in (three * 3, [1, 0] * 15):  # multinomial and binary
        vectorizer, classifier = fit(train, labels, max_features=60, c=1.0)
        exported = export(vectorizer, classifier, {"reference": []})
        exported.save(tmp_path / "m.npz", tmp_path / "m.json")
        reloaded = SentimentModel.load(tmp_path / "m.npz", tmp_path / "m.json")
        expected = classifier.predict_proba(vectorizer.transform(probe))
        got = [[reloaded.probabilities(t)[str(c)] for c in classifier.classes_] for t in probe]
        assert np.asarray(got) == pytest.approx(expected, abs=1e-5)


def test_char_ngrams_follow_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer
    analyzer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False).build_analyzer()
    for text in ["物流  太慢", "a", "ab", "", "好 的\n\n谢谢"]:
        assert char_ngrams(text, 1, 3) == analyzer(text)


def _chat():
    with CHAT.open(encoding="utf-8", newline="") as f:
        return [(r["text"], r["label"]) for r in csv.DictReader(f)]


def test_accuracy_on_the_service_chat_set_stays_above_the_measured_floor():
    # bench/sentiment.py measured 0.853 three-way and 0.905 on the polar lines alone;
    # the floors leave room for a retrain on new NLU data, not for a broken model.
    rows = _chat()
    assert len(rows) >= 150
    three_way = sum(analyse(t).label == y for t, y in rows) / len(rows)
    polar = [(t, y) for t, y in rows if y != "neutral"]
    binary = sum((analyse(t).polarity >= 0.5) == (y == "positive") for t, y in polar) / len(polar)
    assert three_way >= 0.80
    assert binary >= 0.85


def test_mappings_and_bad_input():
    assert stars_from_polarity(0.0) == 1.0 and stars_from_polarity(1.0) == 5.0 and stars_from_polarity(0.5) == 3.0
    s = Sentiment(negative=0.1, neutral=0.5, positive=0.4)
    assert (s.label, s.is_opinion, s.polarity, s.stars) == ("neutral", False, pytest.approx(0.8), pytest.approx(4.2))
    assert Sentiment(negative=0.6, neutral=0.1, positive=0.3).label == "negative"
    assert Sentiment(negative=0.0, neutral=1.0, positive=0.0).polarity == 0.5
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError):
            stars_from_polarity(bad)
    with pytest.raises(TypeError):
        analyse(None)
    long = load_model().probabilities("好" * 100_000)  # long input is cut, not choked on
    assert sum(long.values()) == pytest.approx(1.0)
    assert analyse("").label in LABELS


def test_a_corrupt_artifact_is_refused(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, terms=np.array(["a", "b"]), idf=np.ones(3), coef=np.ones((2, 2)), intercept=np.zeros(2),
             classes=np.array(["0", "1"]), ngram_range=np.array([1, 3]), sublinear_tf=np.array([True]))
    with pytest.raises(ValueError):
        SentimentModel.load(bad, None)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, terms=np.array([{"x": 1}], dtype=object), idf=np.ones(1), coef=np.ones((2, 1)),
             intercept=np.zeros(2), classes=np.array(["0", "1"]), ngram_range=np.array([1, 3]),
             sublinear_tf=np.array([True]))
    with pytest.raises(ValueError):
        SentimentModel.load(pickled, None)
    wrong_classes = tmp_path / "classes.npz"
    np.savez(wrong_classes, terms=np.array(["a"]), idf=np.ones(1), coef=np.ones((2, 1)), intercept=np.zeros(2),
             classes=np.array(["a", "b", "c"]), ngram_range=np.array([1, 3]), sublinear_tf=np.array([True]))
    with pytest.raises(ValueError):
        SentimentModel.load(wrong_classes, None)
    mangled = tmp_path / "m.json"
    mangled.write_text('{"format": "something else"}')
    with pytest.raises(ValueError):
        SentimentModel.load(ARTIFACT, mangled)
    with pytest.raises(ValueError):
        SentimentModel.load(pickled, None)
