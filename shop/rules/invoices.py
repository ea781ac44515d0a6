"""Invoice title and tax-number checks (统一社会信用代码, GB 32100-2015)."""
from __future__ import annotations

import re

from shop.rules.decision import Decision, allow, refuse
from shop.rules.formats import _FULLWIDTH

# GB 32100: 31 symbols, letters I, O, Z, S, V are never used.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
TITLE_TYPES = {"personal": "个人", "company": "企业"}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def normalize_tax_number(text: str) -> str:
    return re.sub(r"\s|-", "", str(text).translate(_FULLWIDTH)).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_tax_number(text: str) -> Decision:
    value = normalize_tax_number(text)
    if len(value) != 18:
        return refuse("tax_length", f"纳税人识别号（统一社会信用代码）应为 18 位，您输入的是 {len(value)} 位。", value=value)
    bad = sorted({c for c in value if c not in USCC_ALPHABET})
    if bad:
        return refuse("tax_chars", "税号只包含数字和大写字母（不含 I、O、Z、S、V），"
                      f"请检查「{''.join(bad)}」。", value=value)
    if uscc_check_char(value[:17]) != value[17]:
        return refuse("tax_checksum", "税号校验位不正确，可能有字符输错了，请对照营业执照核对。", value=value)
    return allow("tax_ok", "税号校验通过。", value=value)


def validate_invoice(title_type: str, title: str, tax_number: str | None = None,
                     email: str | None = None) -> Decision:
    """Personal invoices need a title (name); company invoices a company title plus a valid tax number."""
    if title_type not in TITLE_TYPES:
        raise ValueError(f"unknown invoice title type {title_type!r}")
    title = (title or "").strip()
    if not title:
        return refuse("title_missing", "请提供发票抬头。")
    if len(title) > 100:
        return refuse("title_too_long", "发票抬头最多 100 个字。")
    details = {"title": title}
    if email is not None:
        if not EMAIL.fullmatch(email.strip()):
            return refuse("email_invalid", "邮箱格式不正确，电子发票需要一个有效邮箱。")
        details["email"] = email.strip()
    if title_type == "personal":
        if tax_number:
            return refuse("personal_with_tax", "个人发票不需要税号；如果是单位报销，请选择企业抬头。")
        return allow("invoice_ok", f"个人发票抬头「{title}」已确认。", tax_number=None, **details)
    if len(title) < 4:
        return refuse("company_title_short", "企业发票抬头应为营业执照上的单位全称。")
    if not tax_number:
        return refuse("tax_missing", "企业发票需要填写纳税人识别号（统一社会信用代码）。")
    tax = validate_tax_number(tax_number)
    if not tax.allowed:
        return tax
    return allow("invoice_ok", f"企业发票抬头「{title}」、税号 {tax.details['value']} 已确认。",
                 tax_number=tax.details["value"], **details)
