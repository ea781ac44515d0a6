"""The shop's clock: naive China Standard Time, as stored in the database.

The server may run in UTC; the shop's deadlines (7 days from the day after
delivery) are calendar days in China, so "now" is always taken in Asia/Shanghai.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def china_now() -> dt.datetime:
    return dt.datetime.now(CHINA).replace(tzinfo=None)
