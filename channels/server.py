"""Starts Rasa's server exactly as ``rasa run`` does, with what the shop needs around it.

    python -m channels.server run --enable-api -i 127.0.0.1 -p 5005 --endpoints endpoints.yml \
        --credentials credentials.yml --model models/....tar.gz        (any ``rasa run`` option)

What it adds (``make run`` starts Rasa this way):

- The HTTP API token comes from ``$SHOP_RASA_API_TOKEN``, else from the file
  ``$SHOP_RASA_API_TOKEN_FILE`` (default var/rasa_api_token), and is handed to Rasa inside
  this process. ``--auth-token`` on the command line is refused: every local user can
  read a process's command line (``ps``), not its memory or its private files.
- ``umask 077``: what the server creates (the SQLite tracker store, logs) is readable by
  its owner only, and the data files already in var/ are made so.
- The guard in front of Rasa's HTTP API (channels.http_api): 4xx instead of Rasa's 500s,
  capped text, admin routes off.
- NLU off the event loop: Rasa 3.6 runs the NLU graph (tokenizer, featurizers,
  classifiers, CRF) synchronously inside its async message handling, so while one
  message is parsed no other request is served. Here it runs in one worker thread
  (one, because the CRF tagger is not thread-safe), and the loop goes on serving.
  Short messages are parsed before long ones waiting with them, so a client sending
  many maximum-size messages delays an ordinary 你好 by at most the one parse under way.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import queue
import stat
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
TOKEN_ENV, TOKEN_FILE_ENV = "SHOP_RASA_API_TOKEN", "SHOP_RASA_API_TOKEN_FILE"
DEFAULT_TOKEN_FILE = ROOT / "var" / "rasa_api_token"


def api_token(env=os.environ) -> Optional[str]:
    token = (env.get(TOKEN_ENV) or "").strip()
    if token:
        return token
    path = Path(env.get(TOKEN_FILE_ENV) or DEFAULT_TOKEN_FILE)
    return (path.read_text(encoding="utf-8").strip() or None) if path.exists() else None


def make_private(directory: Path = ROOT / "var") -> list[Path]:
    """Makes everything under ``directory`` (var/: databases, logs, secrets, the SMS outbox,
    the graph's data and password) readable by its owner only; returns what it changed.

    Files created before the umask was set (an older ``make run``) hold names, phones,
    addresses and chats, and every local user could read them.
    """
    changed = []
    if not directory.is_dir():
        return changed
    for path in [directory, *directory.rglob("*")]:
        if path.is_symlink() or path.stat().st_uid != os.getuid():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700)
            changed.append(path)
    return changed


SHORT_CHARS = 200  # an ordinary chat message; longer ones wait behind every shorter one


class NluWorker:
    """One thread that runs every NLU graph call, shortest text first (ties: first come).

    The ordering is the point: with Rasa's one-at-a-time NLU, a queue in arrival order
    lets a client that keeps many long messages waiting hold everyone else up.
    """

    def __init__(self, short_chars: int = SHORT_CHARS) -> None:
        self.short_chars = short_chars
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._work, daemon=True, name="nlu")
        self._thread.start()

    def run(self, size: int, fn: Callable, *args: Any) -> "asyncio.Future":
        """``fn(*args)`` on the worker thread, as a future of the running loop."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put(((size > self.short_chars, size if size > self.short_chars else 0), next(self._order),
                        (fn, args, future, loop)))
        return future

    def _work(self) -> None:
        while True:
            _, _, (fn, args, future, loop) = self._jobs.get()
            if future.cancelled():
                continue
            try:
                result = fn(*args)
            except BaseException as e:  # handed to the awaiting coroutine, as run_in_executor does
                loop.call_soon_threadsafe(_settle, future, None, e)
            else:
                loop.call_soon_threadsafe(_settle, future, result, None)


def _settle(future: "asyncio.Future", result: Any, error: Optional[BaseException]) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def parse_off_the_loop() -> None:
    """Rasa's MessageProcessor.parse_message, with the synchronous NLU graph run in a worker thread."""
    import rasa
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.trackers import DialogueStateTracker

    if not rasa.__version__.startswith("3.6."):
        raise RuntimeError(f"channels.server replaces a Rasa 3.6 method; this is Rasa {rasa.__version__}")
    if getattr(MessageProcessor.parse_message, "shop_off_the_loop", False):
        return
    original = MessageProcessor.parse_message
    worker = NluWorker()

    async def parse_message(self: MessageProcessor, message: Any, tracker: Any = None,
                            only_output_properties: bool = True) -> dict:
        if self.http_interpreter:  # an external NLU server: already asynchronous
            return await original(self, message, tracker, only_output_properties)
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        # The same steps as Rasa 3.6's parse_message, with the graph run awaited from the thread.
        size = len(message.text) if isinstance(message.text, str) else 0
        parse_data = await worker.run(size, self._parse_message_with_graph, message, tracker,
                                      only_output_properties)
        self._update_full_retrieval_intent(parse_data)
        self._check_for_unseen_features(parse_data)
        return parse_data

    parse_message.shop_off_the_loop = True
    MessageProcessor.parse_message = parse_message


def validate_action_results_once() -> None:
    """Rasa's check of each action server reply against its schema, with the schema checked once.

    Rasa 3.6 calls ``jsonschema.validate`` on every reply, which first validates the schema itself
    against the JSON-Schema metaschema and builds a new validator: measured with cProfile over
    in-process turns (README, Benchmark → Load), that was about half of Rasa's time per turn. The
    same schema, the same validator class and the same error (Rasa's message appended) — built once.
    """
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction._validate_action_result, "shop_once", False):
        return
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    original = RemoteAction._validate_action_result

    def _validate_action_result(self: RemoteAction, result: Any) -> bool:
        if type(self).action_response_format_spec is not RemoteAction.action_response_format_spec:
            return original(self, result)   # a subclass with its own schema: Rasa's way
        error = best_match(validator.iter_errors(result))   # the error jsonschema.validate raises
        if error is None:
            return True
        raise ValidationError(error.message + ". Failed to validate Action server response from API, make sure "
                              "your response from the Action endpoint is valid. For more information about the "
                              "format visit https://rasa.com/docs/rasa/custom-actions")

    _validate_action_result.shop_once = True
    RemoteAction._validate_action_result = _validate_action_result


def install(token: Optional[str]) -> None:
    """Hooks the HTTP API guard into every app Rasa configures in this process."""
    import rasa.core.run

    from channels import http_api

    configure_app = rasa.core.run.configure_app
    if getattr(configure_app, "shop_guarded", False):
        return

    def guarded(*args: Any, **kwargs: Any):
        app = configure_app(*args, **kwargs)
        http_api.install(app, token)
        return app

    guarded.shop_guarded = True
    rasa.core.run.configure_app = guarded  # serve_application calls it by this name
    parse_off_the_loop()
    validate_action_results_once()


def main(argv: Optional[list] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("--auth-token", "-t") or a.startswith("--auth-token=") for a in argv):
        print("channels.server: do not put the token on the command line (ps shows it to every local user); "
              f"set ${TOKEN_ENV} or write it to {DEFAULT_TOKEN_FILE}", file=sys.stderr)
        return 2
    token = api_token()
    if "--enable-api" in argv and not token:
        print(f"channels.server: --enable-api needs a token: ${TOKEN_ENV} or {DEFAULT_TOKEN_FILE}", file=sys.stderr)
        return 2
    os.umask(0o077)
    make_private()
    # OpenMP threads (torch's, in the intent model) spin up to 200 ms after each parallel
    # region by default; on a small machine they take the cores the event loop and
    # TensorFlow need next: measured with bench/stall.py, an ordinary turn under plain
    # `rasa run` took ~400 ms, with passive waiting ~41 ms. Set before torch is loaded.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    install(token)
    from rasa.__main__ import main as rasa_main

    # Rasa reads its options from sys.argv; changing it here does not change what ps shows.
    # --auth-token=<token> in one argument: a token_urlsafe token may start with "-", which argparse
    # would take for an option ("expected one argument") when given as a separate argument.
    sys.argv = ["rasa", *argv, *([f"--auth-token={token}"] if token and "--enable-api" in argv else [])]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
