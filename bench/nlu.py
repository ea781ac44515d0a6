"""NLU benchmark: the shipped BERT+BiLSTM pipeline against stock Rasa baselines.

Trains every pipeline on the same data (data/), evaluates each on the held-out
tests/nlu_test.yml and on the blind held-out set tests/blind/nlu/ (all of it, and `blind_novel`: the part
that is no near-copy of a training example) through Rasa's own parse path (Agent.parse_message), and
prints and writes bench/results/nlu.json: intent accuracy (of the classifier's
own intent, as `rasa test nlu` scores it), the share that fell back, macro-F1, fallback rate, expected calibration
error, entity micro-F1, training time, single-message parse latency p50/p95,
model size on disk.

    python bench/nlu.py                          # all pipelines, one seed
    python bench/nlu.py --seeds 42 43 44         # BERT+BiLSTM over several seeds
    python bench/nlu.py --only bert_bilstm
    python bench/nlu.py --shipped                # the shipped model stands for BERT+BiLSTM (seed 42)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from shop.nlu.calibration import expected_calibration_error  # noqa: E402

PIPELINES = {
    "bert_bilstm": ROOT / "config.yml",
    "diet_baseline": ROOT / "configs" / "diet_baseline.yml",
    "logreg_baseline": ROOT / "configs" / "logreg_baseline.yml",
}


def with_seed(config_path: Path, seed: int, directory: Path) -> Path:
    """A copy of the config whose trainable components use the given seed."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"].endswith(("BertBiLstmIntentClassifier", "DIETClassifier")):
            component["random_seed"] = seed
        if component["name"] == "LogisticRegressionClassifier":
            component["random_state"] = seed
    config["policies"] = []  # NLU only
    path = directory / f"{config_path.stem}-{seed}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def percentile(values: List[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


async def evaluate(model_path: str, examples) -> Dict[str, Any]:
    from rasa.core.agent import Agent
    from rasa.nlu.classifiers import fallback_classifier

    agent = Agent.load(model_path)
    for _ in range(5):  # warm-up: first calls build caches (jieba, torch kernels)
        await agent.parse_message("你好")
    gold, predicted, confidences, latencies, fell_back = [], [], [], [], []
    entity_tp = entity_fp = entity_fn = 0
    for example in examples:
        started = time.perf_counter()
        parsed = await agent.parse_message(example.get("text"))
        latencies.append((time.perf_counter() - started) * 1000)
        fell_back.append(fallback_classifier.is_fallback_classifier_prediction(parsed))
        if fell_back[-1]:
            # as `rasa test nlu` does: score the classifier's own intent, count fallbacks apart
            parsed = fallback_classifier.undo_fallback_prediction(parsed)
        gold.append(example.get("intent"))
        predicted.append(parsed["intent"]["name"])
        confidences.append(parsed["intent"]["confidence"])
        want = {(e["entity"], e["value"]) for e in example.get("entities") or []}
        got = {(e["entity"], str(e["value"])) for e in parsed.get("entities") or []}
        entity_tp += len(want & got)
        entity_fp += len(got - want)
        entity_fn += len(want - got)
    correct = np.array([g == p for g, p in zip(gold, predicted)], dtype=float)
    labels = sorted(set(gold))
    precision = entity_tp / max(entity_tp + entity_fp, 1)
    recall = entity_tp / max(entity_tp + entity_fn, 1)
    return {
        "intent_accuracy": round(float(correct.mean()), 4),
        "intent_macro_f1": round(float(f1_score(gold, predicted, labels=labels, average="macro",
                                                zero_division=0)), 4),
        "fallback_rate": round(sum(fell_back) / len(fell_back), 4),
        "expected_calibration_error": round(expected_calibration_error(np.array(confidences), correct), 4),
        "entity_micro_f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4),
        "parse_ms_p50": round(percentile(latencies, 50), 2),
        "parse_ms_p95": round(percentile(latencies, 95), 2),
        "errors": [
            {"text": e.get("text"), "gold": g, "predicted": p}
            for e, g, p in zip(examples, gold, predicted) if g != p
        ],
    }


def blind_sets(train_texts: List[str]) -> Dict[str, list]:
    """The blind held-out intent set (tests/blind/nlu/, never trained on): all of it, and the part that
    is not a near-copy of a training example (short common phrases both sides wrote independently)."""
    import difflib

    from rasa.shared.nlu.training_data.loading import load_data
    from scripts.check_nlu_data import NEAR_COPY_RATIO, normalise

    examples = []
    for path in sorted((ROOT / "tests" / "blind" / "nlu").glob("*.yml")):
        examples += load_data(str(path)).intent_examples
    known = [normalise(t) for t in train_texts]
    novel = [e for e in examples if not difflib.get_close_matches(
        normalise(e.get("text")), known, n=1, cutoff=NEAR_COPY_RATIO)]
    return {"blind": examples, "blind_novel": novel}


def run_one(name: str, config_path: Path, seed: int, workdir: Path, examples,
            extra: Dict[str, list] | None = None, model_path: str | None = None) -> Dict[str, Any]:
    """Train one pipeline (or take `model_path`, already trained) and evaluate it on the project's test
    set (top-level keys) and on each set of `extra` (result[set name])."""
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    if model_path is None:
        config = with_seed(config_path, seed, workdir)
        model_path = train_nlu(config=str(config), nlu_data=str(ROOT / "data" / "nlu"), output=str(workdir),
                               fixed_model_name=f"{name}-{seed}", domain=str(ROOT / "domain"))
        train_seconds = time.perf_counter() - started
    else:
        train_seconds = float("nan")   # the shipped model, trained by scripts/train.sh
    result = asyncio.run(evaluate(model_path, examples))
    for set_name, set_examples in (extra or {}).items():
        scored = asyncio.run(evaluate(model_path, set_examples))
        result[set_name] = {k: v for k, v in scored.items() if not k.startswith("parse_ms")}
        print(f"{name:16s} seed {seed}: {set_name} ({len(set_examples)}) accuracy "
              f"{scored['intent_accuracy']:.3f} macro-F1 {scored['intent_macro_f1']:.3f} "
              f"fallback {scored['fallback_rate']:.3f} ECE {scored['expected_calibration_error']:.3f}", flush=True)
    result.update({
        "pipeline": name, "config": str(config_path.relative_to(ROOT)), "seed": seed,
        "train_seconds": round(train_seconds, 1),
        "model_mb": round(Path(model_path).stat().st_size / 1e6, 2),
    })
    print(f"{name:16s} seed {seed}: accuracy {result['intent_accuracy']:.3f}  macro-F1 "
          f"{result['intent_macro_f1']:.3f}  fallback {result['fallback_rate']:.3f}  "
          f"ECE {result['expected_calibration_error']:.3f}  entity-F1 {result['entity_micro_f1']:.3f}  "
          f"train {train_seconds:.0f}s  parse p50 {result['parse_ms_p50']}ms "
          f"p95 {result['parse_ms_p95']}ms  size {result['model_mb']}MB", flush=True)
    return result


def summarise(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    summary: Dict[str, Any] = {}
    for name in dict.fromkeys(r["pipeline"] for r in runs):
        mine = [r for r in runs if r["pipeline"] == name]
        summary[name] = {
            key: round(statistics.mean(r[key] for r in mine), 4)
            for key in ["intent_accuracy", "intent_macro_f1", "fallback_rate",
                        "expected_calibration_error", "entity_micro_f1", "train_seconds",
                        "parse_ms_p50", "parse_ms_p95", "model_mb"]
        }
        for set_name in ("blind", "blind_novel"):
            if all(set_name in r for r in mine):
                summary[name][set_name] = {
                    key: round(statistics.mean(r[set_name][key] for r in mine), 4)
                    for key in ["intent_accuracy", "intent_macro_f1", "fallback_rate", "expected_calibration_error"]}
        summary[name]["seeds"] = [r["seed"] for r in mine]
        if len(mine) > 1:
            summary[name]["intent_accuracy_min"] = min(r["intent_accuracy"] for r in mine)
            summary[name]["intent_accuracy_max"] = max(r["intent_accuracy"] for r in mine)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description="NLU benchmark")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42],
                        help="seeds for the BERT+BiLSTM pipeline (baselines use the first)")
    parser.add_argument("--only", choices=list(PIPELINES), nargs="+")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "nlu.json"))
    parser.add_argument("--shipped", action="store_true",
                        help="evaluate the shipped model (scripts/train.sh) as bert_bilstm instead of training one")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from rasa.shared.nlu.training_data.loading import load_data

    examples = [e for e in load_data(str(ROOT / "tests" / "nlu_test.yml")).intent_examples]
    training = load_data(str(ROOT / "data" / "nlu")).intent_examples
    train_count = len(training)
    extra = blind_sets([e.get("text") for e in training])
    shipped = None
    if args.shipped:
        import subprocess
        shipped = subprocess.run(["bash", "scripts/train.sh", "config.yml"], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout.strip().splitlines()[-1]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, config_path in PIPELINES.items():
            if args.only and name not in args.only:
                continue
            seeds = args.seeds if name == "bert_bilstm" else args.seeds[:1]
            for seed in seeds:
                model = str(ROOT / shipped) if shipped and name == "bert_bilstm" and seed == 42 else None
                runs.append(run_one(name, config_path, seed, Path(tmp), examples, extra, model))
    result = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "train_examples": train_count,
        "test_examples": len(examples),
        "blind_examples": {k: len(v) for k, v in extra.items()},
        "summary": summarise(runs),
        "runs": runs,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result["summary"], indent=1))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
