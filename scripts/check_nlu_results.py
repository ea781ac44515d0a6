"""Fails when `rasa test nlu` results are below the accuracy the project promises."""
import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", help="the --out folder of rasa test nlu")
    parser.add_argument("--min-intent-accuracy", type=float, required=True)
    args = parser.parse_args()
    report = json.loads((Path(args.results) / "intent_report.json").read_text(encoding="utf-8"))
    accuracy = report["accuracy"]
    macro_f1 = report["macro avg"]["f1-score"]
    weak = sorted(
        (name, values["f1-score"]) for name, values in report.items()
        if isinstance(values, dict) and "support" in values and name not in
        ("macro avg", "weighted avg", "micro avg") and values["f1-score"] < 0.8
    )
    print(f"intent accuracy {accuracy:.3f} (required >= {args.min_intent_accuracy}), macro-F1 {macro_f1:.3f}")
    for name, f1 in weak:
        print(f"  weak intent {name}: F1 {f1:.2f}")
    entity_report = Path(args.results) / "CRFEntityExtractor_report.json"
    if entity_report.exists():
        entities = json.loads(entity_report.read_text(encoding="utf-8"))
        print(f"entities (CRF) micro-F1 {entities.get('micro avg', {}).get('f1-score', float('nan')):.3f}")
    return 0 if accuracy >= args.min_intent_accuracy else 1


if __name__ == "__main__":
    sys.exit(main())
