"""Voice-input forms in the normal text: numbers read out digit by digit, homophones of after-sales words."""
import pytest

from shop.text.normalize import normalize


@pytest.mark.parametrize("typed,normal", [
    ("订单号是二零二五一一一七零零零二", "订单号是202511170002"),
    ("我的手机号是一三五一九零三五六四六", "我的手机号是13519035646"),
    ("幺三五一九零三五六四六", "13519035646"),
    ("想推货", "想退货"),
    ("帮我去消订单", "帮我取消订单"),
    ("快地到哪了", "快递到哪了"),
])
def test_spoken_forms_become_what_was_meant(typed, normal):
    assert normalize(typed) == normal and len(normalize(typed)) == len(typed)


@pytest.mark.parametrize("text", ["一件衣服", "一二三四五六", "去消毒", "统一价", "十一月十六号"])
def test_words_and_short_numerals_stay(text):
    assert normalize(text) == text
