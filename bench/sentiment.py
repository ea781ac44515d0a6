"""Accuracy of the shipped sentiment model on held-out reviews and on service-desk chat lines.

(a) Reviews: the held-out 20 % of online_shopping_10_cats (the seeded, stratified,
    deduplicated split scripts/train_sentiment.py trains on the other 80 % of);
    binary, positive iff P(positive) >= 0.5.
(b) Chat: bench/data/sentiment/service_chat.csv, 150 hand-written shopper messages to
    a shop's service desk labelled positive / neutral / negative; three-way with the
    band of shop.sentiment.label_of (>= 0.70 positive, <= 0.30 negative). Also the
    binary accuracy on its positive and negative lines alone.
Baselines: the majority class (of the training labels for the reviews, of the chat
set itself for the chat lines), and a small hand-written lexicon (word counts).
snownlp is not installed (platform notes measured 0.838 on reviews).

Runs the shipped artifact through shop.sentiment (numpy), not the scikit-learn objects.
Writes bench/results/sentiment.json.

    .venv/bin/python bench/sentiment.py
"""
from __future__ import annotations

import csv
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.train_sentiment import load_reviews, split  # noqa: E402
from shop.sentiment import label_of, load_model  # noqa: E402
from shop.sentiment.model import normalize  # noqa: E402

CHAT = ROOT / "bench" / "data" / "sentiment" / "service_chat.csv"
OUT = ROOT / "bench" / "results" / "sentiment.json"
LABELS = ("positive", "neutral", "negative")

# A generic shopping-sentiment lexicon, the kind of rule one writes before having a model.
POSITIVE_WORDS = ["好", "满意", "谢谢", "感谢", "喜欢", "棒", "赞", "不错", "快", "推荐", "开心", "值", "舒服",
                  "耐心", "专业", "好评", "靠谱", "贴心", "及时", "漂亮"]
NEGATIVE_WORDS = ["差", "慢", "失望", "投诉", "垃圾", "坏", "破", "骗", "生气", "不满", "烂", "退货", "没人",
                  "太贵", "坑", "假", "问题", "不行", "麻烦", "差评", "掉色", "过敏"]


def lexicon_score(text: str) -> int:
    text = normalize(text)
    return sum(text.count(w) for w in POSITIVE_WORDS) - sum(text.count(w) for w in NEGATIVE_WORDS)


def lexicon_label(text: str) -> str:
    score = lexicon_score(text)
    return "positive" if score > 0 else "negative" if score < 0 else "neutral"


def scores(gold: list, predicted: list, labels) -> dict:
    """Accuracy and macro-F1 over ``labels`` (an F1 of 0 for a class never predicted nor present is skipped)."""
    n = len(gold)
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / n
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return {"accuracy": round(accuracy, 4), "macro_f1": round(sum(f1s) / len(f1s), 4), "n": n}


def load_chat(path: Path = CHAT) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    bad = [r for r in rows if r["label"] not in LABELS or not r["text"].strip()]
    if bad:
        raise SystemExit(f"{path}: bad rows {bad[:3]}")
    return [r["text"] for r in rows], [r["label"] for r in rows]


def main() -> int:
    model = load_model()
    started = time.perf_counter()
    texts, labels, _ = load_reviews()
    train_x, test_x, train_y, test_y = split(texts, labels)
    p_reviews = model.positive_probabilities(test_x)
    review_seconds = time.perf_counter() - started
    majority = Counter(train_y).most_common(1)[0][0]
    reviews = {
        "n_test": len(test_x), "n_train": len(train_x), "positive_share_test": round(sum(test_y) / len(test_y), 4),
        "shipped_model": scores(test_y, [int(p >= 0.5) for p in p_reviews], (0, 1)),
        "majority_class": scores(test_y, [majority] * len(test_y), (0, 1)),
        "lexicon": scores(test_y, [int(lexicon_score(t) > 0) for t in test_x], (0, 1)),
        "snownlp": "not installed; platform notes: 0.838 on 2,000 reviews of a seeded split",
    }

    chat_x, chat_y = load_chat()
    p_chat = model.positive_probabilities(chat_x)
    predicted = [label_of(p) for p in p_chat]
    majority_chat = Counter(chat_y).most_common(1)[0][0]
    polar = [(y, p) for y, p in zip(chat_y, p_chat) if y != "neutral"]
    chat = {
        "n": len(chat_x), "labels": dict(Counter(chat_y)),
        "three_way": {
            "shipped_model": scores(chat_y, predicted, LABELS),
            "majority_class": scores(chat_y, [majority_chat] * len(chat_y), LABELS),
            "lexicon": scores(chat_y, [lexicon_label(t) for t in chat_x], LABELS),
        },
        "polar_only_binary": {
            "n": len(polar),
            "shipped_model": scores([y for y, _ in polar], ["positive" if p >= 0.5 else "negative" for _, p in polar],
                                    ("positive", "negative")),
            "lexicon": scores([y for y, _ in polar],
                              ["positive" if lexicon_score(t) > 0 else "negative"
                               for t, y in zip(chat_x, chat_y) if y != "neutral"], ("positive", "negative")),
        },
        "confusion": {g: dict(Counter(p for y, p in zip(chat_y, predicted) if y == g)) for g in LABELS},
        "mean_p_positive": {g: round(sum(p for y, p in zip(chat_y, p_chat) if y == g) / chat_y.count(g), 3)
                            for g in LABELS},
        "errors": [{"text": t, "gold": y, "predicted": l, "p_positive": round(p, 3)}
                   for t, y, l, p in zip(chat_x, chat_y, predicted, p_chat) if y != l],
    }
    result = {
        "model": {k: model.meta.get(k) for k in ("vectorizer", "classifier", "seed", "train_seconds")},
        "features": len(model.index),
        "neutral_band": [0.30, 0.70],
        "reviews": reviews, "chat": chat,
        "seconds_inference_reviews": round(review_seconds, 1),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"reviews (n={len(test_x)}): model {reviews['shipped_model']}, majority {reviews['majority_class']}, "
          f"lexicon {reviews['lexicon']}")
    print(f"chat 3-way (n={len(chat_x)}): model {chat['three_way']['shipped_model']}, "
          f"majority {chat['three_way']['majority_class']}, lexicon {chat['three_way']['lexicon']}")
    print(f"chat polar binary (n={len(polar)}): model {chat['polar_only_binary']['shipped_model']}, "
          f"lexicon {chat['polar_only_binary']['lexicon']}")
    print(f"confusion {chat['confusion']}; mean p {chat['mean_p_positive']}; wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
