"""Load benchmark: simulated shoppers against the assistant as `make run` starts it, and against stock
Rasa's moodbot (`rasa init`, the same Rasa) measured in the same run as the baseline.

    .venv/bin/python bench/load.py                       # 1, 8 and 32 shoppers, 20 s each
    .venv/bin/python bench/load.py --users 1 8 --seconds 30
    .venv/bin/python bench/load.py --profile all --instances 1 2    # also the production profile
    .venv/bin/python bench/load.py --soak 10000          # soak: memory of each process over 10,000 turns

For each bot it starts the server on a free loopback port (the shop: scripts/run.sh, i.e. the REST
channel, the action server, the embedded graph and the SQL stores, all real; the moodbot: `rasa init
--no-prompt` in a temporary folder, then `rasa run`), runs Locust headless (bench/locustfile.py:
multi-turn conversations, one new sender per round, no think time) for each number of concurrent
shoppers, and writes bench/results/load.json: per bot and concurrency the turn latency p50/p95/p99 (ms,
Locust's percentiles over every turn), turns per second, turns and errors, and the shop's figures as a
ratio to the moodbot's (latency: shop / moodbot, lower is better; throughput: shop / moodbot, higher is
better). Only loopback is used; the run is bounded by --seconds per level.

With ``--profile production`` (or ``all``) the shop is also measured as scripts/run_cluster.sh starts it:
PostgreSQL, Redis, RabbitMQ, HAProxy and 1, 2 … Rasa instances (``--instances``), one after another,
written beside the embedded default as ``production`` with each instance count's ratio to the moodbot and
the two-instance throughput as a multiple of one instance's.

The shop's action server listens on 127.0.0.1:5055 (endpoints.yml): stop `make run` before running this.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(url: str, proc: subprocess.Popen, seconds: float, log: Path) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"server not up after {seconds:.0f} s; see {log}")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def say(port: int, sender: str, text: str) -> None:
    body = json.dumps({"sender": sender, "message": text}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=60).read()


def locust(bot: str, port: int, users: int, seconds: int, workdir: Path) -> dict:
    """One Locust run; the aggregated row of its stats CSV as figures."""
    prefix = workdir / f"{bot}-{users}"
    subprocess.run([str(VENV / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
                    "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "30"],
                   cwd=ROOT, env={**os.environ, "BENCH_BOT": bot}, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["Name"] == "Aggregated")
    turns = int(row["Request Count"])
    by_turn = {r["Name"]: {"p50_ms": float(r["50%"]), "p95_ms": float(r["95%"])}
               for r in rows if r["Name"].startswith("turn ")}
    return {"users": users, "seconds": seconds, "turns": turns, "errors": int(row["Failure Count"]),
            "turns_per_s": round(float(row["Requests/s"]), 2),
            "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
            "by_turn": dict(sorted(by_turn.items()))}


def measure(bot: str, port: int, levels: list[int], seconds: int, workdir: Path) -> list[dict]:
    for i in range(5):  # warm-up: model caches, jieba, the first SQL connections
        say(port, f"warmup-{bot}-{i}", "你好" if bot == "shop" else "hello")
    out = []
    for users in levels:
        figures = locust(bot, port, users, seconds, workdir)
        print(f"{bot:8s} {users:3d} shoppers: p50 {figures['p50_ms']:.0f} ms  p95 {figures['p95_ms']:.0f} ms  "
              f"p99 {figures['p99_ms']:.0f} ms  {figures['turns_per_s']:.1f} turns/s  "
              f"{figures['errors']} errors of {figures['turns']}", flush=True)
        out.append(figures)
    return out


def start_shop(log: Path) -> tuple[subprocess.Popen, int]:
    """The embedded default as `make run` starts it (scripts/run.sh) on a free port, once it answers."""
    if port_taken(5055):
        raise SystemExit("127.0.0.1:5055 is taken (is `make run` running?): the shop's action server needs it")
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "RASA_PORT": str(port)}, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/", proc, 1200, log)
    except BaseException:
        stop(proc)
        raise
    return proc, port


def run_shop(levels: list[int], seconds: int, workdir: Path) -> tuple[list[dict], str]:
    proc, port = start_shop(workdir / "shop.log")
    try:
        model = subprocess.run(["bash", "scripts/train.sh", "config.yml"], cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, "SHOP_TRAIN_DRY_RUN": "1"}).stdout.strip().splitlines()[-1]
        return measure("shop", port, levels, seconds, workdir), model
    finally:
        stop(proc)


def run_cluster(instances: int, levels: list[int], seconds: int, workdir: Path) -> list[dict]:
    for taken in (5055, 5432, 6379, 5672):
        if port_taken(taken):
            raise SystemExit(f"127.0.0.1:{taken} is taken: the production profile needs it (stop make run/run-cluster)")
    port = free_port()
    log = workdir / f"cluster-{instances}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["bash", "scripts/run_cluster.sh"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "CLUSTER_PORT": str(port), "SHOP_INSTANCES": str(instances)},
                                start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/", proc, 1200, log)
        return measure("shop", port, levels, seconds, workdir / f"cluster-{instances}")
    finally:
        stop(proc)
        for _ in range(60):  # the next profile needs the same ports
            if not any(port_taken(p) for p in (5055, 5432, 6379, 5672)):
                break
            time.sleep(1)


SOAK_PROCESSES = {"rasa": "channels.server", "action server": "actions.server", "graph (FalkorDB)": "falkordb"}


def resident_mb() -> dict:
    """Resident memory (MiB) of the stack's processes, by role (several processes of one role summed)."""
    import psutil
    out: dict = {}
    for proc in psutil.process_iter(["cmdline", "memory_info"]):
        cmd = " ".join(proc.info.get("cmdline") or [])
        for role, marker in SOAK_PROCESSES.items():
            if marker in cmd and "bench/load.py" not in cmd and proc.info.get("memory_info"):
                out[role] = round(out.get(role, 0) + proc.info["memory_info"].rss / 2 ** 20, 1)
    return out


def soak(turns: int, users: int, workdir: Path, chunk_s: int = 60) -> dict:
    """The embedded default under `users` shoppers until `turns` turns are done, in chunks of `chunk_s`
    seconds; the resident memory of each process before, after the first chunk and at the end."""
    proc, port = start_shop(workdir / "soak.log")
    try:
        for i in range(5):
            say(port, f"warmup-soak-{i}", "你好")
        start = resident_mb()
        samples, done, errors, chunks = [], 0, 0, 0
        while done < turns:
            figures = locust("shop", port, users, chunk_s, workdir / f"soak-{chunks}")
            chunks += 1
            done += figures["turns"]
            errors += figures["errors"]
            samples.append({"turns": done, "p50_ms": figures["p50_ms"], "turns_per_s": figures["turns_per_s"],
                            "resident_mb": resident_mb()})
            print(f"soak: {done} turns, {errors} errors, {samples[-1]['resident_mb']}", flush=True)
        end = samples[-1]["resident_mb"]
        first = samples[0]["resident_mb"]
        growth = {role: {"start_mb": start.get(role), "after_first_chunk_mb": first.get(role), "end_mb": end.get(role),
                         "growth_from_start": round(end[role] / start[role] - 1, 3) if start.get(role) else None,
                         "growth_after_first_chunk": round(end[role] / first[role] - 1, 3) if first.get(role) else None}
                  for role in SOAK_PROCESSES if role in end}
        return {"turns": done, "errors": errors, "users": users, "chunk_s": chunk_s, "memory": growth,
                "samples": samples}
    finally:
        stop(proc)


def run_moodbot(levels: list[int], seconds: int, workdir: Path) -> list[dict]:
    bot = workdir / "moodbot"
    bot.mkdir()   # rasa init wants the folder to exist
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run([str(VENV / "rasa"), "init", "--no-prompt", "--init-dir", str(bot)], cwd=workdir, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1200)
    port = free_port()
    log = workdir / "moodbot.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(VENV / "rasa"), "run", "-i", "127.0.0.1", "-p", str(port),
                                 "--credentials", "credentials.yml"], cwd=bot, stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/", proc, 600, log)
        return measure("moodbot", port, levels, seconds, workdir)
    finally:
        stop(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "load.json"))
    parser.add_argument("--profile", choices=("embedded", "production", "all"), default="embedded")
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--soak", type=int, metavar="TURNS",
                        help="instead: the soak test, TURNS turns at 8 shoppers -> bench/results/soak.json")
    args = parser.parse_args()
    if args.soak:
        if not 100 <= args.soak <= 100_000:
            raise SystemExit("--soak 100..100000")
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(args.soak // 400 + 2):
                (Path(tmp) / f"soak-{i}").mkdir()
            result = soak(args.soak, 8, Path(tmp))
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        result = {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "commit": commit,
                  "profile": "embedded default (make run)", **result}
        out = ROOT / "bench" / "results" / "soak.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        print(json.dumps(result["memory"], ensure_ascii=False, indent=1))
        return 0 if result["errors"] == 0 else 1
    if not all(1 <= u <= 64 for u in args.users) or not 5 <= args.seconds <= 300:
        raise SystemExit("--users 1..64, --seconds 5..300")
    if not all(1 <= n <= 4 for n in args.instances):
        raise SystemExit("--instances 1..4")
    production: dict = {}
    shop: list = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        model = subprocess.run(["bash", "scripts/train.sh", "config.yml"], cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, "SHOP_TRAIN_DRY_RUN": "1"}).stdout.strip().splitlines()[-1]
        if args.profile in ("embedded", "all"):
            shop, model = run_shop(args.users, args.seconds, workdir)
        if args.profile in ("production", "all"):
            for n in args.instances:
                (workdir / f"cluster-{n}").mkdir()
                production[str(n)] = run_cluster(n, args.users, args.seconds, workdir)
        moodbot = run_moodbot(args.users, args.seconds, workdir)

    def vs_moodbot(rows: list[dict]) -> list[dict]:
        return [{"users": s["users"],
                 "p50_latency_vs_moodbot": round(s["p50_ms"] / max(m["p50_ms"], 1e-9), 2),
                 "p95_latency_vs_moodbot": round(s["p95_ms"] / max(m["p95_ms"], 1e-9), 2),
                 "throughput_vs_moodbot": round(s["turns_per_s"] / max(m["turns_per_s"], 1e-9), 2)}
                for s, m in zip(rows, moodbot)]
    ratios = vs_moodbot(shop)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    result = {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "commit": commit, "model": model,
              "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
              "profile": "embedded default (make run: one rasa run, SQLite tracker and shop stores, embedded graph)",
              "conversation": {"shop": "bench/locustfile.py SHOP_TURNS", "moodbot": "bench/locustfile.py MOODBOT_TURNS"},
              "shop": shop, "moodbot": moodbot, "ratios": ratios}
    if production:
        result["production"] = {
            "profile": "scripts/run_cluster.sh: PostgreSQL tracker + shop store, Redis lock store + duplicate ids, "
                       "RabbitMQ event broker, one action server, N rasa instances behind HAProxy",
            "instances": {n: {"figures": rows, "ratios": vs_moodbot(rows)} for n, rows in production.items()}}
        if "1" in production and "2" in production:
            result["production"]["two_vs_one_throughput"] = [
                {"users": a["users"], "ratio": round(b["turns_per_s"] / max(a["turns_per_s"], 1e-9), 2)}
                for a, b in zip(production["1"], production["2"])]
            print("two instances vs one:", json.dumps(result["production"]["two_vs_one_throughput"]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result.get("ratios"), indent=1))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
