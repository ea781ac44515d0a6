"""After-sales rules: 7-day no-reason return, exchanges, and when a refund is due."""
from __future__ import annotations

import datetime as dt
import re

from shop.rules.decision import Decision, allow, refuse
from shop.rules.policy import (
    EXCLUDED_WHEN_OPENED, HYGIENE_KEYWORDS, INSPECTION_DAYS, NO_REASON_DAYS,
    NO_REASON_EXCLUDED_CATEGORIES, PAYMENT_LABELS, REFUND_DAYS, RETURN_ADDRESS, SELLER_FAULT_DAYS,
    SEND_BACK_DAYS, OrderStatus, RefundStatus, ReturnKind, ReturnReason, ReturnStatus, days,
)


def after_sales_deadline(delivered_at: dt.datetime, reason: str) -> dt.datetime:
    """End of the after-sales window: counted from the day after delivery (签收次日起算),
    so it closes at 24:00 of the Nth day after the delivery date."""
    window = SELLER_FAULT_DAYS if reason in ReturnReason.SELLER_FAULT else NO_REASON_DAYS
    return dt.datetime.combine(delivered_at.date() + days(window + 1), dt.time.min)


def no_reason_exclusion(category: str, product_name: str, *, opened: bool) -> str | None:
    """Why an item is outside the no-reason return, or None when it is covered."""
    if category in NO_REASON_EXCLUDED_CATEGORIES:
        return NO_REASON_EXCLUDED_CATEGORIES[category]
    if any(word in product_name for word in HYGIENE_KEYWORDS):
        return "贴身衣物涉及个人卫生"
    if opened and category in EXCLUDED_WHEN_OPENED:
        return EXCLUDED_WHEN_OPENED[category]
    return None


def _after_sales_base(kind: str, status: str, *, delivered_at: dt.datetime | None, now: dt.datetime,
                      category: str, product_name: str, reason: str, opened: bool,
                      has_open_request: bool) -> Decision | None:
    """Checks shared by returns and exchanges; None when they all pass."""
    label = "退货" if kind == ReturnKind.RETURN else "换货"
    if reason not in ReturnReason.ALL:
        raise ValueError(f"unknown return reason {reason!r}")
    if status in OrderStatus.BEFORE_SHIPMENT:
        return refuse("after_sales_not_shipped", f"订单还未发货，无需{label}，可以直接取消订单或修改规格。")
    if status == OrderStatus.SHIPPED:
        return refuse("after_sales_in_transit", f"包裹还在运输途中，请签收后再申请{label}；不想要的话也可以拒收。")
    if status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return refuse("after_sales_closed", f"订单{OrderStatus.LABELS[status]}，无法申请{label}。")
    if delivered_at is None:  # delivered orders always carry the time; defend against bad data
        return refuse("after_sales_no_delivery", "没有查到签收记录，暂时无法申请售后，已为您转人工核实。")
    if has_open_request:
        return refuse("after_sales_open", "这件商品已有进行中的售后申请，请先完成或撤销后再申请。")
    deadline = after_sales_deadline(delivered_at, reason)
    if now >= deadline:
        if reason in ReturnReason.SELLER_FAULT:
            return refuse("after_sales_expired", f"已超过签收后 {SELLER_FAULT_DAYS} 天的售后期限"
                          f"（截止 {deadline - dt.timedelta(seconds=1):%Y年%m月%d日}），无法申请{label}。"
                          "如商品有质量问题，可以提交投诉，我们转人工处理。", deadline=deadline)
        return refuse("after_sales_expired", f"已超过签收后 {NO_REASON_DAYS} 天无理由{label}期限"
                      f"（截止 {deadline - dt.timedelta(seconds=1):%Y年%m月%d日}）。"
                      "如商品有质量问题，可以说明问题后申请。", deadline=deadline)
    if reason not in ReturnReason.SELLER_FAULT:
        excluded = no_reason_exclusion(category, product_name, opened=opened)
        if excluded:
            return refuse("after_sales_excluded", f"{excluded}不支持七天无理由{label}。"
                          "如商品有质量问题或与描述不符，可以说明问题后申请。")
    return None


def can_return(status: str, *, delivered_at: dt.datetime | None, now: dt.datetime, category: str,
               product_name: str, reason: str, opened: bool = False,
               has_open_request: bool = False) -> Decision:
    refused = _after_sales_base(ReturnKind.RETURN, status, delivered_at=delivered_at, now=now,
                                category=category, product_name=product_name, reason=reason,
                                opened=opened, has_open_request=has_open_request)
    if refused:
        return refused
    send_back_by = (now + days(SEND_BACK_DAYS)).date()
    postage = "运费由商家承担" if reason in ReturnReason.SELLER_FAULT else "退回运费由您承担（有运费险的以保险理赔为准）"
    return allow("return_ok", f"可以退货。请在 {send_back_by:%Y年%m月%d日} 前寄回：{RETURN_ADDRESS}。"
                 f"{postage}，仓库签收后 {INSPECTION_DAYS} 天内为您退款。",
                 send_back_by=send_back_by, return_address=RETURN_ADDRESS)


def can_exchange(status: str, *, delivered_at: dt.datetime | None, now: dt.datetime, category: str,
                 product_name: str, reason: str, current_color: str, current_size: str,
                 color: str, size: str, target_exists: bool, target_stock: int, opened: bool = False,
                 has_open_request: bool = False) -> Decision:
    """Exchange = return plus a new variant of the same product, which must be in stock."""
    refused = _after_sales_base(ReturnKind.EXCHANGE, status, delivered_at=delivered_at, now=now,
                                category=category, product_name=product_name, reason=reason,
                                opened=opened, has_open_request=has_open_request)
    if refused:
        return refused
    if not target_exists:
        return refuse("exchange_unknown_variant", f"这款商品没有{color} {size}这个规格，请重新选择。")
    if (color, size) == (current_color, current_size) and reason not in ReturnReason.SELLER_FAULT:
        return refuse("exchange_same_variant", "换货的颜色和尺码与原商品相同；如果商品有问题，请说明是质量问题。")
    if target_stock <= 0:
        return refuse("exchange_no_stock", f"{color} {size}目前缺货，无法换货。您可以换其他规格，或申请退货退款。")
    send_back_by = (now + days(SEND_BACK_DAYS)).date()
    what = f"「{product_name}」" if product_name else ""
    return allow("exchange_ok", f"{what}可以换成{color} {size}，已为您预留库存。请在 {send_back_by:%Y年%m月%d日} 前"
                 f"把原商品寄回：{RETURN_ADDRESS}。仓库签收后 {INSPECTION_DAYS} 天内发出新商品。",
                 send_back_by=send_back_by, return_address=RETURN_ADDRESS)


def can_refund(return_status: str) -> Decision:
    """A return is refunded only once the warehouse has received the item."""
    if return_status == ReturnStatus.RECEIVED:
        return allow("refund_ok", "仓库已收到退货，可以退款。")
    if return_status == ReturnStatus.REQUESTED:
        return refuse("refund_not_received", "仓库还没有收到退回的商品，收货后才能退款。")
    if return_status == ReturnStatus.REFUNDED:
        return refuse("refund_already", "这笔退货已经退款了。")
    return refuse("refund_not_applicable", "这个售后申请不涉及退款。")


def refund_expected_by(issued_at: dt.datetime, payment_method: str | None) -> dt.date:
    return (issued_at + days(REFUND_DAYS.get(payment_method or "", REFUND_DAYS["bank_card"]))).date()


def arrival(payment_method: str | None, expected: dt.date | None = None) -> str:
    """When refunded money shows in the account, as a shopper asks it (啥时候到账): the method's usual
    lag in days (REFUND_DAYS), then the date it comes to where one is known.
    '一般 1天内到账（预计 2025年11月25日 前）'; '一般 5天内到账'."""
    lag = REFUND_DAYS.get(payment_method or "", REFUND_DAYS["bank_card"])
    return f"一般 {lag}天内到账" + (f"（预计 {expected:%Y年%m月%d日} 前）" if expected else "")


def refund_progress(return_status: str, *, now: dt.datetime, payment_method: str | None,
                    send_back_by: dt.date | None = None, refund_status: str | None = None,
                    refund_expected: dt.date | None = None) -> Decision:
    """Where a return's money is, with the dates the shopper can expect."""
    method = PAYMENT_LABELS.get(payment_method or "", "原支付账户")
    if return_status == ReturnStatus.REQUESTED:
        expected = refund_expected_by(now + days(INSPECTION_DAYS), payment_method)
        when = f"请在 {send_back_by:%Y年%m月%d日} 前寄回，" if send_back_by else ""
        return allow("refund_waiting_return", f"退货申请已通过，{when}仓库签收后 {INSPECTION_DAYS} 天内退款，"
                     f"如果今天寄出，预计最快 {expected:%m月%d日} 前退回{method}。", expected_by=expected)
    if return_status == ReturnStatus.RECEIVED and refund_status is None:
        expected = refund_expected_by(now + days(INSPECTION_DAYS), payment_method)
        return allow("refund_inspecting", f"仓库已收到退货，正在验货，预计 {expected:%m月%d日} 前退回{method}。",
                     expected_by=expected)
    if refund_status == RefundStatus.PROCESSING:
        overdue = refund_expected is not None and now.date() > refund_expected
        reason = (f"退款已发起，正在退回{method}，{arrival(payment_method, refund_expected)}。"
                  if not overdue else f"退款应于 {refund_expected:%Y年%m月%d日} 前到账，已超出预计时间，已为您转人工加急处理。")
        return allow("refund_overdue" if overdue else "refund_processing", reason, expected_by=refund_expected)
    if refund_status == RefundStatus.SUCCEEDED:
        # the bank's own posting time is the shopper's next question (一般要几天)
        late = f"退回{method}{arrival(payment_method)}，" if payment_method in REFUND_DAYS else ""
        return allow("refund_done", f"退款成功，已原路退回{method}，{late}请查看账户明细。")
    if return_status == ReturnStatus.EXCHANGED:
        return refuse("refund_exchange", "这是换货申请，不涉及退款，新商品已发出。")
    return refuse("refund_none", "这个售后申请已撤销，没有退款。")


# -- the shop's after-sales rules, for a question about them (not about an order) -------------------------
POLICY_TOPICS = (  # checked in order; a question may hit several
    ("window", ("几天", "多少天", "多久", "哪天", "怎么算", "期限", "七天", "7天", "七日", "无理由", "过期", "超过",
                "开始算", "开始计", "怎么计", "点计")),
    ("condition", ("吊牌", "穿过", "用过", "拆封", "拆了", "洗过", "试穿", "影响", "条件", "什么样", "食品", "吃的",
                   "内衣", "护肤")),
    ("postage", ("运费", "邮费", "谁出", "谁承担", "谁付", "包邮", "运费险")),
    ("refund", ("多久到账", "退款多久", "几天到账", "钱什么时候", "退到哪", "退钱", "几天退款", "多久退款", "钱多久", "多久回来", "钱啥时候", "钱几天")),
    ("address", ("寄到哪", "退货地址", "寄回哪", "地址")),
    ("refuse", ("拒收", "拒签")),
)


# 退还是换 哪个快 / 退货和换货有什么区别: the two tasks compared, a question about the rules, not a choice of one.
COMPARE_RETURN_EXCHANGE = re.compile(
    r"(?:退|换)[货款]?.{0,6}(?:还是|和|跟|或者?|与).{0,3}(?:退|换)[货款]?.{0,8}(?:哪个|哪种|哪样|区别|不一样|差别|怎么选|选哪|快|好|划算|方便)")


def address_answer() -> str:
    """Where returned goods go and by when (shop/rules/policy.py)."""
    return f"退货请寄到：{RETURN_ADDRESS}，申请通过后 {SEND_BACK_DAYS} 天内寄回。"


def refund_answer() -> str:
    """How soon a returned parcel becomes money back (shop/rules/policy.py)."""
    return (f"仓库签收退货后 {INSPECTION_DAYS} 天内退款，支付宝/微信约 {REFUND_DAYS['alipay']} 天到账，"
            f"银行卡最长 {REFUND_DAYS['bank_card']} 天。")


def policy_answer(text: str | None, *, order_in_hand: bool = False) -> str:
    """The rules a general after-sales question asks about (七天无理由从哪天算, 运费谁出, 吊牌剪了还能退吗),
    worded from shop/rules/policy.py; every fact is the policy's."""
    from shop.store.products import category_names
    names = category_names()
    text = text or ""
    hit = [name for name, words in POLICY_TOPICS if any(w in text for w in words)] or ["window", "condition"]
    if COMPARE_RETURN_EXCHANGE.search(text):
        hit = ["compare"]
    parts = {
        "window": (f"签收次日起 {NO_REASON_DAYS} 天内支持七天无理由退货；质量问题、与描述不符或发错货，"
                   f"签收后 {SELLER_FAULT_DAYS} 天内可退换。"),
        "condition": ("无理由退货需商品未使用、不影响二次销售（吊牌完好、未穿着洗涤）；"
                      f"{'、'.join(names.get(c, c) for c in NO_REASON_EXCLUDED_CATEGORIES)}、"
                      f"{'、'.join(names.get(c, c) for c in EXCLUDED_WHEN_OPENED)}拆封后、贴身衣物不支持无理由退货，"
                      "质量问题不受此限。"),
        "postage": "无理由退货的寄回运费由您承担；质量问题、与描述不符或发错货，运费由商家承担。",
        "refund": refund_answer(),
        "address": address_answer(),
        # a parcel refused at the door goes back to the warehouse like a return, and is refunded the same way
        "refuse": (f"可以拒收：派件时直接拒签就行，包裹退回仓库后 {INSPECTION_DAYS} 天内原路退款，"
                   "拒收不用另外申请退货。"),
        "compare": (f"退货和换货都要先把商品寄回（{RETURN_ADDRESS}）。退货：仓库签收后 {INSPECTION_DAYS} 天内退款，"
                    f"支付宝/微信约 {REFUND_DAYS['alipay']} 天到账；换货：仓库签收后 {INSPECTION_DAYS} 天内发出新商品，"
                    "要换的颜色尺码需有货。想拿回钱选退货，想要合适的那件选换货，告诉我选哪种就行。"),
    }
    return "亲，" + "".join(parts[name] for name in hit) + ("" if order_in_hand else "需要办理的话，告诉我订单号就行。")
