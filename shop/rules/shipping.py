"""Shipping policy answers, worded from shop/rules/shipping.yaml.

A shopper's question usually touches one topic (包邮、偏远地区、快递公司、几点发货、
几天到); the answer leads with that topic and ends with a one-line summary, so a
vague question still gets the essentials.
"""
from __future__ import annotations

import re

from functools import lru_cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).with_name("shipping.yaml")


@lru_cache(maxsize=1)
def policy() -> dict:
    with POLICY_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _remote_region(text: str, p: dict) -> str | None:
    return next((r for r in p["remote"]["regions"] if r in text), None)


def _free(p: dict) -> str:
    return (f"全场实付满 {p['free_shipping_threshold']} 元包邮，不满收运费 {p['standard_fee']} 元"
            f"（{'、'.join(p['remote']['regions'])}等偏远地区除外）。")


def _remote(p: dict, region: str | None) -> str:
    where = region or "、".join(p["remote"]["regions"])
    return (f"{where}属于偏远地区，每单运费 {p['remote']['fee']} 元、不参与包邮，"
            f"配送时间约 {p['delivery_days']['偏远地区']} 天。")


def _carriers(p: dict) -> str:
    c = p["carriers"]
    return (f"默认发{'、'.join(c['default'])}（系统按地址就近分配）；实付满 {c['express_threshold']} 元免费发"
            f"{c['express']}，不满可加 {c['express_fee']} 元指定{c['express']}。")


def _cut_off(p: dict) -> str:
    return (f"每天 {p['cut_off']} 前付款的订单当天发出，之后的次日发出，最迟付款后 "
            f"{p['ship_within_hours']} 小时内发货。")


def _transit(p: dict) -> str:
    d = p["delivery_days"]
    return f"发货后江浙沪约 {d['江浙沪']} 天送达，其他省份 {d['其他省份']} 天，偏远地区 {d['偏远地区']} 天。"


def _abroad(p: dict) -> str:
    return f"目前暂不支持配送到{'、'.join(p['not_delivered_to'])}，敬请谅解。"


TOPICS = (  # checked in order; a question may hit several
    ("abroad", ("香港", "澳门", "台湾", "港澳台", "海外", "国外", "出国")),
    ("remote", ("偏远", "新疆", "西藏", "青海", "内蒙", "宁夏", "甘肃", "海南")),
    ("free", ("包邮", "运费", "邮费", "免邮", "满多少")),
    ("carriers", ("快递", "顺丰", "中通", "圆通", "韵达", "哪家", "物流公司")),
    ("cut_off", ("几点", "当天", "今天发", "今天能发", "什么时候发", "多久发", "发货时间", "截单", "能发不", "能发吗",
                 "明天发", "马上发", "多久能发", "几天发", "几天能发", "多久才发", "啥时候发")),
    ("transit", ("几天到", "多久到", "几天能到", "多长时间", "送达", "到货")),
)


# 退货要寄到哪 / 我还没寄回去呢 几天内要寄: sending goods back is the return policy's question, not delivery's
RETURN_SHIPPING = re.compile(r"寄回|退回去|退货地址|退货.{0,6}(?:寄到|寄哪|地址)|还没寄")


STREET_NAMED = re.compile(r"(?:香港|澳门|台湾|新疆|西藏|青海|内蒙古?|宁夏|甘肃|海南)(?:[东西南北中]{0,2}路|大道|大街|街|巷|广场|花园)")


def answer(text: str | None) -> str:
    from shop.text.normalize import normalize
    p = policy()
    text = normalize(text)  # 運費怎麼算 asks the same as 运费怎么算
    if RETURN_SHIPPING.search(text):
        from shop.rules.returns import policy_answer
        return policy_answer(text)
    region = _remote_region(text, p)
    # 香港中路 / 台湾路 / 新疆路: a street named after a place, not the place (Chinese cities have many)
    places = STREET_NAMED.sub("", text)
    hit = [name for name, words in TOPICS if any(w in (places if name in ("abroad", "remote") else text)
                                                   for w in words)]
    parts = {"free": lambda: _free(p), "remote": lambda: _remote(p, region), "carriers": lambda: _carriers(p),
             "cut_off": lambda: _cut_off(p), "transit": lambda: _transit(p), "abroad": lambda: _abroad(p)}
    if not hit:
        return "亲，我们的配送政策：" + _free(p) + _cut_off(p) + _transit(p)
    return "亲，" + "".join(parts[name]() for name in hit)
