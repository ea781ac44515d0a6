"""Reading Rasa NLU training files as the project's data checks read them.

One definition for everything that decides whether an example is new: the annotation
markup (``[value](entity)`` and ``[value]{"entity": …}``), the plain text of an example,
the normal form two examples are compared in (NFKC, lower case, letters/digits/emoji only),
the near-copy ratio, and jieba's token boundaries under the project's dictionaries.
scripts/check_nlu_data.py refuses data by these; shop.review.export leaves out reviewed
examples by the same ones, so what it writes passes the check.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Tuple

import yaml

ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<entity>[^)]+)\)|\[(?P<text2>[^\]]+)\](?P<json>\{[^}]+\})")
NEAR_COPY_RATIO = 0.85


def parse_example(raw: str) -> Tuple[str, List[Tuple[int, int, str, str]]]:
    """Return plain text and (start, end, entity, value) spans of one annotated example."""
    plain, spans, pos = [], [], 0
    for match in ANNOTATION.finditer(raw):
        plain.append(raw[pos:match.start()])
        start = sum(len(p) for p in plain)
        text = match.group("text") or match.group("text2")
        if match.group("entity"):
            entity = match.group("entity").split(":")[0]
        else:
            entity = yaml.safe_load(match.group("json")).get("entity", "")
        plain.append(text)
        spans.append((start, start + len(text), entity, text))
        pos = match.end()
    plain.append(raw[pos:])
    return "".join(plain), spans


def load_examples(paths: Iterable[Path]) -> Dict[str, List[str]]:
    """intent → its examples as written (markup kept), over these Rasa NLU files in order."""
    by_intent: Dict[str, List[str]] = {}
    for path in paths:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu", []) or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            lines = [
                line.strip()[2:].strip()
                for line in str(block.get("examples", "")).splitlines()
                if line.strip().startswith("- ")
            ]
            by_intent.setdefault(block["intent"], []).extend(lines)
    return by_intent


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    # letters, digits and emoji count; punctuation and spaces do not
    return "".join(ch for ch in text if ch.isalnum() or unicodedata.category(ch) == "So")


def near_copy(text: str, others: List[str]) -> str | None:
    """The first of ``others`` (normalised) that ``text`` (normalised) nearly copies, or None."""
    close = difflib.get_close_matches(text, others, n=1, cutoff=NEAR_COPY_RATIO)
    return close[0] if close else None


def jieba_boundaries(dictionary: Path) -> Callable[[str], set]:
    """Token boundaries as config.yml's JiebaTokenizer cuts: a jieba tokenizer with every user
    dictionary in ``dictionary`` (a folder of them, or one file)."""
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    for path in sorted(dictionary.glob("*")) if dictionary.is_dir() else [dictionary]:
        if path.is_file():
            tokenizer.load_userdict(str(path))

    def bounds(text: str) -> set:
        out = {0}
        for _, start, end in tokenizer.tokenize(text):
            out.update((start, end))
        return out
    bounds.tokenizer = tokenizer  # for messages that show the cut
    return bounds
