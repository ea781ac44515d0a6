"""Product names are masked before intent classification, text and jieba words alike."""
from shop.nlu.masking import PLACEHOLDER, NameMasker, catalog_masker


def test_longest_name_wins_and_words_follow():
    m = NameMasker(["真丝衬衫", "宽松真丝衬衫"])
    text, words = m.mask("宽松真丝衬衫多少钱", ["宽松", "真丝", "衬衫", "多少", "钱"])
    assert text == f"{PLACEHOLDER}多少钱"
    assert words == ["多少", "钱", PLACEHOLDER]


def test_text_without_names_is_untouched():
    m = NameMasker(["宽松真丝衬衫"])
    assert m.mask("它怎么洗", ["它", "怎么", "洗"]) == ("它怎么洗", ["它", "怎么", "洗"])
    assert m.mask("", None) == ("", None)


def test_two_different_products_are_both_masked():
    m = catalog_masker()
    text, _ = m.mask("宽松真丝衬衫和柔软真丝枕套哪个好")
    assert text == f"{PLACEHOLDER}和{PLACEHOLDER}哪个好"


def test_long_numbers_are_masked_too():
    m = NameMasker(["宽松真丝衬衫"])
    text, words = m.mask("取消订单202511230006", ["取消", "订单", "202511230006"])
    assert text == "取消订单单号" and words == ["取消", "订单", "单号"]
    assert m.mask("身高175 体重70kg")[0] == "身高175 体重70kg"  # short numbers mean something
