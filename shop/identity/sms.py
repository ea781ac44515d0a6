"""Sending the one-time code: an interface, and the offline default that writes an outbox file.

    SHOP_SMS_SENDER   "outbox" (default) or "package.module:ClassName", a provider's
                      implementation of ``SmsSender`` built with no arguments (it reads its
                      own settings, e.g. an API key, from the environment)
    SHOP_SMS_OUTBOX   the outbox file (default var/sms_outbox.jsonl)

Nothing leaves the machine by default: the outbox gets one JSON line per message
(time, phone, code, text), mode 600, which the demo and the tests read
(``tail -n 1 var/sms_outbox.jsonl``).
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import os
from pathlib import Path
from typing import Mapping, Optional, Protocol

from shop.store.clock import china_now
from shop.store.settings import PROJECT_DIR

DEFAULT_OUTBOX = PROJECT_DIR / "var" / "sms_outbox.jsonl"


class SmsSender(Protocol):
    def send_code(self, phone: str, code: str, text: str) -> None:
        """Delivers ``text`` (which contains ``code``) to ``phone``; raises when it cannot."""


class OutboxSms:
    """Appends each message to a local file instead of sending it."""

    def __init__(self, path: Path | str = DEFAULT_OUTBOX) -> None:
        self.path = Path(path)

    def send_code(self, phone: str, code: str, text: str) -> None:
        line = json.dumps({"time": china_now().isoformat(timespec="seconds"), "phone": phone, "code": code,
                           "text": text}, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # 0600: the codes are credentials. One write per line (O_APPEND): lines from two
        # action-server processes never interleave.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def read_outbox(path: Path | str = DEFAULT_OUTBOX) -> list[dict]:
    """Every message in the outbox, oldest first."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def latest_code(phone: str, path: Path | str = DEFAULT_OUTBOX) -> Optional[str]:
    """The last code written to the outbox for ``phone`` (tests, the demo)."""
    return next((m["code"] for m in reversed(read_outbox(path)) if m.get("phone") == phone), None)


def sms_sender_from_env(env: Optional[Mapping[str, str]] = None) -> SmsSender:
    env = os.environ if env is None else env
    choice = (env.get("SHOP_SMS_SENDER") or "outbox").strip()
    if choice == "outbox":
        return OutboxSms(env.get("SHOP_SMS_OUTBOX") or DEFAULT_OUTBOX)
    module, _, name = choice.partition(":")
    if not module or not name:
        raise ValueError("SHOP_SMS_SENDER must be 'outbox' or 'package.module:ClassName'")
    return getattr(importlib.import_module(module), name)()
