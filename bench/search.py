"""Product retrieval on shoppers' own queries: the shop's retrieval against today's matcher,
plain BM25 and FalkorDB's full-text index, on the blind query sets in bench/data/search/.

    .venv/bin/python bench/search.py            # make bench-search → bench/results/search.json

The queries were written by writers who read only the catalog and bench/data/search/BRIEF.md
(not the assistant's vocabulary, data or code); each lists every relevant product and the
product types a result may have. Each file is split in two halves by position: the even
entries are the tuning half (failures may be looked at), the odd ones the held-out half
(only counted here). Metrics, over queries with at least one relevant product:
  recall@3  = mean |relevant ∩ top 3| / min(|relevant|, 3)
  hit@3     = share with at least one relevant product in the top 3
  MRR       = mean 1 / rank of the first relevant product in the top 10 (0 when none)
and over every query with a `types` list: wrong-type = share of top-3 results whose type is not
one the query allows (for goods the shop does not sell, any result is of a wrong type); and
"honest when nothing fits" = share of queries with no relevant product whose top 3 hold no
product of a wrong type.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from pathlib import Path
from statistics import median

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shop.catalog import load_catalog  # noqa: E402
from shop.search.index import ProductIndex  # noqa: E402
from shop.search.lexicon import tokenizer  # noqa: E402
from shop.search.query import STOPWORDS, parse  # noqa: E402

DATA = ROOT / "bench" / "data" / "search"
OUT = ROOT / "bench" / "results" / "search.json"
K = 3
# The shop's date the writers were given (tests/blind/SHOP_FACTS.md): late autumn, winter near.
SHOP_DATE = dt.date(2025, 11, 24)


def load_queries() -> list[dict]:
    out = []
    for path in sorted(DATA.glob("queries_*.yaml")):
        for i, q in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            out.append({**q, "half": "tune" if i % 2 == 0 else "heldout", "file": path.name})
    return out


# -- candidates -------------------------------------------------------------------------------------
class Legacy:
    """Today's matcher (before this change), on catalog rows instead of the graph: a full product
    name in the message; else the old lookup table's product words (standing in for the CRF
    `product` entity, which was trained on them) matched by name CONTAINS; intersected with the
    old facets (scene, profile, season from their exact names or the old synonym table, a budget
    in digits)."""
    SCENE_SYNONYMS = {"爬山": "登山", "跑步": "健身", "上班": "通勤", "办公室": "办公", "野营": "露营", "户外": "户外运动",
                      "运动": "健身", "旅游": "旅行", "出差": "旅行", "做饭": "烹饪", "睡觉": "睡眠", "在家": "居家"}
    PROFILE_WORDS = {"敏感肌": "敏感肌", "油皮": "油皮", "干皮": "干皮", "孕妇": "孕妇", "婴幼儿": "婴幼儿", "宝宝": "婴幼儿",
                     "婴儿": "婴幼儿", "老人": "老人", "学生": "学生", "上班族": "上班族", "运动爱好者": "运动爱好者",
                     "户外爱好者": "户外爱好者", "小孩": "儿童", "儿童": "儿童"}
    BUDGET = re.compile(r"([0-9]{2,5})\s*(?:元|块)?\s*(?:以内|以下|之内|左右|内)|预算\s*([0-9]{2,5})")

    def __init__(self, products: list[dict]):
        self.products = products
        self.names = sorted((p["name"] for p in products), key=len, reverse=True)
        lookups = yaml.safe_load((ROOT / "data" / "nlu" / "lookup_tables.yml").read_text(encoding="utf-8"))["nlu"]
        words = next(x["examples"] for x in lookups if x["lookup"] == "product")
        self.words = sorted((w.strip("- ").strip() for w in words.splitlines() if w.strip()), key=len, reverse=True)
        self.scenes = {s for p in products for s in p["scenes"]}
        self.profiles = {s for p in products for s in p["profiles"]}

    def search(self, text: str) -> list[dict]:
        name = next((n for n in self.names if n in text), None)
        if name:
            return [p for p in self.products if p["name"] == name]
        term = next((w for w in self.words if w in text), None)
        scene = next((s for s in self.scenes if s in text), None) or next(
            (v for k, v in self.SCENE_SYNONYMS.items() if k in text), None)
        profile = next((s for s in self.profiles if s in text), None) or next(
            (v for k, v in self.PROFILE_WORDS.items() if k in text), None)
        season = next((s for s in "春夏秋冬" if s in text), None)
        m = self.BUDGET.search(text.translate({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}))
        budget = float(m.group(1) or m.group(2)) if m else None
        pools = []
        if scene:
            pools.append([p for p in self.products if scene in p["scenes"]])
        if profile:
            pools.append([p for p in self.products if profile in p["profiles"]])
        if season:
            pools.append([p for p in self.products if season in p["seasons"]])
        if term:
            pools.append([p for p in self.products if term in p["name"]])
        pools = [[p for p in pool if budget is None or p["price"] <= budget] for pool in pools]
        if not pools and budget is not None:
            pools.append([p for p in self.products if p["price"] <= budget])
        if not pools:
            return []
        ids = set.intersection(*({p["id"] for p in pool} for pool in pools))
        first = sorted(pools[0], key=lambda p: (p["price"], p["id"]))
        return [p for p in first if p["id"] in ids]


class PlainBM25:
    """A maintained BM25 engine (bm25s) over jieba tokens of each product's name, type, tags,
    materials, scenes and profiles, with no shop vocabulary, filters or facets."""

    def __init__(self, products: list[dict]):
        import bm25s
        self.products = products
        docs = [self._tok(" ".join([p["name"], p["type"], *p["tags"], *p["materials"], *p["scenes"], *p["profiles"]]))
                for p in products]
        self.engine = bm25s.BM25()
        self.engine.index([d or ["_"] for d in docs], show_progress=False)

    @staticmethod
    def _tok(text: str) -> list[str]:
        return [w.lower() for w in tokenizer().cut_for_search(text) if w.strip() and w not in STOPWORDS]

    def search(self, text: str) -> list[dict]:
        words = self._tok(text)
        if not words:
            return []
        scores = self.engine.get_scores(words)
        order = sorted(range(len(self.products)), key=lambda i: -scores[i])
        return [self.products[i] for i in order if scores[i] > 0][:10]


class FalkorFullText:
    """FalkorDB's own full-text index (RediSearch, language chinese) over product names, types
    and tags, queried with the shopper's words (OR of jieba tokens)."""

    def __init__(self, products: list[dict], tmp: Path):
        from shop.graph.falkor_store import FalkorStore
        from shop.graph.ports import free_loopback_port
        from shop.graph.server import EmbeddedFalkorDB
        self.products = {p["id"]: p for p in products}
        self.server = EmbeddedFalkorDB(data_dir=tmp, port=free_loopback_port())
        self.server.start()
        self.store = FalkorStore(port=self.server.port, graph="ft", username="shop", password=self.server.password)
        rows = [{"id": p["id"], "name": p["name"], "text": " ".join([p["type"], *p["tags"]])} for p in products]
        for i in range(0, len(rows), 20):
            self.store.write("UNWIND $rows AS r CREATE (:P {id: r.id, name: r.name, text: r.text})",
                             {"rows": rows[i:i + 20]})
        self.store.write("CALL db.idx.fulltext.createNodeIndex({label: 'P', language: 'chinese'}, 'name', 'text')")

    def search(self, text: str) -> list[dict]:
        words = [re.sub(r"[^\w\u4e00-\u9fff]", "", w) for w in tokenizer().cut(text) if w not in STOPWORDS]
        words = [w for w in words if w]
        if not words:
            return []
        try:
            rows = self.store.query("CALL db.idx.fulltext.queryNodes('P', $q) YIELD node, score "
                                    "RETURN node.id AS id ORDER BY score DESC LIMIT 10", {"q": "|".join(words)})
        except Exception:  # a query the engine cannot parse counts as no result
            return []
        return [self.products[r["id"]] for r in rows if r["id"] in self.products]

    def close(self) -> None:
        self.store.close()
        self.server.stop()


class ShopRetrieval:
    """shop.search: vocabulary (types, synonyms, broader terms, attributes, audiences, scenes,
    seasons), normalisation, numerals and homophone correction, type/cut/budget filters, BM25 +
    facets (shop/search/index.py)."""

    def __init__(self, products: list[dict]):
        self.index = ProductIndex(products)

    def search(self, text: str) -> list[dict]:
        return self.index.search(parse(text), k=10, today=SHOP_DATE).products


# -- scoring ----------------------------------------------------------------------------------------
def score(results: list[dict], q: dict) -> dict:
    rel = set(q.get("relevant") or [])
    types = set(q.get("types") or [])
    top = results[:K]
    out = {"wrong_type": sum(1 for p in top if p["type"] not in types), "shown": len(top)}
    if rel:
        out["recall"] = len(rel & {p["id"] for p in top}) / min(len(rel), K)
        out["hit"] = float(bool(rel & {p["id"] for p in top}))
        out["rr"] = next((1 / (i + 1) for i, p in enumerate(results[:10]) if p["id"] in rel), 0.0)
    else:
        out["honest"] = float(out["wrong_type"] == 0)
    return out


def summarise(rows: list[dict]) -> dict:
    with_rel = [r for r in rows if "recall" in r]
    without = [r for r in rows if "honest" in r]
    shown = sum(r["shown"] for r in rows)
    return {
        "queries": len(rows), "with_relevant": len(with_rel),
        "recall@3": round(sum(r["recall"] for r in with_rel) / max(1, len(with_rel)), 3),
        "hit@3": round(sum(r["hit"] for r in with_rel) / max(1, len(with_rel)), 3),
        "MRR": round(sum(r["rr"] for r in with_rel) / max(1, len(with_rel)), 3),
        "wrong_type_share": round(sum(r["wrong_type"] for r in rows) / max(1, shown), 3),
        "honest_when_nothing_fits": round(sum(r["honest"] for r in without) / max(1, len(without)), 3),
        "nothing_fits_queries": len(without),
    }


def run(verbose_half: str | None = None) -> dict:
    import tempfile
    catalog = load_catalog()
    products = catalog.products
    queries = load_queries()
    tokenizer()  # jieba's dictionary load is not a query's time
    candidates = {"shop_retrieval": ShopRetrieval(products), "legacy_matcher": Legacy(products),
                  "plain_bm25": PlainBM25(products)}
    tmp = tempfile.mkdtemp(prefix="bench-search-")
    try:
        candidates["falkordb_fulltext"] = FalkorFullText(products, Path(tmp))
    except Exception as exc:  # no FalkorDB binaries: say so, measure the rest
        print(f"falkordb_fulltext skipped: {exc}", file=sys.stderr)
    result = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "k": K, "queries": len(queries),
              "files": sorted({q["file"] for q in queries}), "candidates": {}}
    failures = []
    try:
        for name, engine in candidates.items():
            per_half: dict[str, list] = {"tune": [], "heldout": []}
            times = []
            for q in queries:
                started = time.perf_counter()
                found = engine.search(q["q"])
                times.append((time.perf_counter() - started) * 1000)
                s = score(found, q)
                per_half[q["half"]].append(s)
                if name == "shop_retrieval" and q["half"] == verbose_half and (
                        s.get("recall", 1) < 1 or s["wrong_type"] or s.get("honest", 1) < 1):
                    failures.append((q["id"], q["q"], [f"{p['id']} {p['name']} ¥{p['price']:g}" for p in found[:K]],
                                     q.get("relevant"), q.get("types"), q.get("note")))
            result["candidates"][name] = {
                "all": summarise(per_half["tune"] + per_half["heldout"]),
                "tune": summarise(per_half["tune"]), "heldout": summarise(per_half["heldout"]),
                "latency_ms": {"p50": round(median(times), 2), "p95": round(sorted(times)[int(0.95 * len(times))], 2)},
            }
    finally:
        if "falkordb_fulltext" in candidates:
            candidates["falkordb_fulltext"].close()
    for f in failures:
        print(*f, sep="\n   ", file=sys.stderr)
    return result


def main(argv: list[str]) -> int:
    verbose = "--show-tune-failures" in argv
    result = run("tune" if verbose else None)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, c in result["candidates"].items():
        a, h = c["all"], c["heldout"]
        print(f"{name:18} recall@3 {a['recall@3']:.3f} (held-out {h['recall@3']:.3f})  MRR {a['MRR']:.3f}  "
              f"wrong-type {a['wrong_type_share']:.3f}  honest {a['honest_when_nothing_fits']:.3f}  "
              f"p50 {c['latency_ms']['p50']} ms")
    print(f"→ {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
