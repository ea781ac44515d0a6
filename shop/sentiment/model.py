"""A char n-gram TF-IDF + (multinomial) logistic regression sentiment model, run with numpy alone.

scikit-learn fits it (scripts/train_sentiment.py); the shipped artifact holds only
arrays (vocabulary, idf, coefficients) in an .npz read with ``allow_pickle=False``,
so loading it never executes code from the file and needs no scikit-learn.
The analyzer below reproduces scikit-learn's ``analyzer="char"``: the exporter
test checks both give the same probabilities.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

ARTIFACT_DIR = Path(__file__).resolve().parent
ARTIFACT = ARTIFACT_DIR / "sentiment_model.npz"
ARTIFACT_META = ARTIFACT_DIR / "sentiment_model.json"
FORMAT = "shop.sentiment/char-tfidf-lr/2"

# Longer messages add nothing a shopper's chat line needs and only cost time.
MAX_CHARS = 2000

_WHITE_SPACES = re.compile(r"\s\s+")


def normalize(text: str) -> str:
    """NFKC folds full-width letters, digits and punctuation (！，ＯＫ) onto the forms
    the reviews mostly use; applied the same way at training and run time."""
    return unicodedata.normalize("NFKC", text).lower()


def char_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's ``_char_ngrams`` on the normalized text (same order, same spaces)."""
    text = _WHITE_SPACES.sub(" ", text)
    grams: list[str] = []
    for n in range(min_n, min(max_n, len(text)) + 1):
        grams.extend(text[i:i + n] for i in range(len(text) - n + 1))
    return grams


@dataclass(frozen=True)
class SentimentModel:
    """Class probabilities of a Chinese shopping text.

    ``coef`` is (classes, features), ``intercept`` (classes,): a multinomial model,
    probabilities by softmax.
    """
    index: dict
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    classes: tuple
    ngram_range: tuple[int, int]
    sublinear_tf: bool
    meta: dict

    @classmethod
    def from_arrays(cls, terms: Sequence[str], idf, coef, intercept, classes: Sequence[str], ngram_range=(1, 3),
                    sublinear_tf: bool = True, meta: dict | None = None) -> "SentimentModel":
        idf = np.asarray(idf, dtype=np.float64)
        coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
        intercept = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
        classes = tuple(str(c) for c in classes)
        if not (len(terms) == idf.shape[0] == coef.shape[1]):
            raise ValueError(f"vocabulary ({len(terms)}), idf ({idf.shape}) and coefficients ({coef.shape}) differ in size")
        rows = len(classes)
        if rows < 2 or len(set(classes)) != rows or coef.shape[0] != rows or intercept.shape != (rows,):
            raise ValueError(f"classes {classes} do not fit coefficients {coef.shape} and intercepts {intercept.shape}")
        index = {str(t): i for i, t in enumerate(terms)}
        if len(index) != len(terms):
            raise ValueError("the vocabulary repeats a term")
        lo, hi = (int(n) for n in ngram_range)
        if not 1 <= lo <= hi <= 8:
            raise ValueError(f"bad n-gram range {ngram_range}")
        return cls(index, idf, coef, intercept, classes, (lo, hi), bool(sublinear_tf), dict(meta or {}))

    @classmethod
    def load(cls, path: Path | str = ARTIFACT, meta_path: Path | str | None = ARTIFACT_META) -> "SentimentModel":
        with np.load(path, allow_pickle=False) as arrays:
            terms = arrays["terms"].tolist()
            idf, coef, intercept = arrays["idf"], arrays["coef"], arrays["intercept"]
            classes = arrays["classes"].tolist()
            ngram_range = tuple(int(n) for n in arrays["ngram_range"])
            sublinear_tf = bool(arrays["sublinear_tf"][0])
        meta = {}
        if meta_path is not None and Path(meta_path).exists():
            meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"{meta_path} is not a {FORMAT} artifact")
        return cls.from_arrays(terms, idf, coef, intercept, classes, ngram_range, sublinear_tf, meta)

    def save(self, path: Path | str, meta_path: Path | str | None = None) -> None:
        terms = [t for t, _ in sorted(self.index.items(), key=lambda kv: kv[1])]
        width = max((len(t) for t in terms), default=1)
        np.savez_compressed(
            path, terms=np.array(terms, dtype=f"<U{width}"), idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32), intercept=self.intercept, classes=np.array(self.classes),
            ngram_range=np.array(self.ngram_range), sublinear_tf=np.array([self.sublinear_tf]))
        if meta_path is not None:
            Path(meta_path).write_text(json.dumps({**self.meta, "format": FORMAT}, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")

    def decision(self, text: str) -> np.ndarray:
        """The linear scores (one per coefficient row) of ``text``."""
        if not isinstance(text, str):
            raise TypeError(f"sentiment needs text, got {type(text).__name__}")
        counts: dict[int, int] = {}
        for gram in char_ngrams(normalize(text[:MAX_CHARS]), *self.ngram_range):
            i = self.index.get(gram)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return self.intercept.copy()
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        weights = tf * self.idf[cols]
        weights /= np.linalg.norm(weights)
        return self.coef[:, cols] @ weights + self.intercept

    def probabilities(self, text: str) -> dict:
        """{class: probability}, as scikit-learn's predict_proba gives them."""
        z = self.decision(text)
        e = np.exp(z - z.max())
        e /= e.sum()
        return dict(zip(self.classes, e.tolist()))
