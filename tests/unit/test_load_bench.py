"""bench/load.py + bench/locustfile.py: Locust's shoppers against a stand-in REST webhook on loopback,
and the figures read back from Locust's stats (the real servers are what `make bench-load` measures)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import locust


def _server(reply: bytes, status: int = 200):
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, seen


@pytest.mark.timeout(120)
def test_shoppers_hold_conversations_and_the_figures_are_read(tmp_path):
    httpd, seen = _server(json.dumps([{"recipient_id": "x", "text": "好的"}]).encode())
    try:
        figures = locust("shop", httpd.server_address[1], 2, 3, tmp_path)
    finally:
        httpd.shutdown()
    assert figures["turns"] > 5 and figures["errors"] == 0 and figures["turns_per_s"] > 0
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert "turn 1" in figures["by_turn"] and set(figures["by_turn"]) <= {f"turn {i}" for i in range(1, 6)}
    # every sender goes through the shop's conversation in order, in Chinese
    first = [m["message"] for m in seen if m["sender"] == seen[0]["sender"]]
    assert first[:2] == ["宽松真丝衬衫多少钱", "它是什么面料的"]


@pytest.mark.timeout(120)
def test_an_empty_or_failed_reply_is_an_error(tmp_path):
    httpd, _ = _server(b"[]")
    try:
        figures = locust("moodbot", httpd.server_address[1], 1, 2, tmp_path)
    finally:
        httpd.shutdown()
    assert figures["turns"] > 0 and figures["errors"] == figures["turns"]
