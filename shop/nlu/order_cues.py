"""Messages about the shopper's own order, read from what they point at rather than how they say it.

The intent model learns phrasing; a shopper who writes 202511230014 鞋换80码, YT6965970600030 6天没动了
or 最近买的那个枕套啥时候到 points at an order (its number, a tracking number, goods they bought) and
says what to do with it. When the model reads such a message as a product or policy question (the
goods named look like a shopping request), the words decide: the order task they name. Messages
that point at no order of the shopper's, or name no task, keep the model's reading.

Used by custom_components/order_cues.py after the intent classifier and before the fallback.
"""
from __future__ import annotations

import re
from typing import Optional

# What the message points at: an order number, a tracking number, or goods the shopper bought.
ORDER_NUMBER = re.compile(r"(?<!\d)20\d{10}(?!\d)")
TRACKING_NUMBER = re.compile(r"(?<![A-Za-z0-9])(?:SF|YT|JD|JT|ZT)\d{10,15}(?!\d)|(?<!\d)(?:7\d|4\d|98)\d{10,13}(?!\d)")
# 我老婆那个真丝枕套 / 她那件开衫 / 我老婆说她的那床褥子 (passed on by the shopper): goods of the household
# the shopper orders for. One pattern for the intent side and the dialogue side (shop.dialogue.order_tasks).
HOUSEHOLD_GOODS = (r"(?:我|她|他)(?:老婆|老公|媳妇|爱人|对象|妈|爸|女儿|儿子|孩子|娃|家里?)?(?:说|讲|嫌)?(?:她|他)?(?:的|那)"
                   r"(?:个|件|双|条|套|瓶|支|单|床)")
OWN_PURCHASE = re.compile(
    r"我买的|我拍的|我下单的|我订的|(?:最近|上次|上回|上周|前几天|前两天|之前|刚才|刚刚|昨天|今天|上个月|这个月初?|月初|"
    # 我十一月二十二号那天买的东西: a day of the month
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:月|号|日)|那天)"
    r"[^，。,.!?！？]{0,12}?(?:买|拍|下单|收到|到)的|收到的|寄来的|寄到.{1,6}的|买了(?:[一两二三四五六七八九十\d]+)?(?:条|件|双|个|套|瓶|支)|"
    # 我的衣服什么时候到 / 我的东西还没到: goods of the shopper's own (not 我的皮肤, 我的身高: goods words only)
    r"我的[\u4e00-\u9fff]{0,4}?(?:东西|货|衣服|[鞋靴裤裙被毯褥枕霜乳])|"
    # 还没给我寄 / 还没寄来 / 还没发货: only an order is waited for
    r"还没(?:给我)?(?:寄|发)|"
    r"那单|这单|那个订单|这个订单|我的订单|我的快递|我的包裹|我那(?:个|件|双|条|套|瓶|支|单)|"
    # 那几单 / 我的单子: several orders of one's own; 我还没有开封 / 没拆封: goods in hand, so bought
    r"那几单|这几单|哪几单|我的单子|(?:还|都)?没(?:有)?(?:开封|拆封|拆开|拆过|开过|用过)|"
    # 我老婆那个真丝枕套 / 她那件开衫 / 我老婆说那个褥子: goods of the household the shopper orders for
    + HOUSEHOLD_GOODS)
# What to do with it, most specific first: a refund before a return, an exchange before a return.
TASK_WORDS = (
    ("ask_refund_status", re.compile(r"退款|钱.{0,6}(?:退|到账|回来)|到账")),
    ("cancel_order", re.compile(r"取消|不想?要了.{0,8}(?:没发|没寄)|还没(?:给我)?(?:发|寄).{0,8}不想?要")),
    ("request_exchange", re.compile(r"换货|换成|换个|更换|调换|换一(?:个|件|双|条|下)|换(?:大|小)一?[码号]|换\s*\d{2,3}|换[A-Z]{1,3}码")),
    ("request_return", re.compile(r"退货|退掉|退了吧|都退|要退|想退|退回去|能退吗|给退|不想要了|不要了")),
    ("modify_order", re.compile(r"改成|改为|改地址|改电话|改手机|改收货|改一下|填错|写错|改个")),
    ("complain_mismatch", re.compile(r"不符|不一样|发错|货不对版|跟图片|和图片|色差")),
    ("complain_quality", re.compile(r"质量|坏了|破了|裂了|异味|塑胶味|味道很大|掉色|起球|开线|脱线|开胶|脱胶|缩水|漏|断了|不亮")),
    # 钱已经付了 到现在还没有发货 什么时候能寄出来: an order not yet sent, its state (付款后 48 小时内发货)
    ("check_order_status", re.compile(r"还没(?:有)?发货|(?:什么|啥|几)时候(?:能)?(?:发货|寄出|发出|发)|发货了(?:吗|没)")),
    ("track_logistics", re.compile(r"到哪|到了哪|(?:啥|什么)时候能?到|几时能?到|多久能?到|还没到|没到|没动|不动|物流|快递员|派送|"
                                   r"催一下|帮我催|怎么还没|到了没|放在哪|放哪")),
    # 我还没发货的那几单都给我列一下: the orders themselves, shown
    ("check_order_status", re.compile(r"列一下|列出来|列个|都有哪些|有哪几|哪几单|几个订单|哪些订单|哪些单")),
)
# Readings about orders: another order task is never overridden (the model may know better which), the
# same one is confirmed (its confidence raised above the fallback threshold). Answers to a question
# (yes/no, a human, a rating) are never touched.
ORDER_READINGS = {"check_order_status", "track_logistics", "modify_order", "cancel_order", "request_return",
                  "request_exchange", "ask_refund_status", "complain_mismatch", "complain_quality",
                  "complain_service", "ask_payment_invoice"}
ANSWERS = {"affirm", "deny", "request_human", "rate_service"}
NOT_AN_ANSWER_WITH_A_NUMBER = {"deny"}


def points_at_an_order(text: str) -> bool:
    return bool(ORDER_NUMBER.search(text) or TRACKING_NUMBER.search(text) or OWN_PURCHASE.search(text))


def order_intent(text: str | None, intent: Optional[str], confidence: float = 1.0,
                 unsure_below: float = 0.45) -> Optional[str]:
    """The order intent a message's words make plain: another one than the model read (a product question),
    or the same one it read without confidence; None to keep the model's reading.

    text: the (normalised) message; intent: the model's top intent name (None or nlu_fallback allowed) and
    its confidence; below `unsure_below` (the fallback threshold) the model has no reading worth keeping."""
    t = (text or "")[:500]
    if not t or not points_at_an_order(t):
        return None
    # 202511230014 不想要了: a number that names the order makes the words a request about it, not a bare
    # no (or goodbye); a yes and the other answers are still never touched
    if intent in ANSWERS and not (intent in NOT_AN_ANSWER_WITH_A_NUMBER and ORDER_NUMBER.search(t)):
        return None
    cue = next((name for name, words in TASK_WORDS if words.search(t)), None)
    if cue is None:
        return None
    if intent in ORDER_READINGS and intent != cue and confidence >= unsure_below:
        # 申请退货好几天了 到底通过没有 is a status question with a change word in it: kept. But a reading
        # whose own words are nowhere in the message gives way when the model was not sure
        # (我那支口红到哪了 read as a refund question at 0.52: no 退款, no 钱)
        own_words = dict(TASK_WORDS).get(intent)
        if own_words is None or own_words.search(t) or confidence >= SURE:
            return None
    return cue


# -- product questions the model read as order business ---------------------------------------------------
SURE = 0.6
PRODUCT_INTENTS = ("ask_product_info", "ask_recommendation", "ask_stock", "ask_size_advice", "ask_price_promotion",
                   "ask_care_method")
SMALL_TALK = {"deny", "affirm", "goodbye", "greet", "thank"}
# 有没有…/X防水不/有咩颜色/多钱: a question about goods
ASKS_GOODS = re.compile(r"有没有|有冇|有无|有木有|有咩|有啥|有什么|有哪些|什么颜色|啥颜色|咩颜色|几种颜色|多少钱|多钱|几钱|"
                        r"推荐|想看看|想买|想要|求一?个|\S{1,6}不[？?]?\s*$|[吗么嘛呢][？?]*\s*$")
WANTS_GOODS = re.compile(r"想看看|想买|想要|有没有|有冇|有木有|推荐|看看")


def product_intent(text: str | None, intent: Optional[str], confidence: float, ranking: list,
                   names_goods: bool) -> Optional[str]:
    """The product intent a message's words make plain when the model read order business or small talk
    without being sure: 轻量三合一冲峰衣 防水不 (read as a quality complaint), 嗰件法式嘅有咩颜色 (a mismatch),
    不好意思刚才按错了 我想看看中老年奶粉 (a no). None to keep the model's reading.

    The message must point at no order of the shopper's, say nothing a complaint or an order task says
    (坏了, 退货 …), and ask about goods; the product intent is the likeliest one in the model's own
    ranking. ranking: [{"name", "confidence"}]; names_goods: a product or kind of product was found."""
    t = (text or "")[:500]
    if not t or confidence >= SURE or points_at_an_order(t):
        return None
    if any(words.search(t) for name, words in TASK_WORDS if name != "track_logistics"):
        return None
    if intent in ORDER_READINGS:
        if not ASKS_GOODS.search(t):
            return None
    elif intent in SMALL_TALK:
        if not (names_goods and WANTS_GOODS.search(t)):
            return None
    else:
        return None
    best = next((r for r in ranking if r.get("name") in PRODUCT_INTENTS), None)
    if best is None or (float(best.get("confidence") or 0.0) < 0.1 and not names_goods):
        return None
    return best["name"]
