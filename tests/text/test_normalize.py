"""The one normal form: written Cantonese read as Mandarin, one character for one."""
import pytest

from shop.text.normalize import normalize


@pytest.mark.parametrize("typed, mandarin", [
    ("橙色仲有冇貨", "橙色还有没货"), ("溫和絲絨啞光口紅有咩顏色", "温和丝绒哑光口红有啥颜色"),
    ("我買嗰件抓絨外套發咗貨未", "我买那件抓绒外套发了货没"), ("我係油皮，想搵支防曬", "我是油皮,想找支防晒"),
    ("幾多錢", "多少钱"), ("可唔可以改地址", "可不可以改地址"),
    ("关系", "关系"), ("系列", "系列"), ("平底锅", "平底锅"), ("一点点", "一点点"),   # Mandarin stays
])
def test_written_cantonese_is_read_as_mandarin_one_character_for_one(typed, mandarin):
    assert normalize(typed) == mandarin and len(normalize(typed)) == len(typed)
