"""Char and word n-gram TF-IDF logistic regression, averaged with the network.

On short Chinese utterances sparse n-grams are a strong signal the encoder does
not always learn from ~1,500 examples; the average beats either alone
(see bench/results/nlu.json). Persisted as JSON + .npz, never pickle, so a
model directory from elsewhere cannot run code on load.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from shop.nlu.text import normalise

WORD_MARK = "\u0001"  # keeps word features apart from char features in one vocabulary


def _features(text: str, words: Optional[Sequence[str]]) -> List[str]:
    chars = [ch for ch in normalise(text) if not ch.isspace()]
    grams = ["".join(chars[i:i + n]) for n in (1, 2, 3) for i in range(len(chars) - n + 1)]
    if words:
        toks = [normalise(w) for w in words if normalise(w)]
        grams += [WORD_MARK + w for w in toks]
        grams += [WORD_MARK + a + " " + b for a, b in zip(toks, toks[1:])]
    return grams


def _identity(features: List[str]) -> List[str]:
    return features


class NgramClassifier:
    def __init__(self, labels: Sequence[str], c: float = 10.0, seed: int = 0):
        self.labels = list(labels)
        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        self.model = LogisticRegression(C=c, max_iter=2000, random_state=seed)

    def fit(self, texts: Sequence[str], label_ids: Sequence[int],
            words: Optional[Sequence[Optional[Sequence[str]]]] = None) -> "NgramClassifier":
        words = words or [None] * len(texts)
        matrix = self.vectorizer.fit_transform([_features(t, w) for t, w in zip(texts, words)])
        self.model.fit(matrix, np.asarray(label_ids))
        return self

    def predict_proba(self, texts: Sequence[str],
                      words: Optional[Sequence[Optional[Sequence[str]]]] = None) -> np.ndarray:
        words = words or [None] * len(texts)
        matrix = self.vectorizer.transform([_features(t, w) for t, w in zip(texts, words)])
        # The regression only knows the classes it saw; spread them over all labels.
        probs = np.zeros((len(texts), len(self.labels)))
        probs[:, self.model.classes_] = self.model.predict_proba(matrix)
        return probs

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        (directory / "ngram_vocabulary.json").write_text(
            json.dumps(self.vectorizer.vocabulary_, ensure_ascii=False), encoding="utf-8"
        )
        np.savez(
            directory / "ngram_weights.npz",
            idf=self.vectorizer.idf_,
            coef=self.model.coef_,
            intercept=self.model.intercept_,
            classes=self.model.classes_,
        )
        (directory / "ngram_labels.json").write_text(json.dumps(self.labels, ensure_ascii=False),
                                                      encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "NgramClassifier":
        directory = Path(directory)
        labels = json.loads((directory / "ngram_labels.json").read_text(encoding="utf-8"))
        loaded = cls(labels)
        vocabulary = json.loads((directory / "ngram_vocabulary.json").read_text(encoding="utf-8"))
        arrays = np.load(directory / "ngram_weights.npz", allow_pickle=False)
        loaded.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True,
                                            vocabulary=vocabulary)
        loaded.vectorizer.idf_ = arrays["idf"]
        loaded.model.coef_ = arrays["coef"]
        loaded.model.intercept_ = arrays["intercept"]
        loaded.model.classes_ = arrays["classes"]
        return loaded
