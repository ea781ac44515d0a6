"""What each part of the intent model contributes, measured on tests/nlu_test.yml.

Trains shop.nlu's model directly (no Rasa pipeline, jieba words for the n-gram
part) and scores the network alone, the n-gram regression alone and their
average (fixed weight, and the weight tuned on held-back training examples).
Model settings come from config.yml, overridable with --set key=value.

    python bench/nlu_ablation.py --seeds 42 43 --set hidden_size=128 num_layers=2
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import jieba  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402

from shop.nlu import IntentModel, IntentModelConfig  # noqa: E402


def load(path):
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(path)).intent_examples
    return [e.get("text") for e in examples], [e.get("intent") for e in examples]


def shipped_settings():
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    component = next(c for c in config["pipeline"] if c["name"].endswith("BertBiLstmIntentClassifier"))
    return {k: v for k, v in component.items() if k != "name"}


def parse_value(text):
    return yaml.safe_load(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("--set", nargs="*", default=[], help="key=value overrides")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "nlu_ablation.json"))
    args = parser.parse_args()

    jieba.setLogLevel(60)
    jieba.load_userdict(str(ROOT / "data" / "jieba" / "shop_words.txt"))
    train_texts, train_intents = load(ROOT / "data" / "nlu")
    test_texts, test_intents = load(ROOT / "tests" / "nlu_test.yml")
    train_words = [list(jieba.cut(t)) for t in train_texts]
    test_words = [list(jieba.cut(t)) for t in test_texts]

    settings = shipped_settings()
    settings.update({k: parse_value(v) for k, v in (item.split("=", 1) for item in args.set)})
    runs = []
    for seed in args.seeds:
        config = IntentModelConfig.from_dict({**settings, "random_seed": seed, "tune_ngram_weight": True})
        started = time.perf_counter()
        model = IntentModel.train(train_texts, train_intents, config, words=train_words)
        seconds = time.perf_counter() - started
        gold = np.array([model.labels.index(i) for i in test_intents])
        network = model._network_probabilities(test_texts)
        ngram = model.ngram.predict_proba(test_texts, test_words)
        accuracy = lambda p: round(float((p.argmax(1) == gold).mean()), 4)  # noqa: E731
        run = {
            "seed": seed, "train_seconds": round(seconds, 1),
            "network_only": accuracy(network), "ngram_only": accuracy(ngram),
            "mixed_0.5": accuracy(0.5 * network + 0.5 * ngram),
            "tuned_weight": model.ngram_weight,
            "mixed_tuned": accuracy((1 - model.ngram_weight) * network + model.ngram_weight * ngram),
        }
        print(json.dumps(run), flush=True)
        runs.append(run)
    result = {"settings": settings, "train_examples": len(train_texts),
              "test_examples": len(test_texts), "runs": runs}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
