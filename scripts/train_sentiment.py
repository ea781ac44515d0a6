"""Train the shipped sentiment model (shop/sentiment/sentiment_model.npz + .json).

Data: bench/data/sentiment/online_shopping_10_cats.zip (62,773 labelled shopping
reviews; source and commit in bench/data/sentiment/README.md). Reviews are
deduplicated by normalized text before a seeded, stratified 80/20 split, so no
test review also sits in the training part. scikit-learn fits a char 1-3 gram
TF-IDF + logistic regression on the 80 %; the arrays are written without pickle
and read back by shop.sentiment.model with numpy alone. The same split is what
bench/sentiment.py measures on.

    .venv/bin/python scripts/train_sentiment.py [--max-features 100000] [--seed 20251125]
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import time
import zipfile

import numpy as np
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shop.sentiment.model import ARTIFACT, ARTIFACT_META, SentimentModel, normalize  # noqa: E402

DATA_ZIP = ROOT / "bench" / "data" / "sentiment" / "online_shopping_10_cats.zip"
SEED = 20251125
MAX_FEATURES = 100_000
NGRAM_RANGE = (1, 3)
C = 4.0
# Sentences whose training-time probabilities travel with the artifact, so a test can
# check that numpy inference still gives what scikit-learn gave.
REFERENCE_SENTENCES = [
    "物流太慢了，很失望", "非常满意，客服很耐心", "一般般吧", "客服态度很好，问题解决了",
    "质量太差了，退货！", "我的快递到哪了", "东西不错，下次还来买", "等了半天也没人理",
]


def load_reviews(path: Path = DATA_ZIP) -> tuple[list[str], list[int], list[str]]:
    """(texts, labels, categories), empty and duplicate reviews dropped (first kept)."""
    if not path.exists():
        raise SystemExit(f"{path} is missing: fetch it as bench/data/sentiment/README.md says")
    with zipfile.ZipFile(path) as zf, zf.open("online_shopping_10_cats.csv") as raw:
        rows = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig"))
        seen: set[str] = set()
        texts, labels, cats = [], [], []
        for row in rows:
            text = (row.get("review") or "").replace("\ufeff", "").strip()
            key = normalize(text)
            if not text or key in seen or row.get("label") not in ("0", "1"):
                continue
            seen.add(key)
            texts.append(text)
            labels.append(int(row["label"]))
            cats.append(row.get("cat") or "")
    return texts, labels, cats


def split(texts, labels, seed: int = SEED):
    """The seeded, stratified 80/20 split: (train_x, test_x, train_y, test_y)."""
    from sklearn.model_selection import train_test_split
    return train_test_split(texts, labels, test_size=0.2, random_state=seed, stratify=labels)


def fit(train_x, train_y, max_features: int = MAX_FEATURES, c: float = C):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, preprocessor=normalize,
                                 sublinear_tf=True, max_features=max_features, dtype=np.float64)
    features = vectorizer.fit_transform(train_x)
    classifier = LogisticRegression(C=c, max_iter=2000, solver="liblinear", random_state=0)
    classifier.fit(features, train_y)
    return vectorizer, classifier


def export(vectorizer, classifier, meta: dict) -> SentimentModel:
    """The fitted pair as plain arrays (column order = the vectorizer's indices)."""
    terms = [None] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        terms[column] = term
    return SentimentModel.from_arrays(terms, vectorizer.idf_, classifier.coef_[0], classifier.intercept_[0],
                                      vectorizer.ngram_range, vectorizer.sublinear_tf, meta)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-features", type=int, default=MAX_FEATURES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--c", type=float, default=C)
    parser.add_argument("--out", type=Path, default=ARTIFACT)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    texts, labels, _ = load_reviews()
    train_x, test_x, train_y, test_y = split(texts, labels, args.seed)
    vectorizer, classifier = fit(train_x, train_y, args.max_features, args.c)
    seconds = time.perf_counter() - started
    accuracy = float((classifier.predict(vectorizer.transform(test_x)) == test_y).mean())
    reference = classifier.predict_proba(vectorizer.transform(REFERENCE_SENTENCES))[:, 1]
    meta = {
        "data": "SophonPlus/ChineseNlpCorpus datasets/online_shopping_10_cats (see bench/data/sentiment/README.md)",
        "reviews": len(texts), "train": len(train_x), "test": len(test_x), "seed": args.seed,
        "vectorizer": {"analyzer": "char", "ngram_range": list(NGRAM_RANGE), "sublinear_tf": True,
                       "norm": "l2", "smooth_idf": True, "preprocessor": "NFKC + lower",
                       "max_features": args.max_features},
        "classifier": {"kind": "LogisticRegression", "solver": "liblinear", "C": args.c},
        "test_accuracy": round(accuracy, 4), "train_seconds": round(seconds, 1),
        "reference": [{"text": t, "p_positive": float(p)} for t, p in zip(REFERENCE_SENTENCES, reference)],
    }
    model = export(vectorizer, classifier, meta)
    out = Path(args.out)
    model.save(out, out.with_suffix(".json"))
    print(f"{len(texts)} reviews, train {len(train_x)}, test {len(test_x)}; accuracy {accuracy:.4f}; "
          f"{len(model.index)} features; fitted in {seconds:.1f} s; wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
