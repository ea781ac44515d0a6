"""Confirmed review labels as Rasa NLU training data a conversation designer can read and edit.

``write_month(examples, path, ...)`` writes one file per month (data/nlu/reviewed/2026-12.yml),
intent blocks in the domain's order of first appearance, each example as reviewed with its
entity spans in Rasa's ``[value](entity)`` markup. Placeholders of masked personal data become
fixed sample values (``SAMPLES``) so the example reads like a message again and the order/phone
entities keep their shape; the real values were never in the queue.

Left out, and counted in the report: ``noise`` (nothing to learn), examples whose text is
already training data (any intent: a second label would contradict the first and Rasa's
validator refuses that), and near-copies of the held-out test sets (training on them would
make the held-out figure measure memory, scripts/check_nlu_data.py refuses them too).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from shop.review.masking import ADDRESS, EMAIL, MASK_RE, NAME, NUMBER, ORDER, PHONE, TRACKING
from shop.review.queue import NOISE
from shop.training_data import load_examples, near_copy, normalise, parse_example

SAMPLES = {PHONE: "13912345678", ORDER: "202612010001", TRACKING: "SF1234567890123", NUMBER: "482913",
           EMAIL: "name@example.com", ADDRESS: "杭州市西湖区文三路100号", NAME: "王芳"}
# Characters that are Rasa's markup: kept as their full-width forms in plain text.
_MARKUP = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "{": "｛", "}": "｝"})


@dataclass
class ExportReport:
    path: str
    written: list = field(default_factory=list)        # group ids
    lines: list = field(default_factory=list)          # (intent, annotated example) written
    noise: list = field(default_factory=list)
    already_in_data: list = field(default_factory=list)
    near_copy_of_test: list = field(default_factory=list)
    entities_dropped: int = 0

    def as_json(self) -> dict:
        return {"path": self.path, "written": len(self.written), "noise": len(self.noise),
                "already_in_data": len(self.already_in_data), "near_copy_of_test": len(self.near_copy_of_test),
                "entities_dropped": self.entities_dropped}


def plain_text(raw: str) -> str:
    """An annotated example's text without the markup."""
    return parse_example(raw)[0]


def examples_in(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(intent, plain text) of every example in these Rasa NLU files."""
    return [(intent, plain_text(raw)) for intent, lines in load_examples(paths).items() for raw in lines]


def annotated(text: str, entities: list[dict]) -> str:
    """Rasa markup for ``text`` (masked) with its entity spans; placeholders become samples."""
    out, pos = [], 0
    for e in sorted(entities, key=lambda x: x["start"]):
        out.append(_fill(text[pos:e["start"]]).translate(_MARKUP))
        value = _fill(text[e["start"]:e["end"]]).translate(_MARKUP)
        out.append(f"[{value}]({e['entity']})")
        pos = e["end"]
    out.append(_fill(text[pos:]).translate(_MARKUP))
    return " ".join("".join(out).split())  # one line, single spaces


def _filled_spans(text: str, entities: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    """The text with samples in place of placeholders, and each entity's span moved onto it."""
    def moved(pos: int) -> int:
        return len(_fill(text[:pos]))
    return _fill(text), [(moved(e["start"]), moved(e["end"])) for e in entities]


def _fill(text: str) -> str:
    return MASK_RE.sub(lambda m: SAMPLES[m.group()], text)


def write_month(examples: list[dict], path: Path, month: str, training: Iterable[Path],
                protected: Iterable[Path], boundaries: Optional[Callable[[str], set]] = None) -> ExportReport:
    """Writes (or extends) ``path`` with the ``examples`` (queue.confirmed_examples()) that belong
    in training data. Returns what went where; the file is not touched when nothing is written.

    ``boundaries(text)``: the token boundaries of the project's tokenizer; an entity span not on
    them is written as plain text (Rasa would drop or mangle it) and counted."""
    report = ExportReport(str(path))
    existing_raw = load_examples([path]) if path.exists() else {}
    others = [p for p in training if p.resolve() != path.resolve()]
    seen = {normalise(t) for _, t in examples_in(others)} | \
        {normalise(plain_text(raw)) for lines in existing_raw.values() for raw in lines}
    tests = [normalise(t) for _, t in examples_in(protected)]
    for ex in examples:
        if ex["intent"] == NOISE:
            report.noise.append(ex["id"])
            continue
        entities = ex["entities"]
        if boundaries is not None and entities:
            filled, aligned = _filled_spans(ex["text"], entities)
            bounds = boundaries(filled)
            kept = [e for e, (a, b) in zip(entities, aligned) if a in bounds and b in bounds]
            report.entities_dropped += len(entities) - len(kept)
            entities = kept
        line = annotated(ex["text"], entities)
        key = normalise(plain_text(line))
        if not key or key in seen:
            report.already_in_data.append(ex["id"])
            continue
        if near_copy(key, tests):
            report.near_copy_of_test.append(ex["id"])
            continue
        seen.add(key)
        existing_raw.setdefault(ex["intent"], []).append(line)
        report.written.append(ex["id"])
        report.lines.append((ex["intent"], line))
    if report.written:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_render(existing_raw, month), encoding="utf-8")
    return report


def _render(blocks: dict[str, list[str]], month: str) -> str:
    lines = ['version: "3.1"',
             f"# Shoppers' messages the assistant misunderstood in {month}, labelled and confirmed by two",
             "# reviewers in the workbench (make retrain, shop/review/export.py). Personal data was masked before",
             "# review; the order numbers, phones, addresses and names here are fixed samples. Edit freely:",
             "# make retrain validates, trains and evaluates again.",
             "nlu:"]
    for intent, examples in blocks.items():
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {e}" for e in examples)
    return "\n".join(lines) + "\n"
