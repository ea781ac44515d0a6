"""The shipped sentiment artifact: numpy-only loading, fidelity to scikit-learn, accuracy floors."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shop.sentiment import label_of, load_model, stars_from_probability
from shop.sentiment.model import ARTIFACT, ARTIFACT_META, SentimentModel, char_ngrams

ROOT = Path(__file__).resolve().parents[2]
CHAT = ROOT / "bench" / "data" / "sentiment" / "service_chat.csv"


def test_artifact_is_small_and_holds_no_python_objects():
    assert ARTIFACT.stat().st_size < 5_000_000
    with np.load(ARTIFACT, allow_pickle=False) as arrays:  # raises on any object array
        assert {"terms", "idf", "coef", "intercept"} <= set(arrays.files)
        assert all(arrays[name].dtype != object for name in arrays.files)


def test_loads_and_predicts_without_scikit_learn():
    code = ("import sys; sys.modules['sklearn'] = None; sys.path.insert(0, %r)\n"
            "from shop.sentiment import positive_probability\n"
            "print(positive_probability('物流太慢了，很失望'), positive_probability('东西不错，下次还来买'))" % str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    negative, positive = map(float, out.stdout.split())
    assert negative < 0.2 < 0.8 < positive


def test_matches_the_training_time_model_on_its_reference_sentences():
    meta = json.loads(ARTIFACT_META.read_text(encoding="utf-8"))
    assert len(meta["reference"]) >= 5
    model = load_model()
    for ref in meta["reference"]:
        # float32 storage of idf and coefficients costs a few 1e-7
        assert model.positive_probability(ref["text"]) == pytest.approx(ref["p_positive"], abs=1e-4), ref["text"]


def test_numpy_inference_equals_scikit_learn_on_a_fresh_fit(tmp_path):
    from scripts.train_sentiment import export, fit
    train = ["很好很满意", "太差了", "质量不错，喜欢", "物流慢，失望", "谢谢客服", "垃圾东西  退货",
             "ＯＫ，好评！", "再也不买了"] * 3
    labels = [1, 0, 1, 0, 1, 0, 1, 0] * 3
    vectorizer, classifier = fit(train, labels, max_features=60, c=1.0)
    exported = export(vectorizer, classifier, {"reference": []})
    exported.save(tmp_path / "m.npz", tmp_path / "m.json")
    reloaded = SentimentModel.load(tmp_path / "m.npz", tmp_path / "m.json")
    probe = ["很好", "差评！！", "Ok 谢谢\t\t客服", "", "完全没见过的字", "好" * 50]
    expected = classifier.predict_proba(vectorizer.transform(probe))[:, 1]
    assert reloaded.positive_probabilities(probe) == pytest.approx(expected.tolist(), abs=1e-5)


def test_char_ngrams_follow_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer
    analyzer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False).build_analyzer()
    for text in ["物流  太慢", "a", "ab", "", "好 的\n\n谢谢"]:
        assert char_ngrams(text, 1, 3) == analyzer(text)


def _chat():
    with CHAT.open(encoding="utf-8", newline="") as f:
        return [(r["text"], r["label"]) for r in csv.DictReader(f)]


def test_accuracy_on_the_service_chat_set_stays_above_the_measured_floor():
    # bench/sentiment.py measured 0.600 three-way and 0.884 on the polar lines alone;
    # the floors leave room for a retrain on another seed, not for a broken model.
    model = load_model()
    rows = _chat()
    assert len(rows) >= 150
    three_way = sum(label_of(model.positive_probability(t)) == y for t, y in rows) / len(rows)
    polar = [(t, y) for t, y in rows if y != "neutral"]
    binary = sum((model.positive_probability(t) >= 0.5) == (y == "positive") for t, y in polar) / len(polar)
    assert three_way >= 0.55
    assert binary >= 0.85


def test_mappings_and_bad_input():
    assert stars_from_probability(0.0) == 1.0 and stars_from_probability(1.0) == 5.0
    assert stars_from_probability(0.5) == 3.0
    assert [label_of(p) for p in (0.1, 0.3, 0.5, 0.7, 0.95)] == ["negative", "negative", "neutral", "positive",
                                                                  "positive"]
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError):
            stars_from_probability(bad)
        with pytest.raises(ValueError):
            label_of(bad)
    with pytest.raises(TypeError):
        load_model().positive_probability(None)
    assert 0 < load_model().positive_probability("好" * 100_000) <= 1  # long input is cut, not choked on


def test_a_corrupt_artifact_is_refused(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, terms=np.array(["a", "b"]), idf=np.ones(3), coef=np.ones(2), intercept=np.zeros(1),
             ngram_range=np.array([1, 3]), sublinear_tf=np.array([True]))
    with pytest.raises(ValueError):
        SentimentModel.load(bad, None)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, terms=np.array([{"x": 1}], dtype=object), idf=np.ones(1), coef=np.ones(1),
             intercept=np.zeros(1), ngram_range=np.array([1, 3]), sublinear_tf=np.array([True]))
    with pytest.raises(ValueError):
        SentimentModel.load(pickled, None)
