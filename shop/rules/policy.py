"""The shop's policy numbers and the status vocabulary shared by rules, store and service.

Kept free of any DB or Rasa import so the rules stay pure functions. Times are
naive datetimes in China Standard Time (the shop only operates in mainland China),
which is how the store saves them too.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal


class OrderStatus:
    PENDING_PAYMENT = "pending_payment"  # 待付款
    PAID = "paid"                        # 已付款，待发货
    SHIPPED = "shipped"                  # 已发货，运输中
    DELIVERED = "delivered"              # 已签收
    CANCELLED = "cancelled"              # 已取消
    REFUNDED = "refunded"                # 已退货退款（整单）

    ALL = (PENDING_PAYMENT, PAID, SHIPPED, DELIVERED, CANCELLED, REFUNDED)
    # Before the parcel leaves the warehouse the order can still be changed.
    BEFORE_SHIPMENT = (PENDING_PAYMENT, PAID)
    LABELS = {
        PENDING_PAYMENT: "待付款", PAID: "待发货", SHIPPED: "运输中",
        DELIVERED: "已签收", CANCELLED: "已取消", REFUNDED: "已退款",
    }


class ReturnStatus:
    REQUESTED = "requested"    # 已申请，等待买家寄回
    RECEIVED = "received"      # 仓库已签收退回商品
    REFUNDED = "refunded"      # 退货：已退款
    EXCHANGED = "exchanged"    # 换货：新商品已发出
    CANCELLED = "cancelled"
    OPEN = (REQUESTED, RECEIVED)
    LABELS = {REQUESTED: "待寄回", RECEIVED: "仓库已收货", REFUNDED: "已退款",
              EXCHANGED: "换货已发出", CANCELLED: "已撤销"}


class RefundStatus:
    PROCESSING = "processing"  # 退款中
    SUCCEEDED = "succeeded"    # 已到账
    LABELS = {PROCESSING: "退款中", SUCCEEDED: "已退款到账"}


class ReturnKind:
    RETURN = "return"
    EXCHANGE = "exchange"


class ReturnReason:
    NO_REASON = "no_reason"    # 七天无理由
    SIZE = "size"              # 尺码不合适（按无理由处理）
    QUALITY = "quality"        # 质量问题
    MISMATCH = "mismatch"      # 与描述/图片不符
    WRONG_ITEM = "wrong_item"  # 发错货
    # Seller-fault reasons: longer window, excluded categories still accepted,
    # as 《消费者权益保护法》 only lets the 7-day no-reason right be excluded.
    SELLER_FAULT = (QUALITY, MISMATCH, WRONG_ITEM)
    ALL = (NO_REASON, SIZE, QUALITY, MISMATCH, WRONG_ITEM)
    LABELS = {NO_REASON: "七天无理由", SIZE: "尺码不合适", QUALITY: "质量问题",
              MISMATCH: "与描述不符", WRONG_ITEM: "发错货"}


PAYMENT_LABELS = {"alipay": "支付宝", "wechat": "微信支付", "bank_card": "银行卡"}

# 七天无理由: counted from the day after sign-off (签收次日起算), so the window ends at
# 24:00 of the 7th day after the delivery date.
NO_REASON_DAYS = 7
# Seller-fault returns/exchanges (质量问题、与描述不符、发错货).
SELLER_FAULT_DAYS = 15
# Days the shopper has to send the item back once a return/exchange is accepted.
SEND_BACK_DAYS = 7
RETURN_ADDRESS = "浙江省杭州市余杭区仓前街道文一西路 998 号 电商智能客服退货仓（收件人：售后组，电话 0571-88886666）"

# Categories (catalog codes) never covered by the no-reason return.
NO_REASON_EXCLUDED_CATEGORIES = {"food": "食品属于易腐及入口商品"}
# Categories excluded only once opened (拆封后影响二次销售).
EXCLUDED_WHEN_OPENED = {"skincare": "护肤美妆商品拆封后"}
# Personal-hygiene goods, recognised by name since they sit in several categories.
HYGIENE_KEYWORDS = ("内衣", "内裤", "文胸", "胸罩", "袜")

# Refund arrival after the refund is issued, by payment method (calendar days).
REFUND_DAYS = {"alipay": 1, "wechat": 1, "bank_card": 5}
# The warehouse inspects a received return and issues the refund within this many days.
INSPECTION_DAYS = 2

# A shipped parcel with no tracking update for this many days is delayed.
DELAY_DAYS = 3
# Compensation coupon (无门槛, yuan) by days without an update.
DELAY_COMPENSATION = ((7, Decimal("20")), (DELAY_DAYS, Decimal("10")))
COMPENSATION_COUPON_VALID_DAYS = 30

MAX_QUANTITY = 99

# Complaints: a shopper's open/recent tickets within this window count as repeats.
REPEAT_WINDOW_DAYS = 30


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
