"""Wording variants for replies built in Python: the facts are fixed, the sentence around them varies.

A situation ("the order is paid, not shipped yet") gets several templates that all name
the same facts, so whichever wording is picked the shopper reads the same order number,
date and amount. `Phrases.say` avoids any wording whose text already appears in the
conversation's last bot message, so asking twice in a row never gets the same sentence.

Every `phrases(...)` call registers its situation in REGISTRY, which the tone tests
(tests/nlg) read: a new sentence cannot slip past docs/tone.md.
"""
from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

MIN_VARIANTS = 3
REGISTRY: dict[str, "Phrases"] = {}
# One generator for the process; tests make draws repeatable with seed() or pass their own rng.
_rng = random.Random()


class PhrasingError(ValueError):
    """A situation is declared inconsistently, or asked for with the wrong facts."""


def seed(value: int | None) -> None:
    _rng.seed(value)


def _fields(template: str) -> frozenset[str]:
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
    except ValueError as e:  # an unbalanced brace
        raise PhrasingError(f"malformed template {template!r}: {e}") from None


@dataclass(frozen=True)
class Phrases:
    situation: str
    variants: tuple[str, ...]
    fields: frozenset[str]

    def say(self, avoid: str | None = None, *, rng: random.Random | None = None, **facts: Any) -> str:
        """One wording with the facts filled in, none whose text is already in `avoid` if that can be helped."""
        given = set(facts)
        if given != self.fields:
            missing, unknown = sorted(self.fields - given), sorted(given - self.fields)
            raise PhrasingError(f"{self.situation}: missing facts {missing}, unknown facts {unknown}")
        texts = list(dict.fromkeys(v.format(**facts) for v in self.variants))
        if isinstance(avoid, str) and avoid:
            fresh = [t for t in texts if t not in avoid]
            texts = fresh or texts  # every wording was just said: repeating beats saying nothing
        return (rng or _rng).choice(texts)


def phrases(situation: str, *variants: str) -> Phrases:
    """Declare the wordings of one situation; every variant must name exactly the same facts."""
    if not situation or not variants:
        raise PhrasingError("a situation needs a name and at least one wording")
    if situation in REGISTRY:
        raise PhrasingError(f"situation {situation!r} is declared twice")
    if len(set(variants)) != len(variants):
        raise PhrasingError(f"{situation}: the same wording is listed twice")
    fields = {_fields(v) for v in variants}
    if len(fields) != 1:
        raise PhrasingError(f"{situation}: the wordings name different facts {sorted(map(sorted, fields))}; "
                            "each must carry every fact")
    declared = Phrases(situation, tuple(variants), fields.pop())
    REGISTRY[situation] = declared
    return declared


def last_bot_text(events: Iterable[Mapping[str, Any]] | Any) -> str | None:
    """The text of the newest bot message in a rasa_sdk tracker (or its list of events)."""
    events = getattr(events, "events", events) or []
    for event in reversed(list(events)):
        if isinstance(event, Mapping) and event.get("event") == "bot":
            text = event.get("text")
            return text if isinstance(text, str) else None
    return None
