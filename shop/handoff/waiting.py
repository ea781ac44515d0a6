"""A shopper waiting for a human agent: what their messages mean for the queue, and what they are told.

While a conversation waits in the handoff queue the shopper may ask how long it takes (排第几了 /
还要等多久) or give up (算了不等了 / 不用人工了 / /restart). Those two are read here, by words,
because they are about the queue rather than about shopping; everything else goes to the bot as
usual. The channel layer (channels/common.py) asks this module before handing a message on.
"""
from __future__ import annotations

import re
from typing import Optional

from shop.text.pinyin import to_hanzi

LEAVE = re.compile(r"不等了|不想等|等不了|不排了|不排队|取消排队|退出排队|不用人工|不要人工|不找人工|不需要人工|不转人工|不转了|"
                   r"不用转|那就你|你帮我看|你来帮我|还是你来|那你帮我|你先帮我")
# 算了 / 不用了 leave the queue only while the bot is paused for it: with the bot on (nobody on duty) they
# are as likely to answer the bot's own question (确认取消订单吗？— 不用了).
LEAVE_WHILE_PAUSED = re.compile(r"算了|不用了|不要了")
ASK_WAIT = re.compile(r"排第几|第几位|第几个|排到|前面.{0,4}(?:几|多少)|几个人|多少人|多久|多长时间|还要等|要等|等了半天|"
                      r"怎么还没人|有人吗|人呢|客服呢|还在吗|什么时候.{0,4}(?:接|回)|排队|等着|我等|那等")
_FILLER = re.compile(r"[\s,，。.!！?？~～…、啊吧呀呢哈了那就我还是先]+")

LEFT = "好的，已为您取消人工排队。有什么问题可以继续问我，订单、物流、退换货我都能直接办理。"
NO_AGENT = ("抱歉，现在人工客服不在线（暂时没有客服值班）。已为您登记留言并排队，客服上线后会按顺序在这里回复您。"
            "您也可以继续问我，查订单、物流、退换货我都能直接办理；不想等了回复「不等了」即可。")


def reading(text: str | None, paused: bool = True) -> Optional[str]:
    """"leave", "ask_wait" or None (a message for the bot) for a shopper who is waiting; `paused`: the bot is
    paused for the handoff (an agent was on duty), so nothing but the queue can be meant."""
    t = to_hanzi((text or "").strip())   # wo deng / bu deng le: typed in pinyin, read as the NLU reads it
    if t.startswith("/restart") or LEAVE.search(t) or (paused and LEAVE_WHILE_PAUSED.search(t)):
        return "leave"
    if ASK_WAIT.search(t):
        return "ask_wait"
    return None


def rest_of(text: str | None) -> str:
    """What a leaving message asks besides leaving (不等了 帮我取消2025… → 帮我取消2025…); '' if nothing."""
    t = (text or "").strip()
    if t.startswith("/"):
        return t  # a command (/restart) goes to the bot as it is
    left = LEAVE_WHILE_PAUSED.sub("", LEAVE.sub("", t))
    return left.strip(" ，,。") if len(_FILLER.sub("", left)) >= 2 else ""


def wait_text(position: Optional[int], minutes: Optional[int], agents_online: int) -> str:
    """The shopper's place in the queue and, when agents are on duty and history allows, the expected wait."""
    place = f"您现在排在第 {position} 位" if position else "您已在排队中"
    if agents_online <= 0:
        return (f"{place}。目前人工客服不在线，客服上线后会按顺序在这里回复您；"
                "不想等了回复「不等了」，我可以继续为您服务。")
    wait = f"，预计还要等约 {minutes} 分钟" if minutes else ""
    return f"{place}{wait}，客服接入后会在这里直接回复您；不想等了回复「不等了」，我可以继续为您服务。"
