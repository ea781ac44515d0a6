"""Checks the NLU data against the intent contract and the labelling guide.

Run: python scripts/check_nlu_data.py [--train data/nlu] [--test tests/nlu_test.yml]

Exits non-zero when an intent is missing or under-represented, an entity
name is not in the contract, an entity span does not fall on jieba token
boundaries (Rasa then silently drops or mangles it), or a held-out test
example is a near-copy of a training example.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The markup, the normal form and the near-copy ratio live in one place (shop.training_data), shared
# with the review loop's export; re-exported here for the scripts and tests that import them from this file.
from shop.training_data import (  # noqa: E402,F401
    ANNOTATION, NEAR_COPY_RATIO, jieba_boundaries, load_examples, near_copy, normalise, parse_example,
)
INTENTS = (
    "greet goodbye thank affirm deny ask_product_info ask_care_method "
    "ask_recommendation ask_price_promotion ask_size_advice ask_stock "
    "check_order_status track_logistics ask_shipping_policy modify_order "
    "cancel_order request_return request_exchange ask_refund_status "
    "complain_mismatch complain_quality complain_service ask_payment_invoice "
    "request_human rate_service inform out_of_scope"
).split()
# Added beside the contract (which allows additions, never renames): Rasa's usual name for
# "are you a bot?", answered honestly (issue 14).
INTENTS += ["bot_challenge"]
ENTITIES = set(
    "product color size material order_id phone height weight skin_type scene season "
    "product_type attribute audience price quantity".split()
)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=str(ROOT / "data" / "nlu"))
    parser.add_argument("--test", default=str(ROOT / "tests" / "nlu_test.yml"))
    parser.add_argument("--dictionary", default=str(ROOT / "data" / "jieba"),
                        help="a jieba user dictionary, or a folder of them (as config.yml's JiebaTokenizer loads)")
    parser.add_argument("--min-train", type=int, default=40)
    parser.add_argument("--min-test", type=int, default=8)
    args = parser.parse_args(argv)

    token_boundaries = jieba_boundaries(Path(args.dictionary))

    problems: List[str] = []
    # The order tasks start from intents (shop.dialogue.order_tasks); each must be in the contract,
    # so a task can never wait on an intent the model is not trained for.
    from shop.dialogue.order_tasks import TASKS

    for task in TASKS.values():
        for intent in task.intents:
            if intent not in INTENTS:
                problems.append(f"order task {task.name}: intent {intent} is not in the contract")
    train_path = Path(args.train)
    train_files = sorted(train_path.rglob("*.yml")) if train_path.is_dir() else [train_path]
    sets = {"train": (load_examples(train_files), args.min_train)}
    if Path(args.test).exists():
        sets["test"] = (load_examples([Path(args.test)]), args.min_test)

    for name, (by_intent, minimum) in sets.items():
        for intent in INTENTS:
            count = len(by_intent.get(intent, []))
            if count < minimum:
                problems.append(f"{name}: intent {intent} has {count} examples (< {minimum})")
        for intent in set(by_intent) - set(INTENTS):
            problems.append(f"{name}: intent {intent} is not in the contract")
        seen: Dict[str, str] = {}
        for intent, examples in by_intent.items():
            for raw in examples:
                text, spans = parse_example(raw)
                key = normalise(text)
                if key in seen:
                    problems.append(f"{name}: duplicate example {text!r} ({seen[key]} / {intent})")
                seen[key] = intent
                bounds = token_boundaries(text)
                for start, end, entity, value in spans:
                    if entity not in ENTITIES:
                        problems.append(f"{name}: unknown entity {entity!r} in {raw!r}")
                    if start not in bounds or end not in bounds:
                        tokens = "/".join(t for t, _, _ in token_boundaries.tokenizer.tokenize(text))
                        problems.append(
                            f"{name}: entity {value!r} ({entity}) not on token boundaries in {text!r}: {tokens}"
                        )

    if "test" in sets:
        train_texts = [
            normalise(parse_example(raw)[0])
            for examples in sets["train"][0].values()
            for raw in examples
        ]
        for intent, examples in sets["test"][0].items():
            for raw in examples:
                text = normalise(parse_example(raw)[0])
                close = near_copy(text, train_texts)
                if close:
                    problems.append(f"test: {raw!r} ({intent}) is a near-copy of training text {close!r}")

    for problem in problems:
        print(problem)
    counts = {name: sum(len(v) for v in s[0].values()) for name, s in sets.items()}
    print(f"checked {counts}; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
