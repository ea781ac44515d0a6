"""Reading untrusted input without server errors and without losing what was said.

Shared by the channels and the workbench: JSON of bounded depth with finite numbers
only, and text made storable. Iterative throughout, so no input can exhaust the stack.
"""
from __future__ import annotations

import hmac
import json
import math
import re
from typing import Any

MAX_JSON_DEPTH = 20

# What no database column or XML reply can carry as sent: NUL and the other C0 controls
# (PostgreSQL refuses NUL; XML 1.0 refuses them all) and lone UTF-16 surrogates (they
# cannot be encoded as UTF-8, so the tracker store would fail on them and lose the message).
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class BadInput(ValueError):
    """Input that is refused with a 400: the reason says what is wrong with it."""


def clean_text(text: str) -> str:
    """``text`` with every unstorable character replaced by U+FFFD, so it is kept and answered."""
    return UNSTORABLE.sub(REPLACEMENT, text)


def is_storable(text: str) -> bool:
    return UNSTORABLE.search(text) is None


def clean_value(value: Any) -> Any:
    """Strings (keys included) cleaned throughout a parsed JSON value; other values as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, (dict, list)):
        return value
    root: list = [None]
    stack = [(value, root, 0)]
    while stack:
        item, parent, key = stack.pop()
        if isinstance(item, dict):
            copy: Any = {}
            for k, v in item.items():
                stack.append((v, copy, clean_text(k)))
        elif isinstance(item, list):
            copy = [None] * len(item)
            for i, v in enumerate(item):
                stack.append((v, copy, i))
        else:
            copy = clean_text(item) if isinstance(item, str) else item
        parent[key] = copy
    return root[0]


def parse_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``body`` as JSON, or ``BadInput`` when it is not UTF-8 JSON of at most ``max_depth`` levels.

    NaN, Infinity and numbers too large for a float are refused too: they are not JSON,
    and a timestamp of Infinity would fail every later date conversion.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("body is not UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:  # the parser's own guard against deep nesting
        raise BadInput(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as e:
        raise BadInput(f"body is not JSON: {e}") from None
    check_json(value, max_depth)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check_json(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """``BadInput`` for a parsed value nested deeper than ``max_depth`` or holding a non-finite number."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                raise BadInput(f"JSON nested deeper than {max_depth} levels")
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
        elif isinstance(item, float) and not math.isfinite(item):
            raise BadInput("numbers must be finite")


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of a secret a client sent with the real one.

    Header values arrive as bytes decoded with surrogate escapes (Sanic), so a header with
    bytes that are not UTF-8 must be compared, not crash the comparison.
    """
    if not isinstance(given, str) or not isinstance(expected, str):
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))
