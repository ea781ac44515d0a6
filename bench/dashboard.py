"""The dashboard's response time at 10k and 1M stored events: scanning the tracker store vs the aggregates.

For each size it writes a tracker store (Rasa's own ``events`` table, created by Rasa's
SQLTrackerStore; rows as Rasa writes them: session_started, user, action, bot, action_listen …)
holding that many events spread over ``--days`` days of conversations from many senders,
then in the same run:

- **before**: ``shop.metrics.reader.load_dashboard`` (scans the events of the range, the
  repeat window and the last 2,000 replies, parses their JSON, runs the sentiment model)
  for the last 24 h, ``--repeats`` times; median and max milliseconds;
- **ingest**: ``shop.metrics.aggregates.Aggregator.backfill`` — the work the broker's consumer
  does as events arrive — events per second;
- **after**: ``shop.metrics.aggregates.load_dashboard`` for the same range, same repeats;
- that the aggregates give the figures of a full scan of every stored event (the reference,
  not timed). The timed scan reads a bounded window (the range, the repeat window and the last
  2,000 replies), so where the last 100 human replies lie further back it sees fewer of them;
  ``before_same_as_full`` says whether that happened.

Shopper texts are drawn from a pool of 400 built from fragments, so the sentiment model's
per-process cache helps the scan as it would on a real store with repeated phrasings.
Writes bench/results/dashboard.json.

    .venv/bin/python bench/dashboard.py                 # 10k and 1M (several minutes)
    .venv/bin/python bench/dashboard.py --sizes 10000   # quick
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [("这件{}是什么材质的", "ask_product_info"), ("{}有M码吗", "ask_stock"), ("快递到哪了 {}", "track_logistics"),
             ("我要退货，{}", "request_return"), ("发票怎么开{}", "request_invoice"), ("有优惠券吗{}", "ask_price_promotion"),
             ("在吗{}", "greet"), ("谢谢亲，{}", "thank"), ("你们客服态度太差了{}", "complain_service"),
             ("怎么还没发货{}", "check_order_status"), ("转人工{}", "request_human"), ("太感谢了{}", "thank")]
TAILS = ["", "！", "？", "呀", "哈", "，急", "。", "~", "啊", "呢", "吧", "…", "好的", "麻烦了", "在线等", "速回",
         "谢谢", "唉", "行", "嗯", "快点", "哦", "亲", "求回复", "OK", "在吗", "好吧", "拜托", "好", "可以", "...",
         "??", "!!", "哈哈", "😊", "🙏", "👍"]


def pool(rng: random.Random, n: int = 400) -> list:
    out = []
    while len(out) < n:
        q, intent = rng.choice(QUESTIONS)
        out.append((q.format(rng.choice(TAILS)), intent))
    return out


def write_store(path: Path, n_events: int, days: float, until: float, seed: int = 7) -> int:
    """Rasa's events table with about ``n_events`` rows ending at ``until``; returns the row count."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from rasa.core.tracker_store import SQLTrackerStore
        SQLTrackerStore(dialect="sqlite", db=str(path)).engine.dispose()  # Rasa creates its own schema
    rng = random.Random(seed)
    texts = pool(rng)
    rows, sender_n = [], 0
    start = until - days * 86400
    while len(rows) < n_events:
        sender_n += 1
        channel = rng.choice(["app", "miniprogram", "social", None])
        sender = f"{channel}:{sender_n}" if channel else f"web{sender_n}"
        t = rng.uniform(start, until - 600)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):  # contacts of this sender
            rows.append((sender, "session_started", t, None, None, json.dumps({"event": "session_started", "timestamp": t})))
            rows.append((sender, "action", t, None, "action_session_start", json.dumps({"event": "action", "name": "action_session_start", "timestamp": t})))
            handed = False
            for _ in range(rng.randint(1, 6)):
                t += rng.uniform(3, 120)
                text, intent = rng.choice(texts)
                rows.append((sender, "user", t, intent, None, json.dumps(
                    {"event": "user", "timestamp": t, "text": text, "parse_data": {"intent": {"name": intent, "confidence": 0.9}},
                     "input_channel": channel or "rest", "metadata": {}}, ensure_ascii=False)))
                t += rng.uniform(0.05, 0.5)
                rows.append((sender, "action", t, None, "utter_answer", json.dumps({"event": "action", "name": "utter_answer", "timestamp": t})))
                if intent == "request_human" and not handed:
                    rows.append((sender, "pause", t, None, None, json.dumps({"event": "pause", "timestamp": t})))
                    handed = True
                    t += rng.uniform(5, 90)
                    rows.append((sender, "bot", t, None, None, json.dumps({"event": "bot", "timestamp": t, "text": "您好",
                                                                           "metadata": {"agent": "li"}}, ensure_ascii=False)))
                else:
                    rows.append((sender, "bot", t, None, None, json.dumps({"event": "bot", "timestamp": t, "text": "好的亲",
                                                                           "metadata": {}}, ensure_ascii=False)))
                rows.append((sender, "action", t, None, "action_listen", json.dumps({"event": "action", "name": "action_listen", "timestamp": t})))
            t += rng.choice([1800, 4 * 3600, 30 * 3600, 5 * 86400])
            if t >= until:
                break
    rows = [r for r in rows if r[2] < until][:n_events]
    rows.sort(key=lambda r: r[2])  # ids in time order, as a live store has them
    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def timed(fn, repeats: int) -> tuple[dict, dict]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
            "first_ms": round(times[0], 1), "repeats": repeats}, result


def same_figures(a: dict, b: dict) -> bool:
    def close(x, y):
        if isinstance(x, dict):
            return set(x) == set(y) and all(close(x[k], y[k]) for k in x)
        if isinstance(x, list):
            return len(x) == len(y) and all(close(p, q) for p, q in zip(x, y))
        if isinstance(x, float) and isinstance(y, float):
            return abs(x - y) <= 2e-4
        return x == y
    return close(a["figures"], b["figures"]) and close(a["series"], b["series"])


def run_size(n: int, days: float, repeats: int, workdir: Path) -> dict:
    from shop.metrics import aggregates
    from shop.metrics.reader import load_dashboard as scan
    until = time.time()
    tracker_db = workdir / f"tracker_{n}.db"
    t0 = time.perf_counter()
    stored = write_store(tracker_db, n, days, until)
    written_s = time.perf_counter() - t0
    shop_url = f"sqlite:///{workdir / 'shop.db'}"
    tracker_url, agg_url = f"sqlite:///{tracker_db}", f"sqlite:///{workdir / f'agg_{n}.db'}"
    before, scanned = timed(lambda: scan(tracker_url, shop_url, hours=24, until=until), repeats)
    t0 = time.perf_counter()
    applied = aggregates.Aggregator(agg_url).backfill(tracker_url)
    ingest_s = time.perf_counter() - t0
    after, kept = timed(lambda: aggregates.load_dashboard(agg_url, shop_url, hours=24, until=until), repeats)
    from shop.metrics.figures import dashboard
    from shop.metrics.reader import read_events, read_ratings
    full = dashboard(read_events(tracker_url, 0, until), read_ratings(shop_url, 0, until), until - 24 * 3600, until)
    return {"events_stored": stored, "days": days, "range_hours": 24, "store_written_s": round(written_s, 1),
            "before_scan": before, "after_aggregates": after,
            "speedup_median": round(before["median_ms"] / after["median_ms"], 1) if after["median_ms"] else None,
            "ingest": {"events_applied": applied, "seconds": round(ingest_s, 1),
                       "events_per_s": round(applied / ingest_s) if ingest_s else None},
            "same_figures": same_figures(full, kept), "before_same_as_full": same_figures(full, scanned),
            "contacts_in_range": kept["figures"]["first_contact_resolution"]["samples"],
            "bot_replies_in_range": sum(h["samples"] for h in kept["series"]["response_time_bot"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dashboard.json"))
    args = parser.parse_args()
    from shop.sentiment import analyse
    analyse("预热")  # the model loads once per process; not part of either side's figure
    sizes = [int(x) for x in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="shop-bench-dashboard-") as tmp:
        from tests.metrics.conftest import save_ratings
        save_ratings(Path(tmp) / "shop.db", [])
        results = {}
        for n in sizes:
            results[str(n)] = run_size(n, args.days, args.repeats, Path(tmp))
            print(json.dumps({n: results[str(n)]}, ensure_ascii=False), flush=True)
    out = {"run_at": dt.datetime.now().isoformat(timespec="seconds"), "machine": platform.platform(),
           "python": platform.python_version(), "stores": "SQLite files (the embedded default's kind)",
           "sizes": results}
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0 if all(r["same_figures"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
