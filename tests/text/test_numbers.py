"""Chinese numerals, budgets, body measures and quantities as shoppers write them."""
from __future__ import annotations

import math

import pytest

from shop.text.normalize import normalize
from shop.text.numbers import measures, price_range, quantity, to_digits


@pytest.mark.parametrize("text, expected", [
    ("一米七，一百六十斤", "1米7，160斤"), ("改成一百二十件", "改成120件"), ("三百五以内", "350以内"),
    ("第二个", "第2个"), ("一千二", "1200"),
    # words made of numeral characters stay words
    ("看一下", "看一下"), ("一样", "一样"), ("便宜一点的", "便宜一点的"), ("这一款", "这一款"), ("统一", "统一"),
    ("十分好看", "十分好看"), ("几十块", "几十块"),
])
def test_to_digits(text, expected):
    assert to_digits(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("五百以内的羽绒服有吗", (0, 500)), ("300以内", (0, 300)), ("不超过五十", (0, 50)), ("预算300", (0, 300)),
    ("两百左右", (160, 240)), ("三四百蚊左右", (300, 400)), ("七八十块", (70, 80)), ("一百到两百", (100, 200)), ("300-500的", (300, 500)), ("一百多块的", (100, 200)),
    ("几十块的", (10, 100)), ("2k以内", (0, 2000)), ("500以上", (500, math.inf)),
    ("36到38码", None), ("3到5岁", None), ("宽松真丝衬衫多少钱", None),
    # a time, a count or a measure after the number is not money
    ("超过七天了还能退吗", None), ("不到3个月", None), ("超过70天", None), ("最多两件", None),
    ("超过1k", (1000, math.inf)), ("至少两百元", (200, math.inf)),
])
def test_price_range(text, expected):
    assert price_range(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("一米七，一百六十斤", {"height": 170, "weight": 80}),   # the example: 160 斤 = 80 kg
    ("一米七五 140斤", {"height": 175, "weight": 70}),
    ("175 70公斤", {"height": 175, "weight": 70}), ("175 70", {"height": 175, "weight": 70}),
    ("1.75m 65kg", {"height": 175, "weight": 65}), ("身高170体重120", {"height": 170, "weight": 60}),
    ("我一米六体重九十斤", {"height": 160, "weight": 45}), ("脚长25.5", {"foot": 255}),
    ("脚长二十五厘米半", {"foot": 255}),
    # a tenth after the unit, as a length is read aloud; a foot's length in cm where a foot is talked about
    ("脚长二十五厘米八", {"foot": 258}), ("他的脚我量了一下，大概是二十五公分八那么长", {"foot": 258}),
    ("脚上的伤口3厘米", {}),
    # a metre and no more beside a weight is a small child's height; a 1米 table is no height
    ("儿子三岁 一米 三十斤", {"height": 100, "weight": 15}), ("一米的桌子 三十斤", {"weight": 15}),
    # a height and a weight in one run of numerals, split where the weight is a person's
    ("冲锋衣我一米七八一百四十斤", {"height": 178, "weight": 70}), ("一米七八十斤", {"height": 170, "weight": 40}),
    ("宽松真丝衬衫多少钱", {}),
])
def test_measures(text, expected):
    assert measures(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("改成两百件", 200), ("一百二十件", 120), ("改成一百件", 100), ("两件", 2), ("多买一件，数量改成2件", 2),
    ("3", 3), ("第一个", None), ("好的", None),
])
def test_quantity(text, expected):
    assert quantity(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("運費怎麼算", "运费怎么算"), ("ＸＬ碼有貨嗎", "XL码有货吗"), ("衝鋒衣", "冲锋衣"), ("１７５ｃｍ", "175cm"), ("", ""),
])
def test_normalize(text, expected):
    out = normalize(text)
    assert out == expected and len(out) == len(text)


def test_part_of_an_items_quantity_for_returns_and_exchanges():
    from shop.text.numbers import part_quantity
    assert part_quantity("换一条就好，另一条黄的我留着") == 1
    assert part_quantity("只退两件") == 2
    assert part_quantity("两条都换") == 0 and part_quantity("全部退掉") == 0   # 0: all of them
    assert part_quantity("换小一号的") is None and part_quantity("我要退货") is None


def test_about_a_hundred_is_a_little_more_rather_than_less():
    from shop.text.numbers import price_range
    low, high = price_range("一百来块的T恤")
    assert low <= 100 <= high and high >= 140 and low >= 90


def test_all_of_an_item_when_none_is_kept():
    from shop.text.numbers import part_quantity
    assert part_quantity("盖毯买了两条 两条都退 一条都不要了") == 0


def test_a_decimal_said_with_dian_and_a_rough_foot_length():
    from shop.text.numbers import measures
    assert measures("我妈脚长大概二十三点二厘米 买几码") == {"foot": 232.0}


def test_a_little_over_a_round_sum():
    from shop.text.numbers import price_range
    assert price_range("预算一千出头") == (1000.0, 1200.0)


def test_a_price_said_next_to_a_height_is_not_the_height():
    from shop.text.numbers import measures
    assert measures("那个抓绒外套209的 男的 175 140斤穿啥码") == {"height": 175.0, "weight": 70.0}


def test_a_size_before_baoyou_is_no_count_of_packs():
    # 灰的42 包邮不 (a stranger's line): 包 of 包邮 is no measure word
    assert quantity("行 那就二百九十九那个 灰的42 包邮不 能便宜不") is None
    assert quantity("两包 包邮吗") == 2 and quantity("买3包纸巾") == 3
