"""Shoppers' 1-5 star ratings of a conversation: reading them from words, storing them."""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable, Optional

from sqlalchemy.orm import sessionmaker

from shop.store import models as m
from shop.store.clock import china_now

_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5,
             "１": 1, "２": 2, "３": 3, "４": 4, "５": 5}
_STARS = re.compile(r"([一二两三四五1-5１-５])\s*(?:颗|个)?\s*(?:星|分|⭐)")
_BARE = re.compile(r"^\s*([1-5１-５])\s*$")
# Words people use instead of a number; 满分 on a 5-point scale is 5.
_WORDS = (("满分", 5), ("非常满意", 5), ("差评", 1), ("很不满意", 1), ("不满意", 2), ("中评", 3),
          ("一般", 3), ("好评", 5), ("满意", 5))


def stars_in(text: str) -> Optional[int]:
    """The rating a message gives (五星好评 → 5, 3分 → 3, a bare "4" → 4), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()[:200]
    found = _STARS.search(text) or _BARE.match(text)
    if found:
        return _NUMERALS[found.group(1)]
    if text.count("⭐") or text.count("★"):
        return min(5, text.count("⭐") + text.count("★"))
    for word, stars in _WORDS:
        if word in text:
            return stars
    return None


def record_rating(sessions: sessionmaker, conversation_id: str, channel: str, stars: int, *,
                  agent: Optional[str] = None, comment: str = "",
                  clock: Callable[[], dt.datetime] = china_now) -> int:
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise ValueError("stars must be an integer from 1 to 5")
    with sessions() as s, s.begin():
        row = m.Rating(conversation_id=conversation_id[:160], channel=channel[:32], stars=stars, agent=agent,
                       comment=(comment or "")[:500], created_at=clock())
        s.add(row)
        s.flush()
        return row.id
