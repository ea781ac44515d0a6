"""The value every shop rule returns: allowed or not, and why, in Chinese.

`code` is a stable machine-readable key (actions branch on it, tests assert it);
`reason` is the sentence shown to the shopper; `details` carries numbers the
caller may need (deadlines, amounts) so it never has to re-derive them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)


def allow(code: str, reason: str, **details: Any) -> Decision:
    return Decision(True, code, reason, details)


def refuse(code: str, reason: str, **details: Any) -> Decision:
    return Decision(False, code, reason, details)
