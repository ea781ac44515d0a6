"""Write data/jieba/vocabulary.txt: every shop vocabulary word as a jieba user-dictionary entry.

The words come from the shop-editable tables (shop/catalog/data: types.yaml, vocabulary.yaml,
materials, colours) through shop.search.lexicon, so the pipeline's JiebaTokenizer keeps
冲锋衣, 洗面奶 and 羽绒褛 whole, as search does. tests/catalog/test_jieba_vocabulary.py fails
when the file is out of date; rerun after editing the tables:
    .venv/bin/python scripts/make_jieba_vocabulary.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from shop.search.lexicon import lexicon  # noqa: E402

OUT = ROOT / "data" / "jieba" / "vocabulary.txt"
FREQ = 3000  # the shop dictionary's own weight for its words (data/jieba/shop_words.txt)


def lines() -> list[str]:
    terms = lexicon().terms
    # Words made of a material or colour plus more (铸铁锅, 纯棉的) stay split, so a material or
    # colour inside them can still be annotated as one in the training data.
    parts = [w for w, kinds in terms.items() if {"material", "color"} & set(kinds) and len(w) >= 2]
    words = sorted(w for w in terms if len(w) >= 2 and " " not in w and not w.endswith("的")
                   and not any(p in w and p != w for p in parts))
    return [f"{w} {FREQ} n" for w in words]


def main() -> int:
    OUT.write_text("\n".join(lines()) + "\n", encoding="utf-8")
    print(f"{len(lines())} words → {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
