"""Write tests/product_qa.yml: product questions with the facts a right answer must contain.

Facts come straight from the catalog files (products.csv, variants.csv, materials.yaml,
size_charts.yaml) by plain Python here, not from the graph queries the assistant uses,
so the Q&A check compares the assistant against the data, not against itself.
Phrasings vary per aspect; products are drawn with a fixed seed. Run once and review:
    .venv/bin/python scripts/make_product_qa.py
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from shop.catalog import load_catalog  # noqa: E402

PHRASES = {
    "price": ["{n}多少钱", "{n}现在卖多少", "请问{n}的价格是多少", "{n}什么价", "想问下{n}多少钱一件"],
    "material": ["{n}是什么材质的", "{n}用的什么面料", "{n}是什么材料做的", "请问{n}的材质"],
    "colors": ["{n}有哪些颜色", "{n}有几种颜色可以选", "{n}都有什么颜色"],
    "care": ["{n}怎么洗", "{n}要怎么清洗保养", "{n}能机洗吗", "{n}洗的时候要注意什么"],
    "profile": ["{n}适合{p}吗", "{p}能用{n}吗", "{n}{p}可以用吗"],
    "size": ["身高{h}体重{w}公斤，{n}穿什么码", "{h}cm {w}kg，{n}选哪个码", "我{h} {w}公斤，{n}要买多大的"],
    "stock_yes": ["{n}有{c}{s}吗", "{n}{c}{s}还有货吗", "{n}的{c}{s}有现货吗"],
    "stock_no": ["{n}有{c}{s}吗", "{n}{c}{s}还有货吗"],
    "season": ["{n}适合{se}天穿吗", "{se}天用{n}合适吗"],
}
PER_ASPECT = {"price": 12, "material": 10, "colors": 8, "care": 12, "profile": 8, "size": 10, "stock_yes": 10,
              "stock_no": 6, "season": 6}
SEASON_NAMES = {"春": "春", "夏": "夏", "秋": "秋", "冬": "冬"}


def expected_size(charts, product, height, weight):
    rows = sorted((r for r in charts if r["category"] == product["category"] and r["size"] in product["sizes"]
                   and r["foot_max"] is None), key=lambda r: r["order"])
    for r in rows:
        if r["height_max"] >= height and r["weight_max"] >= weight:
            return r["size"]
    return None


def main() -> int:
    cat = load_catalog()
    rng = random.Random(20261125)
    products = cat.products
    materials = {m["name"]: m for m in cat.materials}
    stock = {(v["product_id"], v["color"], v["size"]): int(v["stock"]) for v in cat.variants}
    items = []

    def add(aspect, product, text, facts):
        items.append({"id": f"{aspect}-{len([i for i in items if i['aspect'] == aspect]) + 1:02d}",
                      "aspect": aspect, "product": product["id"], "question": text, "facts": facts})

    for aspect, n in PER_ASPECT.items():
        pool = products[:]
        rng.shuffle(pool)
        made = 0
        for p in pool:
            if made == n:
                break
            phrase = rng.choice(PHRASES[aspect])
            name = p["name"]
            if aspect == "price":
                add(aspect, p, phrase.format(n=name), [f"¥{float(p['price']):.0f}"])
            elif aspect == "material":
                if not p["materials"]:
                    continue
                add(aspect, p, phrase.format(n=name), list(p["materials"]))
            elif aspect == "colors":
                add(aspect, p, phrase.format(n=name), list(p["colors"]))
            elif aspect == "care":
                mats = [materials[m] for m in p["materials"] if m in materials]
                if not mats:
                    continue
                add(aspect, p, phrase.format(n=name), [m["method"] for m in mats] + [m["name"] for m in mats])
            elif aspect == "profile":
                prof = rng.choice(p["profiles"])
                add(aspect, p, phrase.format(n=name, p=prof), [f"适合{prof}"])
            elif aspect == "size":
                if p["category"] not in ("apparel", "outdoor") or not set(p["sizes"]) & {"S", "M", "L", "XL"}:
                    continue
                h, w = rng.choice([(158, 48), (165, 55), (170, 62), (175, 70), (180, 78), (172, 66)])
                size = expected_size(cat.size_charts, p, h, w)
                if size is None:
                    continue
                add(aspect, p, phrase.format(n=name, h=h, w=w), [f"建议选 {size}"])
            elif aspect in ("stock_yes", "stock_no"):
                want_yes = aspect == "stock_yes"
                options = [(c, s) for c in p["colors"] for s in p["sizes"]
                           if (stock.get((p["id"], c, s), 0) > 0) == want_yes and len(p["sizes"]) > 1]
                if not options:
                    continue
                c, s = rng.choice(options)
                add(aspect, p, phrase.format(n=name, c=c, s=s), ["有货" if want_yes else "缺货"])
            elif aspect == "season":
                se = rng.choice(list(SEASON_NAMES))
                add(aspect, p, phrase.format(n=name, se=se), [("适合" if se in p["seasons"] else "不太适合") + se])
            made += 1
    doc = {"about": "Product questions and the facts a right answer contains (generated from the catalog "
                    "by scripts/make_product_qa.py; checked by tests/conversations/test_product_qa.py).",
           "questions": items}
    out = ROOT / "tests" / "product_qa.yml"
    out.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    print(f"{len(items)} questions → {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
