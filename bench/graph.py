"""Latency of the answering queries through both graph adapters on the seeded catalog.

Starts its own servers in a temporary folder: the default FalkorDB (Redis protocol,
password) and a FalkorDB with a loopback Bolt listener standing in for Neo4j (it is
stopped at the end: that listener binds every interface and takes no credentials).
Prints p50/p95 per query and writes bench/results/graph.json. Target: p50 ≤ 2 ms.

    .venv/bin/python bench/graph.py [--repeat 200]
"""
from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shop.catalog import load_catalog  # noqa: E402
from shop.graph import queries as Q  # noqa: E402
from shop.graph.bolt_store import BoltStore  # noqa: E402
from shop.graph.falkor_store import FalkorStore  # noqa: E402
from shop.graph.ports import free_bolt_port, free_loopback_port  # noqa: E402
from shop.graph.seed import seed  # noqa: E402
from shop.graph.server import EmbeddedFalkorDB  # noqa: E402

TARGET_P50_MS = 2.0


def wait_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


def workload(catalog) -> dict:
    apparel = next(p for p in catalog.products if p["category"] == "apparel")
    shoe = next(p for p in catalog.products if p["category"] == "shoes")
    return {
        "find_by_name": lambda s: Q.find_products(s, "羽绒服"),
        "attributes": lambda s: Q.product_attributes(s, apparel["id"]),
        "care": lambda s: Q.care_for_product(s, apparel["id"]),
        "by_scene_budget": lambda s: Q.products_by_scene(s, "露营", max_price=300),
        "by_profile": lambda s: Q.products_by_profile(s, "敏感肌"),
        "by_season": lambda s: Q.products_by_season(s, "冬"),
        "by_budget": lambda s: Q.products_by_budget(s, 100, category="food"),
        "size_chart": lambda s: Q.size_chart(s, "apparel"),
        "size_advice": lambda s: Q.size_for_product(s, shoe["id"], foot=248),
        "stock": lambda s: Q.stock(s, apparel["id"], color=apparel["colors"][0], size="L"),
    }


def measure(store, calls: dict, repeat: int) -> dict:
    result = {}
    for name, call in calls.items():
        for _ in range(10):  # warm-up: connections, server-side plan cache
            call(store)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            call(store)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        result[name] = {"p50_ms": round(statistics.median(times), 3),
                        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3)}
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    catalog = load_catalog()
    calls = workload(catalog)
    report = {"catalog_products": len(catalog.products), "catalog_variants": len(catalog.variants),
              "repeat": args.repeat, "target_p50_ms": TARGET_P50_MS, "machine": platform.platform(),
              "adapters": {}}
    with tempfile.TemporaryDirectory(prefix="graph-bench-") as tmp:
        default = EmbeddedFalkorDB(data_dir=Path(tmp) / "falkor", port=free_loopback_port())
        standin = EmbeddedFalkorDB(data_dir=Path(tmp) / "bolt", port=free_loopback_port(), bolt_port=free_bolt_port())
        default.start()
        standin.start()
        try:
            wait_port(standin.bolt_port)
            stores = {
                "falkor_redis": FalkorStore(port=default.port, password=default.password),
                "bolt (FalkorDB stand-in for Neo4j)": BoltStore(f"bolt://127.0.0.1:{standin.bolt_port}", auth=None),
            }
            for label, store in stores.items():
                t0 = time.perf_counter()
                seed(store, catalog)
                seed_s = time.perf_counter() - t0
                per_query = measure(store, calls, args.repeat)
                p50s = [v["p50_ms"] for v in per_query.values()]
                report["adapters"][label] = {
                    "seed_s": round(seed_s, 2), "queries": per_query,
                    "median_of_p50_ms": round(statistics.median(p50s), 3),
                    "max_p50_ms": max(p50s), "max_p95_ms": max(v["p95_ms"] for v in per_query.values()),
                    "meets_target": max(p50s) <= TARGET_P50_MS,
                }
                store.close()
        finally:
            standin.stop()
            default.stop()
    for label, r in report["adapters"].items():
        print(f"\n{label}: seed {r['seed_s']} s, max p50 {r['max_p50_ms']} ms, max p95 {r['max_p95_ms']} ms,"
              f" target p50 ≤ {TARGET_P50_MS} ms: {'met' if r['meets_target'] else 'MISSED'}")
        for name, q in r["queries"].items():
            print(f"  {name:<16} p50 {q['p50_ms']:7.3f} ms   p95 {q['p95_ms']:7.3f} ms")
    out = ROOT / "bench" / "results" / "graph.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
