"""Train the shipped sentiment model (shop/sentiment/sentiment_model.npz + .json).

Three classes, from two sources:
- positive / negative: bench/data/sentiment/online_shopping_10_cats.zip (62,773 labelled
  shopping reviews; source and commit in bench/data/sentiment/README.md), deduplicated
  by normalized text, then a seeded, stratified 80/20 split: the 80 % trains, the 20 %
  is what bench/sentiment.py measures on.
- neutral: the project's NLU examples (data/nlu/*.yml) of intents that ask or request
  without judging (NEUTRAL_INTENTS). Reviews never ask "where is my parcel?", so a
  reviews-only model reads such questions as complaints (0.60 three-way on the chat set,
  against 0.86 with these). Lines equal to one of bench/data/sentiment/service_chat.csv
  are left out, so the chat set stays unseen.
scikit-learn fits a char 1-3 gram TF-IDF + multinomial logistic regression; the arrays
are written without pickle and read back by shop.sentiment.model with numpy alone.

    .venv/bin/python scripts/train_sentiment.py [--max-features 100000] [--seed 20251125] [--no-neutral]
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import time
import zipfile

import numpy as np
import yaml
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shop.sentiment import NEUTRAL_INTENTS  # noqa: E402
from shop.sentiment.model import ARTIFACT, SentimentModel, normalize  # noqa: E402

DATA_ZIP = ROOT / "bench" / "data" / "sentiment" / "online_shopping_10_cats.zip"
CHAT_SET = ROOT / "bench" / "data" / "sentiment" / "service_chat.csv"
NLU_DIR = ROOT / "data" / "nlu"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
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


def _key(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


def neutral_examples(nlu_dir: Path = NLU_DIR, held_out: Path = CHAT_SET) -> list[str]:
    """NLU examples of NEUTRAL_INTENTS, entity markup removed, chat-set lines left out."""
    with held_out.open(encoding="utf-8", newline="") as f:
        unseen = {_key(row["text"]) for row in csv.DictReader(f)}
    found, seen = [], set()
    for path in sorted(nlu_dir.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if block.get("intent") not in NEUTRAL_INTENTS:
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- ")).strip()
                if text and _key(text) not in unseen and _key(text) not in seen:
                    seen.add(_key(text))
                    found.append(text)
    return found


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
    # saga: the same accuracy as lbfgs here (0.9374 vs 0.9376) in a fifth of the time
    classifier = LogisticRegression(C=c, max_iter=300, tol=1e-3, solver="saga", multi_class="multinomial",
                                    random_state=0)
    classifier.fit(features, train_y)
    return vectorizer, classifier


def export(vectorizer, classifier, meta: dict) -> SentimentModel:
    """The fitted pair as plain arrays (column order = the vectorizer's indices)."""
    terms = [None] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        terms[column] = term
    coef, intercept = classifier.coef_, classifier.intercept_
    if coef.shape[0] == 1:  # two classes: scikit-learn's multinomial softmax runs over (-z, z)
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return SentimentModel.from_arrays(terms, vectorizer.idf_, coef, intercept, classifier.classes_, vectorizer.ngram_range, vectorizer.sublinear_tf, meta)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-features", type=int, default=MAX_FEATURES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--c", type=float, default=C)
    parser.add_argument("--out", type=Path, default=ARTIFACT)
    parser.add_argument("--no-neutral", action="store_true", help="reviews only (two classes), for comparison")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    texts, labels, _ = load_reviews()
    train_x, test_x, train_y, test_y = split(texts, labels, args.seed)
    neutral = [] if args.no_neutral else neutral_examples()
    names = {0: "negative", 1: "positive"}
    vectorizer, classifier = fit(list(train_x) + neutral, [names[y] for y in train_y] + ["neutral"] * len(neutral),
                                 args.max_features, args.c)
    seconds = time.perf_counter() - started
    probabilities = classifier.predict_proba(vectorizer.transform(test_x))
    classes = list(classifier.classes_)
    positive, negative = probabilities[:, classes.index("positive")], probabilities[:, classes.index("negative")]
    accuracy = float(((positive >= negative) == (np.asarray(test_y) == 1)).mean())
    reference = classifier.predict_proba(vectorizer.transform(REFERENCE_SENTENCES))
    meta = {
        "data": "SophonPlus/ChineseNlpCorpus datasets/online_shopping_10_cats (see bench/data/sentiment/README.md)",
        "reviews": len(texts), "train": len(train_x), "test": len(test_x), "seed": args.seed,
        "neutral_examples": len(neutral), "neutral_intents": sorted(NEUTRAL_INTENTS) if neutral else [],
        "classes": classes,
        "vectorizer": {"analyzer": "char", "ngram_range": list(NGRAM_RANGE), "sublinear_tf": True,
                       "norm": "l2", "smooth_idf": True, "preprocessor": "NFKC + lower",
                       "max_features": args.max_features},
        "classifier": {"kind": "LogisticRegression", "multi_class": "multinomial", "solver": "saga",
                       "tol": 1e-3, "C": args.c},
        "test_accuracy": round(accuracy, 4), "train_seconds": round(seconds, 1),
        "reference": [{"text": t, "probabilities": dict(zip(classes, map(float, p)))}
                      for t, p in zip(REFERENCE_SENTENCES, reference)],
    }
    model = export(vectorizer, classifier, meta)
    out = Path(args.out)
    model.save(out, out.with_suffix(".json"))
    print(f"{len(texts)} reviews, train {len(train_x)} + {len(neutral)} neutral, test {len(test_x)}; "
          f"review accuracy {accuracy:.4f}; "
          f"{len(model.index)} features; fitted in {seconds:.1f} s; wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
