"""docs/tone.md as tests: every response in the domain and every declared Python wording."""
from __future__ import annotations

import re

import pytest

import actions.shipping  # noqa: F401  (declares its wordings)
import shop.dialogue.order_text  # noqa: F401  (declares its wordings)
from shop.dialogue import phrasing
from shop.nlg.generator import placeholders

MIN_VARIANTS = 3
MAX_CHARS = 80
# Responses allowed fewer than three wordings, each with the reason. Keep it short.
FEWER_VARIANTS_ALLOWED: dict[str, str] = {}

SLANG = ("宝子", "宝宝", "亲亲", "家人们", "老铁", "集美", "绝绝子", "yyds", "酱紫", "木有", "哈哈", "嘿嘿",
         "啦啦", "么么哒", "哈喽", "nb", "666")
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]")
QUOTED = re.compile("「[^」]*」")
# 亲 as a word of address, not inside 亲肤 / 亲自 / 亲切 / 亲手 / 亲友 / 亲人
QIN = re.compile("亲(?![肤自切手友人])")
OPENER = re.compile("^[^，。？！：～]{0,3}亲，")


def tone_problems(text: str) -> list[str]:
    problems = []
    unquoted = QUOTED.sub("", text)
    if "你" in unquoted:
        problems.append("addresses the shopper as 你 (您 is the rule)")
    qin = QIN.findall(unquoted)
    if len(qin) > 1:
        problems.append("亲 more than once")
    if qin and not OPENER.match(unquoted):
        problems.append("亲 used other than as the opener (亲，/ 好的亲，)")
    if re.search(r"[,!?;]", unquoted):
        problems.append("ASCII punctuation")
    if unquoted.count("！") > 1 or re.search("[！？]{2,}", unquoted):
        problems.append("more than one ！ or doubled ？/！")
    if unquoted.count("～") > 1:
        problems.append("more than one ～")
    if "…" in unquoted or "..." in unquoted:
        problems.append("ellipsis")
    if len(EMOJI.findall(text)) > 1:
        problems.append("more than one emoji")
    lowered = text.lower()
    problems += [f"slang {w!r}" for w in SLANG if w in lowered]
    if len(text) > MAX_CHARS:
        problems.append(f"longer than {MAX_CHARS} characters")
    return problems


def domain_texts(domain) -> list[tuple[str, str]]:
    return [(name, v["text"]) for name, variants in domain.responses.items() for v in variants if v.get("text")]


def python_texts() -> list[tuple[str, str]]:
    return [(p.situation, v) for p in phrasing.REGISTRY.values() for v in p.variants]


# -- the rule itself can fail ---------------------------------------------------------------------
@pytest.mark.parametrize("bad", [
    "你好，请问有什么可以帮你？", "谢谢亲的评价，您的反馈很重要。", "亲太客气了。", "您好，亲，在的。",
    "好的!马上处理。", "太好了！！", "收到！马上！", "您好……", "哈喽宝子，在的。", "好的😊👋", "好的～收到～",
    "您" * 81,
])
def test_the_checker_catches_what_the_rules_forbid(bad):
    assert tone_problems(bad)


@pytest.mark.parametrize("good", [
    "亲，您好！我是本店的智能客服。", "好的亲，马上为您处理～", "比如「你们几点发货」，您直接问就好。",
    "这款是亲肤面料。", "您太客气了😊 还有什么问题随时问我。",
])
def test_the_checker_accepts_the_house_style(good):
    assert tone_problems(good) == []


# -- the shipped texts ----------------------------------------------------------------------------
def test_every_domain_response_follows_the_tone(domain):
    bad = {(name, text): tone_problems(text) for name, text in domain_texts(domain) if tone_problems(text)}
    assert not bad, bad


def test_every_python_wording_follows_the_tone():
    bad = {(name, text): tone_problems(text) for name, text in python_texts() if tone_problems(text)}
    assert not bad, bad


def test_every_response_has_enough_wordings(domain):
    thin = {name: len(variants) for name, variants in domain.responses.items()
            if len(variants) < MIN_VARIANTS and name not in FEWER_VARIANTS_ALLOWED}
    assert not thin, f"responses with fewer than {MIN_VARIANTS} wordings: {thin}"


def test_every_response_can_be_said_without_any_value(domain):
    # So a conversation without an order or a product in focus still gets a real sentence.
    for name, variants in domain.responses.items():
        assert any(not placeholders(v.get("text")) for v in variants), name


def test_values_named_by_responses_exist(domain):
    known = {s.name for s in domain.slots} | {"product"}
    for name, text in domain_texts(domain):
        assert set(placeholders(text)) <= known, (name, text)


def test_opener_and_emoji_are_not_in_every_wording(domain):
    for name, variants in domain.responses.items():
        texts = [v.get("text") or "" for v in variants]
        if len(texts) < 2:
            continue
        assert not all(QIN.search(t) for t in texts), f"{name}: every wording opens with 亲"
        assert not all(EMOJI.search(t) for t in texts), f"{name}: every wording has an emoji"
