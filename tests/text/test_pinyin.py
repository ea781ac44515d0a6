"""Pinyin typed for Chinese (shop.text.pinyin): examples of the kinds a shopper without a Chinese keyboard
types; the blind after-sales set a4 has a writer who types so."""
import pytest

from shop.text.pinyin import syllables, to_hanzi


@pytest.mark.parametrize("typed, meant", [
    ("wo yao tui huo", "我要退货"),                              # spaced syllables
    ("ding dan dao na le", "订单到哪了"),
    ("kuai di yuan shen me shi hou lai a", "快递员什么时候来啊"),  # a sentence, its particle at the end
    ("you ren ma zhuan ren gong", "有人吗转人工"),
    ("yao deng duo jiu a", "要等多久啊"),
    ("wo de yi fu shen me shi hou dao", "我的衣服什么时候到"),
])
def test_whole_sentences_in_pinyin(typed, meant):
    assert to_hanzi(typed) == meant


def test_pinyin_mixed_with_characters_reads_the_characters_next_to_it():
    assert to_hanzi("tui货") == "退货"                      # 退 because 退货 is a word; 货 kept
    assert to_hanzi("那个tan子不要了") == "那个毯子不要了"
    assert to_hanzi("202511220009 qu xiao diao") == "202511220009 取消掉"   # numbers kept as typed


def test_what_is_not_pinyin_stays_as_typed():
    for text in ("A类纯棉婴儿连体衣是什么材质", "我要a款", "e人", "XL有货吗", "cotton含量多少", "budget 500内", "foot length 238mm", "hi 在吗", "nike跑鞋",
                 "NIKE", "ok", "宽松真丝衬衫多少钱", ""):
        assert to_hanzi(text) == text
    assert syllables("dingdan") == ["ding", "dan"] and syllables("cotton") is None
