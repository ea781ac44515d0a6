"""Bring NLU examples' entity annotations up to the contract of 2026-11-30 (../shared/intents.md).

    .venv/bin/python scripts/annotate_entities.py data/nlu/*.yml tests/nlu_test.yml   # rewrites in place

`product` is for product names (full or partial); the kind of thing wanted is `product_type`.
So an annotated [羽绒服](product) whose words are a product type in the shop vocabulary becomes
[羽绒服](product_type), full catalog names become [name](product), and the new entities the
vocabulary reads — product_type, attribute, audience, price, quantity — are annotated where the
example has none there yet, on jieba token
boundaries (as scripts/check_nlu_data.py requires). Existing annotations are never moved.
Review the diff: this proposes, a person decides (a few readings of the vocabulary are wrong for
a given sentence and should be removed by hand).
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from custom_components.shop_entities import entities_of  # noqa: E402
from scripts.check_nlu_data import parse_example  # noqa: E402
from shop.search.lexicon import lexicon  # noqa: E402

NEW = ("product", "product_type", "attribute", "audience", "price", "quantity")


@lru_cache(maxsize=1)
def _tokenizer():
    # Loaded once: every load_userdict adds its frequencies again and shifts the segmentation.
    import jieba
    jieba.setLogLevel(60)
    for path in sorted((ROOT / "data" / "jieba").glob("*.txt")):
        jieba.load_userdict(str(path))
    return jieba


def _bounds(text: str) -> set:
    out = {0}
    for _, a, b in _tokenizer().tokenize(text):
        out |= {a, b}
    return out


def _is_type_word(word: str) -> bool:
    """A kind of goods: one the shop sells (types.yaml), one it does not (电饭煲, 香水), or a word
    that names goods by its ending and no product's name holds (冲锋裤, 卸妆油)."""
    from shop.search.query import _looks_like_goods, named_products
    entry = lexicon().terms.get(word.lower()) or {}
    if {"type", "category", "not_sold"} & set(entry):
        return True
    # a product's name, whole or in part, stays `product`
    return not named_products(word.lower()) and not _in_a_name(word) and _looks_like_goods(word.lower())


@lru_cache(maxsize=1)
def _names() -> tuple[str, ...]:
    from shop.catalog import load_catalog
    return tuple(p["name"].lower() for p in load_catalog().products)


def _in_a_name(word: str) -> bool:
    return any(word.lower() in name for name in _names())


def annotate(raw: str) -> str:
    """One example line (without the leading '- '), with the contract's annotations."""
    if not raw or "](" not in raw and not raw.strip():
        return raw
    text, spans = parse_example(raw)
    # relabel kinds annotated as product
    relabelled = []
    for start, end, entity, value in spans:
        if entity == "product" and _is_type_word(value):
            entity = "product_type"
        relabelled.append((start, end, entity))
    bounds = _bounds(text)
    # full product names first: the words inside a name are the name, not kinds or attributes
    for e in sorted(entities_of(text), key=lambda e: e["entity"] != "product"):
        if e["entity"] not in NEW:
            continue
        a, b = e["start"], e["end"]
        if a not in bounds or b not in bounds:
            continue
        if any(x < b and a < y for x, y, _ in relabelled):
            continue
        relabelled.append((a, b, e["entity"]))
    out, pos = [], 0
    for a, b, entity in sorted(relabelled):
        out.append(text[pos:a])
        out.append(f"[{text[a:b]}]({entity})")
        pos = b
    out.append(text[pos:])
    return "".join(out)


def rewrite(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    changed = 0
    in_examples = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("- intent:"):
            in_examples = True
            continue
        if stripped.startswith(("- synonym:", "- lookup:", "- regex:")):
            in_examples = False
        if not in_examples or not stripped.startswith("- ") or line.startswith("- "):
            continue
        indent = line[: len(line) - len(line.lstrip())]
        raw = stripped[2:]
        new = annotate(raw)
        if new != raw:
            lines[i] = f"{indent}- {new}"
            changed += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    for name in argv:
        n = rewrite(Path(name))
        print(f"{name}: {n} examples annotated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
