"""Order-number and phone-number formats, as shoppers type them.

Shoppers paste numbers with spaces, dashes or full-width digits (from Chinese
input methods); `normalize_*` strips those first so validation judges the
number, not the typing.
"""
from __future__ import annotations

import datetime as dt
import re

from shop.rules.decision import Decision, allow, refuse

# Full-width digits/letters (０-９, Ａ-Ｚ) → ASCII.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_SEPARATORS = re.compile(r"[\s\-‐–—_·.]")
ORDER_NO = re.compile(r"20\d{10}")
MOBILE = re.compile(r"1[3-9]\d{9}")


def normalize_order_no(text: str) -> str:
    return _SEPARATORS.sub("", str(text).translate(_FULLWIDTH)).strip()


def validate_order_no(text: str) -> Decision:
    """12 digits: the order date (yyyymmdd, from 2000 on) followed by a 4-digit daily sequence."""
    value = normalize_order_no(text)
    if not value.isdigit():
        return refuse("order_no_not_digits", "订单号应为 12 位数字，请检查后重新输入。", value=value)
    if len(value) != 12:
        return refuse("order_no_length", f"订单号应为 12 位数字，您输入的是 {len(value)} 位，请核对。", value=value)
    if not ORDER_NO.fullmatch(value):
        return refuse("order_no_prefix", "订单号以 20 开头，请核对后重新输入。", value=value)
    try:
        dt.datetime.strptime(value[:8], "%Y%m%d")
    except ValueError:
        return refuse("order_no_date", "这个订单号的日期部分不正确，请核对后重新输入。", value=value)
    return allow("order_no_ok", "订单号格式正确。", value=value)


def normalize_phone(text: str) -> str:
    value = _SEPARATORS.sub("", str(text).translate(_FULLWIDTH)).strip()
    value = re.sub(r"^(\+?86)(?=1\d{10}$)", "", value)
    return value


def validate_phone(text: str) -> Decision:
    """Mainland mobile numbers: 11 digits, 1 then 3-9."""
    value = normalize_phone(text)
    if not value.isdigit() or len(value) != 11:
        return refuse("phone_length", "手机号应为 11 位数字，请检查后重新输入。", value=value)
    if not MOBILE.fullmatch(value):
        return refuse("phone_prefix", "这不是有效的大陆手机号（应以 13-19 开头），请核对。", value=value)
    return allow("phone_ok", "手机号格式正确。", value=value)


def mask_phone(phone: str) -> str:
    """138****5678: what may be shown back in a chat."""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "***"
