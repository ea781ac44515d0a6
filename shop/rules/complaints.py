"""Complaint category, priority, what to offer, and when a human must take over."""
from __future__ import annotations

from shop.rules.decision import Decision, allow

CATEGORIES = {
    "quality": "商品质量",
    "mismatch": "与图片/描述不符",
    "logistics": "物流配送",
    "service": "客服服务",
    "payment": "支付扣款",
    "other": "其他",
}
# What a shopper says of faulty goods (才用一天就脱线了): one list for complaints and for the reason of a
# return or an exchange (shop.dialogue.parsing).
QUALITY_WORDS = ("质量", "坏", "破", "开线", "脱线", "掉线", "线头", "开胶", "脱胶", "掉色", "褪色", "起球", "缩水",
                 "漏", "裂", "瑕疵", "异味", "次品", "变形", "断了", "断掉", "断开", "折断")
# Checked in this order; the first category whose words appear wins.
CATEGORY_WORDS = (
    ("mismatch", ("不符", "不一样", "色差", "图片", "货不对板", "描述", "假货", "山寨", "发错")),
    ("quality", QUALITY_WORDS),
    ("payment", ("扣款", "扣了两次", "重复扣", "多扣", "付款失败", "支付失败", "扣费", "扣钱")),
    # Before logistics: "客服回复太慢" is about the service, not the parcel.
    ("service", ("客服", "态度", "不回", "不理", "敷衍", "推卸")),
    ("logistics", ("快递", "物流", "没收到", "送货", "配送", "派件", "丢件", "太慢")),
)
# Words that say the shopper is angry or about to escalate outside the shop.
ANGRY_WORDS = ("垃圾", "骗子", "欺诈", "气死", "无语", "恶心", "投诉你们", "差评", "12315", "消协", "工商",
               "曝光", "律师", "起诉", "报警", "退一赔三", "黑店", "坑人", "再也不买")
# Safety problems are always urgent.
SAFETY_WORDS = ("过敏", "受伤", "烫伤", "漏电", "起火", "爆炸", "中毒", "划伤", "孩子误食")

OFFERS = {
    "quality": ("return", "exchange", "compensation"),
    "mismatch": ("return", "exchange"),
    "logistics": ("compensation",),
    "service": ("apology",),
    "payment": ("refund_check",),  # finance checks the charge; a duplicate is refunded
    "other": (),
}


def classify_complaint(text: str) -> str:
    for category, words in CATEGORY_WORDS:
        if any(w in text for w in words):
            return category
    return "other"


def assess_complaint(text: str, *, category: str | None = None, previous_complaints: int = 0) -> Decision:
    """Priority high/normal/low; flag for a human when angry, unsafe or repeated.

    previous_complaints: the shopper's tickets in the repeat window (the service counts them).
    """
    category = category or classify_complaint(text)
    if category not in CATEGORIES:
        raise ValueError(f"unknown complaint category {category!r}")
    angry = [w for w in ANGRY_WORDS if w in text]
    unsafe = [w for w in SAFETY_WORDS if w in text]
    repeated = previous_complaints >= 1
    flagged = bool(angry or unsafe or repeated)
    if unsafe or angry or repeated:
        priority = "high"
    elif category in ("quality", "mismatch", "logistics", "payment"):
        priority = "normal"
    else:
        priority = "low"
    why = []
    if unsafe:
        why.append("涉及人身安全")
    if repeated:
        why.append("您已多次反馈")
    if angry:
        why.append("给您带来了很不好的体验")
    reason = f"已记录您关于「{CATEGORIES[category]}」的投诉"
    if flagged:
        reason += f"。{'、'.join(why)}，我们已优先转交人工客服，会尽快联系您。"
    else:
        reason += "，售后专员会在 24 小时内联系您处理。"
    return allow("complaint_" + priority, reason, category=category, priority=priority,
                 flagged_for_human=flagged, offers=OFFERS[category],
                 angry_words=tuple(angry), safety_words=tuple(unsafe), repeated=repeated)
