"""Intent accuracy of `rasa test nlu` on the blind held-out set (tests/blind/nlu/), gated.

    rasa test nlu --nlu tests/blind/nlu --model M --out results/nlu_blind --successes
    python scripts/check_blind_nlu.py results/nlu_blind --min-intent-accuracy 0.80

The set was written by a writer who saw neither the training data nor the tests
(tests/blind/nlu/BRIEF.md). Some short common phrases (88, 嗯, 不是) were written independently on
both sides; such near-copies of training text measure nothing new, so the gated figure is the
accuracy on the rest ("novel"); both are printed and written to summary.json in the results folder.
Accuracy is of the classifier's own intent, as `rasa test nlu` scores it (a fallback is scored by
the intent under it)."""
from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.check_nlu_data import NEAR_COPY_RATIO, load_examples, normalise, parse_example  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="the --out folder of rasa test nlu (run with --successes)")
    parser.add_argument("--blind", default=str(ROOT / "tests" / "blind" / "nlu"))
    parser.add_argument("--train", default=str(ROOT / "data" / "nlu"))
    parser.add_argument("--min-intent-accuracy", type=float, required=True)
    args = parser.parse_args(argv)
    results = Path(args.results)
    rows = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = results / name
        if path.exists():
            rows += json.loads(path.read_text(encoding="utf-8"))
    blind = load_examples(sorted(Path(args.blind).glob("*.yml")))
    expected = sum(len(v) for v in blind.values())
    if len(rows) != expected:
        print(f"results hold {len(rows)} predictions, the blind set {expected}: run rasa test nlu with --successes")
        return 1
    train = [normalise(parse_example(raw)[0]) for v in load_examples(sorted(Path(args.train).rglob("*.yml"))).values()
             for raw in v]
    novel_rows, misses = [], Counter()
    for row in rows:
        copy = difflib.get_close_matches(normalise(row["text"]), train, n=1, cutoff=NEAR_COPY_RATIO)
        if not copy:
            novel_rows.append(row)
        if row["intent"] != row["intent_prediction"]["name"]:
            misses[(row["intent"], row["intent_prediction"]["name"])] += 1

    def accuracy(rs):
        return sum(r["intent"] == r["intent_prediction"]["name"] for r in rs) / max(1, len(rs))

    summary = {"examples": len(rows), "accuracy": round(accuracy(rows), 4),
               "novel_examples": len(novel_rows), "novel_accuracy": round(accuracy(novel_rows), 4),
               "required_novel_accuracy": args.min_intent_accuracy,
               "top_confusions": [{"gold": g, "predicted": p, "count": n} for (g, p), n in misses.most_common(12)]}
    (results / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"blind intent accuracy {summary['accuracy']:.3f} on {len(rows)}; on the {len(novel_rows)} that are no "
          f"near-copy of training text {summary['novel_accuracy']:.3f} (required >= {args.min_intent_accuracy})")
    for c in summary["top_confusions"][:8]:
        print(f"  {c['gold']} → {c['predicted']}: {c['count']}")
    return 0 if summary["novel_accuracy"] >= args.min_intent_accuracy else 1


if __name__ == "__main__":
    sys.exit(main())
