"""Entity benchmark: the shipped CRF entity extractor against the spaCy NER extractor.

Both are trained by Rasa (`rasa.model_training.train_nlu`) on the same data (data/nlu)
and evaluated on the held-out tests/nlu_test.yml through Rasa's own parse path
(`Agent.parse_message`), writing bench/results/entities.json.

    python bench/entities.py                       # CRF once, both spaCy variants with seeds 42-46
    python bench/entities.py --seeds 42            # one spaCy seed (quicker)
    python bench/entities.py --only crf spacy

Pipelines (NLU only: config.yml's pipeline without its intent classifier and
FallbackClassifier, so the entity layer is what is trained and timed):
  crf          as shipped: ... JiebaTokenizer -> RegexFeaturizer -> CRFEntityExtractor
               -> the other extractors -> EntitySynonymMapper (the CRF with its regex /
               lookup-table features).
  spacy        the same pipeline with configs/spacy_entities.yml's SpacyNerEntityExtractor
               in the CRF's place (lookup tables and regexes as token features, as the
               CRF has them), `random_seed` per seed. Everything else is identical.
  spacy_plain  as spacy without lookup-table and regex features: the annotations alone.
The CRF (crfsuite L-BFGS) has no randomness, so it is trained once.

Scores, per extractor (entities whose `extractor` is CRFEntityExtractor or
SpacyNerEntityExtractor), again for the extractor together with the pipeline's
RegexEntityExtractor (their union, one entry per span and label), and, under
`other_extractors`, for every other extractor of the pipeline on its own (e.g. the
rule-based ShopEntityExtractor, the same in every run):
  exact span match — a prediction is a true positive when its (entity, start, end)
  equals a gold entity's of the same message; anything else predicted is a false
  positive, every gold entity not matched a false negative. Values (and so synonym
  mapping) are not compared. Per entity: precision, recall, F1, support (gold count).
  micro: P/R/F1 from the counts summed over all entities; macro: the unweighted mean
  of the per-entity P, R and F1 over the entities present in the held-out set.
  The entities are whatever the data holds: nothing here names one.
micro_f1_minus_crf: per spaCy run, a paired bootstrap over held-out messages (2,000
resamples) of its micro-F1 minus the CRF's: the observed difference, a 95 % interval
and the share of resamples in which spaCy is ahead. The held-out set is small (under
a hundred entities in 2026-11), so this says whether a gap is more than luck.
Timing: `train_seconds` is train_nlu's wall time with Rasa's training cache off (a cached
component would otherwise "train" in no time on a re-run); parse latency is one message
through `Agent.parse_message` (the whole NLU pipeline above): every held-out message is
parsed in 3 passes after a warm-up, a message's latency is the median of its passes
(the machine is shared: this damps another process's burst), and p50/p95 are taken
over messages. The load average during the run is recorded beside the figures.

Each training and each evaluation runs in a fresh Python process. jieba adds a word's
frequency to its total every time a user dictionary is loaded, so a process that has
loaded the shop dictionary twice (trained a model and then loaded one) segments some
texts differently from a served model, which loads it once (多少钱 becomes one word).
A fresh process per step measures what `rasa train` + `rasa run` would do.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import yaml  # noqa: E402

EXTRACTORS = {"crf": "CRFEntityExtractor", "spacy": "SpacyNerEntityExtractor",
              "spacy_plain": "SpacyNerEntityExtractor"}
REGEX_EXTRACTOR = "RegexEntityExtractor"
NOT_ENTITY_LAYER = ("IntentClassifier", "FallbackClassifier")
Key = Tuple[str, int, int]  # (entity, start, end)
LATENCY_PASSES = 3


# ----------------------------------------------------------------------------- configs
def crf_config(seed: int) -> Dict[str, Any]:
    """config.yml's pipeline without the intent classifier and the fallback (seed unused)."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = [c for c in config["pipeline"] if not c["name"].endswith(NOT_ENTITY_LAYER)]
    config["policies"] = []
    return config


def spacy_config(seed: int, patterns: bool = True) -> Dict[str, Any]:
    """crf_config with configs/spacy_entities.yml's extractor in the CRF's place.

    seed becomes its random_seed; patterns=False turns off its lookup/regex features.
    Raises ValueError when config.yml has no CRFEntityExtractor to replace.
    """
    candidate = yaml.safe_load((ROOT / "configs" / "spacy_entities.yml").read_text(encoding="utf-8"))
    extractor = dict(next(c for c in candidate["pipeline"] if c["name"].endswith(EXTRACTORS["spacy"])))
    extractor["random_seed"] = seed
    if not patterns:
        extractor["use_lookup_tables"] = extractor["use_regexes"] = False
    config = crf_config(seed)
    names = [c["name"] for c in config["pipeline"]]
    if EXTRACTORS["crf"] not in names:
        raise ValueError("config.yml has no CRFEntityExtractor to compare against")
    config["pipeline"][names.index(EXTRACTORS["crf"])] = extractor
    return config


def spacy_plain_config(seed: int) -> Dict[str, Any]:
    return spacy_config(seed, patterns=False)


CONFIGS = {"crf": crf_config, "spacy": spacy_config, "spacy_plain": spacy_plain_config}


# ----------------------------------------------------------------------------- scoring
def prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def score(gold: Sequence[Set[Key]], predicted: Sequence[Set[Key]]) -> Dict[str, Any]:
    """Exact-span scores (see the module docstring) of per-message gold and predicted sets."""
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for want, got in zip(gold, predicted):
        for key in want & got:
            tp[key[0]] += 1
        for key in got - want:
            fp[key[0]] += 1
        for key in want - got:
            fn[key[0]] += 1
    gold_labels = sorted({key[0] for keys in gold for key in keys})
    per_entity = {
        label: {**prf(tp[label], fp[label], fn[label]), "support": tp[label] + fn[label],
                "tp": tp[label], "fp": fp[label], "fn": fn[label]}
        for label in sorted(set(gold_labels) | set(fp))
    }
    macro = {metric: round(statistics.mean(per_entity[label][metric] for label in gold_labels), 4)
             if gold_labels else 0.0 for metric in ("precision", "recall", "f1")}
    return {
        "micro": {**prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
                  "tp": sum(tp.values()), "fp": sum(fp.values()), "fn": sum(fn.values())},
        "macro": macro,
        "per_entity": per_entity,
    }


def bootstrap_difference(gold: Sequence[Set[Key]], a: Sequence[Set[Key]], b: Sequence[Set[Key]],
                         samples: int = 2000, seed: int = 0) -> Dict[str, float]:
    """Paired bootstrap over held-out messages of micro-F1(b) - micro-F1(a).

    Messages are resampled with replacement (the same draw for both systems), so the
    interval says how much the difference could move with another held-out set of the
    same kind. Returns the observed difference, the 2.5 / 97.5 percentiles and the
    share of resamples in which b scores higher.
    """
    def counts(predicted: Sequence[Set[Key]]) -> List[Tuple[int, int, int]]:
        return [(len(w & p), len(p - w), len(w - p)) for w, p in zip(gold, predicted)]

    def f1(rows: Iterable[Tuple[int, int, int]]) -> float:
        tp = fp = fn = 0
        for t, f, n in rows:
            tp, fp, fn = tp + t, fp + f, fn + n
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    count_a, count_b = counts(a), counts(b)
    rng = random.Random(seed)
    n = len(gold)
    differences = []
    for _ in range(samples):
        draw = [rng.randrange(n) for _ in range(n)]
        differences.append(f1(count_b[i] for i in draw) - f1(count_a[i] for i in draw))
    return {"difference": round(f1(count_b) - f1(count_a), 4),
            "low": round(percentile(differences, 2.5), 4),
            "high": round(percentile(differences, 97.5), 4),
            "share_b_better": round(sum(d > 0 for d in differences) / samples, 3)}


def keys(entities: Iterable[Dict[str, Any]], extractors: Iterable[str]) -> Set[Key]:
    wanted = set(extractors)
    return {(e["entity"], int(e["start"]), int(e["end"])) for e in entities if e.get("extractor") in wanted}


# ------------------------------------------------------------------ steps (own process)
def step_train(name: str, seed: int, workdir: Path) -> Dict[str, Any]:
    from rasa.model_training import train_nlu

    config_path = workdir / f"{name}-{seed}.yml"
    config_path.write_text(yaml.safe_dump(CONFIGS[name](seed), allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    model_path = train_nlu(config=str(config_path), nlu_data=str(ROOT / "data" / "nlu"),
                           output=str(workdir), fixed_model_name=f"{name}-{seed}",
                           domain=str(ROOT / "domain"))
    if not model_path:
        raise RuntimeError(f"training {name} (seed {seed}) produced no model")
    return {"model_path": model_path, "train_seconds": round(time.perf_counter() - started, 1),
            "model_mb": round(Path(model_path).stat().st_size / 1e6, 2)}


def step_evaluate(model_path: str, test_path: Path) -> Dict[str, Any]:
    import asyncio

    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    examples = [m for m in load_data(str(test_path)).nlu_examples if m.get("text")]

    async def run() -> Dict[str, Any]:
        agent = Agent.load(model_path)
        for _ in range(5):  # warm-up: first calls build caches (jieba, spaCy, crfsuite)
            await agent.parse_message("黑色M码还有货吗")
        parsed, passes = [], []
        for number in range(LATENCY_PASSES):
            latencies = []
            for example in examples:
                started = time.perf_counter()
                result = await agent.parse_message(example.get("text"))
                latencies.append((time.perf_counter() - started) * 1000)
                if number == 0:
                    parsed.append([{k: e.get(k) for k in ("entity", "start", "end", "value", "extractor")}
                                   for e in result.get("entities") or []])
            passes.append(latencies)
        return {"entities": parsed, "latencies_ms": [statistics.median(m) for m in zip(*passes)],
                "load_average": round(os.getloadavg()[0], 2)}

    return asyncio.run(run())


def in_fresh_process(step: str, arguments: Dict[str, Any], workdir: Path) -> Dict[str, Any]:
    """Run one step in a new Python process (see the module docstring for why)."""
    out = workdir / f"step-{time.monotonic_ns()}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--step", step,
               "--step-args", json.dumps(arguments), "--step-out", str(out)]
    # no training cache (see the module docstring); a private one so nothing is shared
    environment = {**os.environ, "RASA_MAX_CACHE_SIZE": "0", "RASA_CACHE_DIRECTORY": str(workdir / "cache")}
    completed = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=environment)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-6000:])
        raise RuntimeError(f"step {step} {arguments} failed (exit {completed.returncode})")
    return json.loads(out.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------- runs
def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = int(position), min(int(position) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def run_one(name: str, seed: int, workdir: Path, gold: List[Set[Key]], texts: List[str],
            test_path: Path) -> Dict[str, Any]:
    trained = in_fresh_process("train", {"name": name, "seed": seed, "workdir": str(workdir)}, workdir)
    evaluated = in_fresh_process("evaluate", {"model_path": trained["model_path"],
                                              "test_path": str(test_path)}, workdir)
    entities = evaluated["entities"]
    alone = [keys(found, [EXTRACTORS[name]]) for found in entities]
    with_regex = [keys(found, [EXTRACTORS[name], REGEX_EXTRACTOR]) for found in entities]
    others = sorted({e.get("extractor") for found in entities for e in found}
                    - {EXTRACTORS[name], None})
    latencies = evaluated["latencies_ms"]
    result = {
        "pipeline": name, "seed": seed, "extractor_name": EXTRACTORS[name],
        "train_seconds": trained["train_seconds"], "model_mb": trained["model_mb"],
        "parse_ms_p50": round(percentile(latencies, 50), 2),
        "parse_ms_p95": round(percentile(latencies, 95), 2),
        "load_average_1min": evaluated["load_average"],
        "extractor": score(gold, alone),
        "with_regex_extractor": score(gold, with_regex),
        "other_extractors": {other: score(gold, [keys(found, [other]) for found in entities])
                             for other in others},
        "predicted": [sorted(map(list, got)) for got in alone],
        "errors": [
            {"text": text, "missed": sorted(map(list, want - got)), "spurious": sorted(map(list, got - want))}
            for text, want, got in zip(texts, gold, alone) if want != got
        ],
    }
    micro = result["extractor"]["micro"]
    print(f"{name:6s} seed {seed}: entity P/R/F1 {micro['precision']:.3f}/{micro['recall']:.3f}/"
          f"{micro['f1']:.3f} (with regex {result['with_regex_extractor']['micro']['f1']:.3f}, macro "
          f"{result['extractor']['macro']['f1']:.3f})  train {result['train_seconds']}s  parse p50 "
          f"{result['parse_ms_p50']} ms p95 {result['parse_ms_p95']} ms  {result['model_mb']} MB", flush=True)
    return result


def summarise(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Mean over seeds (and min/max of micro-F1) per pipeline, per-entity F1 means."""
    summary: Dict[str, Any] = {}
    for name in dict.fromkeys(r["pipeline"] for r in runs):
        mine = [r for r in runs if r["pipeline"] == name]

        def mean(get) -> float:
            return round(statistics.mean(get(r) for r in mine), 4)

        labels = sorted({label for r in mine for label in r["extractor"]["per_entity"]})
        summary[name] = {
            "seeds": [r["seed"] for r in mine],
            "micro_f1": mean(lambda r: r["extractor"]["micro"]["f1"]),
            "micro_precision": mean(lambda r: r["extractor"]["micro"]["precision"]),
            "micro_recall": mean(lambda r: r["extractor"]["micro"]["recall"]),
            "macro_f1": mean(lambda r: r["extractor"]["macro"]["f1"]),
            "micro_f1_with_regex": mean(lambda r: r["with_regex_extractor"]["micro"]["f1"]),
            "micro_f1_min": min(r["extractor"]["micro"]["f1"] for r in mine),
            "micro_f1_max": max(r["extractor"]["micro"]["f1"] for r in mine),
            "per_entity_f1": {
                label: round(statistics.mean(r["extractor"]["per_entity"].get(label, {"f1": 0.0})["f1"]
                                             for r in mine), 4)
                for label in labels
            },
            "train_seconds": mean(lambda r: r["train_seconds"]),
            "parse_ms_p50": mean(lambda r: r["parse_ms_p50"]),
            "parse_ms_p95": mean(lambda r: r["parse_ms_p95"]),
            "model_mb": mean(lambda r: r["model_mb"]),
        }
    return summary


def entity_counts(path: Path) -> Tuple[int, Dict[str, int]]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = [m for m in load_data(str(path)).nlu_examples if m.get("text")]
    return len(examples), dict(sorted(Counter(e["entity"] for m in examples
                                              for e in m.get("entities") or []).items()))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="CRF vs spaCy entity extraction on tests/nlu_test.yml")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44, 45, 46],
                        help="seeds for the spaCy extractor (the CRF has none and runs once)")
    parser.add_argument("--only", choices=list(CONFIGS), nargs="+")
    parser.add_argument("--test", default=str(ROOT / "tests" / "nlu_test.yml"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "entities.json"))
    parser.add_argument("--step", choices=["train", "evaluate"], help=argparse.SUPPRESS)
    parser.add_argument("--step-args", help=argparse.SUPPRESS)
    parser.add_argument("--step-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.step:  # one step in its own process, called by in_fresh_process
        import logging

        logging.basicConfig(level=logging.WARNING)
        step_args = json.loads(args.step_args)
        if args.step == "train":
            result = step_train(step_args["name"], step_args["seed"], Path(step_args["workdir"]))
        else:
            result = step_evaluate(step_args["model_path"], Path(step_args["test_path"]))
        Path(args.step_out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return 0

    from rasa.shared.nlu.training_data.loading import load_data

    test_path = Path(args.test)
    examples = [m for m in load_data(str(test_path)).nlu_examples if m.get("text")]
    texts = [m.get("text") for m in examples]
    gold = [{(e["entity"], int(e["start"]), int(e["end"])) for e in m.get("entities") or []}
            for m in examples]
    train_count, train_entities = entity_counts(ROOT / "data" / "nlu")
    _, test_entities = entity_counts(test_path)
    print(f"{train_count} training examples, entities {train_entities}")
    print(f"{len(examples)} held-out examples, entities {test_entities}")
    unlearnable = sorted(set(test_entities) - set(train_entities))
    if unlearnable:
        print(f"held-out entities with no training example (scored, cannot be learned): {unlearnable}")

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in CONFIGS:
            if args.only and name not in args.only:
                continue
            for seed in (args.seeds if name.startswith("spacy") else args.seeds[:1]):
                runs.append(run_one(name, seed, Path(tmp), gold, texts, test_path))
    crf = next((r for r in runs if r["pipeline"] == "crf"), None)
    comparisons = {}
    if crf is not None:
        as_sets = lambda run: [{tuple(key) for key in found} for found in run["predicted"]]  # noqa: E731
        for run in runs:
            if run["pipeline"] != "crf":
                comparisons.setdefault(run["pipeline"], {})[str(run["seed"])] = bootstrap_difference(
                    gold, as_sets(crf), as_sets(run))
    result = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "definition": "exact span match on (entity, start, end); micro over all entities, macro = "
                      "unweighted mean over entities present in the held-out set; see bench/entities.py",
        "train_examples": train_count,
        "test_examples": len(examples),
        "train_entities": train_entities,
        "test_entities": test_entities,
        "summary": summarise(runs),
        "micro_f1_minus_crf": comparisons,
        "runs": runs,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({"summary": result["summary"], "micro_f1_minus_crf": comparisons},
                     ensure_ascii=False, indent=1))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
