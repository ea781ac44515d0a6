"""Replays written shopper traffic through the REST channel of a running assistant (make run).

    python scripts/replay_traffic.py tests/blind/traffic/traffic_t1.yaml [--url http://127.0.0.1:5005]

Each conversation is one fresh sender ("<prefix>-<id>"), its turns sent in order, each after
the previous reply. Used to give the review loop (issue 19) a month of traffic written by
someone else; prints how many turns were sent and how many got no reply.
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

import yaml


def send(url: str, sender: str, text: str) -> list:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    req = urllib.request.Request(url.rstrip("/") + "/webhooks/rest/webhook", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read().decode("utf-8"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("traffic", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--prefix", default="pilot")
    args = parser.parse_args(argv)
    conversations = yaml.safe_load(args.traffic.read_text(encoding="utf-8")) or []
    turns = silent = 0
    for conv in conversations:
        sender = f"{args.prefix}-{conv['id']}"
        for text in conv.get("turns") or []:
            turns += 1
            if not send(args.url, sender, str(text)):
                silent += 1
    print(json.dumps({"conversations": len(conversations), "turns": turns, "no_reply": silent}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
